# TLS against real PostgreSQL servers with certificates made in the test
# (tests/lib/tt-certs.c). daemon/db/tls.c is compiled in so libpq can be
# driven as the pool drives it.
tusk_integration_test(integration-tls
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-tls.c
    ${PROJECT_SOURCE_DIR}/daemon/db/tls.c
    ${PROJECT_SOURCE_DIR}/tests/lib/tt-certs.c
    ${PROJECT_SOURCE_DIR}/tests/lib/tt-tls-servers.c
  LIBS PkgConfig::OPENSSL Threads::Threads)
# The same through tuskd: connections.save + connection.open.
tusk_integration_test(integration-tls-daemon
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-tls-daemon.c
    ${PROJECT_SOURCE_DIR}/tests/lib/tt-certs.c
    ${PROJECT_SOURCE_DIR}/tests/lib/tt-tls-servers.c
  LIBS PkgConfig::OPENSSL)
