# common/sql.c against the real server (libpq only, no daemon).
tusk_integration_test(integration-sql SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-sql-server.c)
# Built-in type names against the server's format_type().
tusk_integration_test(integration-meta-types
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-meta-types.c ${PROJECT_SOURCE_DIR}/daemon/db/meta-types.c)
# query.columns through tuskd (daemon/db/meta.c via the query engine).
tusk_integration_test(integration-meta SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-meta.c)
