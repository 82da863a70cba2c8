# Unit suites for daemon pieces that need no server.
tusk_unit_test(unit-daemon-worker
  SOURCES unit/test-daemon-worker.c
  LIBS tusk-worker)


# The backend, pool and waiter state machines, one test per transition,
# through tusk-db alone (no tuskd) against the run's real PostgreSQL.
tusk_unit_test(unit-db-states
  SOURCES unit/test-db-states.c
  LIBS tusk-db tusk-testlib)

# No process-wide mutable state in db/ and storage/: every variable of
# tusk-db and tusk-storage in writable data (.bss, .data, TLS) fails, apart
# from the allow-list in scripts/check-no-globals with its reasons; and the
# check itself fails on a file-level or function-local static.
add_test(NAME libs-no-globals COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-no-globals
  $<TARGET_FILE:tusk-db> $<TARGET_FILE:tusk-storage>)
add_test(NAME libs-no-globals-selftest
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/unit/test-no-globals.sh ${CMAKE_C_COMPILER})
set_tests_properties(libs-no-globals libs-no-globals-selftest PROPERTIES LABELS unit TIMEOUT 60)
