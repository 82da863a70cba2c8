# connections.import: libpq input → a saved config (conninfo.c), and
# tusk-conninfo, the helper process that runs libpq's service-file lookup in
# an environment of its own (see conninfo.h for why a process). Included by
# daemon/CMakeLists.txt after add_executable(tuskd).
set(_conninfo_dir ${CMAKE_CURRENT_LIST_DIR})

add_library(tusk-db-conninfo STATIC ${_conninfo_dir}/conninfo.c ${_conninfo_dir}/conninfo-service.c)
target_link_libraries(tusk-db-conninfo PUBLIC tusk-common PkgConfig::LIBPQ PkgConfig::JANSSON)
target_compile_definitions(tusk-db-conninfo PRIVATE
  TUSK_CONNINFO_HELPER="${CMAKE_INSTALL_FULL_LIBEXECDIR}/tusk/tusk-conninfo")

add_executable(tusk-conninfo ${_conninfo_dir}/conninfo-helper.c)
target_link_libraries(tusk-conninfo PRIVATE PkgConfig::LIBPQ PkgConfig::JANSSON)
install(TARGETS tusk-conninfo RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/tusk)

target_link_libraries(tuskd PRIVATE tusk-db-conninfo)
# tuskd finds the helper beside itself in the build tree.
add_dependencies(tuskd tusk-conninfo)
