/* Load through raw sockets: 64 concurrent clients, 1,000 mixed requests
 * each over five rounds (ping, small queries, history.list,
 * schema.complete, connection.status). No unexpected error, history counts
 * every execution exactly, and tuskd's RSS stays flat from round to round
 * (printed). One request in fifty is a pg_sleep(10) cancelled 20 ms
 * later from the same client: its cancel must find it and it must end
 * query_cancelled (a cancel queued behind others once reached a later
 * query on the same backend: see integration-cancel-race). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

enum { CLIENTS = 64, ROUNDS = 5, PER_ROUND = 200 };

struct shared {
	int executions[CLIENTS];
	int unexpected[CLIENTS];
	char first_error[CLIENTS][256];
};

static struct tt_daemon d;
static struct tt_pg pg;
static char pool_id[128];

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int connect_to(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.100s", path);
	return connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? s : -1;
}

static void send_req(int s, int id, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
	                        method, "params", params);
	char *line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	size_t len = strlen(line);
	line[len] = '\n';
	if (send(s, line, len + 1, MSG_NOSIGNAL) != (ssize_t)len + 1)
		_exit(2);
	free(line);
}

/* The reply with this id (notifications skipped); _exit on EOF. */
static json_t *reply(int s, int want, json_t **other, int other_id)
{
	for (;;) {
		json_t *m = tt_read(s, 60000);
		if (!m)
			_exit(4);
		json_t *id = json_object_get(m, "id");
		if (json_is_integer(id) && json_integer_value(id) == want)
			return m;
		if (other && json_is_integer(id) && json_integer_value(id) == other_id) {
			*other = m;
			continue;
		}
		json_decref(m);
	}
}

static void note_error(struct shared *sh, int k, const char *what, json_t *r)
{
	if (sh->unexpected[k]++ == 0) {
		char *text = json_dumps(r, JSON_COMPACT);
		snprintf(sh->first_error[k], sizeof(sh->first_error[k]), "%s: %.200s", what, text);
		free(text);
	}
}

static void client(int k, int round, struct shared *sh)
{
	int s = connect_to(d.socket);
	if (s < 0)
		_exit(2);
	int id = 0;
	for (int j = 0; j < PER_ROUND; j++) {
		json_t *r = NULL;
		const char *what = NULL;
		switch (j % 5) {
		case 0:
			what = "daemon.ping";
			send_req(s, ++id, what, json_object());
			break;
		case 1:
			what = "query.execute";
			send_req(s, ++id, what,
			         json_pack("{s:s, s:s}", "connection_id", pool_id, "sql",
			                   "select 1, 'load'"));
			sh->executions[k]++;
			break;
		case 2:
			what = "history.list";
			send_req(s, ++id, what, json_pack("{s:i}", "limit", 5));
			break;
		case 3:
			what = "schema.complete";
			send_req(
			    s, ++id, what,
			    json_pack("{s:s, s:s}", "connection_id", pool_id, "prefix", "pg_"));
			break;
		default:
			if (j % 50 == 49) {
				char qid[64];
				snprintf(qid, sizeof(qid), "load-%d-%d-%d", round, k, j);
				int run_id = ++id;
				send_req(s, run_id, "query.execute",
				         json_pack("{s:s, s:s, s:s}", "connection_id", pool_id,
				                   "sql", "select pg_sleep(10)", "query_id", qid));
				sh->executions[k]++;
				usleep(20000);
				json_t *ran = NULL;
				send_req(s, ++id, "query.cancel",
				         json_pack("{s:s}", "query_id", qid));
				r = reply(s, id, &ran, run_id);
				if (!json_object_get(r, "result"))
					note_error(sh, k, "query.cancel", r);
				json_decref(r);
				if (!ran)
					ran = reply(s, run_id, NULL, 0);
				const char *kind = json_string_value(json_object_get(
				    json_object_get(json_object_get(ran, "error"), "data"),
				    "kind"));
				if (!kind || strcmp(kind, "query_cancelled") != 0)
					note_error(sh, k, "cancelled query.execute", ran);
				json_decref(ran);
				continue;
			}
			what = "connection.status";
			send_req(s, ++id, what, json_pack("{s:s}", "id", pool_id));
			break;
		}
		r = reply(s, id, NULL, 0);
		if (!json_object_get(r, "result"))
			note_error(sh, k, what, r);
		json_decref(r);
	}
	close(s);
	_exit(0);
}

START_TEST(sixty_four_clients)
{
	tt_pg_shared(&pg);
	int fd = tt_daemon_open(&d, NULL);
	char conninfo[256];
	snprintf(conninfo, sizeof(conninfo),
	         "host=%s port=%d user=postgres dbname=postgres application_name=tusk_load",
	         pg.host, pg.port);
	json_t *r = tt_call(fd, 1, "connection.open", json_pack("{s:s}", "conninfo", conninfo));
	ck_assert_msg(json_object_get(r, "result"), "connection.open failed");
	snprintf(pool_id, sizeof(pool_id), "%s",
	         json_string_value(json_object_get(json_object_get(r, "result"), "connection_id")));
	json_decref(r);
	/* Load the schema cache once before the clients complete from it. */
	r = tt_call(fd, 2, "schema.complete",
	            json_pack("{s:s, s:s}", "connection_id", pool_id, "prefix", "pg_"));
	ck_assert_ptr_nonnull(json_object_get(r, "result"));
	json_decref(r);

	struct shared *sh =
	    mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(sh, MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	long rss[ROUNDS];
	for (int round = 0; round < ROUNDS; round++) {
		double t0 = tt_now_ms();
		pid_t kids[CLIENTS];
		for (int k = 0; k < CLIENTS; k++) {
			kids[k] = fork();
			ck_assert_int_ge(kids[k], 0);
			if (kids[k] == 0)
				client(k, round, sh);
		}
		for (int k = 0; k < CLIENTS; k++) {
			int status;
			waitpid(kids[k], &status, 0);
			ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			              "client %d of round %d: status %d", k, round, status);
		}
		rss[round] = rss_kb(d.pid);
		fprintf(stderr, "round %d: %d clients x %d requests in %.0f ms; tuskd RSS %ld kB\n",
		        round + 1, CLIENTS, PER_ROUND, tt_now_ms() - t0, rss[round]);
	}
	int executions = 0, unexpected = 0;
	for (int k = 0; k < CLIENTS; k++) {
		executions += sh->executions[k];
		unexpected += sh->unexpected[k];
		if (sh->unexpected[k])
			fprintf(stderr, "client %d: %d unexpected, first: %s\n", k,
			        sh->unexpected[k], sh->first_error[k]);
	}
	ck_assert_int_eq(unexpected, 0);

	r = tt_call(fd, 3, "history.list", json_pack("{s:i}", "limit", 1));
	json_int_t total =
	    json_integer_value(json_object_get(json_object_get(r, "result"), "total"));
	json_decref(r);
	fprintf(stderr, "history: %lld entries for %d executions\n", (long long)total, executions);
	ck_assert_int_eq(total, executions);
	/* Flat: the last round holds no more than the second (the first
	 * warms caches and pools) plus a little. */
	ck_assert_msg(rss[ROUNDS - 1] <= rss[1] + rss[1] / 10 + 4096,
	              "tuskd RSS grew from %ld kB to %ld kB", rss[1], rss[ROUNDS - 1]);
	munmap(sh, sizeof(*sh));
	tt_daemon_close(&d, fd);
}
END_TEST

int main(void)
{
	return tt_run_one("load", sixty_four_clients, 900);
}
