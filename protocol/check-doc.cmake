# ctest protocol-doc-current / errors-doc-current: PROTOCOL.md (and
# docs/ERRORS.md, with -DARGS=--errors) must be exactly what tusk-protodoc
# prints from the schema. cmake -DPROTODOC=… -DEXPECTED=… -DACTUAL=… -P
if(NOT DEFINED ARGS)
  set(ARGS "")
endif()
get_filename_component(doc_name ${EXPECTED} NAME)
execute_process(COMMAND ${PROTODOC} ${ARGS} OUTPUT_FILE ${ACTUAL} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tusk-protodoc failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${ACTUAL} ${EXPECTED}
                RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  # Show what changed when diff is at hand; the verdict does not need it.
  execute_process(COMMAND diff -u ${EXPECTED} ${ACTUAL})
  # NOTICE prints the line unwrapped, so it can be copied as it stands.
  message(NOTICE "${doc_name} is stale: run build/protocol/tusk-protodoc ${ARGS} > ${EXPECTED}")
  message(FATAL_ERROR "${EXPECTED} differs from the schema")
endif()
