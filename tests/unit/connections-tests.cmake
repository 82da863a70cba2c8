# Saved connections and groups in tusk.db, and connections.import's libpq
# parsing (real SQLite files in temp dirs; the real tusk-conninfo helper for
# services, found through TUSK_CONNINFO_HELPER).
tusk_unit_test(test-storage-connections
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-storage-connections.c
          ${PROJECT_SOURCE_DIR}/daemon/db/conninfo.c
          ${PROJECT_SOURCE_DIR}/daemon/db/conninfo-service.c
  LIBS tusk-storage tusk-storage-testutil)
set_property(TEST test-storage-connections APPEND PROPERTY ENVIRONMENT
  "TUSK_CONNINFO_HELPER=$<TARGET_FILE:tusk-conninfo>")
