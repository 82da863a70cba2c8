/* conn list|show|add|edit|rm|import|test|status, open, close: saved
 * connections and their live pools. A NAME on the command line is a saved
 * connection's name or id; where a URI or conninfo string is allowed too
 * (test, open), it is sent with this process's PG* environment so the
 * daemon connects as libpq would here. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-cli/cmd-group.h"
#include "client-cli/tuskctl.h"
#include "common/cleanup.h"

extern char **environ;

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A URI or key=value string rather than a saved name. */
static bool is_conninfo(const char *s)
{
	return strstr(s, "://") || strchr(s, '=');
}

/* Every PG* variable of this process, or only the named ones. */
static json_t *pg_env(const char *const *only)
{
	json_t *env = json_object();
	for (char **v = environ; env && *v; v++) {
		const char *eq = strchr(*v, '=');
		if (strncmp(*v, "PG", 2) != 0 || !eq)
			continue;
		_cleanup_free_ char *name = strndup(*v, (size_t)(eq - *v));
		bool wanted = !only;
		for (const char *const *o = only; o && *o && !wanted; o++)
			wanted = name && strcmp(*o, name) == 0;
		if (name && wanted)
			json_object_set_new(env, name, json_string(eq + 1));
	}
	return env;
}

/* A password typed on the command line shows in ps; hide it from there
 * once copied, and say so. */
static void scrub_arg(char *arg)
{
	const char *at = strchr(arg, '@'), *colon = strchr(arg, ':');
	bool uri_pw = strstr(arg, "://") && at && colon && strchr(colon + 1, ':') &&
	              strchr(colon + 1, ':') < at;
	if (!strcasestr(arg, "password") && !uri_pw)
		return;
	fprintf(stderr, "tuskctl: warning: a password on the command line can be seen by other "
	                "users while tuskctl runs; prefer --password-stdin\n");
	memset(arg, 'x', strlen(arg));
}

/* {id} for a saved name, {conninfo, env} for a URI / conninfo string. */
static json_t *target_params(char *arg)
{
	if (!is_conninfo(arg))
		return tusk_req_connection_id(arg, NULL);
	json_t *p = tusk_req_connection_conninfo(arg, pg_env(NULL));
	scrub_arg(arg);
	return p;
}

/* ---- printing ------------------------------------------------------------ */

static char *target_text(const json_t *c)
{
	const char *user = str(c, "username");
	char *s = NULL;
	if (asprintf(&s, "%s%s%s:%" JSON_INTEGER_FORMAT "/%s", user && *user ? user : "",
	             user && *user ? "@" : "", str(c, "host"),
	             json_integer_value(json_object_get(c, "port")), str(c, "database")) < 0)
		return NULL;
	return s;
}

static void flags_text(const json_t *c, char *out, size_t size)
{
	const char *ssl = str(c, "ssl_mode");
	json_t *tunnel = json_object_get(c, "ssh_tunnel");
	out[0] = '\0';
	if (json_is_true(json_object_get(json_object_get(c, "options"), "readonly")))
		snprintf(out + strlen(out), size - strlen(out), "ro,");
	if (ssl && strcmp(ssl, "disable") != 0 && strcmp(ssl, "prefer") != 0)
		snprintf(out + strlen(out), size - strlen(out), "ssl,");
	if (json_is_true(json_object_get(tunnel, "enabled")))
		snprintf(out + strlen(out), size - strlen(out), "ssh,");
	size_t n = strlen(out);
	if (n)
		out[n - 1] = '\0';
	else
		snprintf(out, size, "-");
}

static int conn_list(struct ctl *ctl)
{
	json_t *result = NULL;
	_cleanup_json_ json_t *groups = NULL;
	int r = ctl_call(ctl, TUSK_M_CONNECTIONS_LIST, NULL, &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
		json_decref(result);
		return EXIT_OK;
	}
	r = ctl_groups_fetch(ctl, &groups);
	if (r != EXIT_OK) {
		json_decref(result);
		return r;
	}
	json_t *list = json_object_get(result, "connections");
	size_t i, wn = 4, wg = 5, wt = 6;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		_cleanup_free_ char *g = ctl_group_path(groups, str(c, "group_id"));
		_cleanup_free_ char *t = target_text(c);
		wn = strlen(str(c, "name")) > wn ? strlen(str(c, "name")) : wn;
		wg = g && strlen(g) > wg ? strlen(g) : wg;
		wt = t && strlen(t) > wt ? strlen(t) : wt;
	}
	if (json_array_size(list) == 0)
		fprintf(stderr, "no saved connections (tuskctl conn add NAME URI saves one)\n");
	else
		printf("%-*s  %-*s  %-*s  %-11s %s\n", (int)wn, "NAME", (int)wg, "GROUP", (int)wt,
		       "TARGET", "FLAGS", "COLOR");
	json_array_foreach(list, i, c)
	{
		_cleanup_free_ char *g = ctl_group_path(groups, str(c, "group_id"));
		_cleanup_free_ char *t = target_text(c);
		char flags[32];
		flags_text(c, flags, sizeof(flags));
		printf("%-*s  %-*s  %-*s  %-11s %s\n", (int)wn, str(c, "name"), (int)wg,
		       g && *g ? g : "-", (int)wt, t ? t : "?", flags,
		       str(c, "color") ? str(c, "color") : "-");
	}
	json_decref(result);
	return EXIT_OK;
}

static const char *or_else(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

static void print_config(struct ctl *ctl, const json_t *c)
{
	json_t *o = json_object_get(c, "options");
	json_t *t = json_object_get(c, "ssh_tunnel");
	json_t *stmt = json_object_get(o, "statement_timeout_ms");
	_cleanup_json_ json_t *groups = NULL;
	_cleanup_free_ char *group = NULL;

	if (str(c, "group_id") && ctl_groups_fetch(ctl, &groups) == EXIT_OK)
		group = ctl_group_path(groups, str(c, "group_id"));
	printf("name:               %s\n", str(c, "name"));
	printf("id:                 %s\n", str(c, "id"));
	printf("group:              %s\n", or_else(group, "-"));
	printf("host:               %s\n", str(c, "host"));
	printf("port:               %" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(c, "port")));
	printf("database:           %s\n", str(c, "database"));
	printf("user:               %s\n",
	       or_else(str(c, "username"), "(the operating system user)"));
	printf("password:           %s\n", json_is_true(json_object_get(c, "password_in_keyring"))
	                                       ? "in the keyring"
	                                       : "not stored");
	printf("ssl mode:           %s\n", str(c, "ssl_mode"));
	printf("ssl CA cert:        %s\n", or_else(str(c, "ssl_ca_cert"), "-"));
	printf("ssl client cert:    %s\n", or_else(str(c, "ssl_client_cert"), "-"));
	printf("ssl client key:     %s\n", or_else(str(c, "ssl_client_key"), "-"));
	if (json_is_object(t))
		printf("ssh tunnel:         %s%s@%s:%" JSON_INTEGER_FORMAT " (auth %s%s%s)\n",
		       json_is_true(json_object_get(t, "enabled")) ? "" : "(disabled) ",
		       or_else(str(t, "username"), "?"), or_else(str(t, "host"), "?"),
		       json_integer_value(json_object_get(t, "port")), str(t, "auth"),
		       str(t, "key_path") ? ", key " : "", or_else(str(t, "key_path"), ""));
	else
		printf("ssh tunnel:         -\n");
	printf("connect timeout:    %" JSON_INTEGER_FORMAT " s\n",
	       json_integer_value(json_object_get(o, "connect_timeout_sec")));
	if (json_is_integer(stmt))
		printf("statement timeout:  %" JSON_INTEGER_FORMAT " ms\n",
		       json_integer_value(stmt));
	else
		printf("statement timeout:  (server default)\n");
	printf("application name:   %s\n", or_else(str(o, "application_name"), "-"));
	printf("read-only:          %s\n",
	       json_is_true(json_object_get(o, "readonly")) ? "yes" : "no");
	printf("color:              %s\n", or_else(str(c, "color"), "-"));
}

static int conn_show(struct ctl *ctl, int argc, char **argv)
{
	bool json = ctl->json;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (!name)
			name = argv[i];
		else
			name = NULL, i = argc;
	}
	if (!name)
		return ctl_usage_error("usage: tuskctl conn show NAME [--json]");
	json_t *c = NULL;
	int r = ctl_call(ctl, TUSK_M_CONNECTIONS_GET, tusk_req_connection_id(name, NULL), &c);
	if (r != EXIT_OK)
		return r;
	if (json)
		ctl_print_json(c);
	else
		print_config(ctl, c);
	json_decref(c);
	return EXIT_OK;
}

/* ---- add / import -------------------------------------------------------- */

struct import_opts {
	const char *name, *group, *color;
	bool readonly, dry_run, password_stdin;
	const char *ssh, *ssh_key; /* --ssh USER@HOST[:PORT], --ssh-key PATH */
	bool ssh_agent, ssh_password_stdin;
};

/* One line of stdin, without its line end; erase it after use. */
static char *read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		if (line)
			explicit_bzero(line, cap);
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void print_strings(const char *label, const json_t *arr, bool to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;
	size_t i;
	json_t *s;
	if (json_array_size(arr) == 0)
		return;
	fprintf(f, "%s", label);
	json_array_foreach(arr, i, s) fprintf(f, "%s%s", i ? ", " : " ", json_string_value(s));
	fputc('\n', f);
}

static void print_import(const json_t *res, bool verbose)
{
	const json_t *c = json_object_get(res, "config");
	bool saved = json_is_true(json_object_get(res, "saved"));
	_cleanup_free_ char *t = target_text(c);
	char flags[32];
	flags_text(c, flags, sizeof(flags));
	/* The flags only when some are set: "(ro,ssl)", never "(-)". */
	char spelt[64] = "";
	if (strcmp(flags, "-") != 0)
		snprintf(spelt, sizeof(spelt), " (%s)", flags);
	printf("%s '%s': %s%s\n", saved ? "saved" : "not saved (--dry-run)", str(c, "name"),
	       t ? t : "?", spelt);
	if (verbose) {
		printf("  id:        %s\n", str(c, "id"));
		printf("  ssl mode:  %s\n", str(c, "ssl_mode"));
		printf("  read-only: %s\n",
		       json_is_true(json_object_get(json_object_get(c, "options"), "readonly"))
		           ? "yes"
		           : "no");
	}
	if (json_is_true(json_object_get(res, "password_found")))
		printf("  password:  %s\n",
		       !saved ? "found (not stored: nothing was saved)"
		       : json_is_true(json_object_get(res, "password_in_memory"))
		           ? "found, kept in daemon memory for this session (the keyring is not "
		             "available)"
		       : json_is_true(json_object_get(c, "password_in_keyring"))
		           ? "found, stored in the keyring"
		           : "found, NOT stored (see the warnings)");
	print_strings(verbose ? "ignored:" : "ignored (not kept by Tusk):",
	              json_object_get(res, "ignored"), !verbose);
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(res, "warnings"), i, w)
	    fprintf(stderr, "tuskctl: note: %s\n", json_string_value(w));
}

static int set_password(struct ctl *ctl, const char *id, char *password)
{
	json_t *result = NULL;
	json_t *params = tusk_req_credentials_set(id, "password", password);
	explicit_bzero(password, strlen(password));
	json_incref(params);
	int r = ctl_call(ctl, TUSK_M_CREDENTIALS_SET, params, &result);
	tusk_req_scrub_secret(params);
	json_decref(params);
	if (r != EXIT_OK)
		return r;
	printf("  password:  from stdin, %s\n", json_is_true(json_object_get(result, "in_memory"))
	                                            ? "kept in daemon memory for this session"
	                                            : "stored in the keyring");
	json_decref(result);
	return EXIT_OK;
}

/* --ssh USER@HOST[:PORT] and its auth options into an ssh_tunnel object;
 * NULL after a usage message. Auth: --ssh-key, else --ssh-password-stdin,
 * else the agent. */
static json_t *ssh_tunnel_json(const struct import_opts *o)
{
	_cleanup_free_ char *spec = strdup(o->ssh);
	char *host = strchr(spec, '@');
	const char *user = getenv("USER");
	if (host) {
		*host++ = '\0';
		user = spec;
	} else {
		host = spec;
	}
	long port = 22;
	char *colon = strrchr(host, ':');
	if (colon && !strchr(colon + 1, ']')) {
		char *end;
		*colon = '\0';
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535) {
			ctl_usage_error("--ssh: bad port in %s", o->ssh);
			return NULL;
		}
	}
	if (!*host || !user || !*user) {
		ctl_usage_error("--ssh: expected USER@HOST[:PORT], got %s", o->ssh);
		return NULL;
	}
	if ((o->ssh_key != NULL) + o->ssh_agent + o->ssh_password_stdin > 1) {
		ctl_usage_error(
		    "--ssh-key, --ssh-agent and --ssh-password-stdin exclude each other");
		return NULL;
	}
	const char *auth = o->ssh_key ? "key" : o->ssh_password_stdin ? "password" : "agent";
	json_t *t =
	    json_pack("{s:b, s:s, s:i, s:s, s:s, s:b}", "enabled", 1, "host", host, "port",
	              (int)port, "username", user, "auth", auth, "passphrase_in_keyring", 0);
	if (o->ssh_key) {
		/* The daemon may run elsewhere than the shell's directory. */
		_cleanup_free_ char *abs = realpath(o->ssh_key, NULL);
		json_object_set_new(t, "key_path", json_string(abs ? abs : o->ssh_key));
	}
	return t;
}

/* Put the tunnel on the connection just imported; *res gets the config
 * as saved, and the SSH password goes to the keyring. */
static int add_tunnel(struct ctl *ctl, json_t *res, json_t *tunnel, char *ssh_password)
{
	json_t *cfg = json_deep_copy(json_object_get(res, "config"));
	json_object_set_new(cfg, "ssh_tunnel", tunnel);
	json_t *saved = NULL;
	int r = ctl_call(ctl, TUSK_M_CONNECTIONS_SAVE, tusk_req_connections_save(cfg), &saved);
	if (r != EXIT_OK)
		return r;
	json_object_set_new(res, "config", saved);
	if (!ssh_password)
		return EXIT_OK;
	json_t *params = tusk_req_credentials_set(str(saved, "id"), "ssh_password", ssh_password);
	json_t *result = NULL;
	json_incref(params);
	r = ctl_call(ctl, TUSK_M_CREDENTIALS_SET, params, &result);
	tusk_req_scrub_secret(params);
	json_decref(params);
	json_decref(result);
	return r;
}

static int do_import(struct ctl *ctl, char *source, const struct import_opts *o, bool verbose)
{
	static const char *const service_env[] = {"PGSERVICEFILE", "PGSYSCONFDIR", NULL};
	_cleanup_erase_ char *password = NULL;
	json_t *params, *res = NULL;
	int r;

	_cleanup_erase_ char *ssh_password = NULL;
	_cleanup_json_ json_t *tunnel = NULL;
	if (o->password_stdin && !(password = read_password()))
		return ctl_usage_error("--password-stdin: no password on stdin");
	if (o->ssh && !(tunnel = ssh_tunnel_json(o)))
		return EXIT_USAGE;
	if (o->ssh_password_stdin && !(ssh_password = read_password()))
		return ctl_usage_error("--ssh-password-stdin: no SSH password on stdin");
	/* The group is created on demand, as the README's first example
	 * expects. */
	json_t *gid = NULL;
	if (o->group && (r = ctl_group_ensure(ctl, o->group, &gid)) != EXIT_OK) {
		scrub_arg(source);
		return r;
	}
	/* A bare word is a service name of pg_service.conf. */
	bool conninfo = is_conninfo(source);
	params = tusk_req_connections_import(
	    &(TuskReqConnectionsImport){.source = conninfo ? source : NULL,
	                                .service = conninfo ? NULL : source,
	                                .env = pg_env(service_env),
	                                .dry_run = o->dry_run,
	                                .name = o->name,
	                                .color = o->color,
	                                .readonly = o->readonly,
	                                .group_id = gid});
	scrub_arg(source);
	r = ctl_call(ctl, TUSK_M_CONNECTIONS_IMPORT, params, &res);
	if (r != EXIT_OK)
		return r;
	if (tunnel && json_is_true(json_object_get(res, "saved")) &&
	    (r = add_tunnel(ctl, res, json_incref(tunnel), ssh_password)) != EXIT_OK) {
		json_decref(res);
		return r;
	}
	if (ctl->json)
		ctl_print_json(res);
	else
		print_import(res, verbose);
	if (password && json_is_true(json_object_get(res, "saved")))
		r = set_password(ctl, str(json_object_get(res, "config"), "id"), password);
	json_decref(res);
	return r;
}

static int parse_import_opts(int argc, char **argv, struct import_opts *o, bool for_add)
{
	enum { OPT_DRY_RUN = 256, OPT_PW_STDIN, OPT_SSH, OPT_SSH_KEY, OPT_SSH_AGENT, OPT_SSH_PW };
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"group", required_argument, NULL, 'g'},
	    {"color", required_argument, NULL, 'c'},
	    {"readonly", no_argument, NULL, 'r'},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"password-stdin", no_argument, NULL, OPT_PW_STDIN},
	    {"ssh", required_argument, NULL, OPT_SSH},
	    {"ssh-key", required_argument, NULL, OPT_SSH_KEY},
	    {"ssh-agent", no_argument, NULL, OPT_SSH_AGENT},
	    {"ssh-password-stdin", no_argument, NULL, OPT_SSH_PW},
	    {0},
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "n:g:c:r", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->name = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'c':
			o->color = optarg;
			break;
		case 'r':
			o->readonly = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_PW_STDIN:
			o->password_stdin = true;
			break;
		case OPT_SSH:
			o->ssh = optarg;
			break;
		case OPT_SSH_KEY:
			o->ssh_key = optarg;
			break;
		case OPT_SSH_AGENT:
			o->ssh_agent = true;
			break;
		case OPT_SSH_PW:
			o->ssh_password_stdin = true;
			break;
		default:
			return -1;
		}
	}
	if (for_add && (o->name || o->dry_run))
		return -1;
	if (!o->ssh && (o->ssh_key || o->ssh_agent || o->ssh_password_stdin))
		return -1;
	return 0;
}

static int conn_add(struct ctl *ctl, int argc, char **argv)
{
	struct import_opts o = {0};
	if (parse_import_opts(argc, argv, &o, true) < 0 || optind != argc - 2)
		return ctl_usage_error(
		    "usage: tuskctl conn add NAME URI_OR_CONNINFO [--group G] [--color C] "
		    "[--readonly] "
		    "[--password-stdin] [--ssh USER@HOST[:PORT] [--ssh-key PATH | --ssh-agent | "
		    "--ssh-password-stdin]] (with both -stdin options: the database password on "
		    "the "
		    "first line, the SSH password on the second)");
	o.name = argv[optind];
	return do_import(ctl, argv[optind + 1], &o, false);
}

static int conn_import(struct ctl *ctl, int argc, char **argv)
{
	struct import_opts o = {0};
	if (parse_import_opts(argc, argv, &o, false) < 0 || optind != argc - 1)
		return ctl_usage_error("usage: tuskctl conn import URI|CONNINFO|SERVICE [--name N] "
		                       "[--group G] [--color C] [--readonly] [--dry-run] "
		                       "[--password-stdin]");
	return do_import(ctl, argv[optind], &o, true);
}

/* ---- edit ---------------------------------------------------------------- */

/* A whole number in [min, max] into obj[key]; "default" / "none" is null
 * when nullable. -1 after a usage message. */
static int set_int(json_t *obj, const char *key, const char *text, const char *opt, long long min,
                   long long max, bool nullable)
{
	if (nullable && (strcmp(text, "default") == 0 || strcmp(text, "none") == 0))
		return json_object_set_new(obj, key, json_null());
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max) {
		ctl_usage_error("%s takes a whole number from %lld to %lld%s, not '%s'", opt, min,
		                max, nullable ? " or 'default'" : "", text);
		return -1;
	}
	return json_object_set_new(obj, key, json_integer(v));
}

static json_t *string_or_none(const char *arg)
{
	return strcmp(arg, "none") == 0 || !*arg ? json_null() : json_string(arg);
}

/* Apply one edit option to the config; -1 after a message. */
static int edit_one(struct ctl *ctl, json_t *c, int opt, const char *arg, json_t **groups)
{
	json_t *o = json_object_get(c, "options");
	switch (opt) {
	case 'n':
		return json_object_set_new(c, "name", json_string(arg));
	case 'H':
		return json_object_set_new(c, "host", json_string(arg));
	case 'p':
		return set_int(c, "port", arg, "--port", 1, 65535, false);
	case 'd':
		return json_object_set_new(c, "database", json_string(arg));
	case 'U':
		return json_object_set_new(c, "username", json_string(arg));
	case 'm':
		return json_object_set_new(c, "ssl_mode", json_string(arg));
	case 'c':
		return json_object_set_new(c, "color", string_or_none(arg));
	case 'g': {
		if (strcmp(arg, "none") == 0 || !*arg)
			return json_object_set_new(c, "group_id", json_null());
		if (!*groups && ctl_groups_fetch(ctl, groups) != EXIT_OK)
			return -1;
		const json_t *g = ctl_group_find(*groups, arg);
		return g ? json_object_set(c, "group_id", json_object_get(g, "id")) : -1;
	}
	case 'r':
	case 'R':
		return json_object_set_new(o, "readonly", json_boolean(opt == 'r'));
	case 't':
		return set_int(o, "connect_timeout_sec", arg, "--connect-timeout", 1, 3600, false);
	case 's':
		return set_int(o, "statement_timeout_ms", arg, "--statement-timeout", 0, 2147483647,
		               true);
	case 'a':
		return json_object_set_new(o, "application_name", json_string(arg));
	}
	return -1;
}

static int conn_edit(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {"db", required_argument, NULL, 'd'},
	    {"user", required_argument, NULL, 'U'},
	    {"sslmode", required_argument, NULL, 'm'},
	    {"group", required_argument, NULL, 'g'},
	    {"color", required_argument, NULL, 'c'},
	    {"readonly", no_argument, NULL, 'r'},
	    {"no-readonly", no_argument, NULL, 'R'},
	    {"connect-timeout", required_argument, NULL, 't'},
	    {"statement-timeout", required_argument, NULL, 's'},
	    {"app-name", required_argument, NULL, 'a'},
	    {0},
	};
	struct edit {
		int opt;
		const char *arg;
	} edits[64];
	size_t n = 0;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == '?' || n == sizeof(edits) / sizeof(*edits))
			return EXIT_USAGE;
		edits[n++] = (struct edit){c, optarg};
	}
	if (optind != argc - 1 || n == 0)
		return ctl_usage_error(
		    "usage: tuskctl conn edit NAME [--name N] [--host H] [--port P] [--db D] "
		    "[--user U] [--sslmode M] [--group G|none] [--color C|none] "
		    "[--readonly|--no-readonly] [--connect-timeout S] [--statement-timeout "
		    "MS|default] [--app-name A]");

	json_t *config = NULL, *saved = NULL;
	_cleanup_json_ json_t *groups = NULL;
	int r = ctl_call(ctl, TUSK_M_CONNECTIONS_GET, tusk_req_connection_id(argv[optind], NULL),
	                 &config);
	if (r != EXIT_OK)
		return r;
	for (size_t i = 0; i < n; i++)
		if (edit_one(ctl, config, edits[i].opt, edits[i].arg, &groups) < 0) {
			json_decref(config);
			return edits[i].opt == 'g' ? EXIT_DAEMON_ERROR : EXIT_USAGE;
		}
	r = ctl_call(ctl, TUSK_M_CONNECTIONS_SAVE, tusk_req_connections_save(config), &saved);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(saved);
	else
		printf("updated '%s'\n", str(saved, "name"));
	json_decref(saved);
	return EXIT_OK;
}

/* ---- rm, test, status, open, close --------------------------------------- */

static int conn_rm(struct ctl *ctl, const char *name)
{
	json_t *result = NULL;
	int r =
	    ctl_call(ctl, TUSK_M_CONNECTIONS_DELETE, tusk_req_connection_id(name, NULL), &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else
		printf("deleted '%s' and its stored secrets\n", name);
	json_decref(result);
	return EXIT_OK;
}

/* The lead's methods answer with objects this file need not know in
 * detail: scalars one per line, the rest as compact JSON. */
static void print_object(const json_t *obj, int indent)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		printf("%*s%-18s ", indent, "", key);
		if (json_is_string(v)) {
			puts(json_string_value(v));
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			puts(s ? s : "?");
			free(s);
		}
	}
}

static int call_and_print(struct ctl *ctl, const char *method, json_t *params)
{
	json_t *result = NULL;
	int r = ctl_call(ctl, method, params, &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
	} else if (json_is_array(json_object_get(result, "connections"))) {
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(result, "connections"), i, c)
		{
			if (i)
				putchar('\n');
			print_object(c, 0);
		}
		if (json_array_size(json_object_get(result, "connections")) == 0)
			fprintf(stderr, "no open connections\n");
	} else {
		print_object(result, 0);
	}
	json_decref(result);
	return EXIT_OK;
}

int cmd_conn(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (strcmp(sub, "list") == 0 && argc <= 2)
		return conn_list(ctl);
	if (strcmp(sub, "show") == 0)
		return conn_show(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "add") == 0)
		return conn_add(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "import") == 0)
		return conn_import(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "edit") == 0)
		return conn_edit(ctl, argc - 1, argv + 1);
	if (strcmp(sub, "rm") == 0 && argc == 3)
		return conn_rm(ctl, argv[2]);
	if (strcmp(sub, "test") == 0 && argc == 3)
		return call_and_print(ctl, TUSK_M_CONNECTIONS_TEST, target_params(argv[2]));
	if (strcmp(sub, "status") == 0 && argc <= 3)
		return call_and_print(ctl, TUSK_M_CONNECTION_STATUS,
		                      argc == 3 ? tusk_req_connection_id(argv[2], NULL) : NULL);
	return ctl_usage_error(
	    "usage: tuskctl conn list | show NAME [--json] | add NAME URI_OR_CONNINFO [OPTIONS] "
	    "| edit NAME [OPTIONS] | rm NAME | import SOURCE [OPTIONS] | test NAME_OR_URI | "
	    "status [NAME]");
}

int cmd_open(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage_error("usage: tuskctl open NAME_OR_URI");
	/* A saved one with a tunnel with agent auth may need our agent. */
	json_t *params = is_conninfo(argv[1]) ? target_params(argv[1])
	                                      : tusk_req_connection_id(argv[1], ctl_agent_env());
	return call_and_print(ctl, TUSK_M_CONNECTION_OPEN, params);
}

int cmd_close(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage_error("usage: tuskctl close NAME");
	return call_and_print(ctl, TUSK_M_CONNECTION_CLOSE, tusk_req_connection_id(argv[1], NULL));
}
