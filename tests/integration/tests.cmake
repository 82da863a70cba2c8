# Integration suites in C: each starts a real tuskd on a private socket.
function(tusk_integration_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE tusk-testlib ${T_LIBS} PkgConfig::CHECK)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 300
    ENVIRONMENT "TUSKD=$<TARGET_FILE:tuskd>;TUSKCTL=$<TARGET_FILE:tuskctl>;CK_DEFAULT_TIMEOUT=120")
endfunction()

tusk_integration_test(integration-rpc-raw SOURCES integration/test-rpc-raw.c)
tusk_integration_test(integration-pool SOURCES integration/test-pool.c)
tusk_integration_test(integration-query SOURCES integration/test-query.c)
tusk_integration_test(integration-pool-life SOURCES integration/test-pool-life.c)
tusk_integration_test(integration-cancel-race SOURCES integration/test-cancel-race.c)
tusk_integration_test(integration-backpressure SOURCES integration/test-backpressure.c)
set_tests_properties(integration-backpressure PROPERTIES TIMEOUT 900)
