# Saved connections, groups and import through a real tuskd, and the
# tuskctl conn / group / open / close commands end to end.
# Included from tests/CMakeLists.txt: include(integration/connections.cmake)
tusk_integration_test(integration-connections
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-connections.c)
tusk_integration_test(integration-connections-cli
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-connections-cli.c)
