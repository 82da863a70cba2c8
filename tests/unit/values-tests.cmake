# Lossless values (common/cellvalue.c) and tuskctl's output formats
# (client-cli/format*.c, compiled in: they are not a library).
tusk_unit_test(test-cellvalue
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-cellvalue.c
  LIBS tusk-common m)
tusk_unit_test(test-format
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-format.c
          ${PROJECT_SOURCE_DIR}/client-cli/format.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-aligned.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-json.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-width.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-expanded.c
  LIBS tusk-common m)
target_include_directories(test-format PRIVATE ${PROJECT_SOURCE_DIR}/client-cli)
