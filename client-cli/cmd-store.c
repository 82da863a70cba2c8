/* Stored results (tuskctl query --store): tuskctl query list, query close
 * ID, fetch ID (a page, or --all of it, while it still grows too) and
 * export ID (a file written by the daemon; Ctrl-C cancels it). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-cli/format.h"
#include "client-cli/tuskctl.h"
#include "common/uuid.h"

static int number(const char *opt, const char *s, long long *out)
{
	char *end;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end || errno || *out < 0)
		return ctl_usage_error("%s: a non-negative number, not '%s'", opt, s);
	return EXIT_OK;
}

static void human_bytes(long long b, char *buf, size_t n)
{
	if (b >= 1 << 30)
		snprintf(buf, n, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= 1 << 20)
		snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
	else if (b >= 1 << 10)
		snprintf(buf, n, "%.1f KiB", (double)b / (1 << 10));
	else
		snprintf(buf, n, "%lld B", b);
}

int cmd_query_list(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 1)
		return ctl_usage_error("usage: tuskctl query list");
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_QUERY_LIST, json_object(), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
		json_decref(result);
		return EXIT_OK;
	}
	json_t *qs = json_object_get(result, "queries");
	json_t *names = NULL;
	if (json_array_size(qs) == 0) {
		fprintf(stderr, "no queries running, no results stored\n");
	} else {
		names = ctl_connection_names(ctl);
		printf("%-36s  %-9s  %-6s  %10s  %10s  %10s  %10s  %-16s  %s\n", "QUERY ID",
		       "STATE", "MODE", "ROWS", "ELAPSED", "MEMORY", "DISK", "CONNECTION", "SQL");
	}
	for (size_t i = 0; i < json_array_size(qs); i++) {
		json_t *q = json_array_get(qs, i);
		char mem[32] = "-", disk[32] = "-", head[61], elapsed[32];
		if (json_object_get(q, "bytes_memory"))
			human_bytes(
			    (long long)json_integer_value(json_object_get(q, "bytes_memory")), mem,
			    sizeof(mem));
		if (json_object_get(q, "bytes_disk"))
			human_bytes((long long)json_integer_value(json_object_get(q, "bytes_disk")),
			            disk, sizeof(disk));
		snprintf(elapsed, sizeof(elapsed), "%.1f s",
		         json_number_value(json_object_get(q, "elapsed_ms")) / 1000.0);
		const char *sql = json_string_value(json_object_get(q, "sql_head"));
		snprintf(head, sizeof(head), "%s", sql ? sql : "");
		for (char *p = head; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		/* The saved connection's name; an ad-hoc one's id. */
		const char *cid = json_string_value(json_object_get(q, "connection_id"));
		const char *conn = cid ? json_string_value(json_object_get(names, cid)) : NULL;
		if (!conn)
			conn = cid ? cid : "-";
		printf("%-36s  %-9s  %-6s  %10lld  %10s  %10s  %10s  %-16s  %s%s\n",
		       json_string_value(json_object_get(q, "query_id")),
		       json_string_value(json_object_get(q, "state")),
		       json_string_value(json_object_get(q, "mode")),
		       (long long)json_integer_value(json_object_get(q, "rows")), elapsed, mem,
		       disk, conn, json_is_true(json_object_get(q, "paused")) ? "(paused) " : "",
		       head);
	}
	json_decref(names);
	json_decref(result);
	return EXIT_OK;
}

int cmd_query_close(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage_error("usage: tuskctl query close QUERY_ID");
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_QUERY_CLOSE, tusk_req_query_id(argv[1]), &result);
	if (r == EXIT_OK && ctl->json)
		ctl_print_json(result);
	json_decref(result);
	return r;
}

/* ---- fetch ------------------------------------------------------------------- */

struct fetch_args {
	const char *id;
	const char *format;
	long long result_index, offset, limit;
	bool all, typed;
};

static int parse_fetch(int argc, char **argv, struct fetch_args *a)
{
	enum { OPT_FORMAT = 256, OPT_RESULT, OPT_OFFSET, OPT_LIMIT, OPT_ALL, OPT_TYPED };
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"result", required_argument, NULL, OPT_RESULT},
	    {"offset", required_argument, NULL, OPT_OFFSET},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    {"all", no_argument, NULL, OPT_ALL},
	    {"typed", no_argument, NULL, OPT_TYPED},
	    {0},
	};
	int c, r = EXIT_OK;
	optind = 0;
	while (r == EXIT_OK && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_RESULT:
			r = number("--result", optarg, &a->result_index);
			break;
		case OPT_OFFSET:
			r = number("--offset", optarg, &a->offset);
			break;
		case OPT_LIMIT:
			r = number("--limit", optarg, &a->limit);
			break;
		case OPT_ALL:
			a->all = true;
			break;
		case OPT_TYPED:
			a->typed = true;
			break;
		default:
			return ctl_usage_error(
			    "usage: tuskctl fetch QUERY_ID [--result N] [--offset N] "
			    "[--limit N | --all] [--format F] [--typed]");
		}
	}
	if (r != EXIT_OK)
		return r;
	if (optind + 1 != argc)
		return ctl_usage_error("usage: tuskctl fetch QUERY_ID [--offset N] [--limit N]");
	a->id = argv[optind];
	return EXIT_OK;
}

/* One page, or with --all every page from offset on, waiting for rows
 * while the query still runs. */
int cmd_fetch(struct ctl *ctl, int argc, char **argv)
{
	struct fetch_args a = {.limit = -1};
	int r = parse_fetch(argc, argv, &a);
	if (r != EXIT_OK)
		return r;
	int fmt = format_kind_from_name(a.format ? a.format : a.typed ? "json" : "aligned");
	if (fmt < 0)
		return ctl_usage_error("unknown format '%s' (aligned, csv, tsv, json, jsonl)",
		                       a.format);
	long long limit = a.limit >= 0 ? a.limit : a.all ? 10000 : 100;
	struct formatter *f = formatter_new((enum format_kind)fmt, stdout);
	formatter_set_quiet(f, true);
	long long offset = a.offset;
	bool began = false;
	for (;;) {
		json_t *res = NULL;
		r = ctl_call(
		    ctl, TUSK_M_QUERY_FETCH,
		    tusk_req_query_fetch(&(TuskReqQueryFetch){.query_id = a.id,
		                                              .result_index = a.result_index,
		                                              .offset = offset,
		                                              .limit = limit,
		                                              .typed = a.typed}),
		    &res);
		if (r != EXIT_OK)
			break;
		json_t *rows = json_object_get(res, "rows");
		json_t *cols = json_object_get(res, "columns");
		if (ctl->json && !a.all) {
			ctl_print_json(res);
			json_decref(res);
			break;
		}
		if (!began && json_array_size(cols) > 0) {
			formatter_columns(f, cols);
			began = true;
		}
		if (began)
			formatter_rows(f, rows);
		size_t n = json_array_size(rows);
		offset += (long long)n;
		bool complete = json_is_true(json_object_get(res, "complete"));
		long long count = (long long)json_integer_value(json_object_get(res, "row_count"));
		json_decref(res);
		if (!a.all || (complete && offset >= count))
			break;
		if (n == 0) /* still running: wait for more rows */
			nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	}
	int werr = formatter_finish(f);
	formatter_free(f);
	if (r == EXIT_OK && werr < 0 && werr != -EPIPE) {
		fprintf(stderr, "tuskctl: cannot write the output: %s\n", strerror(-werr));
		return EXIT_DAEMON_ERROR;
	}
	return r;
}

/* ---- export -------------------------------------------------------------------- */

static void on_sigint(int sig)
{
	signal(sig, SIG_DFL); /* a second Ctrl-C leaves at once */
	ctl_cancel_send();
}

static int on_export_note(const char *method, json_t *params, void *ud)
{
	const char *eid = json_string_value(json_object_get(params, "export_id"));
	if (isatty(STDERR_FILENO) && eid && strcmp(eid, ud) == 0 &&
	    strcmp(method, TUSK_N_QUERY_EXPORT_PROGRESS) == 0)
		fprintf(stderr, "\r%lld / %lld rows",
		        (long long)json_integer_value(json_object_get(params, "rows")),
		        (long long)json_integer_value(json_object_get(params, "total_rows")));
	return 0;
}

int cmd_export(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_RESULT };
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"result", required_argument, NULL, OPT_RESULT},
	    {"output", required_argument, NULL, 'o'},
	    {0},
	};
	const char *format = "csv", *out = NULL;
	long long idx = 0;
	int c, r = EXIT_OK;
	optind = 0;
	while (r == EXIT_OK && (c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == OPT_FORMAT)
			format = optarg;
		else if (c == OPT_RESULT)
			r = number("--result", optarg, &idx);
		else if (c == 'o')
			out = optarg;
		else
			r = ctl_usage_error(
			    "usage: tuskctl export QUERY_ID --format csv|tsv|json|jsonl "
			    "-o FILE [--result N]");
	}
	if (r != EXIT_OK)
		return r;
	if (optind + 1 != argc || !out)
		return ctl_usage_error("usage: tuskctl export QUERY_ID --format F -o FILE");
	/* The daemon writes the file: it needs an absolute path. */
	char *path = NULL, cwd[PATH_MAX];
	if (out[0] == '/')
		path = strdup(out);
	else if (getcwd(cwd, sizeof(cwd)) && asprintf(&path, "%s/%s", cwd, out) < 0)
		path = NULL;
	if (!path)
		return ctl_usage_error("cannot make '%s' an absolute path", out);
	r = ctl_connect(ctl);
	if (r != EXIT_OK) {
		free(path);
		return r;
	}
	char eid[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(eid);
	ctl_cancel_prepare(ctl->socket_path, TUSK_M_QUERY_EXPORT_CANCEL,
	                   tusk_req_query_export_cancel(eid));
	struct sigaction sa = {.sa_handler = on_sigint};
	sigaction(SIGINT, &sa, NULL);
	json_t *params = tusk_req_query_export(argv[optind], idx, format, path, eid);
	json_t *result = NULL;
	TuskError e = TUSK_ERROR_INIT;
	int cr = tusk_client_call(ctl->client, TUSK_M_QUERY_EXPORT, params, &result, on_export_note,
	                          eid, -1, &e);
	signal(SIGINT, SIG_DFL);
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	free(path);
	if (cr < 0) {
		ctl_print_error(&e);
		tusk_error_clear(&e);
		return EXIT_DAEMON_ERROR;
	}
	if (ctl->json)
		ctl_print_json(result);
	else
		fprintf(stderr, "%lld rows written to %s\n",
		        (long long)json_integer_value(json_object_get(result, "rows")),
		        json_string_value(json_object_get(result, "path")));
	json_decref(result);
	return EXIT_OK;
}
