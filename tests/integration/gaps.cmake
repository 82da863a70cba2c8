# Gap tests of issues 3 and 4: query history from real executions, and the
# keyring-unavailable memory fallback (no session bus).
# Included from tests/CMakeLists.txt: include(integration/gaps.cmake)
tusk_integration_test(integration-query-history
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-query-history.c)
tusk_integration_test(integration-keyring-fallback
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-keyring-fallback.c)
