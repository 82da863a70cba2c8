/* history [list] [-d NAME|ID] [--search TEXT] [--status S] [--stop-reason R]
 *         [--limit N] [--offset N] [--json] | history rm ID | history clear [-d NAME|ID] --yes */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"
#include "common/model-query.h"
#include "common/timestamp.h"
#include "common/uuid.h"

#define HISTORY_USAGE                                                                        \
	"usage: tuskctl history [list] [-d NAME|ID] [--search TEXT] "                        \
	"[--status ok|error|cancelled]\n"                                                    \
	"         [--stop-reason cancel_request|timeout|client_gone|daemon_stopping|server]" \
	" [--limit N] [--offset N] [--json]\n"                                               \
	"       tuskctl history rm ID\n"                                                     \
	"       tuskctl history clear [-d NAME|ID] --yes"

struct history_args {
	const char *target;
	const char *search;
	const char *status;
	const char *stop_reason;
	long long limit, offset;
	bool yes;
};

static int parse_count(const char *opt, const char *text, long long min, long long max,
                       long long *ret)
{
	char *end;
	long long v = strtoll(text, &end, 10);
	if (!*text || *end || v < min || v > max)
		return ctl_usage_error("%s takes a number from %lld to %lld, not '%s'", opt, min,
		                       max, text);
	*ret = v;
	return EXIT_OK;
}

static int parse_args(struct ctl *ctl, int argc, char **argv, struct history_args *a)
{
	enum { OPT_SEARCH = 256, OPT_STATUS, OPT_STOP, OPT_LIMIT, OPT_OFFSET, OPT_JSON, OPT_YES };
	static const struct option longopts[] = {
	    {"dbname", required_argument, NULL, 'd'},
	    {"search", required_argument, NULL, OPT_SEARCH},
	    {"status", required_argument, NULL, OPT_STATUS},
	    {"stop-reason", required_argument, NULL, OPT_STOP},
	    {"help", no_argument, NULL, 'h'},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    {"offset", required_argument, NULL, OPT_OFFSET},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"yes", no_argument, NULL, OPT_YES},
	    {0},
	};
	int c, r;
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->target = optarg;
			break;
		case OPT_SEARCH:
			a->search = optarg;
			break;
		case OPT_STATUS:
			if (tusk_history_status_from_name(optarg) < 0)
				return ctl_usage_error(
				    "--status takes ok, error or cancelled, not '%s'", optarg);
			a->status = optarg;
			break;
		case OPT_STOP:
			if (tusk_stop_reason_from_name(optarg) < 0)
				return ctl_usage_error(
				    "--stop-reason takes cancel_request, timeout, "
				    "client_gone, daemon_stopping or server, not "
				    "'%s'",
				    optarg);
			a->stop_reason = optarg;
			break;
		case 'h':
			printf("%s\n", HISTORY_USAGE);
			exit(EXIT_OK);
		case 'n':
		case OPT_LIMIT:
			if ((r = parse_count("--limit", optarg, 1, 1000, &a->limit)) != EXIT_OK)
				return r;
			break;
		case OPT_OFFSET:
			if ((r = parse_count("--offset", optarg, 0, 1000000000, &a->offset)) !=
			    EXIT_OK)
				return r;
			break;
		case OPT_JSON:
			ctl->json = true;
			break;
		case OPT_YES:
			a->yes = true;
			break;
		default:
			return ctl_usage_error(HISTORY_USAGE);
		}
	}
	return EXIT_OK;
}

/* A saved connection's id from its name or id; a UUID that names no saved
 * connection stands for itself (transient and deleted connections keep
 * their history). */
static int resolve(struct ctl *ctl, const char *target, char id[TUSK_UUID_STRLEN + 1])
{
	int r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;
	TuskError e = TUSK_ERROR_INIT;
	json_t *conn = NULL;
	if (tusk_client_call(ctl->client, TUSK_M_CONNECTIONS_GET,
	                     tusk_req_connection_id(target, NULL), &conn, NULL, NULL,
	                     ctl->timeout_ms, &e) == 0) {
		const char *cid = json_string_value(json_object_get(conn, "id"));
		snprintf(id, TUSK_UUID_STRLEN + 1, "%s", cid ? cid : target);
		json_decref(conn);
		return EXIT_OK;
	}
	if (tusk_uuid_valid(target) &&
	    (e.kind == TUSK_ERR_CONNECTION_NOT_FOUND || e.kind == TUSK_ERR_METHOD_NOT_FOUND)) {
		tusk_error_clear(&e);
		snprintf(id, TUSK_UUID_STRLEN + 1, "%s", target);
		return EXIT_OK;
	}
	r = ctl_exit_status(ctl, &e);
	ctl_print_error(&e);
	tusk_error_clear(&e);
	return r;
}

/* ---- the table ------------------------------------------------------------ */

/* Columns a UTF-8 sequence takes on a terminal; malformed bytes and
 * characters the locale does not know count as one. Sets *len to the
 * sequence's length in bytes. */
static int char_width(const char *s, size_t *len)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80 ? 1 : c >> 5 == 6 ? 2 : c >> 4 == 14 ? 3 : c >> 3 == 30 ? 4 : 1;
	wchar_t wc = c;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			n = 1; /* malformed, or cut short by the string's end */
			break;
		}
	if (n > 1) {
		wc = c & (0x7f >> n);
		for (size_t i = 1; i < n; i++)
			wc = (wc << 6) | ((unsigned char)s[i] & 0x3f);
	}
	*len = n;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

static int text_width(const char *s)
{
	int w = 0;
	for (size_t len; *s; s += len)
		w += char_width(s, &len);
	return w;
}

/* The first non-blank line of sql, control characters as spaces; when
 * max_cols > 0 cut to that many columns, ending with "…" when anything was
 * left out (the rest of the line or further lines). */
static char *sql_line(const char *sql, int max_cols)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	size_t n = strcspn(sql, "\n\r");
	bool more = sql[n] != '\0' && sql[n + strspn(sql + n, " \t\n\r")] != '\0';
	int limit = -1; /* columns to keep; -1 for all */
	if (max_cols > 0) {
		int total = 0;
		for (size_t i = 0, len; i < n; i += len)
			total += char_width(sql + i, &len);
		if (more || total > max_cols)
			limit = max_cols - 1; /* room for the "…" */
	}
	char *out = malloc(n + 4);
	if (!out)
		return NULL;
	size_t o = 0;
	int cols = 0;
	for (size_t i = 0, len; i < n; i += len) {
		int w = char_width(sql + i, &len);
		if (i + len > n) /* a sequence cut short by the line's end */
			len = n - i;
		if (limit >= 0 && cols + w > limit)
			break;
		if ((unsigned char)sql[i] < 0x20 || sql[i] == 0x7f) {
			out[o++] = ' ';
		} else {
			memcpy(out + o, sql + i, len);
			o += len;
		}
		cols += w;
	}
	if (limit >= 0) {
		memcpy(out + o, "\u2026", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static void format_time(const char *iso, char out[32])
{
	int64_t us;
	struct tm tm;
	if (!iso || tusk_timestamp_parse(iso, &us) < 0) {
		snprintf(out, 32, "%s", iso ? iso : "-");
		return;
	}
	time_t t = (time_t)(us / 1000000);
	if (!localtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, 32, "%s", iso);
}

static void format_duration(int64_t v, char out[32])
{
	long long ms = v;
	if (ms < 1000)
		snprintf(out, 32, "%lld ms", ms);
	else if (ms < 60000)
		snprintf(out, 32, "%.2f s", (double)ms / 1000.0);
	else if (ms < 3600000)
		snprintf(out, 32, "%lldm %02llds", ms / 60000, ms / 1000 % 60);
	else
		snprintf(out, 32, "%lldh %02lldm", ms / 3600000, ms / 60000 % 60);
}

/* id → name of the saved connections, to show names rather than ids. */
json_t *ctl_connection_names(struct ctl *ctl)
{
	json_t *result = NULL, *names = json_object();
	TuskError e = TUSK_ERROR_INIT;
	if (tusk_client_call(ctl->client, TUSK_M_CONNECTIONS_LIST, NULL, &result, NULL, NULL,
	                     ctl->timeout_ms, &e) < 0) {
		/* Names are a nicety: ids are shown instead. */
		tusk_error_clear(&e);
		return names;
	}
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(result, "connections"), i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		json_t *name = json_object_get(c, "name");
		if (id && json_is_string(name))
			json_object_set(names, id, name);
	}
	json_decref(result);
	return names;
}

static char *where_text(const TuskQueryHistoryEntry *entry, json_t *names)
{
	const char *cid = entry->connection_id;
	const char *db = entry->database;
	const char *name = cid ? json_string_value(json_object_get(names, cid)) : NULL;
	char *out = NULL;
	char shortid[9];
	if (cid && !name) {
		/* A transient or deleted connection: its id, shortened as git
		 * shortens hashes. */
		snprintf(shortid, sizeof(shortid), "%s", cid);
		name = shortid;
	}
	if (asprintf(&out, "%s%s%s", name ? name : "", name && db ? "/" : "",
	             db ? db : (name ? "" : "-")) < 0)
		return NULL;
	return out;
}

static int terminal_columns(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

static void pad(const char *s, int width, bool right)
{
	int fill = width - text_width(s);
	if (right)
		printf("%*s%s", fill > 0 ? fill : 0, "", s);
	else
		printf("%s%*s", s, fill > 0 ? fill : 0, "");
}

/* "cancelled (timeout)": how it ended and, for a stop, why. */
static void format_status(const TuskQueryHistoryEntry *h, char out[40])
{
	const char *why = tusk_stop_reason_name(h->stop_reason);
	snprintf(out, 40, "%s%s%s%s", tusk_history_status_name(h->status), why ? " (" : "",
	         why ? why : "", why ? ")" : "");
}

static void print_table(TuskQueryHistoryEntry **entries, size_t n, json_t *names)
{
	char(*when)[32] = calloc(n + 1, sizeof(*when));
	char(*dur)[32] = calloc(n + 1, sizeof(*dur));
	char(*rows)[24] = calloc(n + 1, sizeof(*rows));
	char(*status)[40] = calloc(n + 1, sizeof(*status));
	char **where = calloc(n + 1, sizeof(*where));
	if (!when || !dur || !rows || !status || !where)
		goto out;
	int w_when = 4, w_dur = 8, w_rows = 4, w_status = 6, w_where = 10;
	for (size_t i = 0; i < n; i++) {
		const TuskQueryHistoryEntry *e = entries[i];
		char stamp[TUSK_TIMESTAMP_STRLEN];
		format_time(tusk_timestamp_format(e->executed_at_us, 6, stamp) == 0 ? stamp : NULL,
		            when[i]);
		format_duration(e->duration_ms, dur[i]);
		snprintf(rows[i], sizeof(rows[i]), e->rows >= 0 ? "%lld" : "-", (long long)e->rows);
		format_status(e, status[i]);
		where[i] = where_text(e, names);
		int ws = where[i] ? text_width(where[i]) : 1;
		w_when = text_width(when[i]) > w_when ? text_width(when[i]) : w_when;
		w_dur = (int)strlen(dur[i]) > w_dur ? (int)strlen(dur[i]) : w_dur;
		w_rows = (int)strlen(rows[i]) > w_rows ? (int)strlen(rows[i]) : w_rows;
		w_status = (int)strlen(status[i]) > w_status ? (int)strlen(status[i]) : w_status;
		w_where = ws > w_where ? ws : w_where;
	}
	int cols = terminal_columns();
	int used = w_when + w_dur + w_rows + w_status + w_where + 5 * 2;
	int sql_cols = cols > 0 ? (cols - used > 10 ? cols - used : 10) : 0;

	pad("TIME", w_when, false);
	fputs("  ", stdout);
	pad("DURATION", w_dur, true);
	fputs("  ", stdout);
	pad("ROWS", w_rows, true);
	fputs("  ", stdout);
	pad("STATUS", w_status, false);
	fputs("  ", stdout);
	pad("CONNECTION", w_where, false);
	fputs("  SQL\n", stdout);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *line = sql_line(entries[i]->sql, sql_cols);
		pad(when[i], w_when, false);
		fputs("  ", stdout);
		pad(dur[i], w_dur, true);
		fputs("  ", stdout);
		pad(rows[i], w_rows, true);
		fputs("  ", stdout);
		pad(status[i], w_status, false);
		fputs("  ", stdout);
		pad(where[i] ? where[i] : "-", w_where, false);
		printf("  %s\n", line ? line : "");
	}
out:
	for (size_t i = 0; where && i < n; i++)
		free(where[i]);
	free(where);
	free(when);
	free(dur);
	free(rows);
	free(status);
}

/* The entries in the one shape daemon and clients share; a malformed one
 * is an error, reported. */
static int parse_entries(json_t *entries, TuskQueryHistoryEntry ***ret)
{
	size_t n = json_array_size(entries);
	TuskQueryHistoryEntry **list = calloc(n + 1, sizeof(*list));
	if (!list)
		return fputs("tuskctl: out of memory\n", stderr), EXIT_DAEMON_ERROR;
	for (size_t i = 0; i < n; i++) {
		TuskError e = TUSK_ERROR_INIT;
		if (tusk_query_history_entry_from_json(json_array_get(entries, i), &list[i], &e) <
		    0) {
			fprintf(stderr,
			        "tuskctl: tuskd sent a history entry tuskctl cannot read: %s\n",
			        tusk_error_message(&e));
			tusk_error_clear(&e);
			for (size_t k = 0; k < i; k++)
				tusk_query_history_entry_free(list[k]);
			free(list);
			return EXIT_DAEMON_ERROR;
		}
	}
	*ret = list;
	return EXIT_OK;
}

/* ---- subcommands ---------------------------------------------------------- */

static int history_list(struct ctl *ctl, const struct history_args *a)
{
	char id[TUSK_UUID_STRLEN + 1];
	int r;
	if (a->target && (r = resolve(ctl, a->target, id)) != EXIT_OK)
		return r;
	json_t *params =
	    tusk_req_history_list(&(TuskReqHistoryList){.connection_id = a->target ? id : NULL,
	                                                .search = a->search,
	                                                .status = a->status,
	                                                .stop_reason = a->stop_reason,
	                                                .limit = a->limit,
	                                                .offset = a->offset});

	json_t *result = NULL;
	if ((r = ctl_call(ctl, TUSK_M_HISTORY_LIST, params, &result)) != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
		json_decref(result);
		return EXIT_OK;
	}
	json_t *entries = json_object_get(result, "entries");
	long long total = json_integer_value(json_object_get(result, "total"));
	size_t n = json_array_size(entries);
	if (n == 0) {
		fprintf(stderr,
		        total > 0 ? "No history entries past offset %lld (%lld in all).\n"
		                  : "No history entries.\n",
		        a->offset, total);
	} else {
		TuskQueryHistoryEntry **list = NULL;
		if ((r = parse_entries(entries, &list)) != EXIT_OK) {
			json_decref(result);
			return r;
		}
		json_t *names = ctl_connection_names(ctl);
		print_table(list, n, names);
		json_decref(names);
		for (size_t i = 0; i < n; i++)
			tusk_query_history_entry_free(list[i]);
		free(list);
		/* The hint follows the table, also when both go to a terminal. */
		fflush(stdout);
		if (a->offset + (long long)n < total)
			fprintf(stderr, "(%lld–%lld of %lld; --offset %lld for more)\n",
			        a->offset + 1, a->offset + (long long)n, total,
			        a->offset + (long long)n);
	}
	json_decref(result);
	return EXIT_OK;
}

static int history_rm(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 3)
		return ctl_usage_error("usage: tuskctl history rm ID");
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_HISTORY_DELETE, tusk_req_history_delete(argv[2]), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else
		printf("Deleted history entry %s.\n", argv[2]);
	json_decref(result);
	return EXIT_OK;
}

static int history_clear(struct ctl *ctl, const struct history_args *a, int nargs)
{
	if (nargs != 0)
		return ctl_usage_error("usage: tuskctl history clear [-d NAME|ID] --yes");
	if (!a->yes)
		return ctl_usage_error(
		    "history clear deletes entries for good; add --yes to do it");
	char id[TUSK_UUID_STRLEN + 1];
	int r;
	if (a->target && (r = resolve(ctl, a->target, id)) != EXIT_OK)
		return r;
	json_t *params = tusk_req_history_clear(a->target ? id : NULL);
	json_t *result = NULL;
	if ((r = ctl_call(ctl, TUSK_M_HISTORY_CLEAR, params, &result)) != EXIT_OK)
		return r;
	long long n = json_integer_value(json_object_get(result, "deleted"));
	if (ctl->json)
		ctl_print_json(result);
	else
		printf("Deleted %lld history entr%s.\n", n, n == 1 ? "y" : "ies");
	json_decref(result);
	return EXIT_OK;
}

int cmd_history(struct ctl *ctl, int argc, char **argv)
{
	/* For wcwidth: column widths of the user's characters. */
	setlocale(LC_CTYPE, "");
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	if (strcmp(sub, "rm") == 0)
		return history_rm(ctl, argc, argv);
	if (strcmp(sub, "list") != 0 && strcmp(sub, "clear") != 0)
		return ctl_usage_error("unknown history command '%s'\n%s", sub, HISTORY_USAGE);

	struct history_args a = {.limit = 50};
	/* Options are parsed after the subcommand word, when there is one. */
	bool named = argc > 1 && argv[1][0] != '-';
	int sargc = named ? argc - 1 : argc;
	char **sargv = named ? argv + 1 : argv;
	int r = parse_args(ctl, sargc, sargv, &a);
	if (r != EXIT_OK)
		return r;
	int rest = sargc - optind;
	if (strcmp(sub, "clear") == 0)
		return history_clear(ctl, &a, rest);
	if (rest != 0)
		return ctl_usage_error("unexpected argument '%s'\n%s", sargv[optind],
		                       HISTORY_USAGE);
	if (a.yes)
		return ctl_usage_error("--yes goes with 'history clear'");
	return history_list(ctl, &a);
}
