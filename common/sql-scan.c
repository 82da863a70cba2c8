/* pg_query_scan's answer is a protobuf ScanResult {1: version, 2: repeated
 * ScanToken {1: start, 2: end, 4: token, 5: keyword_kind}}; the few
 * varints are read here rather than linking protobuf-c's headers. */
#include "common/sql-scan.h"

#include <pg_query.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return true;
		}
	}
	return false;
}

/* Skip a field of wire type wt. */
static bool skip(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;
	switch (wt) {
	case 0:
		return varint(p, end, &v);
	case 1:
		return (*p += 8) <= end;
	case 2:
		if (!varint(p, end, &v) || v > (uint64_t)(end - *p))
			return false;
		*p += v;
		return true;
	case 5:
		return (*p += 4) <= end;
	default:
		return false;
	}
}

static bool token(const uint8_t *p, const uint8_t *end, TuskSqlToken *t)
{
	*t = (TuskSqlToken){0};
	while (p < end) {
		uint64_t key, v;
		if (!varint(&p, end, &key))
			return false;
		unsigned field = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
		if (wt != 0) {
			if (!skip(&p, end, wt))
				return false;
			continue;
		}
		if (!varint(&p, end, &v))
			return false;
		if (field == 1)
			t->start = (size_t)v;
		else if (field == 2)
			t->end = (size_t)v;
		else if (field == 4)
			t->token = (int)v;
		else if (field == 5)
			t->keyword = v != 0;
	}
	return true;
}

int tusk_sql_scan(const char *sql, TuskSqlToken **ret)
{
	*ret = NULL;
	PgQueryScanResult r = pg_query_scan(sql);
	if (r.error) {
		pg_query_free_scan_result(r);
		return -1;
	}
	const uint8_t *p = (const uint8_t *)r.pbuf.data, *end = p + r.pbuf.len;
	size_t n = 0, cap = 0;
	TuskSqlToken *v = NULL;
	bool ok = true;
	while (ok && p < end) {
		uint64_t key, len;
		if (!varint(&p, end, &key)) {
			ok = false;
			break;
		}
		if ((key >> 3) != 2 || (key & 7) != 2) {
			ok = skip(&p, end, (unsigned)(key & 7));
			continue;
		}
		if (!varint(&p, end, &len) || len > (uint64_t)(end - p)) {
			ok = false;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			TuskSqlToken *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ok = false;
				break;
			}
			v = nv;
		}
		ok = token(p, p + len, &v[n++]);
		p += len;
	}
	pg_query_free_scan_result(r);
	if (!ok) {
		free(v);
		return -1;
	}
	*ret = v;
	return (int)n;
}

/* The end of the last top-level ';' of text that scans, or 0. */
static size_t last_semicolon(const char *sql)
{
	TuskSqlToken *t = NULL;
	int n = tusk_sql_scan(sql, &t);
	size_t end = 0;
	for (int i = 0; i < n; i++)
		if (t[i].token == ';')
			end = t[i].end;
	free(t);
	return end;
}

bool tusk_sql_complete_statements(const char *buf, size_t *end)
{
	size_t len = strlen(buf);
	size_t e = last_semicolon(buf);
	/* The text does not scan (an open quote after the statements) or has
	 * no ';': a ';' before the open part may still end statements. Try
	 * each ';' from the last one back. */
	for (size_t i = len; e == 0 && i > 0; i--) {
		if (buf[i - 1] != ';')
			continue;
		char *head = strndup(buf, i);
		if (!head)
			return false;
		e = last_semicolon(head);
		free(head);
	}
	if (e == 0)
		return false;
	*end = e;
	return true;
}

static bool word_is(const char *sql, const TuskSqlToken *t, const char *w)
{
	size_t len = strlen(w);
	return t->end - t->start == len && strncasecmp(sql + t->start, w, len) == 0;
}

int tusk_sql_local_sets(const char *sql, bool **ret)
{
	*ret = NULL;
	TuskSqlToken *t = NULL;
	int n = tusk_sql_scan(sql, &t);
	if (n < 0)
		return -1;
	int stmts = 0, words = 0, cap = 0;
	bool *v = NULL, set = false, local = false;
	for (int i = 0; i <= n; i++) {
		if (i < n && tusk_sql_token_is_comment(&t[i]))
			continue;
		if (i < n && t[i].token != ';') {
			if (words == 0)
				set = word_is(sql, &t[i], "set");
			else if (words == 1)
				local = set && (word_is(sql, &t[i], "local") ||
				                word_is(sql, &t[i], "transaction"));
			words++;
			continue;
		}
		if (words == 0)
			continue; /* an empty statement has no result */
		if (stmts == cap) {
			cap = cap ? cap * 2 : 16;
			bool *nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				free(t);
				return -1;
			}
			v = nv;
		}
		v[stmts++] = local;
		words = 0;
		local = false;
	}
	free(t);
	*ret = v;
	return stmts;
}
