/* Civil-date arithmetic done by hand so that formatting and parsing never
 * depend on TZ, the C library's locale or the range of time_t. */
#include "common/timestamp.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

int64_t tusk_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

/* Proleptic Gregorian calendar in 400-year eras of 146097 days. */
int64_t tusk_days_from_civil(int year, unsigned month, unsigned day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tusk_civil_from_days(int64_t days, int *ret_year, unsigned *ret_month, unsigned *ret_day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*ret_year = (int)(yoe + era * 400 + (m <= 2));
	*ret_month = m;
	*ret_day = d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int tusk_timestamp_format(int64_t us, unsigned digits, char out[TUSK_TIMESTAMP_STRLEN])
{
	int64_t days = floor_div(us, US_PER_DAY);
	int64_t rem = us - days * US_PER_DAY;
	int year;
	unsigned month, day;

	tusk_civil_from_days(days, &year, &month, &day);
	if (year < 1 || year > 9999) {
		out[0] = '\0';
		return -EINVAL;
	}
	unsigned secs = (unsigned)(rem / US_PER_SEC);
	unsigned frac = (unsigned)(rem % US_PER_SEC);
	int n = snprintf(out, TUSK_TIMESTAMP_STRLEN, "%04d-%02u-%02uT%02u:%02u:%02u", year, month,
	                 day, secs / 3600, secs / 60 % 60, secs % 60);
	if (digits >= 6)
		n += snprintf(out + n, (size_t)(TUSK_TIMESTAMP_STRLEN - n), ".%06u", frac);
	else if (digits >= 3)
		n += snprintf(out + n, (size_t)(TUSK_TIMESTAMP_STRLEN - n), ".%03u", frac / 1000);
	snprintf(out + n, (size_t)(TUSK_TIMESTAMP_STRLEN - n), "Z");
	return 0;
}

static bool take_digits(const char **p, unsigned n, unsigned *ret)
{
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool days_in_month_ok(unsigned year, unsigned month, unsigned day)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	unsigned max = mdays[month - 1] + (month == 2 && leap);
	return day >= 1 && day <= max;
}

int tusk_timestamp_parse(const char *s, int64_t *ret_us)
{
	unsigned year, month, day, hh, mm, ss, oh = 0, om = 0;
	int64_t frac = 0;
	const char *p = s;

	if (!s)
		return -EINVAL;
	if (!take_digits(&p, 4, &year) || !take_char(&p, '-') || !take_digits(&p, 2, &month) ||
	    !take_char(&p, '-') || !take_digits(&p, 2, &day))
		return -EINVAL;
	if (!take_char(&p, 'T') && !take_char(&p, 't') && !take_char(&p, ' '))
		return -EINVAL;
	if (!take_digits(&p, 2, &hh) || !take_char(&p, ':') || !take_digits(&p, 2, &mm) ||
	    !take_char(&p, ':') || !take_digits(&p, 2, &ss))
		return -EINVAL;
	if (take_char(&p, '.')) {
		int64_t scale = 100000;
		unsigned n = 0;
		for (; isdigit((unsigned char)*p); p++, n++) {
			if (n >= 9)
				return -EINVAL;
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		if (n == 0)
			return -EINVAL;
	}
	int sign = 0;
	if (take_char(&p, 'Z') || take_char(&p, 'z'))
		sign = 0;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!take_digits(&p, 2, &oh) || !take_char(&p, ':') || !take_digits(&p, 2, &om))
			return -EINVAL;
		if (oh > 23 || om > 59)
			return -EINVAL;
	} else
		return -EINVAL;
	if (*p != '\0')
		return -EINVAL;
	if (year < 1 || month < 1 || month > 12 || !days_in_month_ok(year, month, day) || hh > 23 ||
	    mm > 59 || ss > 59)
		return -EINVAL;

	int64_t secs = tusk_days_from_civil((int)year, month, day) * 86400 + hh * 3600 + mm * 60 +
	               ss - sign * (int64_t)(oh * 3600 + om * 60);
	*ret_us = secs * US_PER_SEC + frac;
	return 0;
}
