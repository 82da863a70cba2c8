# Generate C from the protocol schema (schema.json and schema.d/*.json):
#
#   cmake -DBASE=schema.json -DFRAGDIR=schema.d -DMODE=names -DOUT=tusk-names.h -P gen-names.cmake
#     one macro per method (TUSK_M_QUERY_EXECUTE "query.execute") and per
#     notification (TUSK_N_QUERY_STARTED "query.started"), for the daemon
#     and the clients, so no name is spelled twice.
#   cmake … -DMODE=daemon -DOUT=rpc-methods -P gen-names.cmake
#     rpc-methods.h: the prototype of each method's handler: "query.execute"
#     is handled by method_query_execute(), defined in daemon/rpc/;
#     rpc-methods.c: the dispatch table, sorted by name.
#   A method without its handler fails the link, a handler without its
#   method fails the compile (-Wmissing-prototypes, or a static function
#   that nothing uses): the table and the schema cannot drift.
cmake_minimum_required(VERSION 3.19) # string(JSON)
file(GLOB fragments "${FRAGDIR}/*.json")
list(SORT fragments)
set(method_names "")
set(note_names "")
foreach(f IN ITEMS "${BASE}" ${fragments})
  file(READ "${f}" doc)
  foreach(member methods notifications)
    string(JSON obj ERROR_VARIABLE err GET "${doc}" ${member})
    if(err)
      continue()
    endif()
    string(JSON n LENGTH "${obj}")
    if(n EQUAL 0)
      continue()
    endif()
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON name MEMBER "${obj}" ${i})
      if(NOT name MATCHES "^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$")
        message(FATAL_ERROR "${f}: ${member} name \"${name}\" is not family.name in [a-z0-9_]")
      endif()
      if(member STREQUAL "methods")
        list(APPEND method_names "${name}")
      else()
        list(APPEND note_names "${name}")
      endif()
    endforeach()
  endforeach()
endforeach()
list(SORT method_names)
list(SORT note_names)

function(ident name prefix out)
  string(REPLACE "." "_" id "${name}")
  if(prefix STREQUAL "")
    set(${out} "${id}" PARENT_SCOPE)
  else()
    string(TOUPPER "${id}" id)
    set(${out} "${prefix}${id}" PARENT_SCOPE)
  endif()
endfunction()

set(head "/* Generated from protocol/schema.json and schema.d/ by protocol/gen-names.cmake;\n * do not edit: change the schema. */\n")

function(write_if_changed path text)
  file(WRITE "${path}.tmp" "${text}")
  file(COPY_FILE "${path}.tmp" "${path}" ONLY_IF_DIFFERENT)
  file(REMOVE "${path}.tmp")
endfunction()

if(MODE STREQUAL "names")
  set(out "${head}#pragma once\n\n/* Methods. */\n")
  foreach(m IN LISTS method_names)
    ident("${m}" TUSK_M_ id)
    string(APPEND out "#define ${id} \"${m}\"\n")
  endforeach()
  string(APPEND out "\n/* Notifications. */\n")
  foreach(m IN LISTS note_names)
    ident("${m}" TUSK_N_ id)
    string(APPEND out "#define ${id} \"${m}\"\n")
  endforeach()
  write_if_changed("${OUT}" "${out}")
elseif(MODE STREQUAL "daemon")
  # Included by daemon/rpc.h, after struct rpc_request and enum rpc_ret.
  set(h "${head}#pragma once\n\n")
  set(c "${head}#include \"daemon/rpc.h\"\n\nconst struct rpc_method rpc_methods[] = {\n")
  list(LENGTH method_names count)
  foreach(m IN LISTS method_names)
    ident("${m}" "" id)
    string(APPEND h "enum rpc_ret method_${id}(struct rpc_request *req, TuskError *e);\n")
    string(APPEND c "\t{\"${m}\", method_${id}},\n")
  endforeach()
  string(APPEND h "\n#define RPC_METHOD_COUNT ${count}\n")
  string(APPEND c "};\n")
  write_if_changed("${OUT}.h" "${h}")
  write_if_changed("${OUT}.c" "${c}")
else()
  message(FATAL_ERROR "gen-names.cmake: MODE is names or daemon")
endif()
