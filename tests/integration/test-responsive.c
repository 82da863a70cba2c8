/* Responsiveness under load: daemon.ping latency (p50, p99, max, printed)
 * while 8 clients each stream 1M rows, a connect to a server that never
 * answers is pending and a keyring call is in flight (gnome-keyring
 * stopped with SIGSTOP). Runs inside test-keyring-session.sh. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/test-keyring-lib.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

enum { STREAMS = 8, ROWS = 1000000, MAX_PINGS = 100000 };
/* A loop that blocked on the connect (120 s) or the stopped keyring (5 s)
 * would stall pings for seconds. The goal is 10 ms; on the shared 2-core
 * test machine, with 8 streams, their readers and 8 server backends, pings
 * measured p50 25 ms, p99 157 ms, max 453 ms, so the assertion is the
 * bound that tells blocking from a busy scheduler. */
#define P99_BOUND_MS 1000.0

static struct tt_daemon d;
static struct tt_pg pg;
static pid_t keyring_pid;

static void stream(const char *conninfo)
{
	int s = tt_connect(d.socket);
	char line[512];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"query.execute\",\"params\":{"
	         "\"conninfo\":\"%s\",\"sql\":\"select g, 'row ' || g from "
	         "generate_series(1, %d) g\"}}\n",
	         conninfo, ROWS);
	tt_send_str(s, line);
	char buf[1 << 16];
	/* Drain until the reply (its id), without parsing rows. */
	char tail[64] = "";
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf) - 1);
		if (n <= 0)
			_exit(2);
		buf[n] = '\0';
		char joined[sizeof(tail) + sizeof(buf)];
		snprintf(joined, sizeof(joined), "%s%s", tail, buf);
		if (strstr(joined, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\""))
			_exit(0);
		char *err = strstr(joined, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\"");
		if (err) {
			fprintf(stderr, "stream failed: %.300s\n", err);
			_exit(3);
		}
		size_t len = strlen(joined);
		snprintf(tail, sizeof(tail), "%s", joined + (len > 40 ? len - 40 : 0));
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

START_TEST(ping_while_busy)
{
	tt_pg_shared(&pg);
	int fd = tt_daemon_open(&d, NULL);
	char conninfo[256];
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=postgres",
	         pg.host, pg.port);

	/* A server that accepts TCP and never says a word. */
	int hole = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(hole, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(hole, 16), 0);
	socklen_t sl = sizeof(sa);
	getsockname(hole, (struct sockaddr *)&sa, &sl);
	int pending = tt_connect(d.socket);
	char line[512];
	snprintf(line, sizeof(line),
	         "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"connection.open\",\"params\":{"
	         "\"conninfo\":\"host=127.0.0.1 port=%d user=x dbname=x connect_timeout=120\"}}\n",
	         ntohs(sa.sin_port));
	tt_send_str(pending, line);

	/* A keyring call that cannot finish while the keyring is stopped. */
	ck_assert_int_eq(kill(keyring_pid, SIGSTOP), 0);
	int kr = tt_connect(d.socket);
	tt_send_str(kr, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"credentials.has\",\"params\":"
	                "{\"connection_id\":\"00000000-0000-4000-8000-000000000001\"}}\n");

	pid_t kids[STREAMS];
	for (int k = 0; k < STREAMS; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0)
			stream(conninfo);
	}
	static double lat[MAX_PINGS];
	int n = 0, done = 0;
	double t0 = tt_now_ms();
	while (done < STREAMS && n < MAX_PINGS) {
		double p0 = tt_now_ms();
		ck_assert_msg(tt_ping(fd, 10000), "no pong within 10 s");
		lat[n++] = tt_now_ms() - p0;
		usleep(5000);
		for (int k = 0; k < STREAMS; k++) {
			int status;
			if (kids[k] > 0 && waitpid(kids[k], &status, WNOHANG) == kids[k]) {
				ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				              "stream %d: %d", k, status);
				kids[k] = -1;
				done++;
			}
		}
	}
	double took = tt_now_ms() - t0;
	/* Still pending: the connect and the keyring call. */
	json_t *st = tt_call(fd, 9, "daemon.status", NULL);
	long long in_flight = json_integer_value(
	    json_object_get(json_object_get(st, "result"), "requests_in_flight"));
	json_decref(st);
	kill(keyring_pid, SIGCONT);
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	double p50 = lat[n / 2], p99 = lat[(n * 99) / 100], max = lat[n - 1];
	fprintf(stderr,
	        "%d streams x %d rows in %.0f ms; %d pings: p50 %.2f ms, p99 %.2f ms, max %.2f "
	        "ms; %lld requests still in flight (connect, keyring)\n",
	        STREAMS, ROWS, took, n, p50, p99, max, in_flight);
	ck_assert_int_ge(n, 50);
	ck_assert_int_ge(in_flight, 1);
	ck_assert_msg(p99 <= P99_BOUND_MS, "daemon.ping p99 %.2f ms", p99);
	close(pending);
	close(kr);
	close(hole);
	tt_daemon_close(&d, fd);
}
END_TEST

int main(void)
{
	tk_require_keyring();
	keyring_pid = tk_keyring_pid();
	Suite *s = suite_create("responsive");
	TCase *tc = tcase_create("responsive");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, ping_while_busy);
	suite_add_tcase(s, tc);
	int status = tt_run_suite(s);
	kill(keyring_pid, SIGCONT);
	return status;
}
