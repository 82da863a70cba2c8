/* JSON-RPC to tuskd over GIO. One socket; writes queued and sent in order
 * with write_all_async; lines read with read_line_async; a reply completes
 * the GTask of its request, a message without id is a notification. */
#include "client-gtk/tusk-rpc.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "common/paths.h"
#include "protocol/jsonrpc.h"
#include "protocol/req.h"

#define RETRY_MIN_MS   50
#define RETRY_MAX_MS   1000
#define SPAWN_AGAIN_MS 5000

struct _TuskRpc {
	GObject parent_instance;
	char *socket_path;
	char *daemon_path;
	gboolean autostart;
	TuskRpcState state;

	GSocketConnection *conn;
	GDataInputStream *in;
	GOutputStream *out;
	GCancellable *io_cancel; /* cancelled when the socket is dropped */
	GQueue outq;             /* GBytes; the head is being written */
	gboolean writing;

	GHashTable *pending; /* id -> GTask, sent and waiting for a reply */
	GQueue waiting;      /* GTask not sent yet (daemon not ready) */
	gint64 next_id;
	gint64 hello_id;

	char *keyring;
	int daemon_pid;
	guint retry_source;
	int retry_ms;
	gint64 spawned_at;
	gboolean disposed;
};

typedef struct {
	char *method;
	json_t *params;
	json_t *error_data;
	GCancellable *cancellable;
	gulong cancel_handler;
	gint64 id; /* 0 until sent */
	gboolean done;
} Call;

enum { PROP_0, PROP_STATE, PROP_KEYRING, N_PROPS };
enum { SIGNAL_NOTIFICATION, N_SIGNALS };
static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TuskRpc, tusk_rpc, G_TYPE_OBJECT)
G_DEFINE_QUARK(tusk - rpc - error - quark, tusk_rpc_error)

static void rpc_connect(TuskRpc *self);
static void rpc_read_next(TuskRpc *self);
static void rpc_send_call(TuskRpc *self, GTask *task);

static void call_free(gpointer p)
{
	Call *c = p;
	g_free(c->method);
	tusk_req_scrub_secret(c->params); /* a typed password or SSH secret */
	json_decref(c->params);
	json_decref(c->error_data);
	g_clear_object(&c->cancellable);
	g_free(c);
}

/* Completes a call once: disconnects its cancellable and returns. */
static void call_finish(GTask *task, json_t *result, GError *error)
{
	Call *c = g_task_get_task_data(task);
	if (c->done) {
		json_decref(result);
		g_clear_error(&error);
		return;
	}
	c->done = TRUE;
	if (c->cancellable && c->cancel_handler) {
		g_cancellable_disconnect(c->cancellable, c->cancel_handler);
		c->cancel_handler = 0;
	}
	if (error)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, result, (GDestroyNotify)json_decref);
}

static void rpc_set_state(TuskRpc *self, TuskRpcState state)
{
	if (self->state == state)
		return;
	self->state = state;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
}

static void rpc_write_next(TuskRpc *self);

static void on_written(GObject *source, GAsyncResult *res, gpointer user_data)
{
	TuskRpc *self = user_data;
	g_autoptr(GError) error = NULL;
	gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), res, NULL, &error);
	if (G_OUTPUT_STREAM(source) == self->out) {
		self->writing = FALSE;
		g_bytes_unref(g_queue_pop_head(&self->outq));
		if (ok)
			rpc_write_next(self);
		/* a failed write shows as EOF on the read side too */
	}
	g_object_unref(self);
}

static void rpc_write_next(TuskRpc *self)
{
	if (self->writing || !self->out || g_queue_is_empty(&self->outq))
		return;
	GBytes *b = g_queue_peek_head(&self->outq);
	gsize len = 0;
	const void *data = g_bytes_get_data(b, &len);
	self->writing = TRUE;
	g_output_stream_write_all_async(self->out, data, len, G_PRIORITY_DEFAULT, self->io_cancel,
	                                on_written, g_object_ref(self));
}

/* A sent line is wiped before it is freed: it may carry a typed secret. */
static void line_free(gpointer line)
{
	explicit_bzero(line, strlen(line));
	g_free(line);
}

static void rpc_write(TuskRpc *self, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(msg);
	if (!text)
		return;
	size_t n = strlen(text);
	char *line = g_malloc(n + 2);
	memcpy(line, text, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	explicit_bzero(text, n); /* it may carry a typed secret */
	free(text);
	g_queue_push_tail(&self->outq, g_bytes_new_with_free_func(line, n + 1, line_free, line));
	rpc_write_next(self);
}

/* params borrowed */
static json_t *request(gint64 id, const char *method, json_t *params)
{
	json_t *msg =
	    json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)id, "method", method);
	if (params)
		json_object_set(msg, "params", params);
	return msg;
}

static void rpc_send_call(TuskRpc *self, GTask *task)
{
	Call *c = g_task_get_task_data(task);
	c->id = self->next_id++;
	g_hash_table_insert(self->pending, GSIZE_TO_POINTER((gsize)c->id), task);
	rpc_write(self, request(c->id, c->method, c->params));
}

static gboolean on_call_cancelled_idle(gpointer data)
{
	GTask *task = data;
	TuskRpc *self = g_task_get_source_object(task);
	Call *c = g_task_get_task_data(task);
	if (!c->done) {
		if (c->id)
			g_hash_table_steal(self->pending, GSIZE_TO_POINTER((gsize)c->id));
		else if (g_queue_remove(&self->waiting, task))
			;
		else
			return G_SOURCE_REMOVE;
		call_finish(task, NULL, g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled"));
		g_object_unref(task); /* the container's reference */
	}
	return G_SOURCE_REMOVE;
}

static void on_call_cancelled(GCancellable *cancellable, gpointer data)
{
	g_idle_add_full(G_PRIORITY_DEFAULT, on_call_cancelled_idle, g_object_ref(data),
	                g_object_unref);
}

void tusk_rpc_call_async(TuskRpc *self, const char *method, json_t *params,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, tusk_rpc_call_async);
	g_task_set_check_cancellable(task, FALSE);
	Call *c = g_new0(Call, 1);
	c->method = g_strdup(method);
	c->params = params;
	g_task_set_task_data(task, c, call_free);
	if (self->state == TUSK_RPC_READY)
		rpc_send_call(self, task);
	else
		g_queue_push_tail(&self->waiting, task);
	if (cancellable) {
		c->cancellable = g_object_ref(cancellable);
		c->cancel_handler =
		    g_cancellable_connect(cancellable, G_CALLBACK(on_call_cancelled), task, NULL);
	}
}

json_t *tusk_rpc_call_finish(TuskRpc *self, GAsyncResult *result, json_t **ret_data, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	Call *c = g_task_get_task_data(G_TASK(result));
	json_t *r = g_task_propagate_pointer(G_TASK(result), error);
	if (!r && ret_data)
		*ret_data = c->error_data ? json_incref(c->error_data) : NULL;
	return r;
}

void tusk_rpc_send(TuskRpc *self, const char *method, json_t *params)
{
	tusk_rpc_call_async(self, method, params, NULL, NULL, NULL);
}

static void rpc_ready(TuskRpc *self, json_t *hello)
{
	g_free(self->keyring);
	self->keyring = g_strdup(json_string_value(json_object_get(hello, "keyring")));
	self->daemon_pid = (int)json_integer_value(json_object_get(hello, "pid"));
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_KEYRING]);
	self->retry_ms = RETRY_MIN_MS;
	self->spawned_at = 0; /* a daemon answered: the next loss may start one at once */
	json_t *topics =
	    tusk_req_events_topics(json_pack("[s, s, s]", "connection", "schema", "config"));
	rpc_write(self, request(self->next_id++, TUSK_M_EVENTS_SUBSCRIBE, topics));
	json_decref(topics);
	rpc_set_state(self, TUSK_RPC_READY);
	GTask *task;
	while ((task = g_queue_pop_head(&self->waiting)))
		rpc_send_call(self, task);
}

static void rpc_dispatch(TuskRpc *self, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	const char *method = json_string_value(json_object_get(msg, "method"));
	if (method && !id) {
		json_t *params = json_object_get(msg, "params");
		g_signal_emit(self, signals[SIGNAL_NOTIFICATION], g_quark_from_string(method),
		              method, params);
		return;
	}
	if (!json_is_integer(id))
		return;
	gint64 n = json_integer_value(id);
	json_t *err = json_object_get(msg, "error");
	if (n == self->hello_id) {
		if (!err)
			rpc_ready(self, json_object_get(msg, "result"));
		else
			g_warning("tuskd refused hello: %s",
			          json_string_value(json_object_get(err, "message")));
		return;
	}
	GTask *task = NULL;
	if (!g_hash_table_steal_extended(self->pending, GSIZE_TO_POINTER((gsize)n), NULL,
	                                 (gpointer *)&task))
		return;
	if (err) {
		Call *c = g_task_get_task_data(task);
		json_t *data = json_object_get(err, "data");
		c->error_data = data ? json_incref(data) : NULL;
		const char *m = json_string_value(json_object_get(err, "message"));
		call_finish(
		    task, NULL,
		    g_error_new_literal(TUSK_RPC_ERROR,
		                        (int)json_integer_value(json_object_get(err, "code")),
		                        m ? m : "error"));
	} else {
		call_finish(task, json_incref(json_object_get(msg, "result")), NULL);
	}
	g_object_unref(task);
}

static void rpc_drop_socket(TuskRpc *self)
{
	if (self->io_cancel)
		g_cancellable_cancel(self->io_cancel);
	g_clear_object(&self->io_cancel);
	if (self->conn)
		g_io_stream_close(G_IO_STREAM(self->conn), NULL, NULL);
	g_clear_object(&self->in);
	self->out = NULL;
	g_clear_object(&self->conn);
	g_queue_clear_full(&self->outq, (GDestroyNotify)g_bytes_unref);
	self->writing = FALSE;
}

static gboolean on_retry(gpointer data)
{
	TuskRpc *self = data;
	self->retry_source = 0;
	rpc_connect(self);
	return G_SOURCE_REMOVE;
}

static void rpc_schedule_retry(TuskRpc *self, int ms)
{
	if (self->disposed || self->retry_source)
		return;
	self->retry_source = g_timeout_add(ms, on_retry, self);
}

static void rpc_lost(TuskRpc *self)
{
	rpc_drop_socket(self);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, self->pending);
	GPtrArray *tasks = g_ptr_array_new();
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		g_ptr_array_add(tasks, v);
		g_hash_table_iter_steal(&it);
	}
	for (guint i = 0; i < tasks->len; i++) {
		GTask *task = tasks->pdata[i];
		call_finish(task, NULL,
		            g_error_new_literal(TUSK_RPC_ERROR, TUSK_RPC_ERROR_DISCONNECTED,
		                                "the connection to tuskd was lost"));
		g_object_unref(task);
	}
	g_ptr_array_free(tasks, TRUE);
	rpc_set_state(self, TUSK_RPC_AWAY);
	self->retry_ms = RETRY_MIN_MS;
	rpc_schedule_retry(self, self->retry_ms);
}

static void on_line(GObject *source, GAsyncResult *res, gpointer user_data)
{
	TuskRpc *self = user_data;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	char *line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), res, &len, &error);
	if (G_DATA_INPUT_STREAM(source) != self->in || self->disposed) {
		g_free(line);
		g_object_unref(self);
		return;
	}
	if (!line) {
		rpc_lost(self);
		g_object_unref(self);
		return;
	}
	json_t *msg = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	g_free(line);
	if (msg) {
		rpc_dispatch(self, msg);
		json_decref(msg);
	}
	if (self->in && G_DATA_INPUT_STREAM(source) == self->in)
		rpc_read_next(self);
	g_object_unref(self);
}

static void rpc_read_next(TuskRpc *self)
{
	/* below redraws and input: a flood of rows never keeps the window from
	 * painting or answering keys */
	g_data_input_stream_read_line_async(self->in, G_PRIORITY_DEFAULT_IDLE, self->io_cancel,
	                                    on_line, g_object_ref(self));
}

static char *find_daemon(TuskRpc *self)
{
	if (self->daemon_path)
		return g_strdup(self->daemon_path);
	const char *env = g_getenv("TUSK_DAEMON");
	if (env && *env)
		return g_strdup(env);
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe) {
		g_autofree char *dir = g_path_get_dirname(exe);
		const char *rel[] = {"tuskd", "../daemon/tuskd"};
		for (size_t i = 0; i < G_N_ELEMENTS(rel); i++) {
			char *p = g_build_filename(dir, rel[i], NULL);
			if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
				return p;
			g_free(p);
		}
	}
	return g_find_program_in_path("tuskd");
}

static void child_setup(gpointer data)
{
	setsid();
}

/* tuskd is started detached: GLib's intermediate child makes it nobody's
 * child, and its own session keeps it alive when the window goes. */
static void rpc_spawn_daemon(TuskRpc *self)
{
	g_autofree char *daemon = find_daemon(self);
	if (!daemon) {
		g_warning("no tuskd answers on %s and none was found to start (set TUSK_DAEMON)",
		          self->socket_path);
		return;
	}
	char *argv[] = {daemon, "--socket", self->socket_path, NULL};
	g_autoptr(GError) error = NULL;
	if (!g_spawn_async(NULL, argv, NULL,
	                   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, child_setup,
	                   NULL, NULL, &error))
		g_warning("cannot start %s: %s", daemon, error->message);
	self->spawned_at = g_get_monotonic_time();
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	TuskRpc *self = user_data;
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn =
	    g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &error);
	if (self->disposed) {
		g_clear_object(&conn);
		g_object_unref(self);
		return;
	}
	if (!conn) {
		gboolean absent = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
		                  g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
		gint64 now = g_get_monotonic_time();
		if (absent && self->autostart &&
		    (!self->spawned_at || now - self->spawned_at > SPAWN_AGAIN_MS * 1000))
			rpc_spawn_daemon(self);
		rpc_schedule_retry(self, self->retry_ms);
		self->retry_ms = MIN(self->retry_ms * 2, RETRY_MAX_MS);
		g_object_unref(self);
		return;
	}
	self->conn = conn;
	self->io_cancel = g_cancellable_new();
	self->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(self->in), 1 << 20);
	g_data_input_stream_set_newline_type(self->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
	self->out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	self->hello_id = self->next_id++;
	json_t *hello = tusk_req_daemon_hello("tusk " TUSK_VERSION, TUSK_PROTOCOL_VERSION);
	rpc_write(self, request(self->hello_id, TUSK_M_DAEMON_HELLO, hello));
	json_decref(hello);
	rpc_read_next(self);
	g_object_unref(self);
}

static void rpc_connect(TuskRpc *self)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(self->socket_path);
	g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(addr), NULL, on_connected,
	                              g_object_ref(self));
}

void tusk_rpc_start(TuskRpc *self)
{
	if (!self->conn && !self->retry_source)
		rpc_connect(self);
}

TuskRpcState tusk_rpc_get_state(TuskRpc *self)
{
	return self->state;
}

const char *tusk_rpc_get_keyring(TuskRpc *self)
{
	return self->keyring;
}

int tusk_rpc_get_daemon_pid(TuskRpc *self)
{
	return self->daemon_pid;
}

const char *tusk_rpc_get_socket_path(TuskRpc *self)
{
	return self->socket_path;
}

TuskRpc *tusk_rpc_new(const char *socket_path, const char *daemon_path, gboolean autostart)
{
	TuskRpc *self = g_object_new(TUSK_TYPE_RPC, NULL);
	if (socket_path) {
		self->socket_path = g_strdup(socket_path);
	} else {
		TuskError e = TUSK_ERROR_INIT;
		char *p = tusk_path_socket(&e);
		self->socket_path = g_strdup(p ? p : "/tmp/tuskd.sock");
		free(p);
		tusk_error_clear(&e);
	}
	self->daemon_path = g_strdup(daemon_path);
	self->autostart = autostart;
	return self;
}

static void tusk_rpc_dispose(GObject *object)
{
	TuskRpc *self = TUSK_RPC(object);
	self->disposed = TRUE;
	g_clear_handle_id(&self->retry_source, g_source_remove);
	rpc_drop_socket(self);
	G_OBJECT_CLASS(tusk_rpc_parent_class)->dispose(object);
}

static void tusk_rpc_finalize(GObject *object)
{
	TuskRpc *self = TUSK_RPC(object);
	g_hash_table_destroy(self->pending);
	g_queue_clear_full(&self->waiting, g_object_unref);
	g_free(self->socket_path);
	g_free(self->daemon_path);
	g_free(self->keyring);
	G_OBJECT_CLASS(tusk_rpc_parent_class)->finalize(object);
}

static void tusk_rpc_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
	TuskRpc *self = TUSK_RPC(object);
	switch (id) {
	case PROP_STATE:
		g_value_set_int(value, self->state);
		break;
	case PROP_KEYRING:
		g_value_set_string(value, self->keyring);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
	}
}

static void tusk_rpc_class_init(TuskRpcClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = tusk_rpc_dispose;
	object_class->finalize = tusk_rpc_finalize;
	object_class->get_property = tusk_rpc_get_property;
	props[PROP_STATE] =
	    g_param_spec_int("state", NULL, NULL, TUSK_RPC_CONNECTING, TUSK_RPC_AWAY,
	                     TUSK_RPC_CONNECTING, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_KEYRING] = g_param_spec_string("keyring", NULL, NULL, NULL,
	                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, props);
	/* (method, json_t *params borrowed for the emission) */
	signals[SIGNAL_NOTIFICATION] = g_signal_new(
	    "notification", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
	    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
}

static void tusk_rpc_init(TuskRpc *self)
{
	self->pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, NULL);
	g_queue_init(&self->waiting);
	g_queue_init(&self->outq);
	self->next_id = 1;
	self->retry_ms = RETRY_MIN_MS;
	self->state = TUSK_RPC_CONNECTING;
}
