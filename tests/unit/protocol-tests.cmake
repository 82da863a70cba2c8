# protocol/: codec, schema and client suites, the PROTOCOL.md freshness
# check, and (clang only) the libFuzzer target.
foreach(suite codec parse validate message schema client)
  tusk_unit_test(test-protocol-${suite}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-protocol-${suite}.c
    LIBS tusk-protocol)
endforeach()

add_test(NAME protocol-doc-current
  COMMAND ${CMAKE_COMMAND}
          -DPROTODOC=$<TARGET_FILE:tusk-protodoc>
          -DEXPECTED=${PROJECT_SOURCE_DIR}/protocol/PROTOCOL.md
          -DACTUAL=${CMAKE_CURRENT_BINARY_DIR}/PROTOCOL.md.generated
          -P ${PROJECT_SOURCE_DIR}/protocol/check-doc.cmake)
set_tests_properties(protocol-doc-current PROPERTIES LABELS unit TIMEOUT 60)

# Not run by ctest: run it by hand, e.g.
#   build/tests/fuzz-rpc-parse -max_total_time=60 -max_len=4096
if(CMAKE_C_COMPILER_ID STREQUAL "Clang" AND TARGET tusk-protocol-fuzz)
  add_executable(fuzz-rpc-parse ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz-rpc-parse.c)
  target_compile_options(fuzz-rpc-parse PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-rpc-parse PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-rpc-parse PRIVATE tusk-protocol-fuzz)
endif()
