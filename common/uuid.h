/* UUID version 4 from getrandom(2). */
#pragma once

#include <stdbool.h>

#define TUSK_UUID_STRLEN 36

/* Writes the canonical lower-case form and a NUL into out (37 bytes).
 * Returns 0 or a negative errno. */
int tusk_uuid_v4(char out[TUSK_UUID_STRLEN + 1]);
/* Accepts the canonical 8-4-4-4-12 hex form, either case. */
bool tusk_uuid_valid(const char *s);
