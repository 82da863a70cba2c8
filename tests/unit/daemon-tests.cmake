# Unit suites for daemon pieces that need no server.
tusk_unit_test(unit-daemon-worker
  SOURCES unit/test-daemon-worker.c ${PROJECT_SOURCE_DIR}/daemon/worker.c
  LIBS PkgConfig::LIBEVENT Threads::Threads)
