if(COMMAND tusk_integration_test)
  # Issue 9: hostile ids on every reply path, limits, faults and load.
  tusk_integration_test(integration-hostile-ids
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-hostile-ids.c)
endif()
if(COMMAND tusk_integration_test)
  tusk_integration_test(integration-limits SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-limits.c)
endif()
# Timing-bound suites run in the plain build only: under ASan the history
# writer is several times slower and the measured window says nothing.
if(COMMAND tusk_integration_test AND NOT TUSK_SANITIZE)
  tusk_integration_test(integration-kill-burst
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-kill-burst.c LIBS PkgConfig::SQLITE3)
  tusk_integration_test(integration-load SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-load.c)
  set_tests_properties(integration-load PROPERTIES TIMEOUT 900)
endif()
