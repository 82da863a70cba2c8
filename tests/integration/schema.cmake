# The schema cache through tuskd: every object kind, describe, DDL events,
# refresh, completion, a 1,000-table catalog.
tusk_integration_test(integration-schema SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-schema.c)
