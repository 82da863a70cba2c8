# Unit suites for common/: no services, real libraries.
foreach(suite error pgerror uuid paths log timestamp copy jsonwrite)
  tusk_unit_test(test-common-${suite}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-common-${suite}.c
    LIBS tusk-common)
endforeach()
# The models' JSON is the protocol's: checked against the schema.
tusk_unit_test(test-common-models
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-common-models.c
  LIBS tusk-common tusk-protocol)
