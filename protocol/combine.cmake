# Join schema.json and the per-family fragments in schema.d/ into one JSON
# array, base first: cmake -DBASE=… -DFRAGDIR=… -DOUT=… -P combine.cmake.
# schema.c merges the fragments' methods, notifications and definitions
# into the base when it loads the array.
file(GLOB fragments "${FRAGDIR}/*.json")
list(SORT fragments)
file(READ "${BASE}" text)
set(out "[\n${text}")
foreach(f IN LISTS fragments)
  file(READ "${f}" frag)
  string(APPEND out ",\n${frag}")
endforeach()
string(APPEND out "]\n")
file(WRITE "${OUT}.tmp" "${out}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
