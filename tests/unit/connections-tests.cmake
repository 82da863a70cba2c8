# Saved connections and groups in tusk.db, and connections.import's libpq
# parsing (real SQLite files in temp dirs; the real tusk-conninfo helper for
# services).
if(TARGET tusk-db-conninfo AND TARGET tusk-conninfo)
  tusk_unit_test(test-storage-connections
    SOURCES unit/test-storage-connections.c
    LIBS tusk-storage tusk-storage-testutil tusk-db-conninfo)
  set_property(TEST test-storage-connections APPEND PROPERTY ENVIRONMENT
    "TUSK_CONNINFO_HELPER=$<TARGET_FILE:tusk-conninfo>")
endif()
