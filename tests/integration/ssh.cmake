# SSH tunnels through tuskd against a real sshd on loopback
# (tests/harness/sshd.sh) and the run's shared PostgreSQL. Runs as root.
tusk_integration_test(integration-ssh SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-ssh.c)
target_compile_definitions(integration-ssh PRIVATE
  TUSK_SSHD_SH="${PROJECT_SOURCE_DIR}/tests/harness/sshd.sh")
tusk_shell_test(shell-ssh-cli test-ssh-cli.sh)
