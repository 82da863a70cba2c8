# Unit suites for common/: no services, real libraries.
foreach(suite error pgerror models uuid paths log timestamp)
  tusk_unit_test(test-common-${suite}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-common-${suite}.c
    LIBS tusk-common)
endforeach()
