# Keyring suites: the real gnome-keyring Secret Service, each suite in a
# private D-Bus session made by test-keyring-session.sh.
# Included from tests/CMakeLists.txt: include(integration/keyring.cmake)
set(keyring_session ${CMAKE_CURRENT_SOURCE_DIR}/integration/test-keyring-session.sh)

add_executable(integration-keyring integration/test-keyring.c integration/test-keyring-lib.c)
target_link_libraries(integration-keyring PRIVATE tusk-testlib PkgConfig::LIBSECRET
  PkgConfig::CHECK)
add_test(NAME integration-keyring
  COMMAND bash ${keyring_session} $<TARGET_FILE:integration-keyring>)
set_tests_properties(integration-keyring PROPERTIES LABELS "integration;keyring" TIMEOUT 300
  ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>;CK_DEFAULT_TIMEOUT=120")

add_test(NAME shell-keyring-cli
  COMMAND bash ${keyring_session} bash
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/test-keyring-cli.sh)
set_tests_properties(shell-keyring-cli PROPERTIES LABELS "integration;keyring" TIMEOUT 180
  ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>")

add_test(NAME shell-keyring-password
  COMMAND bash ${keyring_session} bash
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/test-keyring-password.sh)
set_tests_properties(shell-keyring-password PROPERTIES LABELS "integration;keyring"
  TIMEOUT 180 ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>")

add_test(NAME shell-readme
  COMMAND bash ${keyring_session} bash
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/test-readme.sh)
set_tests_properties(shell-readme PROPERTIES LABELS "integration;keyring"
  TIMEOUT 240 ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>")

add_test(NAME shell-faults
  COMMAND bash ${keyring_session} bash
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/test-faults.sh)
set_tests_properties(shell-faults PROPERTIES LABELS "integration;keyring"
  TIMEOUT 240 ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>")
