/* tuskctl: the Tusk command line. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-cli/shell.h"
#include "client-cli/tuskctl.h"
#include "common/paths.h"

static const struct ctl_command commands[] = {
    {"query", "run SQL, print the results; query list: what runs now", cmd_query},
    {"shell", "the interactive shell (tuskctl -d NAME on a terminal)", cmd_shell},
    {"cancel", "cancel a running query by its id", cmd_cancel},
    {"fetch", "print rows of a stored result (query --store)", cmd_fetch},
    {"export", "write a stored result to a file (csv tsv json jsonl)", cmd_export},
    {"history", "past queries: list, search, delete", cmd_history},
    {"schema", "list a database's objects", cmd_schema},
    {"describe", "one object, like psql's \\d", cmd_describe},
    {"complete", "completion candidates for a prefix", cmd_complete},
    {"conn", "saved connections: list add edit rm show test import status", cmd_conn},
    {"group", "connection groups: list add rm", cmd_group},
    {"open", "open a connection's pool in the daemon", cmd_open},
    {"close", "close a connection's pool", cmd_close},
    {"secret", "passwords in the keyring: set rm has", cmd_secret},
    {"ssh", "trust an SSH tunnel's host key", cmd_ssh},
    {"listen", "print NOTIFY payloads of channels as they arrive", cmd_listen},
    {"events", "print the daemon's notifications of some topics", cmd_events},
    {"workspace", "editor tabs kept by the daemon: show save", cmd_workspace},
    {"session", "what tuskd restored at start", cmd_session},
    {"ping", "check that tuskd answers, and how fast", cmd_ping},
    {"status", "what the daemon is doing", cmd_status},
    {"settings", "daemon settings: list get set reset", cmd_settings},
    {"shutdown", "stop the daemon gracefully", cmd_shutdown},
    {"names", "saved connection or group names (for completion)", cmd_names},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tuskctl [OPTION]... COMMAND [ARG]...\n"
	           "       tuskctl [OPTION]... -d NAME|URI [-c SQL | -f FILE]\n"
	           "Talk to tuskd, the Tusk daemon (started on demand).\n\n"
	           "Options:\n"
	           "  -d, --dbname NAME|URI  connection for SQL given with -c / -f / stdin\n"
	           "  -c, --command SQL      run SQL (see 'tuskctl query --help')\n"
	           "  -f, --file FILE        run the script in FILE as psql -f (also -1,\n"
	           "                         --on-error-stop: see 'tuskctl query --help')\n"
	           "  -S, --socket PATH      daemon socket (default $TUSK_SOCKET, else\n"
	           "                         $XDG_RUNTIME_DIR/tusk/tuskd.sock)\n"
	           "  -j, --json             print results as JSON (after a command too:\n"
	           "                         --json or --format json; --format text is the\n"
	           "                         default)\n"
	           "      --no-autostart     do not start tuskd when none answers\n"
	           "      --timeout MS       give up waiting after MS milliseconds\n"
	           "  -h, --help             print this help\n"
	           "      --version          print the version\n"
	           "Output (every printing command):\n"
	           "  -o, --output FILE      write the output to FILE\n"
	           "  -x, --expanded         one record per block, as psql's \\x\n"
	           "  -t, --no-header        no header nor row count (psql -t)\n"
	           "      --null STRING      how NULL shows in aligned output\n"
	           "      --no-pager         never page (else TUSK_PAGER, PAGER, less -SFX\n"
	           "                         when aligned output outgrows the terminal)\n"
	           "  NO_COLOR=1 turns colors off; they are used only on a terminal.\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'tuskctl COMMAND --help' shows a command's options and examples.\n\n"
	           "Exit status: 0 ok, 1 SQL or daemon error, 2 usage error, 3 daemon\n"
	           "unreachable, 130 interrupted (Ctrl-C).\n");
}

int ctl_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("tuskctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'tuskctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* What detail says beyond msg: NULL when it repeats msg as a whole, the
 * text after its first line when that line repeats msg, else detail. */
static const char *detail_beyond(const char *msg, const char *detail)
{
	if (!msg)
		return detail;
	const char *m = msg, *d = detail;
	while (*m && *d && *d != '\n') {
		if (*m == *d) {
			m++, d++;
			continue;
		}
		static const char *const severities[] = {"FATAL:  ", "ERROR:  ", "PANIC:  "};
		bool skipped = false;
		for (size_t i = 0; i < 3 && !skipped; i++)
			if (strncmp(d, severities[i], strlen(severities[i])) == 0) {
				d += strlen(severities[i]);
				skipped = true;
			}
		if (!skipped)
			return detail;
	}
	if (*m || (*d && *d != '\n'))
		return detail;
	while (*d == '\n' || *d == '\t' || *d == ' ')
		d++;
	return *d ? d : NULL;
}

void ctl_print_error(const TuskError *e)
{
	const char *msg = tusk_error_message(e);
	fprintf(stderr, "tuskctl: %s\n", msg);
	if (e->detail) {
		/* libpq's text often repeats the message as its first line
		 * (with a "FATAL:  " inside): print only what it adds. */
		const char *rest = detail_beyond(msg, e->detail);
		if (rest && *rest)
			fprintf(stderr, "  detail: %s\n", rest);
	}
	if (e->hint)
		fprintf(stderr, "  hint: %s\n", e->hint);
}

void ctl_print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
	if (s) {
		puts(s);
		free(s);
	}
}

/* One spelling for output format across commands: `--format text|json`
 * after any command (`--json` its alias), taken out before the command
 * parses its own arguments. query, fetch and export keep --format for
 * their row formats;
 * there --json means --format json; listen keeps it too (text | jsonl),
 * --json meaning jsonl. Stops at "--". */
static int take_format_flags(struct ctl *ctl, const char *command, int *argc, char **argv)
{
	bool listen = strcmp(command, "listen") == 0;
	bool query = strcmp(command, "query") == 0 || strcmp(command, "fetch") == 0 ||
	             strcmp(command, "export") == 0 || listen;
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *value = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			if (query) {
				argv[out++] = listen ? "--format=jsonl" : "--format=json";
				continue;
			}
			ctl->json = true;
			continue;
		}
		if (!query && strcmp(a, "--format") == 0 && i + 1 < *argc)
			value = argv[++i];
		else if (!query && strncmp(a, "--format=", 9) == 0)
			value = a + 9;
		if (!value) {
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(value, "json") == 0)
			ctl->json = true;
		else if (strcmp(value, "text") != 0)
			return ctl_usage_error("--format takes text or json here, not '%s'", value);
	}
	*argc = out;
	argv[out] = NULL;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	enum {
		OPT_NO_AUTOSTART = 256,
		OPT_TIMEOUT,
		OPT_VERSION,
		OPT_FORMAT,
		OPT_CSV,
		OPT_SESSION,
		OPT_TYPED,
		OPT_STORE,
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
	    {"on-error-stop", no_argument, NULL, OPT_ON_ERROR_STOP},
	    {"single-transaction", no_argument, NULL, '1'},
	    {"variable", required_argument, NULL, 'v'},
	    {"socket", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},
	    {"no-autostart", no_argument, NULL, OPT_NO_AUTOSTART},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct ctl ctl = {.autostart = true, .timeout_ms = -1};
	struct query_args qa = {0};
	bool query_opts = false;
	const char *socket_opt = NULL;
	int c;

	int r = ctl_take_output_flags(&ctl, &argc, argv);
	if (r != EXIT_OK)
		return r;
	/* '+': options end at the command, whose own arguments follow. */
	while ((c = getopt_long(argc, argv, "+S:jhd:c:f:qv:1", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ON_ERROR_STOP:
			qa.on_error_stop = true;
			query_opts = true;
			break;
		case '1':
			qa.single_transaction = true;
			query_opts = true;
			break;
		case 'v':
			if (ctl_query_variable(&qa, optarg) != EXIT_OK)
				return EXIT_USAGE;
			query_opts = true;
			break;
		case 'd':
			qa.target = optarg;
			query_opts = true;
			break;
		case 'c':
			qa.sql = optarg;
			query_opts = true;
			break;
		case 'f':
			qa.file = optarg;
			query_opts = true;
			break;
		case 'q':
			qa.quiet = true;
			break;
		case OPT_FORMAT:
			qa.format = optarg;
			query_opts = true;
			break;
		case OPT_CSV:
			qa.format = "csv";
			query_opts = true;
			break;
		case OPT_SESSION:
			qa.session = optarg;
			query_opts = true;
			break;
		case OPT_TYPED:
			qa.typed = true;
			query_opts = true;
			break;
		case OPT_STORE:
			qa.store = true;
			query_opts = true;
			break;
		case 'S':
			socket_opt = optarg;
			break;
		case 'j':
			ctl.json = true;
			if (!qa.format)
				qa.format = "json";
			break;
		case OPT_NO_AUTOSTART:
			ctl.autostart = false;
			break;
		case OPT_TIMEOUT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 86400000)
				return ctl_usage_error("--timeout takes milliseconds, not '%s'",
				                       optarg);
			ctl.timeout_ms = (int)v;
			break;
		}
		case OPT_VERSION:
			printf("tuskctl %s\n", TUSK_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc && !query_opts)
		return ctl_usage_error("no command given");

	const char *name = optind < argc ? argv[optind] : "query";
	if (strcmp(name, "help") == 0) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		return ctl_help(argv[optind + 1], optind + 2 < argc ? argv[optind + 2] : NULL);
	}
	const struct ctl_command *cmd = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return ctl_usage_error("unknown command '%s'", name);
	if (optind < argc && ctl_help_wanted(argc - optind, argv + optind))
		return ctl_help(name, optind + 1 < argc ? argv[optind + 1] : NULL);

	TuskError e = TUSK_ERROR_INIT;
	char *path = socket_opt ? strdup(socket_opt) : tusk_path_socket(&e);
	if (!path) {
		ctl_print_error(&e);
		tusk_error_clear(&e);
		return EXIT_UNREACHABLE;
	}
	ctl.socket_path = path;
	ctl.on_error_stop = qa.on_error_stop;
	if (optind >= argc) {
		/* psql-style: tuskctl -d NAME -c SQL */
		if (qa.sql && qa.file)
			r = ctl_usage_error("give -c or -f, not both");
		else if (!qa.sql && !qa.file && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			r = shell_run(&ctl, qa.target ? qa.target : getenv("TUSK_DATABASE"));
		else
			r = ctl_run_query(&ctl, &qa);
	} else {
		int cargc = argc - optind;
		r = take_format_flags(&ctl, cmd->name, &cargc, argv + optind);
		if (r == EXIT_OK)
			r = cmd->exec(&ctl, cargc, argv + optind);
	}
	tusk_client_free(ctl.client);
	free(path);
	return r;
}
