# Integration tests written in bash on tests/harness/: each starts the real
# tuskd (and whatever else it needs) in a temp dir and tears it down.
# Included from tests/CMakeLists.txt, so paths are relative to tests/.
set(TUSK_SHELL_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration)

function(tusk_shell_test name script)
  add_test(NAME ${name} COMMAND bash ${TUSK_SHELL_TEST_DIR}/${script})
  set_tests_properties(${name} PROPERTIES LABELS "integration" TIMEOUT 180
    ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>;${ARGN}")
endfunction()

tusk_shell_test(shell-harness test-harness.sh)
tusk_shell_test(shell-socket test-socket.sh)
tusk_shell_test(shell-single-instance test-single-instance.sh)
tusk_shell_test(shell-signals test-signals.sh)
tusk_shell_test(shell-socket-activation test-socket-activation.sh)
tusk_shell_test(shell-peer-uid test-peer-uid.sh)
tusk_shell_test(shell-autostart test-autostart.sh)
tusk_shell_test(shell-tuskctl test-tuskctl.sh)
tusk_shell_test(shell-cli-query test-cli-query.sh)
tusk_shell_test(shell-cli-daily test-cli-daily.sh)
tusk_shell_test(shell-interactive test-shell.sh)
tusk_shell_test(shell-cli-output test-cli-output.sh)
tusk_shell_test(shell-completion-scripts test-completion-scripts.sh
  "TUSK_BUILD_DIR=${CMAKE_BINARY_DIR}")
tusk_shell_test(shell-pool-cycle test-pool-cycle.sh)
tusk_shell_test(shell-query-outcomes test-query-outcomes.sh)
tusk_shell_test(shell-inline test-inline.sh)
tusk_shell_test(shell-startup-log test-startup-log.sh)
tusk_shell_test(shell-cli-found test-cli-found.sh)
tusk_shell_test(shell-workspace test-workspace.sh)
tusk_shell_test(shell-notify test-notify.sh)
tusk_shell_test(shell-sessions test-sessions.sh)
tusk_shell_test(shell-context-release test-context-release.sh)
tusk_shell_test(shell-store-cli test-store-cli.sh)
tusk_shell_test(shell-store-life test-store-life.sh)
tusk_shell_test(shell-script-copy test-script-copy.sh)
tusk_shell_test(shell-script-run test-script-run.sh)
tusk_shell_test(shell-copy test-copy.sh "TUSK_FIDELITY_DIR=${CMAKE_CURRENT_SOURCE_DIR}/integration/fidelity")
set_tests_properties(shell-copy PROPERTIES TIMEOUT 600)
# 2M rows stored, exported and fetched under ASan take about two minutes.
set_tests_properties(shell-store-cli shell-store-life PROPERTIES TIMEOUT 400)
tusk_shell_test(shell-error-catalogue test-error-catalogue.sh)
tusk_shell_test(shell-systemd-units test-systemd-units.sh
  "TUSK_BUILD_DIR=${CMAKE_BINARY_DIR}"
  "TUSK_INSTALL_BINDIR=${CMAKE_INSTALL_FULL_BINDIR}"
  "TUSK_UNIT_DIR=${CMAKE_INSTALL_PREFIX}/${TUSK_SYSTEMD_USER_UNIT_DIR}")
