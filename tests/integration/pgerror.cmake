# common/error-from.c against real PostgreSQL servers (libpq only, no
# daemon): every diagnostic field, timeouts, cancels, lost connections and
# connection failures, with certificates from tests/lib/tt-certs.c.
# Included from tests/CMakeLists.txt: include(integration/pgerror.cmake)
tusk_integration_test(integration-pgerror
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-pgerror.c
    ${PROJECT_SOURCE_DIR}/tests/lib/tt-certs.c
  LIBS PkgConfig::OPENSSL)
