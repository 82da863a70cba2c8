/* tuskctl query (and psql-style tuskctl -d NAME -c SQL): run SQL through
 * the daemon and print the streamed results; cancel, cancel QUERY_ID. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client-cli/copy.h"
#include "client-cli/format.h"
#include "client-cli/script.h"
#include "client-cli/tuskctl.h"
#include "common/jsonstr.h"
#include "common/cleanup.h"
#include "common/uuid.h"
#include "protocol/jsonrpc.h"
#include "protocol/req.h"

extern char **environ;

/* What the SIGINT handler needs, prepared before the query is sent: it
 * only calls async-signal-safe functions (socket, connect, write, close). */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	if (interrupted) {
		/* A second Ctrl-C: leave now. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
	ctl_cancel_send();
}

/* PG* variables of this process, for a transient connection. */
static json_t *pg_environment(void)
{
	json_t *env = json_object();
	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "PG", 2) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
		json_object_set_new(env, name, json_string(eq + 1));
	}
	return env;
}

static bool looks_like_conninfo(const char *s)
{
	return strstr(s, "://") || strchr(s, '=');
}

struct stream {
	struct formatter *f;
	const char *query_id;
	int write_error;
	bool quiet_notices;
	unsigned long long rows; /* in all result sets, for the progress line */
	bool store;
	TuskClient *client;
	int copy_in_fd;  /* COPY FROM STDIN reads this */
	FILE *out;       /* where the formatter prints */
	FILE *copy_out;  /* COPY TO STDOUT writes this */
	bool copied_out; /* … and did, since the last result */
	int copy_error;  /* -errno writing COPY data */
	TuskError upload_error;
	const struct exec_opts *o; /* a script's statement: o->script */
};

static void print_notice(const json_t *n)
{
	const char *sev = json_string_value(json_object_get(n, "severity"));
	fprintf(stderr, "%s%s:%s  %s\n", ctl_color(2, "\033[1;33m"), sev ? sev : "NOTICE",
	        ctl_color(2, "\033[0m"), json_string_value(json_object_get(n, "message")));
	const char *detail = json_string_value(json_object_get(n, "detail"));
	if (detail)
		fprintf(stderr, "DETAIL:  %s\n", detail);
	const char *hint = json_string_value(json_object_get(n, "hint"));
	if (hint)
		fprintf(stderr, "HINT:  %s\n", hint);
}

/* query.copy_out chunks, read without a JSON tree. */
static bool on_line(const char *line, size_t len, void *ud)
{
	struct stream *s = ud;
	if (s->store ||
	    !ctl_copy_out_line(line, len, s->query_id, s->copy_out, &s->rows, &s->copy_error))
		return false;
	s->copied_out = true;
	ctl_progress_rows(s->rows);
	return true;
}

static int on_notification(const char *method, json_t *params, void *ud)
{
	/* Also called back from inside a COPY upload. */
	struct stream *s = ud;
	const char *qid = json_string_value(json_object_get(params, "query_id"));
	if (!qid || strcmp(qid, s->query_id) != 0)
		return 0;
	if (s->store && strcmp(method, TUSK_N_QUERY_NOTICE) != 0)
		return 0; /* the rows stay in the daemon */
	if (strcmp(method, TUSK_N_QUERY_COPY_OUT) == 0) {
		int r = ctl_copy_write(s->copy_out, params);
		if (r < 0 && !s->copy_error)
			s->copy_error = r;
		s->copied_out = true;
		ctl_progress_rows(s->rows += (unsigned long long)json_integer_value(
		                      json_object_get(params, "rows")));
	} else if (strcmp(method, TUSK_N_QUERY_COPY_IN) == 0) {
		const char *format = json_string_value(json_object_get(params, "format"));
		bool binary = format && strcmp(format, "binary") == 0;
		const struct script *sc = s->o->script;
		const struct script_data *d = s->o->script_data;
		if (sc && ctl_copy_upload_mem(
		              s->client, s->query_id, d ? sc->text + d->offset : "", d ? d->len : 0,
		              d ? NULL : "the script has no data for this COPY", on_notification, s,
		              &interrupted, &s->upload_error) < 0)
			return 1;
		if (!sc && ctl_copy_upload(s->client, s->query_id, s->copy_in_fd, binary,
		                           on_notification, s, &interrupted, &s->upload_error) < 0)
			return 1; /* the connection broke */
	} else if (strcmp(method, TUSK_N_QUERY_RESULT) == 0 && s->copied_out) {
		/* psql says nothing more where the COPY data went. */
		s->copied_out = false;
		ctl_progress_clear();
		if (s->copy_out != s->out)
			formatter_result_end(s->f, json_object_get(params, "result"));
	} else if (strcmp(method, TUSK_N_QUERY_COLUMNS) == 0) {
		formatter_columns(s->f, json_object_get(params, "columns"));
	} else if (strcmp(method, TUSK_N_QUERY_TEXT) == 0) {
		size_t n = (size_t)json_integer_value(json_object_get(params, "rows"));
		formatter_text(s->f, json_string_value(json_object_get(params, "text")),
		               json_string_length(json_object_get(params, "text")), n);
		ctl_progress_rows(s->rows += n);
	} else if (strcmp(method, TUSK_N_QUERY_ROWS) == 0) {
		formatter_rows(s->f, json_object_get(params, "rows"));
		ctl_progress_rows(s->rows += json_array_size(json_object_get(params, "rows")));
	} else if (strcmp(method, TUSK_N_QUERY_PROGRESS) == 0) {
		/* Rows the daemon fetched, also those not yet sent in a batch. */
		unsigned long long n =
		    (unsigned long long)json_integer_value(json_object_get(params, "rows"));
		ctl_progress_rows(n > s->rows ? n : s->rows);
	} else if (strcmp(method, TUSK_N_QUERY_RESULT) == 0) {
		ctl_progress_clear();
		formatter_result_end(s->f, json_object_get(params, "result"));
	} else if (strcmp(method, TUSK_N_QUERY_NOTICE) == 0 && !s->quiet_notices) {
		ctl_progress_clear();
		print_notice(json_object_get(params, "notice"));
	}
	return 0;
}

/* A small result came whole in the reply (inline): each result set goes
 * through the formatter as its notifications would have. The reply then
 * reads as without inline. */
static void replay_inline(struct stream *s, json_t *result)
{
	json_t *sets = json_object_get(result, "inline");
	if (!sets)
		return;
	size_t next = 0, i;
	json_t *summary;
	json_array_foreach(json_object_get(result, "results"), i, summary)
	{
		json_t *set = json_array_get(sets, next);
		if (set && json_integer_value(json_object_get(set, "result_index")) ==
		               json_integer_value(json_object_get(summary, "result_index"))) {
			next++;
			formatter_columns(s->f, json_object_get(set, "columns"));
			/* As streamed: no batch for an empty result set. */
			json_t *text = json_object_get(set, "text");
			json_t *rows = json_object_get(set, "rows");
			if (json_string_length(text) > 0)
				formatter_text(s->f, json_string_value(text),
				               json_string_length(text),
				               (size_t)json_integer_value(
				                   json_object_get(summary, "row_count")));
			else if (json_array_size(rows) > 0)
				formatter_rows(s->f, rows);
		}
		formatter_result_end(s->f, summary);
	}
	json_object_del(result, "inline");
}

/* "COPY t, line N[, column c]: …": N, or 0. */
static unsigned long copy_line(const char *context)
{
	const char *p = context ? strstr(context, "COPY ") : NULL;
	p = p ? strstr(p, ", line ") : NULL;
	return p ? strtoul(p + 7, NULL, 10) : 0;
}

/* In a script, the line of the file the error is about: a COPY's bad row,
 * or the statement at the error's position. */
static void print_script_line(const struct stream *s, const TuskError *e)
{
	const struct script *sc = s->o->script;
	const struct script_data *d = s->o->script_data;
	size_t at = s->o->script_sql_offset;
	unsigned long n = copy_line(e->context), line = 0;
	if (n && d)
		line = d->first_line + n - 1;
	else if (at < sc->sql_len)
		line = ctl_script_line_of_sql(sc, ctl_script_sql_byte(sc, at, e->position));
	if (line)
		fprintf(stderr, "(line %lu of %s)\n", line, sc->name);
	if (d && !d->ended && d->len > 0)
		fprintf(
		    stderr,
		    "HINT:  no line \\. ends the COPY data that starts at line %lu: the rest of "
		    "%s was sent as its data\n",
		    d->first_line, sc->name);
}

static void print_query_error(const struct stream *s, const TuskError *e)
{
	if (e->kind == TUSK_ERR_QUERY_FAILED) {
		fprintf(stderr, "%s%s:%s  %s\n", ctl_color(2, "\033[1;31m"),
		        e->severity ? e->severity : "ERROR", ctl_color(2, "\033[0m"),
		        tusk_error_message(e));
		if (e->detail)
			fprintf(stderr, "DETAIL:  %s\n", e->detail);
		if (e->hint)
			fprintf(stderr, "HINT:  %s\n", e->hint);
		if (e->context)
			fprintf(stderr, "CONTEXT:  %s\n", e->context);
		if (s && s->o->script)
			print_script_line(s, e);
		else if (e->position)
			fprintf(stderr, "(at character %u of the SQL)\n", e->position);
		return;
	}
	ctl_print_error(e);
}

json_t *ctl_agent_env(void)
{
	const char *agent = getenv("SSH_AUTH_SOCK");
	return agent && *agent ? json_pack("{s:s}", "SSH_AUTH_SOCK", agent) : NULL;
}

void ctl_target(const char *target, TuskReqQueryExecute *q)
{
	if (target && !looks_like_conninfo(target)) {
		q->connection_id = target;
		/* A tunnel with agent auth may need our agent. */
		q->env = ctl_agent_env();
	} else {
		q->conninfo = target ? target : "";
		q->env = pg_environment();
	}
}

int ctl_execute(struct ctl *ctl, TuskReqQueryExecute *q, const struct exec_opts *o,
                json_t **ret_result)
{
	if (ret_result)
		*ret_result = NULL;
	char qid[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(qid);
	q->query_id = qid;
	/* csv and tsv are rendered by the daemon: one string per batch
	 * instead of a JSON array per row. */
	if (!o->store && (o->fmt == FORMAT_CSV || o->fmt == FORMAT_TSV))
		q->render = o->fmt == FORMAT_CSV ? "csv" : "tsv";
	if (ctl->timeout_ms > 0)
		q->timeout_ms = ctl->timeout_ms;
	/* A small result comes in the reply: one message, one wake-up. */
	q->inline_reply = !o->store;
	json_t *params = tusk_req_query_execute(q);
	q->env = q->params = NULL; /* stolen */
	int r = ctl_connect(ctl);
	if (r != EXIT_OK) {
		json_decref(params);
		return r;
	}

	/* Ctrl-C sends this line from the signal handler, prepared now. */
	ctl_cancel_prepare(ctl->socket_path, TUSK_M_QUERY_CANCEL, tusk_req_query_id(qid));
	struct sigaction sa = {.sa_handler = on_sigint}, old_sa;
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_sa);
	char *paged = NULL;
	size_t paged_len = 0;
	FILE *mem =
	    !o->out && o->fmt == FORMAT_ALIGNED ? ctl_pager_begin(ctl, &paged, &paged_len) : NULL;
	FILE *out = o->out ? o->out : mem ? mem : stdout;
	/* Aligned output waits for the end of a result set; the other formats
	 * stream, and must not share a terminal line with the progress. */
	ctl_progress_begin(qid, o->fmt != FORMAT_ALIGNED && !mem && isatty(fileno(out)) &&
	                            isatty(STDERR_FILENO));

	struct stream s = {.f = formatter_new((enum format_kind)o->fmt, out),
	                   .query_id = qid,
	                   .quiet_notices = o->quiet,
	                   .store = o->store,
	                   .client = ctl->client,
	                   .copy_in_fd = o->copy_in_fd,
	                   .out = out,
	                   .copy_out = o->copy_out ? o->copy_out : out,
	                   .upload_error = TUSK_ERROR_INIT,
	                   .o = o};
	formatter_set_quiet(s.f, o->quiet);
	formatter_set_expanded(s.f, o->expanded);
	formatter_set_expand_auto(s.f, o->expand_wider_than);
	formatter_set_null(s.f, o->null_text);
	formatter_set_no_header(s.f, o->no_header);
	json_t *result = NULL;
	TuskError e = TUSK_ERROR_INIT;
	tusk_client_set_line_hook(ctl->client, on_line, &s);
	r = tusk_client_call(ctl->client, TUSK_M_QUERY_EXECUTE, params, &result, on_notification,
	                     &s, -1, &e);
	tusk_client_set_line_hook(ctl->client, NULL, NULL);
	if (r >= 0)
		replay_inline(&s, result);
	ctl_progress_end();
	if (r < 0 && s.upload_error.kind != TUSK_ERR_NONE) {
		tusk_error_clear(&e);
		tusk_error_move(&e, &s.upload_error);
	}
	tusk_error_clear(&s.upload_error);
	if (s.copy_out != out && fflush(s.copy_out) != 0 && !s.copy_error)
		s.copy_error = -errno;
	int werr = formatter_finish(s.f);
	if (!werr)
		werr = s.copy_error;
	formatter_free(s.f);
	ctl_pager_end(mem, &paged, &paged_len);
	sigaction(SIGINT, &old_sa, NULL);
	if (r < 0) {
		if (o->error_kind)
			*o->error_kind = e.kind;
		print_query_error(&s, &e);
		int code = interrupted ? EXIT_INTERRUPTED : ctl_exit_status(ctl, &e);
		tusk_error_clear(&e);
		return code;
	}
	if (ctl->json && !o->out) {
		fflush(stdout);
		ctl_print_json(result);
	} else if (o->store) {
		/* The rows stay in tuskd: tuskctl fetch / export ID. */
		printf("%s\n", qid);
		fprintf(stderr, "%lld rows stored\n",
		        (long long)json_integer_value(json_object_get(result, "rows")));
	}
	if (ret_result)
		*ret_result = result;
	else
		json_decref(result);
	if (werr < 0 && werr != -EPIPE) {
		fprintf(stderr, "tuskctl: cannot write the output: %s\n", strerror(-werr));
		return EXIT_DAEMON_ERROR;
	}
	return EXIT_OK;
}

bool ctl_sql_is_utf8(const char *sql)
{
	size_t bad = tusk_utf8_invalid_at(sql, strlen(sql));
	if (!sql[bad])
		return true;
	/* JSON text is UTF-8: such SQL cannot be sent as it is. */
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_SERIALIZATION,
	               "the SQL is not valid UTF-8 (byte 0x%02x at offset %zu): it cannot be "
	               "sent as JSON text",
	               (unsigned char)sql[bad], bad);
	tusk_error_set_hint(&e, "Tusk sends SQL as UTF-8: convert the text first, e.g. iconv "
	                        "-f LATIN1 -t UTF-8 FILE");
	ctl_print_error(&e);
	tusk_error_clear(&e);
	return false;
}

/* A script's statement through ctl_execute, as run_query would send -c. */
struct script_exec {
	struct ctl *ctl;
	const struct query_args *a;
	struct exec_opts o;
};

static int exec_statement(void *ud, const struct script *sc, const struct script_stmt *st,
                          int *kind)
{
	struct script_exec *x = ud;
	TuskReqQueryExecute q = {.sql = st->sql,
	                         .context = x->a->session,
	                         .max_rows = x->a->max_rows > 0 ? x->a->max_rows : 0,
	                         .hold_session = st->hold_session,
	                         .no_history = true};
	ctl_target(x->a->target ? x->a->target : getenv("TUSK_DATABASE"), &q);
	struct exec_opts o = x->o;
	o.script = sc;
	o.script_data = st->data;
	o.script_sql_offset = st->sql_offset;
	o.error_kind = kind;
	o.quiet = o.quiet || st->quiet;
	return ctl_execute(x->ctl, &q, &o, NULL);
}

int ctl_run_script_text(struct ctl *ctl, const struct query_args *a, const struct exec_opts *o,
                        char *text, const char *name)
{
	struct script sc;
	if (ctl_script_split(text, strlen(text), name, &sc) < 0) {
		ctl_script_clear(&sc);
		fprintf(stderr, "tuskctl: out of memory\n");
		return EXIT_DAEMON_ERROR;
	}
	int r = EXIT_DAEMON_ERROR;
	if (ctl_script_is_utf8(&sc)) {
		struct script_exec x = {.ctl = ctl, .a = a, .o = *o};
		struct script_run how = {.stop_on_error = a->on_error_stop,
		                         .single_transaction = a->single_transaction};
		r = ctl_script_run(&sc, &how, exec_statement, &x);
	}
	ctl_script_clear(&sc);
	return r;
}

int ctl_run_query(struct ctl *ctl, const struct query_args *a)
{
	/* Cells arrive as text; json and jsonl type them here (--typed picks
	 * json when no format is named). */
	int fmt = format_kind_from_name(a->format ? a->format : a->typed ? "json" : "aligned");
	if (fmt < 0)
		return ctl_usage_error("unknown format '%s' (aligned, csv, tsv, json, jsonl)",
		                       a->format);
	if (a->store && !a->sql)
		return ctl_usage_error("--store takes one query (-c), not a script");
	struct exec_opts o = {.fmt = fmt,
	                      .quiet = a->quiet,
	                      .expanded = ctl->expanded,
	                      .no_header = ctl->no_header,
	                      .null_text = ctl->null_text,
	                      .store = a->store};
	if (!a->sql) {
		/* A script, from a file or stdin: statement by statement, its COPY
		 * … FROM stdin data in it, as psql -f runs one. */
		FILE *in = stdin;
		bool named = a->file && strcmp(a->file, "-") != 0;
		if (named && !(in = fopen(a->file, "re"))) {
			fprintf(stderr, "tuskctl: %s: %s\n", a->file, strerror(errno));
			return EXIT_USAGE;
		}
		char *text = ctl_read_text(in);
		if (in != stdin)
			fclose(in);
		if (!text)
			return ctl_usage_error("cannot read the SQL");
		int r = ctl_run_script_text(ctl, a, &o, text, named ? a->file : "<stdin>");
		free(text);
		return r;
	}
	if (!ctl_sql_is_utf8(a->sql))
		return EXIT_DAEMON_ERROR;
	TuskReqQueryExecute q = {.sql = a->sql,
	                         .context = a->session,
	                         .store = a->store,
	                         .max_rows = a->max_rows > 0 ? a->max_rows : 0};
	ctl_target(a->target ? a->target : getenv("TUSK_DATABASE"), &q);
	return ctl_execute(ctl, &q, &o, NULL);
}

int ctl_query_variable(struct query_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	if (n != strlen("ON_ERROR_STOP") || strncasecmp(arg, "ON_ERROR_STOP", n) != 0)
		return ctl_usage_error("-v %s: tuskctl knows only ON_ERROR_STOP (psql's variables "
		                       "are not kept)",
		                       arg);
	const char *v = eq ? eq + 1 : "";
	int b = ctl_parse_bool(v);
	if (b < 0)
		return ctl_usage_error("-v ON_ERROR_STOP=%s: on or off", v);
	a->on_error_stop = b == 1;
	return EXIT_OK;
}

static int parse_query_args(int argc, char **argv, struct query_args *a, struct ctl *ctl)
{
	enum {
		OPT_FORMAT = 256,
		OPT_SESSION,
		OPT_TYPED,
		OPT_CSV,
		OPT_STORE,
		OPT_MAX_ROWS,
		OPT_ON_ERROR_STOP
	};
	static const struct option longopts[] = {
	    {"dbname", required_argument, NULL, 'd'},
	    {"command", required_argument, NULL, 'c'},
	    {"file", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {"session", required_argument, NULL, OPT_SESSION},
	    {"typed", no_argument, NULL, OPT_TYPED},
	    {"quiet", no_argument, NULL, 'q'},
	    {"store", no_argument, NULL, OPT_STORE},
	    {"max-rows", required_argument, NULL, OPT_MAX_ROWS},
	    {"on-error-stop", no_argument, NULL, OPT_ON_ERROR_STOP},
	    {"single-transaction", no_argument, NULL, '1'},
	    {"variable", required_argument, NULL, 'v'},
	    {0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:f:qv:1", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ON_ERROR_STOP:
			a->on_error_stop = true;
			break;
		case '1':
			a->single_transaction = true;
			break;
		case 'v':
			if (ctl_query_variable(a, optarg) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case 'd':
			a->target = optarg;
			break;
		case 'c':
			a->sql = optarg;
			break;
		case 'f':
			a->file = optarg;
			break;
		case 'q':
			a->quiet = true;
			break;
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_CSV:
			a->format = "csv";
			break;
		case OPT_SESSION:
			a->session = optarg;
			break;
		case OPT_TYPED:
			a->typed = true;
			break;
		case OPT_STORE:
			a->store = true;
			break;
		case OPT_MAX_ROWS: {
			char *end;
			a->max_rows = strtoll(optarg, &end, 10);
			if (*end || a->max_rows < 0)
				return ctl_usage_error("--max-rows: a number of rows");
			break;
		}
		default:
			return ctl_usage_error(
			    "usage: tuskctl query [-d NAME|URI] [-c SQL | -f FILE [-1] "
			    "[--on-error-stop]] "
			    "[--format F] [--session NAME] [--typed] [--store] [--max-rows N]");
		}
	}
	if (optind < argc)
		return ctl_usage_error("unexpected argument '%s'", argv[optind]);
	if (a->sql && a->file)
		return ctl_usage_error("give -c or -f, not both");
	(void)ctl;
	return EXIT_OK;
}

int cmd_query(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "list") == 0)
		return cmd_query_list(ctl, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "close") == 0)
		return cmd_query_close(ctl, argc - 1, argv + 1);
	struct query_args a = {0};
	/* Options given before the command (tuskctl -d X query -c …) stand. */
	int r = parse_query_args(argc, argv, &a, ctl);
	return r == EXIT_OK ? ctl_run_query(ctl, &a) : r;
}

int cmd_cancel(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage_error("usage: tuskctl cancel QUERY_ID");
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_QUERY_CANCEL, tusk_req_query_id(argv[1]), &result);
	if (r == EXIT_OK) {
		if (ctl->json)
			ctl_print_json(result);
		else
			printf("cancel sent to query %s\n", argv[1]);
	}
	json_decref(result);
	return r;
}
