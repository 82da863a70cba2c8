/* connections.test: connect one backend with a saved or transient
 * connection's settings, describe it, keep nothing (an ephemeral pool that
 * emits no event and is never registered). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/uuid.h"
#include "daemon/db/pool-internal.h"

struct test_job {
	pool_test_cb cb;
	void *ud;
	uint64_t started_us;
};

static void test_opened(struct pool *p, const TuskError *e, void *ud)
{
	struct test_job *t = ud;
	if (!p) {
		t->cb(NULL, e, t->ud);
	} else {
		struct backend *b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]);
		json_t *r = json_pack(
		    "{s:b, s:s?, s:i, s:s, s:s?, s:O, s:f}", "ok", 1, "server_version",
		    p->server_version, "backend_pid", b ? b->pid : 0, "display", p->display, "user",
		    b ? PQuser(b->conn) : NULL, "tls", p->tls ? p->tls : json_null(), "connect_ms",
		    (double)(tusk_mono_us() - t->started_us) / 1000.0);
		t->cb(r, NULL, t->ud);
		json_decref(r);
		pool_close(p, "test finished");
	}
	free(t);
}

static void start_test(struct pool *p, pool_test_cb cb, void *ud)
{
	struct test_job *t = calloc(1, sizeof(*t));
	t->cb = cb;
	t->ud = ud;
	t->started_us = tusk_mono_us();
	p->ephemeral = true;
	pool_add_opener(p, test_opened, t);
	pool_begin_connect(p);
}

void pool_test_saved(struct db *db, const TuskConnectionConfig *cfg, const struct pool_test_opts *o,
                     pool_test_cb cb, void *ud)
{
	const char *password = o->password;
	TuskError e = TUSK_ERROR_INIT;
	struct connparams *params = connparams_from_config(cfg, &e);
	if (params && password && connparams_set(params, "password", password) < 0) {
		connparams_free(params);
		params = NULL;
	}
	struct pool *p = params ? pool_new(db, cfg->id, cfg->name, params) : NULL;
	if (!p) {
		connparams_free(params);
		if (e.kind == TUSK_ERR_NONE)
			tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		cb(NULL, &e, ud);
		tusk_error_clear(&e);
		return;
	}
	p->ephemeral = true;
	pool_keep_tunnel_config(p, cfg);
	p->unsaved = o->unsaved;
	if (p->tunnel_cfg && o->ssh_secret)
		p->typed_ssh_secret = strdup(o->ssh_secret); /* erased when used or freed */
	/* The typed key passphrase is this ephemeral pool's own: its backends
	 * register it for their PGconn only (tls_set_key_passphrase), and it
	 * is erased with the pool; pool_fetch_secrets then skips the keyring. */
	if (cfg->ssl_client_key && o->ssl_passphrase)
		p->key_passphrase = strdup(o->ssl_passphrase);
	struct test_job *t = calloc(1, sizeof(*t));
	t->cb = cb;
	t->ud = ud;
	t->started_us = tusk_mono_us();
	pool_add_opener(p, test_opened, t);
	if (!password) {
		pool_fetch_secrets(p, cfg);
		return;
	}
	/* the typed password stands for the keyring's */
	TuskConnectionConfig *typed = tusk_connection_config_copy(cfg);
	if (!typed) {
		pool_fetch_secrets(p, cfg);
		return;
	}
	typed->password_in_keyring = false;
	pool_fetch_secrets(p, typed);
	tusk_connection_config_free(typed);
}

int pool_test_transient(struct db *db, const char *conninfo, const json_t *env, pool_test_cb cb,
                        void *ud, TuskError *e)
{
	struct connparams *params = connparams_from_conninfo(conninfo, env, e);
	if (!params)
		return -1;
	char id[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(id);
	struct pool *p = pool_new(db, id, NULL, params);
	if (!p) {
		connparams_free(params);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	p->transient = true;
	start_test(p, cb, ud);
	return 0;
}
