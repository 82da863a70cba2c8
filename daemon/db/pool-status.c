/* A pool's status (connection.status, daemon.status) and the janitor's
 * periodic health checks of idle backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "daemon/db/env.h"
#include "daemon/db/pool-internal.h"
#include "daemon/db/tunnel.h"
#include "daemon/storage/settings.h"

json_t *pool_status_json(struct pool *p)
{
	struct tunnel *tun = pool_attachment(p, POOL_SLOT_TUNNEL);
	json_t *tunnel = tun ? tunnel_status_json(tun) : json_null();
	json_t *pids = json_array();
	for (int st = BACKEND_IDLE; st <= BACKEND_PINNED; st++) {
		struct backend *b;
		TAILQ_FOREACH(b, &p->lists[st], link)
		json_array_append_new(pids, json_integer(b->pid));
	}
	json_t *err = p->last_error.kind != TUSK_ERR_NONE ? tusk_error_info_to_json(&p->last_error)
	                                                  : json_null();
	return json_pack("{s:s, s:s?, s:s, s:b, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:s?, s:o,"
	                 " s:O, s:o, s:o, s:I, s:b}",
	                 "connection_id", p->id, "name", p->name, "display", p->display,
	                 "transient", p->transient, "status", pool_status_name(p), "size",
	                 (int)pool_live(p), "available", (int)p->counts[BACKEND_IDLE], "busy",
	                 (int)p->counts[BACKEND_BUSY], "pinned", (int)p->counts[BACKEND_PINNED],
	                 "connecting", (int)p->counts[BACKEND_CONNECTING], "waiting",
	                 (int)p->nwaiters, "max",
	                 (int)settings_int(db_env(p->db)->settings, "pool.max_size"),
	                 "server_version", p->server_version, "backend_pids", pids, "tls",
	                 p->tls ? p->tls : json_null(), "tunnel", tunnel, "last_error", err,
	                 "uptime_ms", (json_int_t)((tusk_mono_us() - p->opened_at_us) / 1000),
	                 "readonly", p->params->readonly);
}

json_t *pool_list_json(struct db *db)
{
	json_t *list = json_array();
	for (struct pool *p = pool_next_registered(db, NULL); p; p = pool_next_registered(db, p))
		json_array_append_new(list, pool_status_json(p));
	return list;
}

/* ---- janitor ------------------------------------------------------------ */

void pool_janitor(struct db *db)
{
	uint64_t interval =
	    (uint64_t)settings_int(db_env(db)->settings, "pool.health_check_interval_sec") *
	    1000000u;
	uint64_t now = tusk_mono_us();
	for (struct pool *p = pool_next_registered(db, NULL); p; p = pool_next_registered(db, p)) {
		struct backend *b, *next;
		for (b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]); b; b = next) {
			next = TAILQ_NEXT(b, link);
			if (now - b->since_us >= interval)
				backend_health_check(b);
		}
	}
}
