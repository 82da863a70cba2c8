# The query history writer: real SQLite files in temp dirs, real worker
# threads (daemon/worker.c) and a libevent loop.
tusk_unit_test(test-storage-history
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-storage-history.c ${PROJECT_SOURCE_DIR}/daemon/worker.c
  LIBS tusk-storage tusk-storage-testutil PkgConfig::LIBEVENT Threads::Threads)
