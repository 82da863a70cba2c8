/* PostgreSQL's text form + type OID → typed JSON, without losing anything:
 * every branch either maps to a JSON value that names exactly what the text
 * named, or keeps the text. */
#include "common/cellvalue.h"
#include "common/jsonstr.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/grow.h"

/* pg_type rows with typcategory 'A' below FirstGenbkiObjectId (the OIDs
 * every PostgreSQL of a version shares), sorted by array OID. int2vector
 * (22) and oidvector (30) are category 'A' too but print "1 2 3": left out. */
static const struct {
	TuskOid array, elem;
} array_types[] = {
    {143, 142},   {199, 114},   {210, 71},    {270, 75},    {271, 5069},  {272, 81},
    {273, 83},    {629, 628},   {651, 650},   {719, 718},   {775, 774},   {791, 790},
    {1000, 16},   {1001, 17},   {1002, 18},   {1003, 19},   {1005, 21},   {1007, 23},
    {1008, 24},   {1009, 25},   {1010, 27},   {1011, 28},   {1012, 29},   {1014, 1042},
    {1015, 1043}, {1016, 20},   {1017, 600},  {1018, 601},  {1019, 602},  {1020, 603},
    {1021, 700},  {1022, 701},  {1027, 604},  {1028, 26},   {1034, 1033}, {1040, 829},
    {1041, 869},  {1115, 1114}, {1182, 1082}, {1183, 1083}, {1185, 1184}, {1187, 1186},
    {1231, 1700}, {1263, 2275}, {1270, 1266}, {1561, 1560}, {1563, 1562}, {2201, 1790},
    {2207, 2202}, {2208, 2203}, {2209, 2204}, {2210, 2205}, {2211, 2206}, {2287, 2249},
    {2949, 2970}, {2951, 2950}, {3221, 3220}, {3643, 3614}, {3644, 3642}, {3645, 3615},
    {3735, 3734}, {3770, 3769}, {3807, 3802}, {3905, 3904}, {3907, 3906}, {3909, 3908},
    {3911, 3910}, {3913, 3912}, {3927, 3926}, {4073, 4072}, {4090, 4089}, {4097, 4096},
    {4192, 4191}, {5039, 5038}, {6150, 4451}, {6151, 4532}, {6152, 4533}, {6153, 4534},
    {6155, 4535}, {6157, 4536},
};

/* PostgreSQL's MAXDIM. */
#define ARRAY_MAX_DIMS 6

TuskOid tusk_cell_array_elem(TuskOid array_oid)
{
	size_t lo = 0, hi = sizeof(array_types) / sizeof(array_types[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (array_types[mid].array == array_oid)
			return array_types[mid].elem;
		if (array_types[mid].array < array_oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- numbers ---- */

/* strtod must read "1.5" whatever LC_NUMERIC a client program set. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static double strtod_c(const char *s, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(s, end, c_locale);
	return strtod(s, end);
}

/* Strict: what int2/4/8out and oidout print, nothing else. */
static bool parse_integer(const char *text, size_t len, json_int_t *ret)
{
	char buf[24];
	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(text[i] >= '0' && text[i] <= '9') && !(i == 0 && text[i] == '-' && len > 1))
			return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	errno = 0;
	char *end;
	long long v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*ret = (json_int_t)v;
	return true;
}

/* A decimal in C syntax ("-1.5e+10"), no hex, no "inf"/"nan": those are
 * PostgreSQL's NaN/Infinity texts, which stay strings. */
static bool parse_decimal(const char *text, size_t len, double *ret)
{
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	if (!(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789.eE+-", text[i]) || text[i] == '\0')
			return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *end;
	double d = strtod_c(buf, &end);
	if (*end != '\0' || !isfinite(d))
		return false;
	*ret = d;
	return true;
}

/* d's first p significant digits, correctly rounded, and the decimal
 * exponent of the first one. printf's %e is exact on glibc; its decimal
 * point is the locale's, so only digits are taken from it. */
static void render_digits(double d, int p, char *digits, int *exp10)
{
	char tmp[48];
	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, fabs(d));
	int n = 0;
	const char *s = tmp;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[n++] = *s;
	digits[n] = '\0';
	*exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

static bool digits_read_back(double d, const char *digits, int exp10)
{
	/* Built by hand: this runs up to 4 times per double. */
	char tmp[48], *o = tmp;
	size_t n = strlen(digits);
	*o++ = digits[0];
	*o++ = '.';
	memcpy(o, digits + 1, n - 1);
	o += n - 1;
	*o++ = 'e';
	if (exp10 < 0) {
		*o++ = '-';
		exp10 = -exp10;
	}
	char rev[8];
	int k = 0;
	do {
		rev[k++] = (char)('0' + exp10 % 10);
		exp10 /= 10;
	} while (exp10 > 0);
	while (k > 0)
		*o++ = rev[--k];
	*o = '\0';
	return strtod_c(tmp, NULL) == fabs(d);
}

/* The p-digit decimal one unit in the last place above (dir 1) or below
 * (dir -1): "999"e5 + 1 = "100"e6, "100"e6 - 1 = "999"e5. */
static bool digits_step(char *dg, int p, int *exp10, int dir)
{
	int i = p - 1;
	if (dir > 0) {
		for (; i >= 0 && dg[i] == '9'; i--)
			dg[i] = '0';
		if (i < 0) {
			dg[0] = '1';
			(*exp10)++;
		} else {
			dg[i]++;
		}
		return true;
	}
	for (; i >= 0 && dg[i] == '0'; i--)
		dg[i] = '9';
	if (i < 0)
		return false;
	dg[i]--;
	if (dg[0] == '0') {
		memmove(dg, dg + 1, (size_t)p - 1);
		dg[p - 1] = '9';
		(*exp10)--;
	}
	return true;
}

/* Does some p-digit decimal read back as d? The nearest one usually; at a
 * power of two the interval below d is half as wide as above, and there
 * the next one up may read back where the nearest (below) does not. */
static bool shortest_candidate(double d, int p, char *digits, int *exp10)
{
	render_digits(d, p, digits, exp10);
	if (digits_read_back(d, digits, *exp10))
		return true;
	for (int dir = -1; dir <= 1; dir += 2) {
		char alt[24];
		int e = *exp10;
		memcpy(alt, digits, (size_t)p + 1);
		if (digits_step(alt, p, &e, dir) && digits_read_back(d, alt, e)) {
			memcpy(digits, alt, (size_t)p + 1);
			*exp10 = e;
			return true;
		}
	}
	return false;
}

size_t tusk_double_text(double d, char *buf)
{
	buf[0] = '\0';
	if (!isfinite(d))
		return 0;
	char *o = buf;
	if (signbit(d))
		*o++ = '-';
	if (d == 0) {
		*o++ = '0';
		*o = '\0';
		return (size_t)(o - buf);
	}
	/* Fewest digits that read back. When some decimal of at most 15
	 * digits reads back, it is within 2^-53 of d, far inside half the
	 * spacing of 15-digit decimals: so it is d's nearest 15-digit decimal
	 * with trailing zeros (stripped below). Otherwise 16 digits may do;
	 * 17 always do. Normal numbers only: the bound is relative. */
	char digits[24];
	int exp10;
	if (fabs(d) >= DBL_MIN) {
		render_digits(d, 15, digits, &exp10);
		if (!digits_read_back(d, digits, exp10) &&
		    !shortest_candidate(d, 16, digits, &exp10))
			shortest_candidate(d, 17, digits, &exp10);
	} else {
		/* Subnormals hold fewer bits: search (read-back is monotonic
		 * in the number of digits). */
		int lo = 1, hi = 17;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (shortest_candidate(d, mid, digits, &exp10))
				hi = mid;
			else
				lo = mid + 1;
		}
		shortest_candidate(d, lo, digits, &exp10);
	}
	int n = (int)strlen(digits);
	while (n > 1 && digits[n - 1] == '0')
		digits[--n] = '\0';

	/* float8out's thresholds: fixed notation for 1e-4 <= |d| < 1e15. */
	if (exp10 < -4 || exp10 >= 15) {
		*o++ = digits[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)n - 1);
			o += n - 1;
		}
		o += sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 >= 0) {
		for (int i = 0; i < n || i <= exp10; i++) {
			if (i == exp10 + 1)
				*o++ = '.';
			*o++ = i < n ? digits[i] : '0';
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -exp10 - 1; i++)
			*o++ = '0';
		memcpy(o, digits, (size_t)n);
		o += n;
	}
	*o = '\0';
	return (size_t)(o - buf);
}

static json_t *map_float(const char *text, size_t len)
{
	double d;
	if (parse_decimal(text, len, &d))
		return json_real(d);
	return json_stringn(text, len);
}

/* ---- json / jsonb ---- */

/* A decimal number's value as sign, significant digits and the exponent of
 * 0.DIGITS, so that "1.50", "15e-1" and "1.5" compare equal. */
struct decimal {
	bool negative;
	char *digits;
	size_t ndigits;
	long long exp;
};

static void decimal_parse(const char *s, size_t n, char *digits, struct decimal *d)
{
	size_t i = 0;
	long long point = 0;
	bool seen_point = false;
	d->negative = n > 0 && s[0] == '-';
	if (d->negative)
		i++;
	d->digits = digits;
	d->ndigits = 0;
	for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen_point = true;
			continue;
		}
		digits[d->ndigits++] = s[i];
		if (!seen_point)
			point++;
	}
	long long e = 0;
	if (i < n) {
		bool neg = false;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			neg = s[i++] == '-';
		/* Saturate: a 40-digit exponent is just "very big". */
		for (; i < n; i++)
			if (e < 1000000000000LL)
				e = e * 10 + (s[i] - '0');
		if (neg)
			e = -e;
	}
	while (d->ndigits > 0 && d->digits[0] == '0') {
		d->digits++;
		d->ndigits--;
		point--;
	}
	while (d->ndigits > 0 && d->digits[d->ndigits - 1] == '0')
		d->ndigits--;
	d->exp = d->ndigits ? point + e : 0;
}

static bool decimal_equal(const struct decimal *a, const struct decimal *b)
{
	return a->negative == b->negative && a->ndigits == b->ndigits && a->exp == b->exp &&
	       memcmp(a->digits, b->digits, a->ndigits) == 0;
}

/* Would jansson's value for this number token print back as the same
 * number? Integers: all but "-0" (jansson refuses those beyond long long).
 * Reals: the double's decimal value must equal the token's. */
static bool number_token_exact(const char *tok, size_t n)
{
	if (!memchr(tok, '.', n) && !memchr(tok, 'e', n) && !memchr(tok, 'E', n))
		return !(n == 2 && tok[0] == '-' && tok[1] == '0');

	_cleanup_free_ char *copy = strndup(tok, n);
	_cleanup_free_ char *digits = malloc(n + 1);
	if (!copy || !digits)
		return false;
	double v = strtod_c(copy, NULL);
	if (!isfinite(v))
		return false;
	char back[TUSK_DOUBLE_STRLEN], back_digits[TUSK_DOUBLE_STRLEN];
	size_t bn = tusk_double_text(v, back);
	struct decimal a, b;
	decimal_parse(tok, n, digits, &a);
	decimal_parse(back, bn, back_digits, &b);
	return decimal_equal(&a, &b);
}

/* Valid JSON (jansson parsed it) is scanned for number tokens. */
static bool json_numbers_exact(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t start = i++;
			while (i < len && s[i] != '\0' && strchr("0123456789+-.eE", s[i]))
				i++;
			if (!number_token_exact(s + start, i - start))
				return false;
		} else {
			i++;
		}
	}
	return true;
}

static json_t *map_json(const char *text, size_t len)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (v &&
	    (json_is_object(v) || json_is_array(v) || json_is_number(v) || json_is_boolean(v)) &&
	    json_numbers_exact(text, len))
		return v;
	json_decref(v);
	return json_stringn(text, len);
}

/* ---- arrays ---- */

struct array_parser {
	const char *p, *end;
	char delim;
	TuskOid elem;
	char *buf; /* one unescaped element */
	bool oom;
};

static json_t *array_elem(struct array_parser *ap, const char *text, size_t len)
{
	json_t *v;
	if (ap->elem == TUSK_OID_JSON || ap->elem == TUSK_OID_JSONB || ap->elem == 0 ||
	    tusk_cell_array_elem(ap->elem) != 0)
		v = json_stringn(text, len);
	else
		v = tusk_cell_typed(ap->elem, text, len);
	if (!v)
		ap->oom = true;
	return v;
}

/* One "{…}" level at ap->p. NULL when the text is not array_out's. */
static json_t *array_level(struct array_parser *ap, int depth)
{
	if (depth > ARRAY_MAX_DIMS || ap->p >= ap->end || *ap->p != '{')
		return NULL;
	ap->p++;
	_cleanup_json_ json_t *arr = json_array();
	if (!arr) {
		ap->oom = true;
		return NULL;
	}
	if (ap->p < ap->end && *ap->p == '}') {
		ap->p++;
		return TAKE_PTR(arr);
	}
	for (;;) {
		json_t *item;
		if (ap->p >= ap->end)
			return NULL;
		if (*ap->p == '{') {
			item = array_level(ap, depth + 1);
		} else if (*ap->p == '"') {
			size_t n = 0;
			for (ap->p++; ap->p < ap->end && *ap->p != '"'; ap->p++) {
				if (*ap->p == '\\' && ++ap->p >= ap->end)
					return NULL;
				ap->buf[n++] = *ap->p;
			}
			if (ap->p >= ap->end)
				return NULL;
			ap->p++;
			item = array_elem(ap, ap->buf, n);
		} else {
			const char *start = ap->p;
			while (ap->p < ap->end && *ap->p != ap->delim && *ap->p != '}') {
				if (*ap->p == '"' || *ap->p == '\\' || *ap->p == '{')
					return NULL;
				ap->p++;
			}
			size_t n = (size_t)(ap->p - start);
			if (n == 0)
				return NULL;
			if (n == 4 && memcmp(start, "NULL", 4) == 0)
				item = json_null();
			else
				item = array_elem(ap, start, n);
		}
		if (!item || json_array_append_new(arr, item) < 0) {
			if (item)
				ap->oom = true;
			return NULL;
		}
		if (ap->p >= ap->end)
			return NULL;
		if (*ap->p == '}') {
			ap->p++;
			return TAKE_PTR(arr);
		}
		if (*ap->p != ap->delim)
			return NULL;
		ap->p++;
	}
}

json_t *tusk_cell_typed_elem(TuskOid array_oid, TuskOid elem_oid, const char *text, size_t len)
{
	if (!text)
		return json_null();
	if (elem_oid == 0)
		elem_oid = tusk_cell_array_elem(array_oid);
	/* "[0:2]={…}": the bounds would be lost, keep the text. */
	if (len == 0 || text[0] != '{')
		return json_stringn(text, len);
	_cleanup_free_ char *buf = malloc(len);
	if (!buf)
		return NULL;
	struct array_parser ap = {
	    .p = text,
	    .end = text + len,
	    .delim = elem_oid == TUSK_OID_BOX ? ';' : ',',
	    .elem = elem_oid,
	    .buf = buf,
	};
	json_t *v = array_level(&ap, 1);
	if (v && ap.p == ap.end)
		return v;
	json_decref(v);
	if (ap.oom)
		return NULL;
	return json_stringn(text, len);
}

json_t *tusk_cell_typed(TuskOid oid, const char *text, size_t len)
{
	json_int_t i;
	if (!text)
		return json_null();
	switch (oid) {
	case TUSK_OID_BOOL:
		if (len == 1 && text[0] == 't')
			return json_true();
		if (len == 1 && text[0] == 'f')
			return json_false();
		break;
	case TUSK_OID_INT2:
	case TUSK_OID_INT4:
	case TUSK_OID_INT8:
	case TUSK_OID_OID:
		if (parse_integer(text, len, &i))
			return json_integer(i);
		break;
	case TUSK_OID_FLOAT4:
	case TUSK_OID_FLOAT8:
		return map_float(text, len);
	case TUSK_OID_JSON:
	case TUSK_OID_JSONB:
		return map_json(text, len);
	default:
		if (tusk_cell_array_elem(oid))
			return tusk_cell_typed_elem(oid, 0, text, len);
		break;
	}
	return json_stringn(text, len);
}

/* ---- exact dump ---- */

int tusk_json_dump_exact(const json_t *v, json_dump_callback_t cb, void *data)
{
	char buf[TUSK_DOUBLE_STRLEN > 32 ? TUSK_DOUBLE_STRLEN : 32];
	size_t n;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return cb("null", 4, data);
	case JSON_TRUE:
		return cb("true", 4, data);
	case JSON_FALSE:
		return cb("false", 5, data);
	case JSON_INTEGER:
		n = (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		                     json_integer_value(v));
		return cb(buf, n, data);
	case JSON_REAL:
		n = tusk_double_text(json_real_value(v), buf);
		return n ? cb(buf, n, data) : -1;
	case JSON_STRING:
		return tusk_json_string(json_string_value(v), json_string_length(v), cb, data);
	case JSON_ARRAY: {
		if (cb("[", 1, data) < 0)
			return -1;
		for (size_t i = 0; i < json_array_size(v); i++)
			if ((i > 0 && cb(",", 1, data) < 0) ||
			    tusk_json_dump_exact(json_array_get(v, i), cb, data) < 0)
				return -1;
		return cb("]", 1, data);
	}
	case JSON_OBJECT: {
		const char *key;
		json_t *item;
		bool first = true;
		if (cb("{", 1, data) < 0)
			return -1;
		/* jansson ≥ 2.14 knows key lengths (keys may hold NUL). */
		void *it = json_object_iter((json_t *)v);
		for (; it; it = json_object_iter_next((json_t *)v, it)) {
			key = json_object_iter_key(it);
			item = json_object_iter_value(it);
			if ((!first && cb(",", 1, data) < 0) ||
			    tusk_json_string(key, json_object_iter_key_len(it), cb, data) < 0 ||
			    cb(":", 1, data) < 0 || tusk_json_dump_exact(item, cb, data) < 0)
				return -1;
			first = false;
		}
		return cb("}", 1, data);
	}
	}
	return -1;
}

struct strbuf {
	char *s;
	size_t len, cap;
};

static int strbuf_add(const char *p, size_t n, void *data)
{
	struct strbuf *b = data;
	if (tusk_grow(&b->s, &b->cap, b->len + n + 1, 64) < 0)
		return -1;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

char *tusk_json_dumps_exact(const json_t *v)
{
	struct strbuf b = {0};
	if (tusk_json_dump_exact(v, strbuf_add, &b) < 0 || strbuf_add("", 0, &b) < 0) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
