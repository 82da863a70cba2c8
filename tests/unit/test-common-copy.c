/* COPY's pieces in common/: base64 both ways (RFC 4648 vectors, every
 * byte, bad input refused), COPY data as a JSON string both ways (what
 * jansson reads back, where escaping stops, what the strict reader leaves
 * to a JSON parser) and COPY text rows rendered as psql's csv / tsv
 * (NULL vs empty, every escape, quoting, the \. marker). */
#include "common/base64.h"
#include "common/copy-json.h"
#include "common/copy-text.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/tt-check.h"

static char *enc(const char *s, size_t n)
{
	char *out = calloc(1, tusk_base64_encoded_len(n) + 1);
	tusk_base64_encode(s, n, out);
	return out;
}

START_TEST(base64_vectors)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
	                                    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		char *e = enc(plain[i], strlen(plain[i]));
		ck_assert_str_eq(e, coded[i]);
		char out[16] = {0};
		ck_assert_int_eq(tusk_base64_decode(e, strlen(e), out),
		                 (long long)strlen(plain[i]));
		ck_assert_str_eq(out, plain[i]);
		free(e);
	}
}
END_TEST

START_TEST(base64_every_byte)
{
	unsigned char all[256], back[258];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t n = 250; n <= 256; n++) {
		char *e = enc((const char *)all, n);
		ck_assert_int_eq(tusk_base64_decode(e, strlen(e), back), (long long)n);
		ck_assert_mem_eq(all, back, n);
		free(e);
	}
}
END_TEST

START_TEST(base64_refuses)
{
	char out[16];
	static const char *const bad[] = {"Zg=", "Zg=a", "Z===", "Zm9v!A==", "Zg==Zm9v", "Zm 9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(tusk_base64_decode(bad[i], strlen(bad[i]), out) < 0, "%s", bad[i]);
}
END_TEST

/* Escape in[0, n): all of it must go, jansson must read it back as the
 * same bytes, and the strict reader too. */
static void json_round_trip(const char *in, size_t n)
{
	char *out = malloc(6 * n + 3);
	size_t used = 99;
	out[0] = '"';
	size_t len = tusk_copy_json_escape(in, n, out + 1, &used);
	ck_assert_uint_eq(used, n);
	out[len + 1] = '"';
	json_error_t err;
	json_t *j = json_loadb(out, len + 2, JSON_DECODE_ANY, &err);
	ck_assert_msg(j != NULL, "%s", err.text);
	ck_assert_uint_eq(json_string_length(j), n);
	ck_assert_mem_eq(json_string_value(j), in, n);
	json_decref(j);
	char *back = malloc(len + 1); /* the reader's room: the escaped length */
	ck_assert_int_eq(tusk_copy_json_unescape(out + 1, len, back), (long long)n);
	ck_assert_mem_eq(back, in, n);
	free(out);
	free(back);
}

START_TEST(json_text_round_trip)
{
	char all[128];
	for (int i = 1; i < 128; i++)
		all[i - 1] = (char)i;
	json_round_trip(all, 127);
	static const char *const pieces[] = {"é", "€", "😀", "\"", "\\", "\n", "\x01", "a"};
	/* Each piece at every offset within an 8-byte word, among plain bytes. */
	for (size_t k = 0; k < sizeof(pieces) / sizeof(*pieces); k++)
		for (int at = 0; at < 17; at++) {
			char buf[64];
			memset(buf, 'x', sizeof(buf));
			size_t pl = strlen(pieces[k]);
			memcpy(buf + at, pieces[k], pl);
			json_round_trip(buf, (size_t)at + pl + 8);
			json_round_trip(buf, (size_t)at + pl);
		}
	const char *row = "1,\"say \"\"hi\"\"\",2024-01-01 00:00:01+00\n";
	json_round_trip(row, strlen(row));
}
END_TEST

START_TEST(json_text_stops)
{
	char out[256];
	size_t used;
	/* NUL, a byte that is not UTF-8, a character cut by the end. */
	ck_assert_uint_eq(tusk_copy_json_escape("abcdefghij\0kl", 13, out, &used), 10);
	ck_assert_uint_eq(used, 10);
	tusk_copy_json_escape("abc\xe9t\xe9", 6, out, &used);
	ck_assert_uint_eq(used, 3);
	tusk_copy_json_escape("abcdefgh\xe2\x82", 10, out, &used);
	ck_assert_uint_eq(used, 8);
	tusk_copy_json_escape("\xff", 1, out, &used);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(json_text_strict_reader)
{
	char out[64];
	ck_assert_int_eq(tusk_copy_json_unescape("a\\/b\\u00e9\\u20ac", 16, out), 8);
	ck_assert_mem_eq(out, "a/b\xc3\xa9\xe2\x82\xac", 8);
	ck_assert_int_eq(tusk_copy_json_unescape("\\b\\f\\r\\t", 8, out), 4);
	ck_assert_mem_eq(out, "\b\f\r\t", 4);
	static const char *const refused[] = {
	    "say \"hi", "line\nbreak", "bad \\x escape",  "nul \\u0000",  "half \\ud83d\\ude00",
	    "end \\",   "short \\u12", "not hex \\u12g4", "latin \xe9 1", "tab\there",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		ck_assert_msg(tusk_copy_json_unescape(refused[i], strlen(refused[i]), out) < 0,
		              "%s", refused[i]);
}
END_TEST

static const char *render(TuskRender kind, const char *row, TuskCopyScratch *s)
{
	ck_assert_int_eq(tusk_copy_text_render(kind, row, strlen(row), s), 0);
	static char line[512];
	memcpy(line, s->buf, s->len);
	line[s->len] = '\0';
	return line;
}

START_TEST(copy_text_csv)
{
	TuskCopyScratch s = {0};
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "1\tabc\t2.5\n", &s), "1,abc,2.5\n");
	/* NULL and '' are both empty in psql's csv. */
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "\\N\t\t\\N\n", &s), ",,\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "a,b\tsay \"hi\"\n", &s),
	                 "\"a,b\",\"say \"\"hi\"\"\"\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "l1\\nl2\tcr\\rx\ttab\\there\n", &s),
	                 "\"l1\nl2\",\"cr\rx\",tab\there\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "\\\\.\tback\\\\slash\n", &s),
	                 "\"\\.\",back\\slash\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "\\b\\f\\v\\101\\x42\n", &s), "\b\f\vAB\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "\n", &s), "\n");
	ck_assert_str_eq(render(TUSK_RENDER_CSV, "\\N", &s), "\n");
	tusk_copy_scratch_clear(&s);
}
END_TEST

START_TEST(copy_text_tsv)
{
	TuskCopyScratch s = {0};
	ck_assert_str_eq(render(TUSK_RENDER_TSV, "1\ta,b\t\"q\"\n", &s), "1\ta,b\t\"q\"\n");
	ck_assert_str_eq(render(TUSK_RENDER_TSV, "\\N\tin\\tside\tl\\nf\n", &s),
	                 "\tin\tside\tl\nf\n");
	tusk_copy_scratch_clear(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-copy");
	TCase *tc = tcase_create("copy");
	tcase_add_test(tc, base64_vectors);
	tcase_add_test(tc, base64_every_byte);
	tcase_add_test(tc, base64_refuses);
	tcase_add_test(tc, json_text_round_trip);
	tcase_add_test(tc, json_text_stops);
	tcase_add_test(tc, json_text_strict_reader);
	tcase_add_test(tc, copy_text_csv);
	tcase_add_test(tc, copy_text_tsv);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
