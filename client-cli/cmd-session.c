/* session: what tuskd restored at start (session.status); session release:
 * let a named context go (context.release). */
#include <stdio.h>
#include <string.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* session release NAME CONTEXT: context.release. */
static int release(struct ctl *ctl, const char *conn, const char *context)
{
	_cleanup_json_ json_t *r = NULL;
	int rc = ctl_call(ctl, TUSK_M_CONTEXT_RELEASE,
	                  tusk_req_context_release(conn, context, false), &r);
	if (rc != EXIT_OK)
		return rc;
	if (ctl->json) {
		ctl_print_json(r);
		return EXIT_OK;
	}
	const char *held = str(r, "transaction_state");
	const char *what = strcmp(held, "in_transaction") == 0 || strcmp(held, "in_error") == 0
	                       ? "its open transaction was rolled back"
	                   : strcmp(held, "idle") == 0 ? "its session was reset"
	                   : strcmp(held, "running") == 0
	                       ? "its running query was cancelled, its transaction (if any) rolled "
	                         "back"
	                       : "it held nothing";
	printf("released %s on %s: %s\n", context, conn, what);
	return EXIT_OK;
}

int cmd_session(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "release") == 0) {
		if (argc != 4)
			return ctl_usage_error("usage: tuskctl session release NAME CONTEXT");
		return release(ctl, argv[2], argv[3]);
	}
	if (argc > 1)
		return ctl_usage_error("usage: tuskctl session [release NAME CONTEXT]");
	_cleanup_json_ json_t *r = NULL;
	int rc = ctl_call(ctl, TUSK_M_SESSION_STATUS, NULL, &r);
	if (rc != EXIT_OK)
		return rc;
	if (ctl->json) {
		ctl_print_json(r);
		return EXIT_OK;
	}
	printf("restore at start: %s\n",
	       json_is_true(json_object_get(r, "restore")) ? "on" : "off");
	size_t i, k;
	json_t *c, *s;
	json_array_foreach(json_object_get(r, "restored"), i, c)
	{
		printf("restored %s: %s", str(c, "name"), str(c, "state"));
		json_t *err = json_object_get(c, "error");
		if (json_is_object(err))
			printf(" (%s)", str(err, "message"));
		putchar('\n');
	}
	json_array_foreach(json_object_get(r, "lost_contexts"), i, c)
	{
		printf("lost: %s context %s was %s since %s; rolled back %lld statement(s):\n",
		       str(c, "name"), str(c, "context"), str(c, "transaction_state"),
		       str(c, "began_at"),
		       json_integer_value(json_object_get(c, "statement_count")));
		json_array_foreach(json_object_get(c, "statements"), k, s)
		    printf("  %s\n", json_string_value(s));
	}
	return EXIT_OK;
}
