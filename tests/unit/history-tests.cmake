# The query history writer: real SQLite files in temp dirs, real worker
# threads (tusk-worker) and a libevent loop. Links the storage library alone:
# an undefined daemon symbol here means storage reached outside its layer.
tusk_unit_test(test-storage-history
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-storage-history.c
  LIBS tusk-storage tusk-storage-testutil)
