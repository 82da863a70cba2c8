# Lossless values and tuskctl's formats against the real psql and server.
# Included from tests/CMakeLists.txt: paths are relative to tests/.
set(TUSK_FIDELITY_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration/fidelity)

tusk_integration_test(integration-format-vs-psql
  SOURCES integration/test-format-vs-psql.c integration/values-lib.c
          ${PROJECT_SOURCE_DIR}/client-cli/format.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-aligned.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-json.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-width.c
          ${PROJECT_SOURCE_DIR}/client-cli/format-expanded.c)
tusk_integration_test(integration-values-roundtrip
  SOURCES integration/test-values-roundtrip.c integration/values-lib.c)
foreach(t integration-format-vs-psql integration-values-roundtrip)
  target_compile_definitions(${t} PRIVATE TUSK_FIDELITY_DIR="${TUSK_FIDELITY_DIR}")
  target_link_libraries(${t} PRIVATE m)
endforeach()

# tuskctl query --format csv vs psql --csv on the corpus, through a real
# tuskd (needs `tuskctl query`, client-cli/cmd-query.c).
tusk_shell_test(shell-fidelity test-fidelity.sh "TUSK_FIDELITY_DIR=${TUSK_FIDELITY_DIR}")
