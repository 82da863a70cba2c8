# protocol/: codec, schema and client suites and the PROTOCOL.md freshness
# check (the codec's fuzz target is in tests/fuzz/).
foreach(suite codec parse validate message schema client req)
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

# docs/ERRORS.md, the error catalogue, comes from the same schema.
add_test(NAME errors-doc-current
  COMMAND ${CMAKE_COMMAND}
          -DPROTODOC=$<TARGET_FILE:tusk-protodoc> -DARGS=--errors
          -DEXPECTED=${PROJECT_SOURCE_DIR}/docs/ERRORS.md
          -DACTUAL=${CMAKE_CURRENT_BINARY_DIR}/ERRORS.md.generated
          -P ${PROJECT_SOURCE_DIR}/protocol/check-doc.cmake)
set_tests_properties(errors-doc-current PROPERTIES LABELS unit TIMEOUT 60)

# The daemon's method handlers, its generated method table and the
# notifications it emits against the schema, both ways.
add_test(NAME protocol-schema-drift
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test-schema-drift.sh ${PROJECT_SOURCE_DIR}
          ${PROJECT_BINARY_DIR})
set_tests_properties(protocol-schema-drift PROPERTIES LABELS unit TIMEOUT 60)
