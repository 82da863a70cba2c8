/* listen -d NAME CHANNEL... [--format text|jsonl]: print NOTIFY payloads as
 * they arrive, until Ctrl-C. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"

static volatile sig_atomic_t stop, stop_sig;

static void on_signal(int sig)
{
	stop = 1;
	stop_sig = sig;
}

/* Ctrl-C is how these commands end: 130 as shells report it; SIGTERM 0. */
static int stopped_status(void)
{
	return stop_sig == SIGINT ? EXIT_INTERRUPTED : EXIT_OK;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_jsonl(const char *event, const json_t *params)
{
	json_t *line = json_deep_copy(params);
	if (strcmp(event, TUSK_N_NOTIFY_GAP) == 0)
		json_object_set_new(line, "gap", json_true());
	char *s = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(line);
	if (s)
		puts(s);
	free(s);
}

/* Like psql's own line for an asynchronous notification. */
static void print_text(const char *event, const json_t *p)
{
	if (strcmp(event, TUSK_N_NOTIFY_GAP) == 0) {
		printf("-- notifications may have been missed between %s and %s (%s)\n",
		       str(p, "lost_at"), str(p, "restored_at"), str(p, "reason"));
		return;
	}
	printf("Asynchronous notification \"%s\" with payload \"%s\" received from server "
	       "process with PID %lld at %s.\n",
	       str(p, "channel"), str(p, "payload"), json_integer_value(json_object_get(p, "pid")),
	       str(p, "received_at"));
}

static bool timed_out(const TuskError *e)
{
	return e->kind == TUSK_ERR_IO && strstr(tusk_error_message(e), "timed out");
}

static int loop(struct ctl *ctl, const char *conn_id, json_t *channels, bool jsonl)
{
	while (!stop) {
		TuskError e = TUSK_ERROR_INIT;
		_cleanup_json_ json_t *msg = tusk_client_read(ctl->client, 500, &e);
		if (!msg) {
			bool again = stop || timed_out(&e);
			if (!again) {
				ctl_print_error(&e);
				tusk_error_clear(&e);
				return EXIT_UNREACHABLE;
			}
			tusk_error_clear(&e);
			continue;
		}
		const char *method = str(msg, "method");
		json_t *params = json_object_get(msg, "params");
		if (strcmp(str(params, "connection_id"), conn_id) != 0)
			continue;
		if (strcmp(method, TUSK_N_PG_NOTIFICATION) == 0) {
			bool mine = false;
			size_t i;
			json_t *c;
			json_array_foreach(channels, i, c) mine |=
			    strcmp(json_string_value(c), str(params, "channel")) == 0;
			if (!mine)
				continue;
		} else if (strcmp(method, TUSK_N_NOTIFY_GAP) != 0) {
			continue;
		}
		if (jsonl)
			print_jsonl(method, params);
		else
			print_text(method, params);
		fflush(stdout);
	}
	return EXIT_OK;
}

int cmd_listen(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dbname", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'F'},
	    {0},
	};
	const char *target = NULL, *format = "text";
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:F:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			target = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (!target || optind >= argc)
		return ctl_usage_error("usage: tuskctl listen -d NAME CHANNEL... [--format "
		                       "text|jsonl]");
	bool jsonl = strcmp(format, "jsonl") == 0;
	if (!jsonl && strcmp(format, "text") != 0)
		return ctl_usage_error("--format takes text or jsonl, not '%s'", format);

	int r = ctl_call(ctl, TUSK_M_EVENTS_SUBSCRIBE, tusk_req_events_topic("notify"), NULL);
	if (r != EXIT_OK)
		return r;
	_cleanup_json_ json_t *channels = json_array();
	_cleanup_free_ char *conn_id = NULL;
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *res = NULL;
		r = ctl_call(ctl, TUSK_M_NOTIFY_LISTEN, tusk_req_notify_channel(target, argv[i]),
		             &res);
		if (r != EXIT_OK)
			return r;
		free(conn_id);
		conn_id = strdup(str(res, "connection_id"));
		json_array_append_new(channels, json_string(argv[i]));
	}
	fprintf(stderr, "listening on %s of %s; Ctrl-C stops\n",
	        argc - optind > 1 ? "channels" : "channel", target);
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = loop(ctl, conn_id, channels, jsonl);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return r == EXIT_OK ? stopped_status() : r;
}

static void print_event(const char *method, const json_t *params)
{
	json_t *msg = json_pack("{s:s, s:O}", "method", method, "params", params);
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
	json_decref(msg);
	if (s)
		puts(s);
	free(s);
	fflush(stdout);
}

static int print_early(const char *method, json_t *params, void *ud)
{
	(void)ud;
	print_event(method, params);
	return 0;
}

/* events TOPIC...: print every notification of those topics as one JSON
 * line ({"method", "params"}), until Ctrl-C. */
int cmd_events(struct ctl *ctl, int argc, char **argv)
{
	/* --topic T (or --topic=T), repeated, as the issue spells it; bare
	 * topic names work too. */
	json_t *topics = json_array();
	for (int i = 1; i < argc; i++) {
		const char *t = argv[i];
		if (strcmp(t, "--topic") == 0 && i + 1 < argc)
			t = argv[++i];
		else if (strncmp(t, "--topic=", 8) == 0)
			t += 8;
		else if (t[0] == '-')
			t = NULL;
		if (!t) {
			json_decref(topics);
			return ctl_usage_error("unknown option '%s'", argv[i]);
		}
		json_array_append_new(topics, json_string(t));
	}
	if (json_array_size(topics) == 0) {
		json_decref(topics);
		return ctl_usage_error(
		    "usage: tuskctl events [--topic] TOPIC... (connection, query, "
		    "schema, notify, config, workspace)");
	}
	int r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;
	TuskError se = TUSK_ERROR_INIT;
	if (tusk_client_call(ctl->client, TUSK_M_EVENTS_SUBSCRIBE, tusk_req_events_topics(topics),
	                     NULL, print_early, NULL, ctl->timeout_ms, &se) < 0) {
		ctl_print_error(&se);
		tusk_error_clear(&se);
		return EXIT_DAEMON_ERROR;
	}
	fprintf(stderr, "subscribed; Ctrl-C stops\n");
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		TuskError e = TUSK_ERROR_INIT;
		_cleanup_json_ json_t *msg = tusk_client_read(ctl->client, 500, &e);
		if (!msg) {
			bool again = stop || timed_out(&e);
			if (!again)
				ctl_print_error(&e);
			tusk_error_clear(&e);
			if (!again)
				return EXIT_UNREACHABLE;
			continue;
		}
		if (!json_object_get(msg, "method") || json_object_get(msg, "id"))
			continue;
		print_event(str(msg, "method"), json_object_get(msg, "params"));
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return stopped_status();
}
