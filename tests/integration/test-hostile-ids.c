/* Request ids and query ids of any content, through raw socket bytes: every
 * reply and notification must parse back as JSON and echo the id exactly,
 * also on the hand-assembled fast paths (the warm whole-tree schema.get,
 * query.rows and query.text batches). */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char db[64];
static char conninfo[256];

static void setup(void)
{
	tt_pg_shared(&pg);
	tt_pg_create_db(&pg, "tusk_ids", db, sizeof(db));
	tt_pg_exec(&pg, db, "create table t (id int primary key, name text)");
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=%s", pg.host,
	         pg.port, db);
	fd = tt_daemon_open(&d, NULL);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
	tt_pg_drop_db(&pg, db);
}

/* Ids a client may choose: long, with quotes, backslashes, control
 * characters (raw in the value, escaped on the wire) and non-ASCII. */
static json_t *hostile_ids(void)
{
	json_t *ids = json_array();
	char *big = malloc(10241);
	memset(big, 'a', 10240);
	big[10240] = '\0';
	json_array_append_new(ids, json_string(big));
	for (size_t i = 0; i < 10240; i += 4)
		memcpy(big + i, "\"\\%s", 4);
	json_array_append_new(ids, json_string(big));
	free(big);
	json_array_append_new(ids, json_string("\"}],\"result\":{\"x\":1}}"));
	json_array_append_new(ids, json_string("back\\slash\\\"q"));
	json_array_append_new(ids, json_string("ctl\x01\x02\x1f\n\r\t\x7f"));
	json_array_append_new(ids, json_string("élan 象 🐘 \xe2\x80\xa8 end"));
	json_array_append_new(ids, json_string(""));
	json_array_append_new(ids, json_integer(-9007199254740993LL));
	json_array_append_new(ids, json_null());
	return ids;
}

/* Send a request with this id and read until its reply; every line read
 * must be JSON (tt_read asserts it). Returns the reply. */
static json_t *call_with_id(json_t *id, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s, s:O, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
	                        method, "params", params);
	tt_send_json(fd, req);
	for (;;) {
		json_t *msg = tt_read(fd, 60000);
		ck_assert_msg(msg, "%s: no reply", method);
		if (json_object_get(msg, "id")) {
			char *want = json_dumps(id, JSON_ENCODE_ANY);
			char *got = json_dumps(json_object_get(msg, "id"), JSON_ENCODE_ANY);
			ck_assert_msg(json_equal(json_object_get(msg, "id"), id),
			              "%s: id %.80s came back as %.80s", method, want, got);
			free(want);
			free(got);
			return msg;
		}
		json_decref(msg);
	}
}

START_TEST(any_request_id_on_every_path)
{
	json_t *ids = hostile_ids();
	/* Load the cache once, so later calls take the warm fast path. */
	json_t *one = json_integer(1), *two = json_integer(2);
	json_t *r = call_with_id(one, "connection.open", json_pack("{s:s}", "conninfo", conninfo));
	ck_assert_msg(json_object_get(r, "result"), "connection.open failed");
	char pid[128];
	snprintf(pid, sizeof(pid), "%s",
	         json_string_value(json_object_get(json_object_get(r, "result"), "connection_id")));
	json_decref(r);
	r = call_with_id(two, "schema.get", json_pack("{s:s}", "connection_id", pid));
	json_decref(one);
	json_decref(two);
	ck_assert_msg(json_object_get(r, "result"), "schema.get failed");
	json_decref(r);

	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id)
	{
		r = call_with_id(id, "schema.get", json_pack("{s:s}", "connection_id", pid));
		ck_assert_msg(json_object_get(r, "result"), "warm schema.get failed (id %zu)", i);
		json_t *schemas = json_object_get(json_object_get(r, "result"), "schemas");
		ck_assert_int_ge(json_array_size(schemas), 1);
		json_decref(r);

		r = call_with_id(id, "daemon.ping", json_object());
		ck_assert_ptr_nonnull(json_object_get(r, "result"));
		json_decref(r);

		r = call_with_id(id, "no.such.method", json_object());
		ck_assert_int_eq(tt_error_code(r), -32601);
		json_decref(r);

		r = call_with_id(id, "query.execute",
		                 json_pack("{s:s, s:s}", "connection_id", pid, "sql",
		                           "select g, 'x' from generate_series(1, 3) g"));
		ck_assert_msg(json_object_get(r, "result"), "query.execute failed (id %zu)", i);
		json_decref(r);
	}
	/* In a batch too. */
	json_t *batch = json_array();
	json_array_foreach(ids, i, id) json_array_append_new(
	    batch, json_pack("{s:s, s:O, s:s, s:{s:s}}", "jsonrpc", "2.0", "id", id, "method",
	                     "schema.get", "params", "connection_id", pid));
	tt_send_json(fd, json_incref(batch));
	json_t *replies = tt_read(fd, 60000);
	ck_assert_msg(json_is_array(replies), "no batch reply");
	ck_assert_int_eq(json_array_size(replies), json_array_size(ids));
	json_array_foreach(replies, i, r) ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(replies);
	json_decref(batch);
	json_decref(ids);
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

/* A query_id the client chose comes back escaped in every notification,
 * query.rows and query.text included. */
START_TEST(any_query_id_in_notifications)
{
	static const char *const qids[] = {
	    "q\"uote", "back\\slash", "\"},\"x\":[", "ctl\x01\n\t", "é 🐘\xe2\x80\xa8",
	};
	static const char *const renders[] = {NULL, "csv"};
	int id = 100;
	for (size_t i = 0; i < sizeof(qids) / sizeof(*qids); i++)
		for (size_t k = 0; k < 2; k++) {
			json_t *params = json_pack("{s:s, s:s, s:s}", "conninfo", conninfo, "sql",
			                           "select g, 'a\"b' from generate_series(1, 5) g",
			                           "query_id", qids[i]);
			if (renders[k])
				json_object_set_new(params, "render", json_string(renders[k]));
			json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id",
			                        ++id, "method", "query.execute", "params", params);
			tt_send_json(fd, req);
			int batches = 0;
			for (;;) {
				json_t *msg = tt_read(fd, 60000);
				ck_assert_msg(msg, "no reply to query.execute");
				const char *m = json_string_value(json_object_get(msg, "method"));
				if (m && (strcmp(m, "query.rows") == 0 ||
				          strcmp(m, "query.text") == 0)) {
					const char *q = json_string_value(json_object_get(
					    json_object_get(msg, "params"), "query_id"));
					ck_assert_str_eq(q, qids[i]);
					batches++;
				}
				bool done = json_object_get(msg, "id") != NULL;
				if (done)
					ck_assert_msg(json_object_get(msg, "result"),
					              "query failed");
				json_decref(msg);
				if (done)
					break;
			}
			ck_assert_int_ge(batches, 1);
		}
}
END_TEST

/* Send params as a query.execute with request id and read until its reply,
 * checking that every notification about the query names qid exactly;
 * query.copy_in is answered with data, then query.copy_end. Returns the
 * reply; *notified counts the notifications named counted. */
static json_t *execute_with_query_id(int id, const char *qid, json_t *params, const char *copy_data,
                                     const char *counted, int *notified)
{
	json_object_set_new(params, "query_id", json_string(qid));
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
	                        "query.execute", "params", params);
	tt_send_json(fd, req);
	*notified = 0;
	for (;;) {
		json_t *msg = tt_read(fd, 60000);
		ck_assert_msg(msg, "no reply to query.execute");
		if (json_object_get(msg, "id"))
			return msg;
		const char *m = json_string_value(json_object_get(msg, "method"));
		const char *q =
		    json_string_value(json_object_get(json_object_get(msg, "params"), "query_id"));
		if (m && strncmp(m, "query.", 6) == 0 && q) {
			ck_assert_msg(strcmp(q, qid) == 0, "%s names query %.60s, not %.60s", m, q,
			              qid);
			*notified += strcmp(m, counted) == 0;
		}
		if (m && strcmp(m, "query.copy_in") == 0) {
			json_t *data = json_pack("{s:s, s:s, s:{s:s, s:s}}", "jsonrpc", "2.0",
			                         "method", "query.copy_data", "params", "query_id",
			                         qid, "text", copy_data);
			json_t *end = json_pack("{s:s, s:s, s:{s:s}}", "jsonrpc", "2.0", "method",
			                        "query.copy_end", "params", "query_id", qid);
			tt_send_json(fd, data);
			tt_send_json(fd, end);
		}
		json_decref(msg);
	}
}

/* COPY both ways under a query_id the client chose: query.copy_out (a
 * hand-assembled notification) and query.copy_in name it exactly, and
 * query.copy_data / copy_end find the query by it. */
START_TEST(any_query_id_through_copy)
{
	static const char *const qids[] = {
	    "q\"uote", "back\\slash", "\"},\"x\":[", "ctl\x01\n\t", "é 🐘\xe2\x80\xa8",
	};
	size_t n = sizeof(qids) / sizeof(*qids);
	for (size_t i = 0; i < n; i++) {
		int notified;
		json_t *r = execute_with_query_id(
		    200 + (int)i, qids[i],
		    json_pack("{s:s, s:s}", "conninfo", conninfo, "sql",
		              "copy (select g, 'a\"b\\' from generate_series(1, 5) g) to stdout"),
		    NULL, "query.copy_out", &notified);
		ck_assert_msg(json_object_get(r, "result"), "COPY TO STDOUT failed (query %zu)", i);
		ck_assert_int_ge(notified, 1);
		json_decref(r);

		char row[64];
		snprintf(row, sizeof(row), "%zu\tname %zu\n", i + 1, i + 1);
		r = execute_with_query_id(
		    300 + (int)i, qids[i],
		    json_pack("{s:s, s:s}", "conninfo", conninfo, "sql", "copy t from stdin"), row,
		    "query.copy_in", &notified);
		ck_assert_msg(
		    json_object_get(r, "result"), "COPY FROM STDIN failed (query %zu): %s", i,
		    json_string_value(json_object_get(json_object_get(r, "error"), "message")));
		ck_assert_int_ge(notified, 1);
		json_decref(r);
	}
	PGconn *c = tt_pg_connect(&pg, db);
	PGresult *res = PQexec(c, "select count(*), string_agg(name, ',' order by id) from t");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(atoi(PQgetvalue(res, 0, 0)), (int)n);
	ck_assert_str_eq(PQgetvalue(res, 0, 1), "name 1,name 2,name 3,name 4,name 5");
	PQclear(res);
	PQfinish(c);
	ck_assert(tt_ping(fd, 2000));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile-ids");
	TCase *tc = tcase_create("ids");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, any_request_id_on_every_path);
	tcase_add_test(tc, any_query_id_in_notifications);
	tcase_add_test(tc, any_query_id_through_copy);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
