/* ssh trust NAME [--fingerprint FP] [--yes]
 *
 * Opens the connection to see the SSH host key its tunnel refuses as
 * unknown, shows the fingerprint, and — once the user confirms it (on the
 * terminal, or by giving it with --fingerprint, or with --yes) — records
 * that key in ~/.ssh/known_hosts through ssh.trust_host_key. A changed key
 * is never trusted here: the daemon refuses it before. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"

#define SSH_USAGE "usage: tuskctl ssh trust NAME [--fingerprint SHA256:… | --yes]"

static bool confirm(const char *fp)
{
	if (!isatty(STDIN_FILENO))
		return false;
	fprintf(stderr, "Trust this host key (%s)? [y/N] ", fp);
	char line[16];
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int ssh_trust(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"fingerprint", required_argument, NULL, 'f'},
	    {"yes", no_argument, NULL, 'y'},
	    {0},
	};
	const char *given = NULL;
	bool yes = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:y", longopts, NULL)) != -1) {
		if (c == 'f')
			given = optarg;
		else if (c == 'y')
			yes = true;
		else
			return ctl_usage_error(SSH_USAGE);
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
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("recorded %s for [%s]:%lld in ~/.ssh/known_hosts\n",
		       json_string_value(json_object_get(res, "fingerprint")),
		       json_string_value(json_object_get(res, "host")),
		       (long long)json_integer_value(json_object_get(res, "port")));
	json_decref(res);
	return EXIT_OK;
}

int cmd_ssh(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "trust") == 0)
		return ssh_trust(ctl, argc - 1, argv + 1);
	return ctl_usage_error(SSH_USAGE);
}
