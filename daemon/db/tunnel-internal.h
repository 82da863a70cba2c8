/* Shared by tunnel.c (thread, forwarding, loop side) and tunnel-ssh.c
 * (session setup: ~/.ssh/config, connect, host key, auth, known_hosts). */
#pragma once

#include <libssh2.h>
#include <stddef.h>

#include "daemon/db/tunnel.h"

/* Owned copies of struct tunnel_conf; the config defaults applied. */
struct tunnel_settings {
	char *connection_id, *ssh_host, *ssh_user, *key_path, *passphrase, *password, *agent_sock,
	    *remote_host, *home;
	uint16_t ssh_port, remote_port;
	TuskSshAuth auth;
	unsigned connect_timeout_sec, keepalive_sec;
	bool config_applied;
};

/* A host key the server offered that known_hosts does not hold. */
struct hostkey {
	char *host;
	int port;
	int type; /* LIBSSH2_HOSTKEY_TYPE_* */
	unsigned char *blob;
	size_t len;
	char fingerprint[64]; /* "SHA256:…" as OpenSSH prints it */
};

void hostkey_clear(struct hostkey *k);

/* HostName, Port, User and IdentityFile from ~/.ssh/config for s->ssh_host
 * (first match wins, as in ssh). */
void tunnel_read_ssh_config(struct tunnel_settings *s);

/* Connect, check the host key, authenticate; blocking with the connect
 * timeout, on the tunnel thread. On an unknown key *unknown is filled.
 * Returns the session (blocking mode) and *sock, or NULL with e set. */
LIBSSH2_SESSION *tunnel_ssh_open(const struct tunnel_settings *s, int *sock,
                                 struct hostkey *unknown, TuskError *e);
void tunnel_ssh_close(LIBSSH2_SESSION *session, int sock);

/* Append "host keytype base64" to home/.ssh/known_hosts (made 0700/0600
 * when missing). Blocking: on a worker. */
int tunnel_known_hosts_append(const char *home, const struct hostkey *k, TuskError *e);

/* tunnel-trust.c: keep k (taken) as the key last refused as unknown for
 * connection_id (NULL for an unsaved config) and at given_host:given_port,
 * the SSH server as configured (k holds it as ~/.ssh/config resolved it);
 * home is where its known_hosts lives (NULL: $HOME). */
void tunnel_trust_remember(struct db *db, const char *connection_id, const char *given_host,
                           int given_port, const char *home, struct hostkey *k);
