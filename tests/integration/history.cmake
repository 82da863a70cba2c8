# Query history through a real tuskd (debug.history_add feeds the writer)
# and tuskctl history, also on a pseudo-terminal.
tusk_integration_test(integration-history
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-history.c)
