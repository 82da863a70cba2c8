# Unit suites of daemon/db/tls.c: real certificates and keys made with
# OpenSSL in temp dirs (tests/lib/tt-certs.c), no server. tls.c and the
# certificate helper are compiled in directly.
foreach(suite check hook)
  tusk_unit_test(test-tls-${suite}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-tls-${suite}.c
      ${PROJECT_SOURCE_DIR}/daemon/db/tls.c
      ${PROJECT_SOURCE_DIR}/tests/lib/tt-certs.c
    LIBS tusk-common PkgConfig::OPENSSL PkgConfig::LIBPQ PkgConfig::JANSSON
      Threads::Threads)
endforeach()
