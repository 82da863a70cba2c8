# Turn a file into a C array: cmake -DIN=schema.json -DOUT=schema-data.c
# -DNAME=tusk_schema_json -P embed.cmake. Plain CMake so that the build
# needs no xxd, ld -b binary or other tool.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Break the array every 16 bytes to keep lines readable in a debugger.
string(REGEX REPLACE "((0x..,){16})" "\\1\n\t" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
"/* Generated from ${IN} by embed.cmake; do not edit. */
#include <stddef.h>

extern const unsigned char ${NAME}[];
extern const size_t ${NAME}_len;

const unsigned char ${NAME}[] = {
	${bytes}
};
const size_t ${NAME}_len = ${len};
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
