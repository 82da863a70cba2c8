# Unit suites of daemon/storage (real SQLite files in temp dirs).
add_library(tusk-storage-testutil STATIC unit/test-storage-util.c)
target_link_libraries(tusk-storage-testutil PUBLIC PkgConfig::CHECK PkgConfig::SQLITE3)

foreach(suite migrations open settings)
  tusk_unit_test(test-storage-${suite}
    SOURCES unit/test-storage-${suite}.c
    LIBS tusk-storage tusk-storage-testutil)
endforeach()
