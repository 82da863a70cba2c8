/* Secrets in the Secret Service through libsecret, with a session-memory
 * fallback (keyring-memory.c).
 *
 * libsecret is loaded with dlopen on the first keyring job
 * (keyring-lib.h), not at start.
 *
 * Threads. Every libsecret call is a *_sync call made on a worker thread:
 * each one runs its own private GMainContext until the D-Bus reply comes, so
 * the daemon's loop needs no GLib main loop at all. Results come back to
 * the loop through worker_submit's done callback.
 *
 * Never hanging. libsecret's D-Bus calls wait up to GDBus's default 25 s,
 * and an unlock or create prompt waits for a person. So (1) nothing here
 * asks for a prompt: the default collection's lock state is checked before
 * each call, searches never pass SECRET_SEARCH_UNLOCK, locked items are
 * ignored; and (2) every D-Bus step runs with a GCancellable that a
 * watchdog thread cancels after KEYRING_TIMEOUT_MS. A probe that times out
 * makes the keyring "unavailable"; a call that times out after a good probe
 * fails with a keyring error.
 *
 * State. Probed at start, then again before each call: while "ok" every
 * call re-checks (two small D-Bus round trips) so a keyring locked
 * mid-session is noticed before libsecret could prompt; while "locked" too,
 * so unlocking it is noticed; while "unavailable" at most once per
 * KEYRING_RETRY_US, so a service that does not answer costs one timeout
 * now and then, not one per call. Memory secrets are looked up first (they
 * are newer than anything in the keyring: storing in the keyring removes
 * the memory copy). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libsecret/secret.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/model-connection.h"
#include "common/uuid.h"
#include "daemon/keyring-lib.h"
#include "daemon/keyring-memory.h"
#include "daemon/keyring-probe.h"
#include "daemon/keyring.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"

#define KEYRING_SERVICE    "com.tusk.app"
#define KEYRING_TIMEOUT_MS 5000
#define KEYRING_RETRY_US   (30ull * 1000000ull)

static const SecretSchema keyring_schema = {
    .name = "com.tusk.app",
    .flags = SECRET_SCHEMA_DONT_MATCH_NAME,
    .attributes =
        {
            {"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"key", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
};

static const char *const kind_names[_SECRET_KIND_MAX] = {
    [SECRET_PASSWORD] = "password",
    [SECRET_SSH_PASSWORD] = "ssh_password",
    [SECRET_SSH_PASSPHRASE] = "ssh_passphrase",
    [SECRET_SSL_PASSPHRASE] = "ssl_passphrase",
};

/* What the keyring item's label says: never the secret, only whose it is. */
static const char *const kind_labels[_SECRET_KIND_MAX] = {
    [SECRET_PASSWORD] = "Tusk password",
    [SECRET_SSH_PASSWORD] = "Tusk SSH password",
    [SECRET_SSH_PASSPHRASE] = "Tusk SSH key passphrase",
    [SECRET_SSL_PASSPHRASE] = "Tusk TLS client key passphrase",
};

static struct worker_pool *keyring_workers;
static const char *probe_exe; /* set: the start-up probe runs in a child */
static atomic_int keyring_cur_state = KEYRING_UNKNOWN;
static KeyringState shown_state = KEYRING_UNKNOWN; /* loop thread: what tuskd reports */
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_probe_us; /* under probe_lock */

/* ---- the watchdog: cancels D-Bus steps that run past their deadline ---- */

struct deadline {
	GCancellable *cancellable;
	uint64_t at_us;
	struct deadline *next;
};

static pthread_mutex_t watchdog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watchdog_cond;
static struct deadline *watchdog_list;
static pthread_t watchdog_thread;
static bool watchdog_running, watchdog_stop;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *watchdog_main(void *data)
{
	pthread_mutex_lock(&watchdog_lock);
	while (!watchdog_stop) {
		struct deadline **first = NULL;
		for (struct deadline **d = &watchdog_list; *d; d = &(*d)->next)
			if (!first || (*d)->at_us < (*first)->at_us)
				first = d;
		if (!first) {
			pthread_cond_wait(&watchdog_cond, &watchdog_lock);
			continue;
		}
		uint64_t now = now_us();
		if (now < (*first)->at_us) {
			uint64_t at = (*first)->at_us;
			struct timespec ts = {.tv_sec = (time_t)(at / 1000000u),
			                      .tv_nsec = (long)(at % 1000000u) * 1000};
			pthread_cond_timedwait(&watchdog_cond, &watchdog_lock, &ts);
			continue;
		}
		/* Expired: take it off the list (disarm then has nothing to do)
		 * and cancel outside the lock, since cancel runs GDBus's
		 * handlers right here. */
		struct deadline *d = *first;
		*first = d->next;
		d->next = NULL;
		GCancellable *c = g_object_ref(d->cancellable);
		pthread_mutex_unlock(&watchdog_lock);
		g_cancellable_cancel(c);
		g_object_unref(c);
		pthread_mutex_lock(&watchdog_lock);
	}
	pthread_mutex_unlock(&watchdog_lock);
	return NULL;
}

static int watchdog_start(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&watchdog_cond, &attr);
	pthread_condattr_destroy(&attr);
	watchdog_stop = false;
	int r = pthread_create(&watchdog_thread, NULL, watchdog_main, NULL);
	if (r != 0) {
		pthread_cond_destroy(&watchdog_cond);
		return -r;
	}
	watchdog_running = true;
	return 0;
}

static void watchdog_finish(void)
{
	if (!watchdog_running)
		return;
	pthread_mutex_lock(&watchdog_lock);
	watchdog_stop = true;
	pthread_cond_signal(&watchdog_cond);
	pthread_mutex_unlock(&watchdog_lock);
	pthread_join(watchdog_thread, NULL);
	pthread_cond_destroy(&watchdog_cond);
	watchdog_running = false;
}

/* A fresh cancellable that the watchdog cancels after KEYRING_TIMEOUT_MS. */
static GCancellable *deadline_arm(struct deadline *d)
{
	*d = (struct deadline){.cancellable = g_cancellable_new(),
	                       .at_us = now_us() + KEYRING_TIMEOUT_MS * 1000ull};
	pthread_mutex_lock(&watchdog_lock);
	d->next = watchdog_list;
	watchdog_list = d;
	pthread_cond_signal(&watchdog_cond);
	pthread_mutex_unlock(&watchdog_lock);
	return d->cancellable;
}

/* Returns true when the deadline passed (the step was cancelled by it). */
static bool deadline_disarm(struct deadline *d)
{
	pthread_mutex_lock(&watchdog_lock);
	for (struct deadline **p = &watchdog_list; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	pthread_mutex_unlock(&watchdog_lock);
	bool expired = g_cancellable_is_cancelled(d->cancellable);
	g_object_unref(d->cancellable);
	d->cancellable = NULL;
	return expired;
}

/* ---- names and keys ---- */

const char *keyring_state_name(KeyringState st)
{
	switch (st) {
	case KEYRING_OK:
		return "ok";
	case KEYRING_LOCKED:
		return "locked";
	case KEYRING_UNAVAILABLE:
		return "unavailable";
	case KEYRING_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *secret_kind_name(SecretKind kind)
{
	return (int)kind >= 0 && kind < _SECRET_KIND_MAX ? kind_names[kind] : NULL;
}

int secret_kind_from_name(const char *name)
{
	for (int k = 0; name && k < _SECRET_KIND_MAX; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

KeyringState keyring_state(void)
{
	return (KeyringState)atomic_load(&keyring_cur_state);
}

/* "tusk:<kind>:<lower-case uuid>"; NULL for a bad id or no memory. */
static char *secret_key(SecretKind kind, const char *id)
{
	switch (kind) {
	case SECRET_PASSWORD:
		return tusk_keyring_key_connection(id);
	case SECRET_SSH_PASSWORD:
		return tusk_keyring_key_ssh(id);
	case SECRET_SSH_PASSPHRASE:
		return tusk_keyring_key_ssh_passphrase(id);
	case SECRET_SSL_PASSPHRASE: {
		/* common/ has no helper for this one yet: build it the same way. */
		char *k = NULL;
		if (!tusk_uuid_valid(id) || asprintf(&k, "tusk:ssl-passphrase:%s", id) < 0)
			return NULL;
		for (char *p = k + strlen(k) - TUSK_UUID_STRLEN; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
		return k;
	}
	case _SECRET_KIND_MAX:
		break;
	}
	return NULL;
}

/* ---- probing ---- */

static void set_state(KeyringState st, const char *why)
{
	KeyringState old = (KeyringState)atomic_exchange(&keyring_cur_state, st);
	if (old == st)
		return;
	/* log.c is thread-safe; why is a libsecret / GDBus message, never a
	 * secret. */
	if (st == KEYRING_OK)
		log_info("keyring", "Secret Service keyring: ok");
	else
		log_warn("keyring",
		         "Secret Service keyring: %s%s%s; secrets are kept in memory for this "
		         "session only",
		         keyring_state_name(st), why ? ": " : "", why ? why : "");
}

/* The service (a new reference) when the default collection is unlocked,
 * else NULL with *ret_state LOCKED or UNAVAILABLE and *ret_why set. */
static SecretService *probe(KeyringState *ret_state, char **ret_why)
{
	struct deadline d;
	GCancellable *c = deadline_arm(&d);
	GError *err = NULL;
	SecretCollection *coll = NULL;

	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_NONE, c, &err);
	if (svc) {
		/* GDBus would raise SIGTERM on us if the session bus went
		 * away; the daemon outlives a bus, the keyring just becomes
		 * unavailable. */
		GDBusConnection *conn = g_dbus_proxy_get_connection((GDBusProxy *)svc);
		g_dbus_connection_set_exit_on_close(conn, FALSE);
		coll = secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT,
		                                        SECRET_COLLECTION_NONE, c, &err);
		if (err && g_dbus_connection_is_closed(conn))
			secret_service_disconnect(); /* the next probe connects anew */
	}
	bool expired = deadline_disarm(&d);

	if (err || !svc) {
		*ret_state = KEYRING_UNAVAILABLE;
		if (expired)
			*ret_why = g_strdup_printf("the Secret Service did not answer within %d ms",
			                           KEYRING_TIMEOUT_MS);
		else
			*ret_why = g_strdup(err ? err->message : "no Secret Service");
		g_clear_error(&err);
		g_clear_object(&coll);
		g_clear_object(&svc);
		return NULL;
	}
	if (!coll) {
		/* Storing would make gnome-keyring prompt to create one. */
		*ret_state = KEYRING_LOCKED;
		*ret_why = g_strdup("there is no default keyring collection");
		g_object_unref(svc);
		return NULL;
	}
	bool locked = secret_collection_get_locked(coll);
	g_object_unref(coll);
	if (locked) {
		*ret_state = KEYRING_LOCKED;
		*ret_why = g_strdup("the default keyring collection is locked");
		g_object_unref(svc);
		return NULL;
	}
	*ret_state = KEYRING_OK;
	*ret_why = NULL;
	return svc;
}

/* Decide where this call goes: the service (returned, a new reference)
 * or memory (NULL). force probes even inside the retry interval. */
static SecretService *probe_if_due(bool force)
{
	KeyringState st = keyring_state();
	SecretService *svc = NULL;
	char *why = NULL;
	const char *no_lib = NULL;

	if (!keyring_lib_load(&no_lib)) {
		pthread_mutex_lock(&probe_lock);
		last_probe_us = now_us();
		set_state(KEYRING_UNAVAILABLE, no_lib);
		pthread_mutex_unlock(&probe_lock);
		return NULL;
	}

	if (st == KEYRING_OK && !force) {
		/* Re-check outside probe_lock: calls may run in parallel. */
		svc = probe(&st, &why);
		pthread_mutex_lock(&probe_lock);
		last_probe_us = now_us();
		set_state(st, why);
		pthread_mutex_unlock(&probe_lock);
		g_free(why);
		return svc;
	}
	pthread_mutex_lock(&probe_lock);
	st = keyring_state();
	uint64_t now = now_us();
	if (force || st != KEYRING_UNAVAILABLE || now - last_probe_us >= KEYRING_RETRY_US) {
		svc = probe(&st, &why);
		last_probe_us = now_us();
		set_state(st, why);
		g_free(why);
	}
	pthread_mutex_unlock(&probe_lock);
	return svc;
}

/* ---- jobs ---- */

enum job_op { OP_PROBE, OP_STORE, OP_LOOKUP, OP_HAS, OP_DELETE, OP_DELETE_ALL };

struct keyring_job {
	enum job_op op;
	SecretKind kind;
	char id[TUSK_UUID_STRLEN + 1];
	char *secret; /* OP_STORE: what to store; OP_LOOKUP: what was found */
	keyring_cb cb;
	void (*on_probed)(KeyringState st, void *ud);
	void *ud;
	/* Results, written by the worker. */
	int r;
	bool in_memory;
	TuskError e;
};

static void erase_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static GHashTable *attributes_for(const char *key)
{
	return secret_attributes_build(&keyring_schema, "service", KEYRING_SERVICE, "key", key,
	                               NULL);
}

/* Fill e from a failed libsecret step. */
static void keyring_failed(struct keyring_job *j, const char *what, GError *err, bool expired)
{
	j->r = -1;
	if (expired) {
		tusk_error_set(&j->e, TUSK_ERR_KEYRING,
		               "The keyring did not answer within %d ms while %s",
		               KEYRING_TIMEOUT_MS, what);
		tusk_error_set_hint(&j->e,
		                    "The Secret Service stopped answering: check that it "
		                    "runs (GNOME Keyring, KeePassXC) and try again; until it "
		                    "answers, secrets are kept in tuskd's memory.");
		/* Do not make every following call wait as long: go to memory
		 * until the next retry. */
		pthread_mutex_lock(&probe_lock);
		last_probe_us = now_us();
		set_state(KEYRING_UNAVAILABLE, "a call timed out");
		pthread_mutex_unlock(&probe_lock);
	} else {
		tusk_error_set(&j->e, TUSK_ERR_KEYRING, "The keyring failed while %s", what);
		if (err)
			tusk_error_set_detail(&j->e, "%s", err->message);
		tusk_error_set_hint(&j->e, "The Secret Service answered but refused: its detail "
		                           "says why (often its storage: free space and the "
		                           "permissions of ~/.local/share/keyrings).");
	}
}

static void service_store(struct keyring_job *j, SecretService *svc, const char *key)
{
	_cleanup_free_ char *label = NULL;
	if (asprintf(&label, "%s for connection %s", kind_labels[j->kind], j->id) < 0) {
		j->r = tusk_error_set(&j->e, TUSK_ERR_INTERNAL, "out of memory");
		return;
	}
	GHashTable *attrs = attributes_for(key);
	SecretValue *value = secret_value_new(j->secret, -1, "text/plain");
	struct deadline d;
	GCancellable *c = deadline_arm(&d);
	GError *err = NULL;
	gboolean ok = secret_service_store_sync(svc, &keyring_schema, attrs,
	                                        SECRET_COLLECTION_DEFAULT, label, value, c, &err);
	bool expired = deadline_disarm(&d);
	secret_value_unref(value);
	g_hash_table_unref(attrs);
	if (!ok) {
		keyring_failed(j, "storing a secret", err, expired);
		g_clear_error(&err);
		return;
	}
	/* The keyring now holds the newest value; a memory copy would shadow
	 * it. */
	keyring_memory_remove(key);
}

/* found: 1 present, 0 absent, -1 failed (j->e set). want_secret loads it
 * into j->secret. Locked items are skipped: reading them would prompt. */
static int service_find(struct keyring_job *j, SecretService *svc, const char *key,
                        bool want_secret)
{
	GHashTable *attrs = attributes_for(key);
	SecretSearchFlags flags =
	    SECRET_SEARCH_ALL | (want_secret ? SECRET_SEARCH_LOAD_SECRETS : 0);
	struct deadline d;
	GCancellable *c = deadline_arm(&d);
	GError *err = NULL;
	GList *items = secret_service_search_sync(svc, &keyring_schema, attrs, flags, c, &err);
	bool expired = deadline_disarm(&d);
	g_hash_table_unref(attrs);
	if (err) {
		keyring_failed(j, want_secret ? "reading a secret" : "looking for a secret", err,
		               expired);
		g_clear_error(&err);
		g_list_free_full(items, g_object_unref);
		return -1;
	}
	int found = 0;
	for (GList *l = items; l && !found; l = l->next) {
		SecretItem *item = l->data;
		if (secret_item_get_locked(item))
			continue;
		if (!want_secret) {
			found = 1;
			continue;
		}
		SecretValue *value = secret_item_get_secret(item);
		const char *text = value ? secret_value_get_text(value) : NULL;
		if (text) {
			j->secret = strdup(text);
			found = j->secret ? 1 : -1;
			if (!j->secret)
				j->r = tusk_error_set(&j->e, TUSK_ERR_INTERNAL, "out of memory");
		}
		if (value)
			secret_value_unref(value);
	}
	g_list_free_full(items, g_object_unref);
	return found;
}

static int service_clear(struct keyring_job *j, SecretService *svc, const char *key)
{
	GHashTable *attrs = attributes_for(key);
	struct deadline d;
	GCancellable *c = deadline_arm(&d);
	GError *err = NULL;
	secret_service_clear_sync(svc, &keyring_schema, attrs, c, &err);
	bool expired = deadline_disarm(&d);
	g_hash_table_unref(attrs);
	if (err) {
		keyring_failed(j, "deleting a secret", err, expired);
		g_clear_error(&err);
		return -1;
	}
	return 0;
}

static void not_found(struct keyring_job *j)
{
	j->r = tusk_error_set(&j->e, TUSK_ERR_CREDENTIAL_NOT_FOUND,
	                      "No %s is stored for connection %s", kind_names[j->kind], j->id);
}

/* One kind: store, lookup, has or delete. */
static void job_one(struct keyring_job *j, SecretService *svc)
{
	_cleanup_free_ char *key = secret_key(j->kind, j->id);
	if (!key) {
		j->r = tusk_error_set(&j->e, TUSK_ERR_INTERNAL, "out of memory");
		return;
	}
	int err = 0;
	switch (j->op) {
	case OP_STORE:
		if (svc) {
			service_store(j, svc, key);
			return;
		}
		if (keyring_memory_put(key, j->secret) < 0)
			j->r = tusk_error_set(&j->e, TUSK_ERR_INTERNAL, "out of memory");
		j->in_memory = true;
		return;
	case OP_LOOKUP:
		j->secret = keyring_memory_get(key, &err);
		if (j->secret || err < 0) {
			if (err < 0)
				j->r = tusk_error_set(&j->e, TUSK_ERR_INTERNAL, "out of memory");
			j->in_memory = true;
			return;
		}
		j->in_memory = !svc;
		if (!svc || service_find(j, svc, key, true) == 0)
			not_found(j);
		return;
	case OP_HAS:
		if (keyring_memory_has(key)) {
			j->in_memory = true;
			return;
		}
		j->in_memory = !svc;
		if (!svc || service_find(j, svc, key, false) == 0)
			not_found(j);
		return;
	case OP_DELETE:
	case OP_DELETE_ALL:
		keyring_memory_remove(key);
		j->in_memory = !svc;
		if (svc)
			service_clear(j, svc, key);
		return;
	case OP_PROBE:
		break;
	}
}

/* The start-up probe in a child (keyring-probe.h); false if it could not
 * run, then the probe runs here. */
static bool probe_by_child(void)
{
	KeyringState st;
	char *why = NULL;
	if (!probe_exe || keyring_probe_spawn(probe_exe, &st, &why) < 0)
		return false;
	pthread_mutex_lock(&probe_lock);
	last_probe_us = now_us();
	set_state(st, why);
	pthread_mutex_unlock(&probe_lock);
	free(why);
	return true;
}

int keyring_probe_main(void)
{
	const char *no_lib = NULL;
	if (!keyring_lib_load(&no_lib)) {
		printf("%s\t%s\n", keyring_state_name(KEYRING_UNAVAILABLE), no_lib);
		return 0;
	}
	if (watchdog_start() < 0)
		return 1;
	KeyringState st;
	char *why = NULL;
	SecretService *svc = probe(&st, &why);
	/* why is a libsecret / GDBus message on one line, never a secret. */
	for (char *p = why; p && *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	printf("%s\t%s\n", keyring_state_name(st), why ? why : "");
	fflush(stdout);
	g_free(why);
	if (svc)
		g_object_unref(svc);
	watchdog_finish();
	secret_service_disconnect();
	return 0;
}

void keyring_probe_in_child(const char *exe)
{
	probe_exe = exe;
}

static void job_work(void *arg)
{
	struct keyring_job *j = arg;
	if (j->op == OP_PROBE && probe_by_child())
		return;
	SecretService *svc = probe_if_due(j->op == OP_PROBE);

	if (j->op == OP_DELETE_ALL) {
		for (int k = 0; k < _SECRET_KIND_MAX && j->r == 0; k++) {
			j->kind = (SecretKind)k;
			job_one(j, svc);
		}
	} else if (j->op != OP_PROBE) {
		job_one(j, svc);
	}
	if (svc)
		g_object_unref(svc);
}

static void job_free(struct keyring_job *j)
{
	erase_free(j->secret);
	tusk_error_clear(&j->e);
	free(j);
}

static void job_done(void *arg)
{
	struct keyring_job *j = arg;
	KeyringState st = keyring_state();
	if (st != shown_state) {
		shown_state = st;
		tuskd.keyring_state = keyring_state_name(st);
	}
	if (j->op == OP_PROBE) {
		if (j->on_probed)
			j->on_probed(st, j->ud);
	} else if (j->cb) {
		j->cb(j->r, j->r == 0 && j->op == OP_LOOKUP ? TAKE_PTR(j->secret) : NULL,
		      j->in_memory, j->r < 0 ? &j->e : NULL, j->ud);
	}
	job_free(j);
}

static int job_submit(enum job_op op, SecretKind kind, const char *id, const char *secret,
                      keyring_cb cb, void *ud)
{
	if (!keyring_workers)
		return -ESHUTDOWN;
	if (op != OP_PROBE && op != OP_DELETE_ALL && ((int)kind < 0 || kind >= _SECRET_KIND_MAX))
		return -EINVAL;
	if (op != OP_PROBE && !tusk_uuid_valid(id))
		return -EINVAL;
	struct keyring_job *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct keyring_job){.op = op, .kind = kind, .cb = cb, .ud = ud};
	if (id)
		memcpy(j->id, id, TUSK_UUID_STRLEN);
	for (char *p = j->id; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	if (secret && !(j->secret = strdup(secret))) {
		free(j);
		return -ENOMEM;
	}
	int r = worker_submit(keyring_workers, job_work, job_done, j);
	if (r < 0)
		job_free(j);
	return r;
}

/* ---- the API ---- */

int keyring_init(struct worker_pool *workers, void (*on_probed)(KeyringState st, void *ud),
                 void *ud)
{
	if (!workers)
		return -EINVAL;
	if (!watchdog_running) {
		int r = watchdog_start();
		if (r < 0)
			return r;
	}
	keyring_workers = workers;
	struct keyring_job *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct keyring_job){.op = OP_PROBE, .on_probed = on_probed, .ud = ud};
	int r = worker_submit(workers, job_work, job_done, j);
	if (r < 0)
		job_free(j);
	return r;
}

void keyring_shutdown(void)
{
	keyring_workers = NULL;
	watchdog_finish();
	keyring_memory_clear();
	if (keyring_lib_loaded())
		secret_service_disconnect();
}

int keyring_store(SecretKind kind, const char *connection_id, const char *secret, keyring_cb cb,
                  void *ud)
{
	if (!secret || !*secret)
		return -EINVAL;
	return job_submit(OP_STORE, kind, connection_id, secret, cb, ud);
}

int keyring_lookup(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud)
{
	return job_submit(OP_LOOKUP, kind, connection_id, NULL, cb, ud);
}

int keyring_delete(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud)
{
	return job_submit(OP_DELETE, kind, connection_id, NULL, cb, ud);
}

int keyring_delete_all(const char *connection_id, keyring_cb cb, void *ud)
{
	return job_submit(OP_DELETE_ALL, SECRET_PASSWORD, connection_id, NULL, cb, ud);
}

int keyring_has(SecretKind kind, const char *connection_id, keyring_cb cb, void *ud)
{
	return job_submit(OP_HAS, kind, connection_id, NULL, cb, ud);
}
