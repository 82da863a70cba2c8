/* LISTEN / NOTIFY: one dedicated backend per connection, taken from its
 * pool and held (it counts as busy), driven without blocking from the loop.
 * Channels are held by clients; the daemon LISTENs while any client holds a
 * channel. Notifications and gaps go to the hook (the rpc layer sends them
 * to subscribers of topic notify). After the backend is lost (server
 * restart, broken link) another is taken, every channel listened again,
 * and a gap reported. The listener is a pool attachment: closing the pool
 * ends it. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

struct db;
struct pool;

/* Done when the channel is listened to on the server (result: the Listener
 * object) or failed (e). */
typedef void (*listen_cb)(json_t *listener, const TuskError *e, void *ud);

/* client holds channel on p's listener (made on first use). cb runs from
 * the loop, never inside this call. */
void listen_add(struct pool *p, const char *channel, unsigned client, listen_cb cb, void *ud);
/* client lets go of channel; returns the Listener object (new reference),
 * with status "stopped" and no channels when none is left. */
json_t *listen_remove(struct pool *p, const char *channel, unsigned client);
/* A client went away: every hold of it ends. */
void listen_client_gone(struct db *db, unsigned client);
/* The Listener objects of every pool with channels. */
json_t *listen_list_json(struct db *db);
