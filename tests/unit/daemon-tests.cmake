# Unit suites for daemon pieces that need no server.
tusk_unit_test(unit-daemon-worker
  SOURCES unit/test-daemon-worker.c
  LIBS tusk-worker)


# The backend, pool and waiter state machines, one test per transition,
# through tusk-db alone (no tuskd) against the run's real PostgreSQL.
tusk_unit_test(unit-db-states
  SOURCES unit/test-db-states.c
  LIBS tusk-db tusk-testlib)
