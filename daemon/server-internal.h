/* Shared between server.c and server-client.c only. */
#pragma once

#include <event2/bufferevent.h>
#include <sys/types.h>

#include "daemon/server.h"
#include "protocol/jsonrpc.h"

struct server {
	struct event_base *base;
	struct evconnlistener *listener;
	char *path;
	int lock_fd;
	bool activated;
	bool stopping;
	struct client *clients; /* doubly linked, newest first */
	unsigned nclients;
	unsigned next_client_id;
};

struct client {
	struct server *server;
	struct client *prev, *next;
	unsigned id;
	pid_t pid;
	int refs;
	bool dead;
	bool read_paused;
	bool input_held; /* client_hold_input: a COPY's server is behind */
	struct bufferevent *bev;
	TuskLineReader *reader;
	unsigned topics;
	unsigned pending; /* requests received and not yet answered */
};

/* Below this many unsent bytes a client's paused queries read again. */
#define CLIENT_LOW_WATER (1024 * 1024)

struct client *client_new(struct server *s, int fd, pid_t pid);
/* Disconnect: flush what is queued when flush is true, drop the socket,
 * unlink from the server. The struct lives on while requests hold refs. */
void client_close(struct client *c, bool flush);
/* Tell a peer of another uid why it is refused, then close fd. */
void client_refuse(int fd, uid_t uid);
