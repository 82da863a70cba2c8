# SQL analysis (common/sql.c, libpg_query): no services.
tusk_unit_test(test-sql SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-sql.c LIBS tusk-common
  Threads::Threads)
