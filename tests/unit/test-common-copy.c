/* COPY's pieces in common/: base64 both ways (RFC 4648 vectors, every
 * byte, bad input refused) and COPY text rows rendered as psql's csv / tsv
 * (NULL vs empty, every escape, quoting, the \. marker). */
#include "common/base64.h"
#include "common/copy-text.h"

#include <check.h>
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
	tcase_add_test(tc, copy_text_csv);
	tcase_add_test(tc, copy_text_tsv);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
