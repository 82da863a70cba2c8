# Issue 9: hostile ids on every reply path, limits, faults and load.
tusk_integration_test(integration-hostile-ids
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-hostile-ids.c)
tusk_integration_test(integration-limits SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-limits.c)
# Timing-bound suites run in the plain build only: under ASan the history
# writer is several times slower and the measured window says nothing.
if(NOT TUSK_SANITIZE)
  tusk_integration_test(integration-kill-burst
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-kill-burst.c LIBS PkgConfig::SQLITE3)
  tusk_integration_test(integration-load SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-load.c)
  set_tests_properties(integration-load PROPERTIES TIMEOUT 900)
endif()
if(NOT TUSK_SANITIZE)
  # Inside a keyring session of its own: it stops gnome-keyring on purpose.
  add_executable(integration-responsive ${CMAKE_CURRENT_LIST_DIR}/test-responsive.c
    ${CMAKE_CURRENT_LIST_DIR}/test-keyring-lib.c)
  target_link_libraries(integration-responsive PRIVATE tusk-testlib PkgConfig::LIBSECRET
    PkgConfig::CHECK)
  add_test(NAME integration-responsive
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test-keyring-session.sh
      $<TARGET_FILE:integration-responsive>)
  set_tests_properties(integration-responsive PROPERTIES LABELS "integration;keyring"
    TIMEOUT 600
    ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>;CK_DEFAULT_TIMEOUT=600")
endif()
