/* The listener and the clients connected to it. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct event_base;
struct server;
struct client;
struct evbuffer;

/* Take the socket: the one systemd passed (LISTEN_FDS), else create path
 * (dir 0700, socket 0600) after checking no live daemon owns it and
 * replacing a stale file. */
struct server *server_new(struct event_base *base, const char *path, TuskError *e);
/* Stop accepting, flush and close every client. Removes the socket file
 * unless systemd owns it. Accepts NULL. */
void server_free(struct server *s);
void server_stop_accepting(struct server *s);
bool server_socket_activated(const struct server *s);
const char *server_path(const struct server *s);
unsigned server_client_count(const struct server *s);
unsigned server_requests_in_flight(const struct server *s);

/* Per-client topics for events.subscribe. */
enum event_topic {
	TOPIC_CONNECTION = 1u << 0,
	TOPIC_QUERY = 1u << 1,
	TOPIC_SCHEMA = 1u << 2,
	TOPIC_NOTIFY = 1u << 3,
	TOPIC_CONFIG = 1u << 4,
	TOPIC_WORKSPACE = 1u << 5,
	TOPIC_LAST = TOPIC_WORKSPACE,
};
int event_topic_from_name(const char *name); /* 0 if unknown */
const char *event_topic_name(unsigned topic);
/* Whether any client listens to topic (skip building events nobody reads). */
bool server_has_subscribers(const struct server *s, unsigned topic);
/* Send a notification to every client subscribed to topic. params stolen. */
void server_emit(struct server *s, unsigned topic, const char *method, json_t *params);
/* The topic of a notification, as the protocol schema gives it; 0 if none. */
unsigned event_topic_of(const char *method);
/* An event from the db library's sink (db/env.h): sent to the subscribers
 * of its topic (event_topic_of); one without a topic is logged and dropped. */
void server_emit_event(struct server *s, const char *method, json_t *params);

/* ---- one client --------------------------------------------------------- */
struct client *client_ref(struct client *c);
void client_unref(struct client *c);
bool client_alive(const struct client *c);
unsigned client_id(const struct client *c);
unsigned client_topics(const struct client *c);
void client_set_topics(struct client *c, unsigned topics);
/* Queue one message (a JSON value, serialised with a trailing newline).
 * Does nothing for a client that has gone. Returns 0 or -errno; -EMSGSIZE
 * (nothing sent) for a message over the protocol's TUSK_RPC_MAX_MESSAGE. */
int client_send(struct client *c, const json_t *msg);
/* Queue bytes that already are one NDJSON message with its newline. */
int client_send_raw(struct client *c, const void *buf, size_t len);
/* The same, moving buf's bytes out of it (no copy). */
int client_send_buffer(struct client *c, struct evbuffer *buf);
size_t client_unsent_bytes(const struct client *c);
/* Stop (held true) or go on reading what the client sends: a COPY FROM
 * STDIN whose server does not keep up holds its client's data in the
 * client's socket, not in the daemon. */
void client_hold_input(struct client *c, bool held);
/* Request bookkeeping for the per-client limit (rpc.c). */
bool client_request_begin(struct client *c); /* false: over the limit */
void client_request_end(struct client *c);
