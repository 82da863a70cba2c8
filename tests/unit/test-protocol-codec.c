/* The NDJSON line reader: partial feeds, CRLF, empty lines, the length
 * limit and resynchronisation after an oversized line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "tests/lib/tt-check.h"

/* Take the next line as an owned string; NULL when there is none. */
static char *next_line(TuskLineReader *r, TuskLineStatus *status)
{
	const char *line;
	size_t len;
	*status = tusk_line_reader_next(r, &line, &len);
	if (*status != TUSK_LINE_OK)
		return NULL;
	ck_assert_uint_eq(strlen(line), len);
	return strndup(line, len);
}

static void expect_line(TuskLineReader *r, const char *want)
{
	TuskLineStatus st;
	char *got = next_line(r, &st);
	ck_assert_int_eq(st, TUSK_LINE_OK);
	ck_assert_str_eq(got, want);
	free(got);
}

static TuskLineStatus next_status(TuskLineReader *r)
{
	TuskLineStatus st;
	free(next_line(r, &st));
	return st;
}

static void expect_status(TuskLineReader *r, TuskLineStatus want)
{
	ck_assert_int_eq(next_status(r), want);
}

static void feed_str(TuskLineReader *r, const char *s)
{
	ck_assert_int_eq(tusk_line_reader_feed(r, s, strlen(s)), 0);
}

START_TEST(byte_by_byte)
{
	TuskLineReader *r = tusk_line_reader_new(1024);
	const char *msg = "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.ping\",\"id\":1}\n";
	size_t n = strlen(msg);

	for (size_t i = 0; i + 1 < n; i++) {
		ck_assert_int_eq(tusk_line_reader_feed(r, msg + i, 1), 0);
		expect_status(r, TUSK_LINE_NONE);
		ck_assert_uint_eq(tusk_line_reader_pending(r), i + 1);
	}
	ck_assert_int_eq(tusk_line_reader_feed(r, msg + n - 1, 1), 0);
	expect_line(r, "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.ping\",\"id\":1}");
	expect_status(r, TUSK_LINE_NONE);
	ck_assert_uint_eq(tusk_line_reader_pending(r), 0);
	tusk_line_reader_free(r);
}
END_TEST

START_TEST(several_lines_one_feed_and_split_across_feeds)
{
	TuskLineReader *r = tusk_line_reader_new(1024);
	feed_str(r, "one\ntwo\nthr");
	expect_line(r, "one");
	expect_line(r, "two");
	expect_status(r, TUSK_LINE_NONE);
	feed_str(r, "ee\nfo");
	expect_line(r, "three");
	expect_status(r, TUSK_LINE_NONE);
	ck_assert_uint_eq(tusk_line_reader_pending(r), 2);
	feed_str(r, "ur\n");
	expect_line(r, "four");
	tusk_line_reader_free(r);
}
END_TEST

START_TEST(crlf_and_empty_lines)
{
	TuskLineReader *r = tusk_line_reader_new(1024);
	feed_str(r, "\n\r\n\nfirst\r\n\n\nsec\rond\n\r");
	expect_line(r, "first");
	/* Only a '\r' right before the newline belongs to the line end. */
	expect_line(r, "sec\rond");
	expect_status(r, TUSK_LINE_NONE);
	feed_str(r, "\n");
	expect_status(r, TUSK_LINE_NONE);
	ck_assert_uint_eq(tusk_line_reader_pending(r), 0);
	tusk_line_reader_free(r);
}
END_TEST

START_TEST(limit_boundaries)
{
	TuskLineReader *r = tusk_line_reader_new(8);
	feed_str(r, "12345678\n");
	expect_line(r, "12345678");
	/* The CR of a CRLF does not count against the limit. */
	feed_str(r, "12345678\r\n");
	expect_line(r, "12345678");
	feed_str(r, "123456789\nok\n");
	expect_status(r, TUSK_LINE_TOO_LONG);
	expect_line(r, "ok");
	/* Unterminated: nine bytes that cannot be a CRLF line are already too
	 * long, before any newline arrives. */
	feed_str(r, "123456789");
	expect_status(r, TUSK_LINE_TOO_LONG);
	ck_assert_uint_eq(tusk_line_reader_pending(r), 0);
	feed_str(r, "more of it\nafter\n");
	expect_line(r, "after");
	/* Eight bytes plus a CR may still turn out to be a CRLF line. */
	feed_str(r, "12345678\r");
	expect_status(r, TUSK_LINE_NONE);
	feed_str(r, "\n");
	expect_line(r, "12345678");
	tusk_line_reader_free(r);
}
END_TEST

/* A 20 MiB line arriving in 64 KiB reads, as a socket delivers it: one
 * TOO_LONG, memory bounded while it streams past, next line intact. */
START_TEST(huge_line_streamed_then_next_line)
{
	const size_t chunk = 64 * 1024, total = 20u * 1024 * 1024;
	TuskLineReader *r = tusk_line_reader_new(TUSK_RPC_MAX_MESSAGE);
	char *buf = malloc(chunk);
	memset(buf, 'x', chunk);
	buf[0] = '[';
	int too_long = 0;

	for (size_t sent = 0; sent < total; sent += chunk) {
		ck_assert_int_eq(tusk_line_reader_feed(r, buf, chunk), 0);
		TuskLineStatus st;
		while ((st = next_status(r)) != TUSK_LINE_NONE) {
			ck_assert_int_eq(st, TUSK_LINE_TOO_LONG);
			too_long++;
		}
		ck_assert_uint_le(tusk_line_reader_pending(r), TUSK_RPC_MAX_MESSAGE + chunk);
	}
	ck_assert_int_eq(too_long, 1);
	feed_str(r, "tail of the huge line\n{\"id\":2}\n");
	expect_line(r, "{\"id\":2}");
	expect_status(r, TUSK_LINE_NONE);
	free(buf);
	tusk_line_reader_free(r);
}
END_TEST

START_TEST(huge_line_in_one_feed)
{
	const size_t huge = 20u * 1024 * 1024;
	TuskLineReader *r = tusk_line_reader_new(TUSK_RPC_MAX_MESSAGE);
	char *buf = malloc(huge + 32);
	memset(buf, 'y', huge);
	memcpy(buf + huge, "\nbefore\n", 8);
	feed_str(r, "first\n");
	ck_assert_int_eq(tusk_line_reader_feed(r, buf, huge + 8), 0);
	feed_str(r, "last\n");
	expect_line(r, "first");
	expect_status(r, TUSK_LINE_TOO_LONG);
	expect_line(r, "before");
	expect_line(r, "last");
	expect_status(r, TUSK_LINE_NONE);
	free(buf);
	tusk_line_reader_free(r);
}
END_TEST

START_TEST(two_oversized_lines_in_a_row)
{
	TuskLineReader *r = tusk_line_reader_new(4);
	feed_str(r, "aaaaaaaa");
	expect_status(r, TUSK_LINE_TOO_LONG);
	feed_str(r, "aaaa\nbbbbbbbbbb");
	expect_status(r, TUSK_LINE_TOO_LONG);
	expect_status(r, TUSK_LINE_NONE);
	feed_str(r, "bb\ncc\n");
	expect_line(r, "cc");
	tusk_line_reader_free(r);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("protocol-codec");
	TCase *tc = tcase_create("line-reader");
	tcase_add_test(tc, byte_by_byte);
	tcase_add_test(tc, several_lines_one_feed_and_split_across_feeds);
	tcase_add_test(tc, crlf_and_empty_lines);
	tcase_add_test(tc, limit_boundaries);
	tcase_add_test(tc, huge_line_streamed_then_next_line);
	tcase_add_test(tc, huge_line_in_one_feed);
	tcase_add_test(tc, two_oversized_lines_in_a_row);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tt_run_suite(codec_suite());
}
