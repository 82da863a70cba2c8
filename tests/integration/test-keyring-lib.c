#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/uuid.h"
#include "tests/integration/test-keyring-lib.h"

#define SECRETS_NAME "org.freedesktop.secrets"
#define SECRETS_PATH "/org/freedesktop/secrets"
#define LOGIN_PATH   "/org/freedesktop/secrets/collection/login"

/* Outside a test (main, unchecked fixtures) Check's assertions cannot
 * report: there a failure is printed and the run exits 1. */
static bool outside_test;

static void die(const char *what, GError *err)
{
	if (!outside_test)
		ck_abort_msg("%s: %s", what, err ? err->message : "?");
	fprintf(stderr, "FAIL: %s: %s\n", what, err ? err->message : "?");
	exit(1);
}

static GDBusConnection *session_bus(void)
{
	GError *err = NULL;
	GDBusConnection *c = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err);
	if (!c)
		die("no session bus", err);
	g_dbus_connection_set_exit_on_close(c, FALSE);
	return c;
}

static GVariant *bus_call(GDBusConnection *c, const char *dest, const char *path, const char *iface,
                          const char *method, GVariant *args)
{
	GError *err = NULL;
	GVariant *r = g_dbus_connection_call_sync(c, dest, path, iface, method, args, NULL,
	                                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &err);
	if (!r)
		die(method, err);
	return r;
}

/* The parent process must never start GDBus: Check forks it for every
 * test, and a child inherits GDBus's worker-thread singleton without the
 * thread, so its first call hangs. The parent uses dbus-send instead. */
static char *capture(const char *cmd, int *ret_status);

void tk_require_keyring(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	if (!addr || !*addr) {
		fprintf(stderr,
		        "FAIL: DBUS_SESSION_BUS_ADDRESS is not set, so there is no Secret Service "
		        "to test against.\nRun this suite through "
		        "tests/integration/test-keyring-session.sh (ctest does), or inside\n"
		        "  dbus-run-session -- sh -c 'eval \"$(printf %%s PASSWORD | "
		        "gnome-keyring-daemon --unlock --components=secrets)\"; exec SUITE'\n");
		exit(1);
	}
	int status;
	char *out = capture("dbus-send --session --print-reply --dest=org.freedesktop.DBus "
	                    "/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner "
	                    "string:" SECRETS_NAME " 2>&1",
	                    &status);
	if (!strstr(out, "boolean true")) {
		fprintf(stderr,
		        "FAIL: no Secret Service owns %s on the session bus (%s). Start "
		        "gnome-keyring-daemon --unlock --components=secrets first.\n",
		        SECRETS_NAME, out);
		exit(1);
	}
	free(out);
}

pid_t tk_keyring_pid(void)
{
	int status;
	char *out = capture("dbus-send --session --print-reply --dest=org.freedesktop.DBus "
	                    "/org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID "
	                    "string:" SECRETS_NAME " 2>&1",
	                    &status);
	char *n = strstr(out, "uint32 ");
	long pid = n ? strtol(n + 7, NULL, 10) : 0;
	if (pid <= 1) {
		fprintf(stderr, "FAIL: cannot find gnome-keyring-daemon's pid: %s\n", out);
		exit(1);
	}
	free(out);
	return (pid_t)pid;
}

void tk_restore_unlocked(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		outside_test = true;
		if (tk_locked())
			tk_unlock();
		_exit(0);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "FAIL: cannot unlock the keyring again\n");
		exit(1);
	}
}

void tk_uuid(char out[37])
{
	ck_assert_int_eq(tusk_uuid_v4(out), 0);
}

void tk_secret(char *out, size_t size)
{
	char id[37];
	tk_uuid(id);
	/* Starts with a quote and holds a space: bytes a shell or a log
	 * formatter would mangle. Tests grep for it from its second byte on,
	 * which matches the raw and the JSON-escaped form alike. */
	snprintf(out, size, "\"s3cret %.8s%.4s", id, id + 9);
}

static char *capture(const char *cmd, int *ret_status)
{
	fflush(NULL);
	FILE *p = popen(cmd, "re");
	if (!p) { /* no Check here: capture also runs outside tests */
		fprintf(stderr, "FAIL: popen %s: %s\n", cmd, strerror(errno));
		exit(1);
	}
	size_t cap = 256, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	*ret_status = pclose(p);
	return buf;
}

char *tk_secret_tool_lookup(const char *key)
{
	char cmd[256];
	int status;
	snprintf(cmd, sizeof(cmd), "secret-tool lookup service com.tusk.app key '%s'", key);
	char *out = capture(cmd, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *tk_secret_tool_search(const char *key)
{
	char cmd[256];
	int status;
	snprintf(cmd, sizeof(cmd), "secret-tool search --all service com.tusk.app key '%s' 2>&1",
	         key);
	return capture(cmd, &status);
}

void tk_lock(void)
{
	GDBusConnection *c = session_bus();
	const char *objs[] = {LOGIN_PATH, NULL};
	GVariant *r = bus_call(c, SECRETS_NAME, SECRETS_PATH, "org.freedesktop.Secret.Service",
	                       "Lock", g_variant_new("(^ao)", objs));
	g_variant_unref(r);
	g_object_unref(c);
	if (!tk_locked())
		die("Lock", NULL);
}

void tk_unlock(void)
{
	const char *pw = getenv("TUSK_KEYRING_PASSWORD");
	if (!pw)
		pw = "tusk-test-password";
	GDBusConnection *c = session_bus();
	/* A "plain" session: the password travels unencrypted over the
	 * private test bus, which is what secret-tool does too. */
	GVariant *s =
	    bus_call(c, SECRETS_NAME, SECRETS_PATH, "org.freedesktop.Secret.Service", "OpenSession",
	             g_variant_new("(sv)", "plain", g_variant_new_string("")));
	const char *session = NULL;
	GVariant *out = NULL;
	g_variant_get(s, "(v&o)", &out, &session);
	GVariant *master = g_variant_new(
	    "(o@ay@ays)", session, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1),
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, pw, strlen(pw), 1), "text/plain");
	GVariant *r =
	    bus_call(c, SECRETS_NAME, SECRETS_PATH,
	             "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
	             "UnlockWithMasterPassword", g_variant_new("(o@(oayays))", LOGIN_PATH, master));
	g_variant_unref(r);
	g_variant_unref(out);
	g_variant_unref(s);
	g_object_unref(c);
	if (tk_locked())
		die("UnlockWithMasterPassword left the collection locked", NULL);
}

bool tk_locked(void)
{
	GDBusConnection *c = session_bus();
	GVariant *r =
	    bus_call(c, SECRETS_NAME, LOGIN_PATH, "org.freedesktop.DBus.Properties", "Get",
	             g_variant_new("(ss)", "org.freedesktop.Secret.Collection", "Locked"));
	GVariant *v = NULL;
	g_variant_get(r, "(v)", &v);
	bool locked = g_variant_get_boolean(v);
	g_variant_unref(v);
	g_variant_unref(r);
	g_object_unref(c);
	return locked;
}

static int next_id = 1;

json_t *tk_ok(int fd, const char *method, json_t *params)
{
	json_t *reply = tt_call(fd, next_id++, method, params);
	json_t *result = json_object_get(reply, "result");
	if (!result) {
		char *s = json_dumps(reply, JSON_COMPACT);
		ck_abort_msg("%s failed: %s", method, s);
	}
	json_incref(result);
	json_decref(reply);
	return result;
}

int tk_err(int fd, const char *method, json_t *params, char **ret_reply_text)
{
	json_t *reply = tt_call(fd, next_id++, method, params);
	int code = tt_error_code(reply);
	ck_assert_msg(code != 0, "%s succeeded where it should fail", method);
	if (ret_reply_text)
		*ret_reply_text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	return code;
}

const char *tk_str(const json_t *obj, const char *member)
{
	const char *s = json_string_value(json_object_get(obj, member));
	ck_assert_msg(s, "no string member %s", member);
	return s;
}

bool tk_bool(const json_t *obj, const char *member)
{
	json_t *v = json_object_get(obj, member);
	ck_assert_msg(json_is_boolean(v), "no boolean member %s", member);
	return json_is_true(v);
}

void tk_wait_state(int fd, const char *want, int ms)
{
	char last[32] = "";
	for (double end = tt_now_ms() + ms; tt_now_ms() < end; usleep(20000)) {
		json_t *st = tk_ok(fd, "daemon.status", NULL);
		snprintf(last, sizeof(last), "%s", tk_str(st, "keyring"));
		json_decref(st);
		if (strcmp(last, want) == 0)
			return;
	}
	ck_abort_msg("keyring state is \"%s\", not \"%s\", after %d ms", last, want, ms);
}
