/* SSH tunnels: one per pool whose connection has ssh_tunnel.enabled. A
 * tunnel is a listener on 127.0.0.1 (ephemeral port) whose accepted sockets
 * are forwarded through direct-tcpip channels of one libssh2 session to the
 * database host. Everything SSH runs on a thread of the tunnel's own (never
 * on the loop); state changes come back to the loop through an eventfd.
 *
 * A session that dies (keepalive, sshd gone) closes every forwarded socket,
 * so the backends on it fail on their own; the next accepted connection
 * rebuilds the session, with backoff after failed rebuilds. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/model-connection.h"

struct db;
struct tunnel;

/* What a tunnel needs; tunnel_start copies it. Secrets are erased when the
 * tunnel is freed. */
struct tunnel_conf {
	const char *connection_id;
	const char *ssh_host; /* a ~/.ssh/config Host alias works too */
	uint16_t ssh_port;    /* 22 lets ~/.ssh/config's Port apply */
	const char *ssh_user;
	TuskSshAuth auth;
	const char *key_path;
	const char *passphrase; /* NULL: the key is not encrypted */
	const char *password;
	const char *agent_sock; /* NULL: $SSH_AUTH_SOCK of the daemon */
	const char *remote_host;
	uint16_t remote_port;
	unsigned connect_timeout_sec;
	unsigned keepalive_sec; /* 0 = off */
	const char *home;       /* where .ssh/ lives; NULL: $HOME */
};

/* Called once on the loop: the tunnel is up (local port known) or e says
 * why not (TUSK_ERR_SSH; an unknown host key carries its SHA256
 * fingerprint and is remembered for tunnel_trust_host_key). */
typedef void (*tunnel_ready_cb)(struct tunnel *t, const TuskError *e, void *ud);

struct tunnel *tunnel_start(struct db *db, const struct tunnel_conf *conf, tunnel_ready_cb cb,
                            void *ud);
/* Stops the thread (it exits on its own, closing every forwarded socket).
 * Takes void * to serve as a pool attachment's free function. */
void tunnel_free(void *t);
int tunnel_local_port(struct tunnel *t);
/* The tunnel's last failure while it is not up (copied to e): true. */
bool tunnel_error(struct tunnel *t, TuskError *e);
/* connection.status's "tunnel" member. New reference. */
json_t *tunnel_status_json(struct tunnel *t);
/* How many times the SSH session was rebuilt after a loss. */
unsigned tunnel_rebuilds(struct tunnel *t);

/* ssh.trust_host_key: append the host key last refused as unknown for a
 * saved connection (connection_id) or at an SSH server (ssh_host and
 * ssh_port, as configured or as ~/.ssh/config resolved them) to
 * ~/.ssh/known_hosts, if its fingerprint is the one given. Exactly one of
 * the two names is set. Runs the file write on a worker; cb gets the
 * result on the loop. */
struct tunnel_key_name {
	const char *connection_id;
	const char *ssh_host;
	int ssh_port;
};
typedef void (*tunnel_trust_cb)(json_t *result, const TuskError *e, void *ud);
int tunnel_trust_host_key(struct db *db, const struct tunnel_key_name *name,
                          const char *fingerprint, tunnel_trust_cb cb, void *ud, TuskError *e);
