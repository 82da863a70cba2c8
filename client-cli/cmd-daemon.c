/* ping, status, shutdown */
#include <stdio.h>
#include <time.h>

#include "client-cli/tuskctl.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int no_args(int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error("'%s' takes no arguments", argv[0]);
	return EXIT_OK;
}

int cmd_ping(struct ctl *ctl, int argc, char **argv)
{
	json_t *result = NULL;
	int r = no_args(argc, argv);
	if (r == EXIT_OK)
		r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;
	double t0 = now_ms();
	r = ctl_call(ctl, TUSK_M_DAEMON_PING, NULL, &result);
	double ms = now_ms() - t0;
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		json_object_set_new(result, "round_trip_ms", json_real(ms));
		ctl_print_json(result);
	} else {
		printf("pong from tuskd %s in %.3f ms\n", TUSK_VERSION, ms);
	}
	json_decref(result);
	return EXIT_OK;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_duration(long long ms)
{
	long long s = ms / 1000;
	if (s >= 86400)
		printf("%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		printf("%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		printf("%lldm %llds", s / 60, s % 60);
	else
		printf("%.1fs", (double)ms / 1000.0);
}

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *st = NULL;
	int r = no_args(argc, argv);
	if (r == EXIT_OK)
		r = ctl_call(ctl, TUSK_M_DAEMON_STATUS, NULL, &st);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(st);
		json_decref(st);
		return EXIT_OK;
	}
	json_t *storage = json_object_get(st, "storage");
	json_t *workers = json_object_get(st, "workers");
	printf("tuskd %s (pid %lld), up ", str(st, "version"), num(st, "pid"));
	print_duration(num(st, "uptime_ms"));
	printf("\nsocket:    %s%s\n", str(st, "socket"),
	       json_is_true(json_object_get(st, "socket_activated")) ? " (socket-activated)" : "");
	printf("data dir:  %s\n", str(st, "data_dir"));
	printf("log file:  %s\n", json_is_string(json_object_get(st, "log_file"))
	                              ? str(st, "log_file")
	                              : "(console only)");
	printf("storage:   %s, %s (schema %lld)\n", str(storage, "state"),
	       json_is_string(json_object_get(storage, "path")) ? str(storage, "path")
	                                                        : "in memory",
	       num(storage, "schema_version"));
	if (json_is_string(json_object_get(storage, "warning")))
		printf("           warning: %s\n", str(storage, "warning"));
	json_t *degraded = json_object_get(storage, "error");
	if (json_is_object(degraded)) {
		printf("           degraded (%s): nothing is saved; what would save is refused\n",
		       str(degraded, "kind"));
		if (json_is_string(json_object_get(degraded, "hint")))
			printf("           hint: %s\n", str(degraded, "hint"));
	}
	printf("keyring:   %s\n", str(st, "keyring"));
	long long nc = num(st, "clients"), nr = num(st, "requests_in_flight");
	printf("clients:   %lld connected, %lld request%s in flight\n", nc, nr, nr == 1 ? "" : "s");
	printf("workers:   %lld threads, %lld busy, %lld queued\n", num(workers, "threads"),
	       num(workers, "busy"), num(workers, "queued"));
	printf("memory:    %.1f MiB resident\n", (double)num(st, "rss_bytes") / 1048576.0);
	json_decref(st);
	return EXIT_OK;
}

int cmd_shutdown(struct ctl *ctl, int argc, char **argv)
{
	json_t *result = NULL;
	int r = no_args(argc, argv);
	if (r != EXIT_OK)
		return r;
	/* Stopping a daemon that is not running is not a reason to start one. */
	ctl->autostart = false;
	r = ctl_call(ctl, TUSK_M_DAEMON_SHUTDOWN, NULL, &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else
		printf("tuskd is stopping\n");
	json_decref(result);
	return EXIT_OK;
}
