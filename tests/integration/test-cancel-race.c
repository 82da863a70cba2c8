/* A cancel that is still waiting for a worker when its query ends on its
 * own must not reach the next query that runs on the same backend. The
 * workers are held busy with debug.sleep so the cancel is queued; the pool
 * has one backend, so the second query gets the first one's backend. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static void execute(int fd, int id, const struct tt_pg *pg, const char *qid, const char *sql)
{
	char line[512];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"query.execute\",\"params\":{"
	         "\"sql\":\"%s\",\"query_id\":\"%s\",\"conninfo\":\"host=%s port=%d "
	         "user=postgres dbname=postgres\"}}\n",
	         id, sql, qid, pg->host, pg->port);
	tt_send_str(fd, line);
}

/* The reply to request id, skipping notifications. */
static json_t *reply_to(int fd, int id)
{
	for (;;) {
		json_t *m = tt_read(fd, 30000);
		ck_assert_msg(m, "no reply to request %d", id);
		json_t *rid = json_object_get(m, "id");
		if (json_is_integer(rid) && json_integer_value(rid) == id)
			return m;
		json_decref(m);
	}
}

START_TEST(late_cancel_spares_the_next_query)
{
	struct tt_pg pg;
	struct tt_daemon d;
	tt_pg_shared(&pg);
	static const char *const env[] = {"TUSK_DEBUG_METHODS=1", NULL};
	int fd = tt_daemon_open(&d, env);
	json_t *r = tt_call(fd, 1, "settings.set",
	                    json_pack("{s:s, s:i}", "key", "pool.max_size", "value", 1));
	ck_assert_msg(json_object_get(r, "result"), "%s", json_dumps(r, 0));
	json_decref(r);
	r = tt_call(fd, 2, "settings.get", json_pack("{s:s}", "key", "workers.threads"));
	json_int_t workers =
	    json_integer_value(json_object_get(json_object_get(r, "result"), "value"));
	json_decref(r);
	ck_assert_int_gt(workers, 0);

	/* The pool is open (its one backend connected) before the workers,
	 * which resolve and open, are put to sleep. */
	int q = tt_connect(d.socket);
	execute(q, 9, &pg, "warm", "select 1");
	r = reply_to(q, 9);
	ck_assert_msg(json_object_get(r, "result"), "warm-up: %s", json_dumps(r, 0));
	json_decref(r);

	/* Every worker asleep for 1.5 s: a cancel sent now waits its turn. */
	int sleeper = tt_connect(d.socket);
	for (int i = 0; i < workers; i++) {
		char line[128];
		snprintf(line, sizeof(line),
		         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"debug.sleep\","
		         "\"params\":{\"ms\":1500}}\n",
		         100 + i);
		tt_send_str(sleeper, line);
	}
	usleep(50000);
	execute(q, 10, &pg, "race-a", "select pg_sleep(0.3)");
	usleep(100000);
	r = tt_call(fd, 3, "query.cancel", json_pack("{s:s}", "query_id", "race-a"));
	ck_assert_msg(json_object_get(r, "result"), "cancel: %s", json_dumps(r, 0));
	json_decref(r);

	/* The first query ends on its own before its cancel could be sent. */
	r = reply_to(q, 10);
	ck_assert_msg(json_object_get(r, "result"), "the first query: %s", json_dumps(r, 0));
	json_decref(r);

	/* The next query, on the same (only) backend, outlives the sleepers:
	 * the queued cancel must not stop it. */
	double t0 = tt_now_ms();
	execute(q, 11, &pg, "race-b", "select pg_sleep(2)");
	r = reply_to(q, 11);
	ck_assert_msg(json_object_get(r, "result"), "the next query was hit by the old cancel: %s",
	              json_dumps(r, 0));
	ck_assert_msg(tt_now_ms() - t0 >= 1900, "the next query ended after %.0f ms",
	              tt_now_ms() - t0);
	json_decref(r);

	close(q);
	close(sleeper);
	tt_daemon_close(&d, fd);
}
END_TEST

int main(void)
{
	return tt_run_one("cancel-race", late_cancel_spares_the_next_query, 120);
}
