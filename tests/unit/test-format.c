/* tuskctl's formatters fed the shapes query.execute sends; the expected
 * bytes are what psql 15 printed for the same SQL (a.sql and b.sql in the
 * comments; tests/integration/test-format-vs-psql.c checks the whole
 * fidelity corpus against the real psql). */
#include "client-cli/format.h"
#include "common/cleanup.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/lib/tt-check.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct formatter *fmt;
};

static void out_open(struct out *o, enum format_kind kind)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(o->f);
	o->fmt = formatter_new(kind, o->f);
	ck_assert_ptr_nonnull(o->fmt);
}

static const char *out_close(struct out *o)
{
	ck_assert_int_eq(formatter_finish(o->fmt), 0);
	formatter_free(o->fmt);
	fclose(o->f);
	return o->buf;
}

/* cols: "name:oid,name:oid"; rows: a JSON array of arrays. */
static void set(struct out *o, const char *cols, const char *rows_json, const char *tag)
{
	_cleanup_json_ json_t *columns = json_array();
	_cleanup_free_ char *copy = strdup(cols);
	char *save = NULL;
	for (char *c = strtok_r(copy, "\x1f", &save); c; c = strtok_r(NULL, "\x1f", &save)) {
		char *colon = strrchr(c, ':');
		*colon = '\0';
		json_array_append_new(columns, json_pack("{s:s, s:i, s:s}", "name", c, "type_oid",
		                                         atoi(colon + 1), "type_name", "x"));
	}
	formatter_columns(o->fmt, columns);
	json_error_t err;
	_cleanup_json_ json_t *rows = json_loads(rows_json, 0, &err);
	ck_assert_msg(rows != NULL, "%s: %s", rows_json, err.text);
	/* Two batches, as the daemon sends them. */
	size_t n = json_array_size(rows);
	_cleanup_json_ json_t *first = json_array();
	_cleanup_json_ json_t *second = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(i < n / 2 ? first : second, json_array_get(rows, i));
	formatter_rows(o->fmt, first);
	formatter_rows(o->fmt, second);
	_cleanup_json_ json_t *result = json_pack("{s:s, s:b}", "command_tag", tag, "has_rows", 1);
	formatter_result_end(o->fmt, result);
}

static void command(struct out *o, const char *tag)
{
	_cleanup_json_ json_t *result = json_pack("{s:s, s:b}", "command_tag", tag, "has_rows", 0);
	formatter_result_end(o->fmt, result);
}

#define SEP "\x1f"

/* a.sql:
 *   select 1 as a, 'x,y' as b, null as c, '' as d, '\.' as e, 'a"b' as f,
 *          E'l1\nl2' as g, E'cr\r' as h, ' sp ' as i;
 *   create temp table t(x int); insert into t values (1),(2); select;
 *   select * from t where false; insert into t values (3) returning x;
 *   set timezone = 'UTC'; begin; commit; select 'a' as "x,y", 1 as """q""";
 */
static void feed_a(struct out *o)
{
	set(o,
	    "a:23" SEP "b:25" SEP "c:25" SEP "d:25" SEP "e:25" SEP "f:25" SEP "g:25" SEP "h:25" SEP
	    "i:25",
	    "[[\"1\",\"x,y\",null,\"\",\"\\\\.\",\"a\\\"b\",\"l1\\nl2\",\"cr\\r\",\" sp \"]]",
	    "SELECT 1");
	command(o, "CREATE TABLE");
	command(o, "INSERT 0 2");
	set(o, "", "[[]]", "SELECT 1");
	set(o, "x:23", "[]", "SELECT 0");
	set(o, "x:23", "[[\"3\"]]", "INSERT 0 1");
	command(o, "SET");
	command(o, "BEGIN");
	command(o, "COMMIT");
	set(o, "x,y:25" SEP "\"q\":23", "[[\"a\",\"1\"]]", "SELECT 1");
}

/* What the statements of feed_a after the first print in csv and in tsv
 * alike (psql --csv and psql -A -F tab). */
#define FEED_A_COMMANDS  \
	"CREATE TABLE\n" \
	"INSERT 0 2\n"   \
	"\n"             \
	"x\n"            \
	"x\n"            \
	"3\n"            \
	"INSERT 0 1\n"   \
	"SET\n"          \
	"BEGIN\n"        \
	"COMMIT\n"

/* feed_a in each format, as psql prints it. */
static const struct {
	enum format_kind kind;
	const char *want;
} feed_a_as_psql[] = {
    {FORMAT_CSV, "a,b,c,d,e,f,g,h,i\n"
                 "1,\"x,y\",,,\"\\.\",\"a\"\"b\",\"l1\n"
                 "l2\",\"cr\r"
                 "\", sp \n" FEED_A_COMMANDS "\"x,y\",\"\"\"q\"\"\"\n"
                 "a,1\n"},
    {FORMAT_TSV, "a\tb\tc\td\te\tf\tg\th\ti\n"
                 "1\tx,y\t\t\t\\.\ta\"b\tl1\nl2\tcr\r\t sp \n" FEED_A_COMMANDS "x,y\t\"q\"\n"
                 "a\t1\n"},
    {FORMAT_ALIGNED, " a |  b  | c | d | e  |  f  | g  |  h   |  i   \n"
                     "---+-----+---+---+----+-----+----+------+------\n"
                     " 1 | x,y |   |   | \\. | a\"b | l1+| cr\\r |  sp \n"
                     "   |     |   |   |    |     | l2 |      | \n"
                     "(1 row)\n"
                     "\n"
                     "CREATE TABLE\n"
                     "INSERT 0 2\n"
                     "--\n"
                     "(1 row)\n"
                     "\n"
                     " x \n"
                     "---\n"
                     "(0 rows)\n"
                     "\n"
                     " x \n"
                     "---\n"
                     " 3\n"
                     "(1 row)\n"
                     "\n"
                     "INSERT 0 1\n"
                     "SET\n"
                     "BEGIN\n"
                     "COMMIT\n"
                     " x,y | \"q\" \n"
                     "-----+-----\n"
                     " a   |   1\n"
                     "(1 row)\n"
                     "\n"},
};

START_TEST(prints_as_psql)
{
	struct out o;
	out_open(&o, feed_a_as_psql[_i].kind);
	feed_a(&o);
	ck_assert_str_eq(out_close(&o), feed_a_as_psql[_i].want);
	free(o.buf);
}
END_TEST

/* b.sql:
 *   select 1.5::numeric as n, 'abc' as t, null::int as i,
 *          E'a\tb\x01c' as ctl, 'é😀' as u, 'x' as "long header name";
 *   select 123456789 as n union all select 1;
 *   select E'a\nbb\nccc' as m, 1 as k, E'x\ny' as last;
 *   select E'a\nb' as "multi
 *   head", 2 as z;
 */
START_TEST(aligned_widths_and_lines)
{
	struct out o;
	out_open(&o, FORMAT_ALIGNED);
	set(&o, "n:1700" SEP "t:25" SEP "i:23" SEP "ctl:25" SEP "u:25" SEP "long header name:25",
	    "[[\"1.5\",\"abc\",null,\"a\\tb\\u0001c\",\"é😀\",\"x\"]]", "SELECT 1");
	set(&o, "n:23", "[[\"123456789\"],[\"1\"]]", "SELECT 2");
	set(&o, "m:25" SEP "k:23" SEP "last:25", "[[\"a\\nbb\\nccc\",\"1\",\"x\\ny\"]]",
	    "SELECT 1");
	set(&o, "multi\nhead:25" SEP "z:23", "[[\"a\\nb\",\"2\"]]", "SELECT 1");
	ck_assert_str_eq(out_close(&o),
	                 "  n  |  t  | i |      ctl       |  u  | long header name \n"
	                 "-----+-----+---+----------------+-----+------------------\n"
	                 " 1.5 | abc |   | a       b\\x01c | é😀 | x\n"
	                 "(1 row)\n"
	                 "\n"
	                 "     n     \n"
	                 "-----------\n"
	                 " 123456789\n"
	                 "         1\n"
	                 "(2 rows)\n"
	                 "\n"
	                 "  m  | k | last \n"
	                 "-----+---+------\n"
	                 " a  +| 1 | x   +\n"
	                 " bb +|   | y\n"
	                 " ccc |   | \n"
	                 "(1 row)\n"
	                 "\n"
	                 " multi+| z \n"
	                 " head  |   \n"
	                 "-------+---\n"
	                 " a    +| 2\n"
	                 " b     | \n"
	                 "(1 row)\n"
	                 "\n");
	free(o.buf);
}
END_TEST

START_TEST(quiet_leaves_out_tags)
{
	struct out o;
	out_open(&o, FORMAT_CSV);
	formatter_set_quiet(o.fmt, true);
	command(&o, "CREATE TABLE");
	set(&o, "x:23", "[[\"3\"]]", "INSERT 0 1");
	ck_assert_str_eq(out_close(&o), "x\n3\n");
	free(o.buf);
}
END_TEST

START_TEST(json_typed_and_streamed)
{
	struct out o;
	out_open(&o, FORMAT_JSON);
	set(&o,
	    "a:23" SEP "a:25" SEP "a_2:25" SEP "f:701" SEP "n:1700" SEP "j:3802" SEP "arr:1007" SEP
	    "b:16" SEP "big:20" SEP "g:700",
	    "[[\"1\",\"x\",\"y\",\"0.1\",\"1.50\",\"{\\\"k\\\": [1, 2.5]}\",\"{{1,NULL},{3,4}}\","
	    "\"t\",\"-9223372036854775808\",\"1e+06\"],"
	    "[null,null,null,\"NaN\",\"NaN\",\"{\\\"k\\\": 1, \\\"k\\\": 2}\",\"{}\",\"f\","
	    "\"9223372036854775807\",\"-0\"]]",
	    "SELECT 2");
	command(&o, "INSERT 0 1");
	set(&o, "x:23", "[]", "SELECT 0");
	ck_assert_str_eq(
	    out_close(&o),
	    "[\n"
	    "{\"a\":1,\"a_3\":\"x\",\"a_2\":\"y\",\"f\":0.1,\"n\":\"1.50\",\"j\":{\"k\":[1,2.5]},"
	    "\"arr\":[[1,null],[3,4]],\"b\":true,\"big\":-9223372036854775808,\"g\":1e+06},\n"
	    "{\"a\":null,\"a_3\":null,\"a_2\":null,\"f\":\"NaN\",\"n\":\"NaN\","
	    "\"j\":\"{\\\"k\\\": 1, \\\"k\\\": 2}\",\"arr\":[],\"b\":false,"
	    "\"big\":9223372036854775807,\"g\":-0}\n"
	    "]\n"
	    "[]\n");
	free(o.buf);
}
END_TEST

START_TEST(jsonl_one_object_a_line)
{
	struct out o;
	out_open(&o, FORMAT_JSONL);
	set(&o, "id:23" SEP "t:25", "[[\"1\",\"a\\nb\"],[\"2\",null]]", "SELECT 2");
	command(&o, "SET");
	set(&o, "x:23", "[]", "SELECT 0");
	ck_assert_str_eq(out_close(&o), "{\"id\":1,\"t\":\"a\\nb\"}\n{\"id\":2,\"t\":null}\n");
	free(o.buf);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_int_eq(format_kind_from_name("aligned"), FORMAT_ALIGNED);
	ck_assert_int_eq(format_kind_from_name("csv"), FORMAT_CSV);
	ck_assert_int_eq(format_kind_from_name("tsv"), FORMAT_TSV);
	ck_assert_int_eq(format_kind_from_name("json"), FORMAT_JSON);
	ck_assert_int_eq(format_kind_from_name("jsonl"), FORMAT_JSONL);
	ck_assert_int_eq(format_kind_from_name("xml"), -1);
	ck_assert_int_eq(format_kind_from_name(NULL), -1);
}
END_TEST

/* Piped into a reader that went away: the error comes back, no crash. */
START_TEST(broken_pipe_is_reported)
{
	int p[2];
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	FILE *f = fdopen(p[1], "w");
	struct formatter *fmt = formatter_new(FORMAT_CSV, f);
	_cleanup_json_ json_t *columns = json_pack("[{s:s, s:i}]", "name", "x", "type_oid", 25);
	formatter_columns(fmt, columns);
	_cleanup_json_ json_t *rows = json_array();
	for (int i = 0; i < 10000; i++)
		json_array_append_new(rows,
		                      json_pack("[s]", "a fairly long value to fill a buffer"));
	formatter_rows(fmt, rows);
	ck_assert_int_eq(formatter_error(fmt), -EPIPE);
	ck_assert_int_eq(formatter_finish(fmt), -EPIPE);
	formatter_free(fmt);
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("formats");
	tcase_add_loop_test(tc, prints_as_psql, 0,
	                    sizeof(feed_a_as_psql) / sizeof(feed_a_as_psql[0]));
	tcase_add_test(tc, aligned_widths_and_lines);
	tcase_add_test(tc, quiet_leaves_out_tags);
	tcase_add_test(tc, json_typed_and_streamed);
	tcase_add_test(tc, jsonl_one_object_a_line);
	tcase_add_test(tc, kind_names);
	tcase_add_test(tc, broken_pipe_is_reported);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
