/* tusk-rtt: round trips through tuskd as a long-lived client sees them,
 * for tests/bench. Not a test: it prints numbers.
 *
 *   tusk-rtt SOCKET CONNINFO select N CLIENTS [inline]
 *       N query.execute "select 1" per client over one connection each
 *       (with inline: the rows in the reply); prints "latency_ms_median tps"
 *   tusk-rtt - - ttfb N CMD ARGS...
 *       N runs of CMD with its output on a pipe: the median ms from the
 *       start to its first byte, and to its end; prints "ttfb_ms total_ms"
 *   tusk-rtt SOCKET CONNINFO ping N
 *       N daemon.ping; prints the median round trip in ms
 *   tusk-rtt SOCKET CONNINFO cancel N
 *       N times: start pg_sleep(60), cancel it from a second connection,
 *       time from sending query.cancel to the cancelled reply; prints the
 *       median in ms
 *   tusk-rtt SOCKET CONNINFO fetch N QUERY_ID OFFSET LIMIT
 *       N query.fetch of LIMIT rows at OFFSET of a stored result; prints the
 *       median round trip in ms
 *   tusk-rtt SOCKET CONNINFO execute N stream|store SQL
 *       N query.execute of SQL in that mode (rows of stream mode read and
 *       parsed, as a client must); prints the median seconds to the reply
 *       (stored results are closed after each run)
 *   CONNINFO may be --id=ID: a saved connection's id or name instead
 *       (query.execute connection_id), e.g. one with an SSH tunnel */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol/client.h"

static const char *sock_path, *conninfo;
static const char *target_key = "conninfo"; /* or "connection_id" (--id=) */
static bool select_inline;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static TuskClient *connect_or_die(void)
{
	TuskError e = TUSK_ERROR_INIT;
	TuskClient *c = tusk_client_connect(sock_path, NULL, &e);
	if (!c) {
		fprintf(stderr, "tusk-rtt: %s\n", tusk_error_message(&e));
		exit(1);
	}
	return c;
}

static int call(TuskClient *c, const char *method, json_t *params)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *r = NULL;
	int rc = tusk_client_call(c, method, params, &r, NULL, NULL, -1, &e);
	json_decref(r);
	if (rc < 0)
		fprintf(stderr, "tusk-rtt: %s: %s\n", method, tusk_error_message(&e));
	tusk_error_clear(&e);
	return rc;
}

struct worker {
	int n;
	double *lat;
	pthread_barrier_t *start;
};

static json_t *select_params(void)
{
	json_t *p = json_pack("{s:s, s:s}", target_key, conninfo, "sql", "select 1");
	if (select_inline)
		json_object_set_new(p, "inline", json_true());
	return p;
}

static void *select_worker(void *arg)
{
	struct worker *w = arg;
	TuskClient *c = connect_or_die();
	/* Warm: the pool opens once for every client of the user. */
	call(c, "query.execute", select_params());
	pthread_barrier_wait(w->start);
	for (int i = 0; i < w->n; i++) {
		double t0 = now_ms();
		if (call(c, "query.execute", select_params()) < 0)
			exit(1);
		w->lat[i] = now_ms() - t0;
	}
	tusk_client_free(c);
	return NULL;
}

static void run_select(int n, int clients)
{
	if (clients < 1 || clients > 64) {
		fprintf(stderr, "tusk-rtt: 1 to 64 clients\n");
		exit(2);
	}
	pthread_t th[64];
	struct worker w[64];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		w[i] = (struct worker){
		    .n = n, .lat = calloc((size_t)n, sizeof(double)), .start = &start};
		pthread_create(&th[i], NULL, select_worker, &w[i]);
	}
	pthread_barrier_wait(&start);
	double t0 = now_ms();
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	double total = now_ms() - t0;
	double *all = calloc((size_t)n * (size_t)clients, sizeof(double));
	for (int i = 0; i < clients; i++) {
		memcpy(all + (size_t)i * (size_t)n, w[i].lat, (size_t)n * sizeof(double));
		free(w[i].lat);
	}
	printf("%.4f %.1f\n", median(all, n * clients), (double)n * clients / (total / 1000.0));
	free(all);
}

static void run_ping(int n)
{
	TuskClient *c = connect_or_die();
	double *v = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		call(c, "daemon.ping", NULL);
		v[i] = now_ms() - t0;
	}
	printf("%.4f\n", median(v, n));
	free(v);
	tusk_client_free(c);
}

static void run_cancel(int n)
{
	TuskClient *a = connect_or_die(), *b = connect_or_die();
	call(a, "query.execute", json_pack("{s:s, s:s}", target_key, conninfo, "sql", "select 1"));
	double *v = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		char qid[32];
		snprintf(qid, sizeof(qid), "bench-cancel-%d", i);
		TuskError e = TUSK_ERROR_INIT;
		if (tusk_client_send(a, "query.execute",
		                     json_pack("{s:s, s:s, s:s}", target_key, conninfo, "sql",
		                               "select pg_sleep(60)", "query_id", qid),
		                     &e) < 0)
			exit(1);
		usleep(100000); /* it is running on the server */
		double t0 = now_ms();
		call(b, "query.cancel", json_pack("{s:s}", "query_id", qid));
		/* Read a's messages until the reply (an error) arrives. */
		for (;;) {
			json_t *m = tusk_client_read(a, 10000, &e);
			if (!m)
				exit(1);
			bool reply = json_object_get(m, "id") != NULL;
			json_decref(m);
			if (reply)
				break;
		}
		v[i] = now_ms() - t0;
	}
	printf("%.3f\n", median(v, n));
	free(v);
	tusk_client_free(a);
	tusk_client_free(b);
}

static void run_fetch(int n, const char *qid, long long offset, long long limit)
{
	TuskClient *c = connect_or_die();
	double *v = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		if (call(c, "query.fetch",
		         json_pack("{s:s, s:I, s:I}", "query_id", qid, "offset", (json_int_t)offset,
		                   "limit", (json_int_t)limit)) < 0)
			exit(1);
		v[i] = now_ms() - t0;
	}
	printf("%.4f\n", median(v, n));
	free(v);
	tusk_client_free(c);
}

static void run_execute(int n, const char *mode, const char *sql)
{
	TuskClient *c = connect_or_die();
	call(c, "query.execute", json_pack("{s:s, s:s}", target_key, conninfo, "sql", "select 1"));
	double *v = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		char qid[40];
		snprintf(qid, sizeof(qid), "bench-exec-%d-%d", (int)getpid(), i);
		double t0 = now_ms();
		if (call(c, "query.execute",
		         json_pack("{s:s, s:s, s:s, s:s}", target_key, conninfo, "sql", sql, "mode",
		                   mode, "query_id", qid)) < 0)
			exit(1);
		v[i] = (now_ms() - t0) / 1000.0;
		if (strcmp(mode, "store") == 0)
			call(c, "query.close", json_pack("{s:s}", "query_id", qid));
	}
	printf("%.4f\n", median(v, n));
	free(v);
	tusk_client_free(c);
}

/* The first byte and the end of CMD's output, through a pipe. */
static void run_ttfb(int n, char **cmd)
{
	double *first = calloc((size_t)n, sizeof(double)), *end = calloc((size_t)n, sizeof(double));
	static char buf[1 << 16];
	for (int i = 0; i < n; i++) {
		int fd[2];
		if (pipe(fd) < 0)
			exit(1);
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid == 0) {
			dup2(fd[1], 1);
			close(fd[0]);
			close(fd[1]);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		close(fd[1]);
		ssize_t r;
		bool got = false;
		while ((r = read(fd[0], buf, sizeof(buf))) > 0)
			if (!got) {
				first[i] = now_ms() - t0;
				got = true;
			}
		close(fd[0]);
		int st;
		waitpid(pid, &st, 0);
		end[i] = now_ms() - t0;
		if (!got || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "tusk-rtt: %s failed\n", cmd[0]);
			exit(1);
		}
	}
	printf("%.3f %.3f\n", median(first, n), median(end, n));
	free(first);
	free(end);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(
		    stderr,
		    "usage: tusk-rtt SOCKET CONNINFO|--id=ID select|ping|cancel|fetch|execute N "
		    "[ARGS]\n");
		return 2;
	}
	sock_path = argv[1];
	conninfo = argv[2];
	if (strncmp(conninfo, "--id=", 5) == 0) {
		target_key = "connection_id";
		conninfo += 5;
	}
	int n = atoi(argv[4]);
	if (strcmp(argv[3], "select") == 0) {
		select_inline = argc > 6 && strcmp(argv[6], "inline") == 0;
		run_select(n, argc > 5 ? atoi(argv[5]) : 1);
	} else if (strcmp(argv[3], "ttfb") == 0 && argc > 5)
		run_ttfb(n, argv + 5);
	else if (strcmp(argv[3], "ping") == 0)
		run_ping(n);
	else if (strcmp(argv[3], "cancel") == 0)
		run_cancel(n);
	else if (strcmp(argv[3], "fetch") == 0 && argc == 8)
		run_fetch(n, argv[5], atoll(argv[6]), atoll(argv[7]));
	else if (strcmp(argv[3], "execute") == 0 && argc == 7)
		run_execute(n, argv[5], argv[6]);
	else
		return 2;
	return 0;
}
