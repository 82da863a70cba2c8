/* The monotonic clock every daemon module measures durations and deadlines
 * with (wall-clock times are in common/timestamp.h). */
#pragma once

#include <stdint.h>

uint64_t tusk_mono_us(void); /* CLOCK_MONOTONIC in µs */
