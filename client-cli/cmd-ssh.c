/* ssh trust NAME [--fingerprint FP] [--yes]
 * ssh trust --host HOST [--port PORT] --fingerprint FP
 *
 * Opens the connection to see the SSH host key its tunnel refuses as
 * unknown, shows the fingerprint, and — once the user confirms it (on the
 * terminal, or by giving it with --fingerprint, or with --yes) — records
 * that key in ~/.ssh/known_hosts through ssh.trust_host_key. With --host,
 * the key the daemon last refused as unknown at that SSH server (say, the
 * window's Test of a connection not saved yet) is recorded when it has the
 * fingerprint given; nothing is opened. A changed key is never trusted
 * here: the daemon refuses it before. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"

#define SSH_USAGE                                                            \
	"usage: tuskctl ssh trust NAME [--fingerprint SHA256:… | --yes]\n" \
	"       tuskctl ssh trust --host HOST [--port PORT] --fingerprint SHA256:…"

static bool confirm(const char *fp)
{
	if (!isatty(STDIN_FILENO))
		return false;
	fprintf(stderr, "Trust this host key (%s)? [y/N] ", fp);
	char line[16];
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static void print_recorded(struct ctl *ctl, json_t *res)
{
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("recorded %s for [%s]:%lld in ~/.ssh/known_hosts\n",
		       json_string_value(json_object_get(res, "fingerprint")),
		       json_string_value(json_object_get(res, "host")),
		       (long long)json_integer_value(json_object_get(res, "port")));
}

/* --host: the key seen at an SSH server, named by the fingerprint given. */
static int ssh_trust_at(struct ctl *ctl, const char *host, long port, const char *fp)
{
	int r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;
	json_t *res = NULL;
	r = ctl_call(ctl, TUSK_M_SSH_TRUST_HOST_KEY,
	             tusk_req_ssh_trust_host_key_at(host, (int)port, fp), &res);
	if (r != EXIT_OK)
		return r;
	print_recorded(ctl, res);
	json_decref(res);
	return EXIT_OK;
}

static int ssh_trust(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"fingerprint", required_argument, NULL, 'f'},
	    {"yes", no_argument, NULL, 'y'},
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {0},
	};
	const char *given = NULL, *host = NULL, *port_arg = NULL;
	bool yes = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:y", longopts, NULL)) != -1) {
		if (c == 'f')
			given = optarg;
		else if (c == 'y')
			yes = true;
		else if (c == 'H')
			host = optarg;
		else if (c == 'p')
			port_arg = optarg;
		else
			return ctl_usage_error(SSH_USAGE);
	}
	if (host || port_arg) {
		/* nothing is opened: the fingerprint is the confirmation */
		char *end = NULL;
		long port = port_arg ? strtol(port_arg, &end, 10) : 22;
		if (!host || !*host || optind != argc || !given || yes ||
		    (port_arg && (!*port_arg || *end || port < 1 || port > 65535)))
			return ctl_usage_error(SSH_USAGE);
		return ssh_trust_at(ctl, host, port, given);
	}
	if (optind != argc - 1)
		return ctl_usage_error(SSH_USAGE);
	const char *target = argv[optind];
	int r = ctl_connect(ctl);
	if (r != EXIT_OK)
		return r;

	json_t *conn = NULL;
	r = ctl_call(ctl, TUSK_M_CONNECTIONS_GET, tusk_req_connection_id(target, NULL), &conn);
	if (r != EXIT_OK)
		return r;
	char id[64];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(conn, "id")));
	json_decref(conn);

	/* Opening shows what the server offers now. */
	TuskError e = TUSK_ERROR_INIT;
	json_t *status = NULL;
	if (tusk_client_call(ctl->client, TUSK_M_CONNECTION_OPEN, tusk_req_connection_id(id, NULL),
	                     &status, NULL, NULL, ctl->timeout_ms, &e) == 0) {
		json_decref(status);
		printf("%s: the SSH host key is already trusted\n", target);
		return EXIT_OK;
	}
	if (e.kind != TUSK_ERR_SSH || !e.detail || strncmp(e.detail, "SHA256:", 7) != 0 ||
	    !strstr(tusk_error_message(&e), "is not known")) {
		ctl_print_error(&e);
		tusk_error_clear(&e);
		return EXIT_DAEMON_ERROR;
	}
	char fp[128];
	snprintf(fp, sizeof(fp), "%s", e.detail);
	printf("%s\n", tusk_error_message(&e));
	tusk_error_clear(&e);
	if (!given && !yes && !confirm(fp)) {
		fprintf(stderr,
		        "tuskctl: not trusted (give --fingerprint %s or --yes once you have "
		        "checked it)\n",
		        fp);
		return EXIT_DAEMON_ERROR;
	}
	json_t *res = NULL;
	r = ctl_call(ctl, TUSK_M_SSH_TRUST_HOST_KEY,
	             tusk_req_ssh_trust_host_key(id, given ? given : fp), &res);
	if (r != EXIT_OK)
		return r;
	print_recorded(ctl, res);
	json_decref(res);
	return EXIT_OK;
}

int cmd_ssh(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "trust") == 0)
		return ssh_trust(ctl, argc - 1, argv + 1);
	return ctl_usage_error(SSH_USAGE);
}
