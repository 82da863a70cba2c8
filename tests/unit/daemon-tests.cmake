# Unit suites for daemon pieces that need no server.
tusk_unit_test(unit-daemon-worker
  SOURCES unit/test-daemon-worker.c
  LIBS tusk-worker)

