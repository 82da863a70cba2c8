/* Wall-clock times as microseconds since the Unix epoch (UTC), and their
 * ISO-8601 text form "2026-11-26T14:08:21.123456Z". */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Longest text tusk_timestamp_format() writes, with its NUL. */
#define TUSK_TIMESTAMP_STRLEN 32

int64_t tusk_now_us(void);

/* digits is how many fractional digits to print: 0, 3 (ms) or 6 (µs).
 * Returns 0, or -EINVAL for a time outside years 0001..9999. */
int tusk_timestamp_format(int64_t us, unsigned digits, char out[TUSK_TIMESTAMP_STRLEN]);

/* Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (a space may stand for the
 * 'T'; up to 9 fractional digits, truncated to µs). Returns 0 or -EINVAL. */
int tusk_timestamp_parse(const char *s, int64_t *ret_us);

/* Days since 1970-01-01 of a civil UTC date, and back. */
int64_t tusk_days_from_civil(int year, unsigned month, unsigned day);
void tusk_civil_from_days(int64_t days, int *ret_year, unsigned *ret_month, unsigned *ret_day);
