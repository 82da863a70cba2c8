/* SSH session setup for tunnels, on the tunnel's thread: ~/.ssh/config
 * defaults, TCP connect within the connect timeout, host key against
 * ~/.ssh/known_hosts, then agent / key / password authentication. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/db/tunnel-internal.h"

void hostkey_clear(struct hostkey *k)
{
	free(k->host);
	free(k->blob);
	memset(k, 0, sizeof(*k));
}

static const char *home_dir(const struct tunnel_settings *s)
{
	if (s->home)
		return s->home;
	const char *h = getenv("HOME");
	return h ? h : "/";
}

/* ---- ~/.ssh/config ------------------------------------------------------ */

static char *expand_tilde(const char *home, const char *path)
{
	char *r = NULL;
	if (path[0] == '~' && path[1] == '/') {
		if (asprintf(&r, "%s%s", home, path + 1) < 0)
			return NULL;
		return r;
	}
	return strdup(path);
}

/* A Host line's patterns (with ! negation) against the alias. */
static bool host_matches(char *patterns, const char *alias)
{
	bool matched = false;
	for (char *save = NULL, *tok = strtok_r(patterns, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		bool neg = tok[0] == '!';
		if (fnmatch(neg ? tok + 1 : tok, alias, FNM_CASEFOLD) == 0) {
			if (neg)
				return false;
			matched = true;
		}
	}
	return matched;
}

void tunnel_read_ssh_config(struct tunnel_settings *s)
{
	const char *home = home_dir(s);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/.ssh/config", home) < 0)
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	_cleanup_free_ char *alias = strdup(s->ssh_host);
	char *line = NULL, *hostname = NULL, *user = NULL, *identity = NULL;
	size_t cap = 0;
	long port = 0;
	bool active = true; /* lines before any Host apply to every host */
	while (alias && getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t");
		p[strcspn(p, "\r\n")] = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		char *key = p;
		size_t klen = strcspn(p, " \t=");
		char *val = p + klen;
		val += strspn(val, " \t=");
		key[klen] = '\0';
		if (strcasecmp(key, "Host") == 0) {
			active = host_matches(val, alias);
		} else if (strcasecmp(key, "Match") == 0) {
			active = false; /* not supported: skip its block */
		} else if (!active || *val == '\0') {
			continue;
		} else if (strcasecmp(key, "HostName") == 0 && !hostname) {
			hostname = strdup(val);
		} else if (strcasecmp(key, "Port") == 0 && port == 0) {
			port = strtol(val, NULL, 10);
		} else if (strcasecmp(key, "User") == 0 && !user) {
			user = strdup(val);
		} else if (strcasecmp(key, "IdentityFile") == 0 && !identity) {
			identity = expand_tilde(home, val);
		}
	}
	free(line);
	fclose(f);
	if (hostname) {
		free(s->ssh_host);
		s->ssh_host = hostname;
	}
	if (port > 0 && port < 65536 && s->ssh_port == 22)
		s->ssh_port = (uint16_t)port;
	if (user && (!s->ssh_user || !*s->ssh_user)) {
		free(s->ssh_user);
		s->ssh_user = user;
	} else {
		free(user);
	}
	if (identity && !s->key_path)
		s->key_path = identity;
	else
		free(identity);
}

/* ---- TCP ---------------------------------------------------------------- */

static int tcp_connect(const struct tunnel_settings *s, TuskError *e)
{
	char port[8];
	snprintf(port, sizeof(port), "%u", s->ssh_port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
	struct addrinfo *res = NULL;
	int r = getaddrinfo(s->ssh_host, port, &hints, &res);
	if (r != 0) {
		tusk_error_set(e, TUSK_ERR_SSH, "cannot resolve the SSH host %s: %s", s->ssh_host,
		               gai_strerror(r));
		tusk_error_set_hint(e, "Check ssh_tunnel.host (or its HostName in ~/.ssh/config).");
		return -1;
	}
	int last = ECONNREFUSED;
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			last = errno;
			close(fd);
			fd = -1;
			continue;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		int n = poll(&pfd, 1, (int)s->connect_timeout_sec * 1000);
		int err = 0;
		socklen_t len = sizeof(err);
		if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
			break;
		last = n == 0 ? ETIMEDOUT : err ? err : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (last == ETIMEDOUT)
			tusk_error_set(e, TUSK_ERR_SSH,
			               "the SSH host %s:%u did not answer within %u s", s->ssh_host,
			               s->ssh_port, s->connect_timeout_sec);
		else
			tusk_error_set(e, TUSK_ERR_SSH, "cannot reach the SSH host %s:%u: %s",
			               s->ssh_host, s->ssh_port, strerror(last));
		tusk_error_set_hint(e, "Check the SSH host and port, and that sshd runs there.");
		return -1;
	}
	/* libssh2 runs blocking during setup; the session timeout bounds it. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (s->keepalive_sec > 0) {
		/* SSH keepalives ask for no reply (libssh2 cannot tell us of
		 * one); a peer that stops acknowledging them for three intervals
		 * is dropped by the kernel, which the tunnel then sees. */
		unsigned ms = s->keepalive_sec * 3000u;
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* ---- host key ----------------------------------------------------------- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of n bytes into out (room for 4*(n+2)/3+1), padded or not. */
static void base64(const unsigned char *in, size_t n, char *out, bool pad)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64chars[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (i + 2 < n)
			out[o++] = b64chars[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
}

static const char *key_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		return "ssh-ed25519";
	default:
		return NULL;
	}
}

static int key_type_mask(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default:
		return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

static int check_host_key(const struct tunnel_settings *s, LIBSSH2_SESSION *session,
                          struct hostkey *unknown, TuskError *e)
{
	size_t len = 0;
	int type = 0;
	const char *key = libssh2_session_hostkey(session, &len, &type);
	const unsigned char *hash =
	    (const unsigned char *)libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
	if (!key || !hash)
		return tusk_error_set(e, TUSK_ERR_SSH, "the SSH server sent no usable host key");
	char fp[64];
	strcpy(fp, "SHA256:");
	base64(hash, 32, fp + 7, false);

	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(session);
	_cleanup_free_ char *path = NULL;
	if (!kh || asprintf(&path, "%s/.ssh/known_hosts", home_dir(s)) < 0) {
		if (kh)
			libssh2_knownhost_free(kh);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	/* A missing file holds no keys: every key is unknown. */
	libssh2_knownhost_readfile(kh, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	struct libssh2_knownhost *found = NULL;
	int r = libssh2_knownhost_checkp(kh, s->ssh_host, s->ssh_port, key, len,
	                                 LIBSSH2_KNOWNHOST_TYPE_PLAIN |
	                                     LIBSSH2_KNOWNHOST_KEYENC_RAW | key_type_mask(type),
	                                 &found);
	libssh2_knownhost_free(kh);
	switch (r) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		return 0;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		tusk_error_set(e, TUSK_ERR_SSH,
		               "HOST KEY OF %s:%u HAS CHANGED: refusing to connect (%s key now %s)",
		               s->ssh_host, s->ssh_port, key_type_name(type), fp);
		tusk_error_set_detail(e, "%s", fp);
		tusk_error_set_hint(
		    e, "Someone may be intercepting the connection, or the server was reinstalled. "
		       "Check the key with the server's administrator, then remove the old entry "
		       "from ~/.ssh/known_hosts (ssh-keygen -R).");
		return -1;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		hostkey_clear(unknown);
		unknown->host = strdup(s->ssh_host);
		unknown->port = s->ssh_port;
		unknown->type = type;
		unknown->blob = malloc(len);
		if (unknown->blob)
			memcpy(unknown->blob, key, len);
		unknown->len = len;
		snprintf(unknown->fingerprint, sizeof(unknown->fingerprint), "%s", fp);
		tusk_error_set(e, TUSK_ERR_SSH, "the host key of %s:%u is not known: %s %s",
		               s->ssh_host, s->ssh_port, key_type_name(type), fp);
		tusk_error_set_detail(e, "%s", fp);
		tusk_error_set_hint(
		    e, "If this fingerprint is the server's, trust it with "
		       "ssh.trust_host_key (tuskctl ssh trust NAME) and connect again.");
		return -1;
	default:
		return tusk_error_set(e, TUSK_ERR_SSH, "cannot check the host key of %s:%u",
		                      s->ssh_host, s->ssh_port);
	}
}

/* What path says of k now: LIBSSH2_KNOWNHOST_CHECK_* (a missing file holds
 * no keys). */
static int known_hosts_check(const char *path, const struct hostkey *k)
{
	LIBSSH2_SESSION *session = libssh2_session_init();
	LIBSSH2_KNOWNHOSTS *kh = session ? libssh2_knownhost_init(session) : NULL;
	int r = LIBSSH2_KNOWNHOST_CHECK_FAILURE;
	if (kh) {
		libssh2_knownhost_readfile(kh, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
		r = libssh2_knownhost_checkp(kh, k->host, k->port, (const char *)k->blob, k->len,
		                             LIBSSH2_KNOWNHOST_TYPE_PLAIN |
		                                 LIBSSH2_KNOWNHOST_KEYENC_RAW |
		                                 key_type_mask(k->type),
		                             NULL);
		libssh2_knownhost_free(kh);
	}
	if (session)
		libssh2_session_free(session);
	return r;
}

int tunnel_known_hosts_append(const char *home, const struct hostkey *k, TuskError *e)
{
	const char *tname = key_type_name(k->type);
	if (!tname)
		return tusk_error_set(e, TUSK_ERR_SSH, "unsupported host key type");
	_cleanup_free_ char *dir = NULL, *path = NULL, *b64 = malloc(k->len * 4 / 3 + 8);
	if (!b64 || asprintf(&dir, "%s/.ssh", home) < 0 ||
	    asprintf(&path, "%s/known_hosts", dir) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return tusk_error_from_errno(e, errno, dir);
	/* known_hosts may have changed since the key was refused: a key added
	 * for the host meanwhile makes this one a changed key, never trusted. */
	int have = known_hosts_check(path, k);
	if (have == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return 0;
	if (have != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
		return tusk_error_set(e, TUSK_ERR_SSH,
		                      "~/.ssh/known_hosts now holds another key for %s:%d: not "
		                      "trusting %s (remove the old entry with ssh-keygen -R first)",
		                      k->host, k->port, k->fingerprint);
	base64(k->blob, k->len, b64, true);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return tusk_error_from_errno(e, errno, path);
	FILE *f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return tusk_error_from_errno(e, errno, path);
	}
	if (k->port == 22)
		fprintf(f, "%s %s %s\n", k->host, tname, b64);
	else
		fprintf(f, "[%s]:%d %s %s\n", k->host, k->port, tname, b64);
	if (fclose(f) != 0)
		return tusk_error_from_errno(e, errno, path);
	return 0;
}

/* ---- authentication ----------------------------------------------------- */

static int auth_failed(TuskError *e, const struct tunnel_settings *s, const char *how,
                       const char *hint)
{
	tusk_error_set(e, TUSK_ERR_SSH, "SSH authentication of %s@%s failed (%s)", s->ssh_user,
	               s->ssh_host, how);
	tusk_error_set_hint(e, hint);
	return -1;
}

static int auth_agent(const struct tunnel_settings *s, LIBSSH2_SESSION *session, TuskError *e)
{
	const char *sock = s->agent_sock ? s->agent_sock : getenv("SSH_AUTH_SOCK");
	if (!sock || !*sock)
		return auth_failed(e, s, "no SSH agent",
		                   "Start ssh-agent and add your key (ssh-add), and make sure "
		                   "SSH_AUTH_SOCK reaches the daemon.");
	LIBSSH2_AGENT *agent = libssh2_agent_init(session);
	if (!agent)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	libssh2_agent_set_identity_path(agent, sock);
	int r = -1;
	if (libssh2_agent_connect(agent) != 0) {
		auth_failed(e, s, "cannot talk to the SSH agent",
		            "Check that ssh-agent runs and SSH_AUTH_SOCK points at it.");
	} else if (libssh2_agent_list_identities(agent) != 0) {
		auth_failed(e, s, "the SSH agent lists no keys", "Add your key with ssh-add.");
	} else {
		struct libssh2_agent_publickey *id = NULL, *prev = NULL;
		while (libssh2_agent_get_identity(agent, &id, prev) == 0) {
			if (libssh2_agent_userauth(agent, s->ssh_user, id) == 0) {
				r = 0;
				break;
			}
			prev = id;
		}
		if (r < 0)
			auth_failed(e, s, "the server accepted none of the agent's keys",
			            "Add the right key to the agent (ssh-add), or check "
			            "ssh_tunnel.username and the server's authorized_keys.");
		libssh2_agent_disconnect(agent);
	}
	libssh2_agent_free(agent);
	return r;
}

static int authenticate(const struct tunnel_settings *s, LIBSSH2_SESSION *session, TuskError *e)
{
	int r;
	switch (s->auth) {
	case TUSK_SSH_AUTH_AGENT:
		if (auth_agent(s, session, e) == 0)
			return 0;
		/* As ssh does: the IdentityFile of ~/.ssh/config when the agent
		 * could not help (an unencrypted key; the agent's error stays
		 * otherwise). */
		if (s->key_path && access(s->key_path, R_OK) == 0 &&
		    libssh2_userauth_publickey_fromfile_ex(session, s->ssh_user,
		                                           (unsigned)strlen(s->ssh_user), NULL,
		                                           s->key_path, NULL) == 0) {
			tusk_error_clear(e);
			return 0;
		}
		return -1;
	case TUSK_SSH_AUTH_KEY:
		if (!s->key_path)
			return auth_failed(e, s, "no key file", "Set ssh_tunnel.key_path.");
		if (access(s->key_path, R_OK) < 0)
			return auth_failed(e, s, "the key file cannot be read",
			                   "Check ssh_tunnel.key_path and its permissions.");
		r = libssh2_userauth_publickey_fromfile_ex(session, s->ssh_user,
		                                           (unsigned)strlen(s->ssh_user), NULL,
		                                           s->key_path, s->passphrase);
		if (r == 0)
			return 0;
		if (r == LIBSSH2_ERROR_FILE)
			return auth_failed(e, s,
			                   "the key could not be loaded: its passphrase is missing "
			                   "or wrong, or it is not a private key",
			                   s->passphrase
			                       ? "Check the key's passphrase in the keyring "
			                         "(tuskctl secret set NAME --passphrase; "
			                         "credentials.set kind ssh_passphrase)."
			                       : "If the key is encrypted, store its passphrase "
			                         "(tuskctl secret set NAME --passphrase; "
			                         "credentials.set kind ssh_passphrase).");
		return auth_failed(e, s, "the server refused the key",
		                   "Check that the key's public half is in the server's "
		                   "authorized_keys for this user.");
	case TUSK_SSH_AUTH_PASSWORD:
	default:
		if (!s->password)
			return auth_failed(e, s, "no SSH password stored",
			                   "Store it with tuskctl secret set NAME --ssh "
			                   "(credentials.set kind ssh_password).");
		r = libssh2_userauth_password(session, s->ssh_user, s->password);
		if (r == 0)
			return 0;
		return auth_failed(e, s, "wrong user name or password",
		                   "Check ssh_tunnel.username and the SSH password in the keyring "
		                   "(credentials.set kind ssh_password).");
	}
}

LIBSSH2_SESSION *tunnel_ssh_open(const struct tunnel_settings *s, int *sockp,
                                 struct hostkey *unknown, TuskError *e)
{
	int sock = tcp_connect(s, e);
	if (sock < 0)
		return NULL;
	LIBSSH2_SESSION *session = libssh2_session_init();
	if (!session) {
		close(sock);
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	libssh2_session_set_blocking(session, 1);
	libssh2_session_set_timeout(session, (long)s->connect_timeout_sec * 1000);
	int r = libssh2_session_handshake(session, sock);
	if (r != 0) {
		char *msg = NULL;
		libssh2_session_last_error(session, &msg, NULL, 0);
		tusk_error_set(e, TUSK_ERR_SSH, "SSH handshake with %s:%u failed: %s", s->ssh_host,
		               s->ssh_port, msg ? msg : "unknown error");
		tusk_error_set_hint(e, "Check that the SSH port is right and sshd answers there.");
	} else if (check_host_key(s, session, unknown, e) == 0 &&
	           authenticate(s, session, e) == 0) {
		libssh2_session_set_timeout(session, 0);
		if (s->keepalive_sec > 0)
			libssh2_keepalive_config(session, 0, s->keepalive_sec);
		*sockp = sock;
		return session;
	}
	tunnel_ssh_close(session, sock);
	return NULL;
}

void tunnel_ssh_close(LIBSSH2_SESSION *session, int sock)
{
	if (session) {
		/* Say goodbye if the socket takes it at once, then shut the socket
		 * so that freeing (which closes channels, blocking) fails fast
		 * instead of waiting on a peer that may be gone. */
		libssh2_session_set_blocking(session, 0);
		libssh2_session_disconnect(session, "closing the tunnel");
		if (sock >= 0)
			shutdown(sock, SHUT_RDWR);
		libssh2_session_set_blocking(session, 1);
		libssh2_session_free(session);
	}
	if (sock >= 0)
		close(sock);
}
