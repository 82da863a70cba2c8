/* secret set|rm|has NAME|ID [--ssh | --passphrase | --ssl-passphrase | --all]
 *                            [--password-stdin]
 *
 * The secret never goes on the command line: it is read from one line of
 * stdin (--password-stdin) or from the terminal with echo off, sent to
 * tuskd, and erased here as soon as the call returns. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"
#include "common/uuid.h"

#define SECRET_MAX 4096 /* as the schema's credentials.set secret.maxLength */

struct secret_args {
	const char *sub;
	const char *target;
	const char *kind;  /* a SecretKind name; NULL: the method's default */
	const char *what;  /* "password", "SSH password", … for messages */
	const char *title; /* the same, capitalised, for the prompt */
	bool all;
	bool from_stdin;
};

#define SECRET_USAGE                                                                           \
	"usage: tuskctl secret set NAME|ID [--ssh | --passphrase | --ssl-passphrase] "         \
	"[--password-stdin]\n"                                                                 \
	"       tuskctl secret rm NAME|ID [--ssh | --passphrase | --ssl-passphrase | --all]\n" \
	"       tuskctl secret has NAME|ID [--ssh | --passphrase | --ssl-passphrase]\n"        \
	"  No option: the connection's password; --ssh: the SSH tunnel's password;\n"          \
	"  --passphrase: the SSH key's passphrase; --ssl-passphrase: the TLS client\n"         \
	"  key's passphrase. set asks on the terminal with echo off, or reads one line\n"      \
	"  from stdin with --password-stdin. has exits 1 when the secret is not stored."

static int secret_usage(void)
{
	return ctl_usage_error("%s", SECRET_USAGE);
}

static int parse_args(int argc, char **argv, struct secret_args *a)
{
	*a = (struct secret_args){.what = "password", .title = "Password"};
	if (argc < 2)
		return secret_usage();
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		puts(SECRET_USAGE);
		return -1;
	}
	a->sub = argv[1];
	if (strcmp(a->sub, "set") != 0 && strcmp(a->sub, "rm") != 0 && strcmp(a->sub, "has") != 0)
		return secret_usage();
	int kinds = 0;
	for (int i = 2; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--ssh") == 0) {
			a->kind = "ssh_password", a->what = a->title = "SSH password";
			kinds++;
		} else if (strcmp(arg, "--passphrase") == 0) {
			a->kind = "ssh_passphrase", a->what = a->title = "SSH key passphrase";
			kinds++;
		} else if (strcmp(arg, "--ssl-passphrase") == 0) {
			a->kind = "ssl_passphrase",
			a->what = a->title = "TLS client key passphrase";
			kinds++;
		} else if (strcmp(arg, "--all") == 0 && strcmp(a->sub, "rm") == 0) {
			a->all = true, kinds++;
		} else if (strcmp(arg, "--password-stdin") == 0) {
			if (strcmp(a->sub, "set") != 0)
				return ctl_usage_error("only 'secret set' reads a secret");
			a->from_stdin = true;
		} else if (strncmp(arg, "--password", 10) == 0 ||
		           strncmp(arg, "--secret", 8) == 0) {
			/* No way to give the secret itself as an argument: argv
			 * is readable by every process of the machine. */
			return ctl_usage_error("the secret is never taken from the command "
			                       "line; use --password-stdin or the prompt");
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return ctl_usage_error("secret %s: unknown option '%s'", a->sub, arg);
		} else if (!a->target) {
			a->target = arg;
		} else {
			return ctl_usage_error("secret %s: unexpected argument '%s'", a->sub, arg);
		}
	}
	if (!a->target)
		return secret_usage();
	if (kinds > 1)
		return ctl_usage_error("secret %s: give at most one of --ssh, --passphrase, "
		                       "--ssl-passphrase%s",
		                       a->sub, strcmp(a->sub, "rm") == 0 ? ", --all" : "");
	return EXIT_OK;
}

/* The connection's id and a name to show, from connections.get; a UUID is
 * taken as it stands when this tuskd has no saved connections yet or none
 * with that id (a transient connection may have secrets too). */
static int resolve(struct ctl *ctl, const char *target, char id[TUSK_UUID_STRLEN + 1],
                   char **ret_name)
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
		const char *name = json_string_value(json_object_get(conn, "name"));
		if (!cid || !tusk_uuid_valid(cid)) {
			json_decref(conn);
			fprintf(stderr, "tuskctl: connections.get answered without an id\n");
			return EXIT_DAEMON_ERROR;
		}
		snprintf(id, TUSK_UUID_STRLEN + 1, "%s", cid);
		*ret_name = strdup(name ? name : cid);
		json_decref(conn);
		return EXIT_OK;
	}
	bool uuid = tusk_uuid_valid(target);
	if (uuid &&
	    (e.kind == TUSK_ERR_METHOD_NOT_FOUND || e.kind == TUSK_ERR_CONNECTION_NOT_FOUND)) {
		tusk_error_clear(&e);
		snprintf(id, TUSK_UUID_STRLEN + 1, "%s", target);
		*ret_name = strdup(target);
		return EXIT_OK;
	}
	if (e.kind == TUSK_ERR_METHOD_NOT_FOUND) {
		tusk_error_clear(&e);
		fprintf(stderr, "tuskctl: this tuskd cannot look up connections by name; give the "
		                "connection's id (a UUID)\n");
		return EXIT_USAGE;
	}
	r = ctl_exit_status(ctl, &e);
	ctl_print_error(&e);
	tusk_error_clear(&e);
	return r;
}

/* One line from fd into buf (no newline kept), a byte at a time so no
 * stdio buffer holds a copy. Returns its length, or -E2BIG / -errno /
 * -EINTR when *interrupted was set by a signal. */
static volatile sig_atomic_t interrupted;

static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR && !interrupted)
			continue;
		if (n < 0)
			return interrupted ? -EINTR : -errno;
		if (n == 0 || c == '\n')
			break;
		if (len + 1 >= size) {
			/* Swallow the rest of the line so it does not reach the
			 * shell when reading from a terminal. */
			while (read(fd, &c, 1) == 1 && c != '\n')
				;
			explicit_bzero(&c, 1);
			return -E2BIG;
		}
		buf[len++] = c;
		explicit_bzero(&c, 1);
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static void on_signal(int sig)
{
	interrupted = sig;
}

/* Ask on the terminal with echo off; restore it whatever happens. */
static ssize_t prompt_secret(const char *prompt, char *buf, size_t size)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -ENOTTY;
	struct termios old, quiet;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return -ENOTTY;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL; /* the Enter key still moves to a new line */

	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = on_signal}, saved[4];
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: a signal ends the read */
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &saved[i]);

	ssize_t r;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		r = -errno;
	} else {
		(void)!write(fd, prompt, strlen(prompt));
		r = read_line(fd, buf, size);
		tcsetattr(fd, TCSAFLUSH, &old);
	}
	if (interrupted)
		(void)!write(fd, "\n", 1);
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &saved[i], NULL);
	close(fd);
	return r;
}

static int read_secret(const struct secret_args *a, const char *name, char *buf, size_t size)
{
	ssize_t n;
	if (a->from_stdin) {
		n = read_line(STDIN_FILENO, buf, size);
	} else {
		char prompt[512];
		snprintf(prompt, sizeof(prompt), "%s for %s: ", a->title, name);
		n = prompt_secret(prompt, buf, size);
	}
	if (n == -EINTR)
		return 130;
	if (n == -ENOTTY) {
		fprintf(stderr,
		        "tuskctl: no terminal to ask for the %s on; use "
		        "--password-stdin\n",
		        a->what);
		return EXIT_USAGE;
	}
	if (n == -E2BIG) {
		fprintf(stderr, "tuskctl: the %s is longer than %d bytes\n", a->what, SECRET_MAX);
		return EXIT_USAGE;
	}
	if (n < 0) {
		fprintf(stderr, "tuskctl: cannot read the %s: %s\n", a->what, strerror((int)-n));
		return EXIT_USAGE;
	}
	if (n == 0) {
		fprintf(stderr, "tuskctl: an empty %s is not stored\n", a->what);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const char *memory_reason(const json_t *result)
{
	const char *st = json_string_value(json_object_get(result, "keyring"));
	return st ? st : "unavailable";
}

static int secret_set(struct ctl *ctl, const struct secret_args *a, const char *id,
                      const char *name)
{
	char buf[SECRET_MAX + 1];
	int r = read_secret(a, name, buf, sizeof(buf));
	if (r != EXIT_OK) {
		explicit_bzero(buf, sizeof(buf));
		return r;
	}
	json_t *params = tusk_req_credentials_set(id, a->kind, buf);
	explicit_bzero(buf, sizeof(buf));
	if (!params)
		return EXIT_DAEMON_ERROR;
	/* Keep a reference so the string jansson holds can be erased after
	 * the call (which consumes one). */
	json_incref(params);
	json_t *result = NULL;
	r = ctl_call(ctl, TUSK_M_CREDENTIALS_SET, params, &result);
	tusk_req_scrub_secret(params);
	json_decref(params);
	if (r != EXIT_OK)
		return r;
	if (ctl->json)
		ctl_print_json(result);
	else if (json_is_true(json_object_get(result, "in_memory")))
		printf("Kept the %s of %s in tuskd's memory only (the keyring is %s): it is "
		       "forgotten when tuskd stops.\n",
		       a->what, name, memory_reason(result));
	else
		printf("Stored the %s of %s in the keyring.\n", a->what, name);
	json_decref(result);
	return EXIT_OK;
}

static int secret_rm(struct ctl *ctl, const struct secret_args *a, const char *id, const char *name)
{
	json_t *params = tusk_req_credentials_target(id, a->kind  ? a->kind
	                                                 : a->all ? NULL
	                                                          : "password");
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_CREDENTIALS_DELETE, params, &result);
	if (r != EXIT_OK)
		return r;
	if (ctl->json) {
		ctl_print_json(result);
	} else {
		if (a->all)
			printf("Deleted every secret of %s", name);
		else
			printf("Deleted the %s of %s", a->what, name);
		if (json_is_true(json_object_get(result, "in_memory")))
			printf(" from tuskd's memory (the keyring is %s and was not changed)",
			       memory_reason(result));
		printf(".\n");
	}
	json_decref(result);
	return EXIT_OK;
}

static int secret_has(struct ctl *ctl, const struct secret_args *a, const char *id,
                      const char *name)
{
	json_t *params = tusk_req_credentials_target(id, a->kind);
	json_t *result = NULL;
	int r = ctl_call(ctl, TUSK_M_CREDENTIALS_HAS, params, &result);
	if (r != EXIT_OK)
		return r;
	bool present = json_is_true(json_object_get(result, "present"));
	bool in_memory = json_is_true(json_object_get(result, "in_memory"));
	if (ctl->json)
		ctl_print_json(result);
	else if (present)
		printf("%s has a %s stored (%s).\n", name, a->what,
		       in_memory ? "in tuskd's memory only" : "in the keyring");
	else
		printf("%s has no %s stored.\n", name, a->what);
	json_decref(result);
	return present ? EXIT_OK : EXIT_DAEMON_ERROR;
}

int cmd_secret(struct ctl *ctl, int argc, char **argv)
{
	struct secret_args a;
	int r = parse_args(argc, argv, &a);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r; /* < 0: --help was printed */
	char id[TUSK_UUID_STRLEN + 1];
	char *name = NULL;
	r = resolve(ctl, a.target, id, &name);
	if (r != EXIT_OK)
		return r;
	const char *shown = name ? name : id;
	if (strcmp(a.sub, "set") == 0)
		r = secret_set(ctl, &a, id, shown);
	else if (strcmp(a.sub, "rm") == 0)
		r = secret_rm(ctl, &a, id, shown);
	else
		r = secret_has(ctl, &a, id, shown);
	free(name);
	return r;
}
