/* The window's connection to tuskd: JSON-RPC over the daemon's Unix socket
 * with GIO. Calls are asynchronous (_async / _finish); replies are matched
 * to requests by id; notifications become the "notification" signal
 * (detailed by method). When nothing answers it starts tuskd, and when the
 * daemon goes away it reconnects and says so through "state". */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "protocol/req.h" /* the params of every call: tusk_req_*() */

G_BEGIN_DECLS

typedef enum {
	TUSK_RPC_CONNECTING, /* first connect, nothing sent yet */
	TUSK_RPC_READY,      /* hello answered; calls go out */
	TUSK_RPC_AWAY,       /* the daemon went away; reconnecting */
} TuskRpcState;

#define TUSK_RPC_ERROR (tusk_rpc_error_quark())
GQuark tusk_rpc_error_quark(void);
/* GError codes are the JSON-RPC error codes (e.g. -32010 query_failed),
 * or this one for a call lost with the connection. */
#define TUSK_RPC_ERROR_DISCONNECTED 1

#define TUSK_TYPE_RPC (tusk_rpc_get_type())
G_DECLARE_FINAL_TYPE(TuskRpc, tusk_rpc, TUSK, RPC, GObject)

/* socket_path NULL: $TUSK_SOCKET or the default path. daemon_path NULL:
 * $TUSK_DAEMON, beside the executable, ../daemon/tuskd, or PATH. */
TuskRpc *tusk_rpc_new(const char *socket_path, const char *daemon_path, gboolean autostart);
void tusk_rpc_start(TuskRpc *self);
TuskRpcState tusk_rpc_get_state(TuskRpc *self);
/* From daemon.hello: "ok", "locked", "unavailable", "unknown" (NULL before). */
const char *tusk_rpc_get_keyring(TuskRpc *self);
int tusk_rpc_get_daemon_pid(TuskRpc *self);
const char *tusk_rpc_get_socket_path(TuskRpc *self);

/* params is stolen (NULL for none). Calls made before the daemon answers
 * wait for it. */
void tusk_rpc_call_async(TuskRpc *self, const char *method, json_t *params,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data);
/* The result (a new reference) or NULL with error set; on an error reply
 * *ret_data (if not NULL) gets the error's data object (new reference). */
json_t *tusk_rpc_call_finish(TuskRpc *self, GAsyncResult *result, json_t **ret_data,
                             GError **error);
/* Fire and forget (e.g. query.cancel): the reply is ignored. */
void tusk_rpc_send(TuskRpc *self, const char *method, json_t *params);

G_END_DECLS
