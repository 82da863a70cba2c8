/* SSH tunnels: the loop side (start, status, free, trust) and the tunnel
 * thread (listener, one direct-tcpip channel per accepted socket, keepalive,
 * rebuild on next use). The thread owns the session and sockets; the loop
 * only reads state under the mutex and hears of changes on an eventfd. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/tunnel-internal.h"
#include "daemon/worker/worker.h"

enum tunnel_state { T_CONNECTING, T_UP, T_DOWN, T_FAILED };
static const char *const state_names[] = {"connecting", "up", "down", "failed"};

#define BUF_SIZE 32768

struct fwd {
	int fd;
	LIBSSH2_CHANNEL *ch;
	char up[BUF_SIZE], down[BUF_SIZE];
	size_t up_len, up_off, down_len, down_off;
	struct fwd *next;
};

struct tunnel {
	struct db *db; /* loop side only */
	atomic_int refs;
	struct tunnel_settings s;
	char *given_host; /* ssh_host and port as configured, before ~/.ssh/config */
	uint16_t given_port;
	pthread_mutex_t lock;
	/* under lock */
	enum tunnel_state state;
	int local_port;
	TuskError error;
	struct hostkey unknown;
	unsigned channels, rebuilds;
	bool stopping;
	bool in_setup; /* blocking in tunnel_ssh_open: tunnel_free does not wait */
	pthread_t thread;
	/* loop side */
	struct event *ev;
	int notify_fd, stop_fd;
	tunnel_ready_cb cb;
	void *ud;
	bool reported;
	/* thread side */
	int listen_fd, sock;
	LIBSSH2_SESSION *session;
	struct fwd *fwds;
	LIBSSH2_CHANNEL **closing; /* frees that would have blocked, retried */
	size_t nclosing, capclosing;
	unsigned failures;
	uint64_t retry_at_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void erase_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void unref(struct tunnel *t)
{
	if (atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	struct tunnel_settings *s = &t->s;
	free(s->connection_id);
	free(s->ssh_host);
	free(s->ssh_user);
	free(s->key_path);
	erase_free(s->passphrase);
	erase_free(s->password);
	free(s->agent_sock);
	free(s->remote_host);
	free(s->home);
	free(t->given_host);
	tusk_error_clear(&t->error);
	hostkey_clear(&t->unknown);
	close(t->notify_fd);
	close(t->stop_fd);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void notify(struct tunnel *t)
{
	uint64_t one = 1;
	if (write(t->notify_fd, &one, sizeof(one)) < 0) {
		/* The counter cannot overflow in practice; nothing to do. */
	}
}

static void set_state(struct tunnel *t, enum tunnel_state st, const TuskError *e)
{
	pthread_mutex_lock(&t->lock);
	t->state = st;
	if (e)
		tusk_error_copy(&t->error, e);
	else if (st == T_UP)
		tusk_error_clear(&t->error);
	pthread_mutex_unlock(&t->lock);
	notify(t);
}

/* ---- thread: forwarding ------------------------------------------------- */

static void fwd_close(struct tunnel *t, struct fwd *f)
{
	for (struct fwd **pp = &t->fwds; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	if (f->ch && t->session && libssh2_channel_free(f->ch) == LIBSSH2_ERROR_EAGAIN) {
		/* The close is queued: retry each turn (session_free takes what
		 * is left). */
		if (t->nclosing == t->capclosing) {
			size_t cap = t->capclosing ? t->capclosing * 2 : 8;
			LIBSSH2_CHANNEL **n = realloc(t->closing, cap * sizeof(*n));
			if (n) {
				t->closing = n;
				t->capclosing = cap;
			}
		}
		if (t->nclosing < t->capclosing)
			t->closing[t->nclosing++] = f->ch;
	}
	close(f->fd);
	free(f);
	pthread_mutex_lock(&t->lock);
	t->channels--;
	pthread_mutex_unlock(&t->lock);
}

static bool session_error(int r)
{
	return r == LIBSSH2_ERROR_SOCKET_SEND || r == LIBSSH2_ERROR_SOCKET_RECV ||
	       r == LIBSSH2_ERROR_SOCKET_DISCONNECT || r == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	       r == LIBSSH2_ERROR_TIMEOUT || r == LIBSSH2_ERROR_KEX_FAILURE ||
	       r == LIBSSH2_ERROR_DECRYPT || r == LIBSSH2_ERROR_PROTO;
}

/* Move bytes both ways as far as they go. Returns 1 on progress, 0 when
 * stuck, -1 when f was closed, -2 when the session is dead. */
static int fwd_pump(struct tunnel *t, struct fwd *f, bool *opening)
{
	int progress = 0;
	if (!f->ch) {
		if (*opening)
			return 0; /* libssh2 opens one channel at a time */
		f->ch = libssh2_channel_direct_tcpip_ex(
		    t->session, t->s.remote_host, t->s.remote_port, "127.0.0.1", t->local_port);
		if (!f->ch) {
			int r = libssh2_session_last_errno(t->session);
			if (r == LIBSSH2_ERROR_EAGAIN) {
				*opening = true;
				return 0;
			}
			if (session_error(r))
				return -2;
			log_info("tunnel", "%s:%u refused forwarding to %s:%u (%d)", t->s.ssh_host,
			         t->s.ssh_port, t->s.remote_host, t->s.remote_port, r);
			fwd_close(t, f);
			return -1;
		}
		progress = 1;
	}
	if (f->up_len == 0) {
		ssize_t n = read(f->fd, f->up, sizeof(f->up));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			fwd_close(t, f);
			return -1;
		}
		if (n > 0) {
			f->up_len = (size_t)n;
			f->up_off = 0;
			progress = 1;
		}
	}
	while (f->up_off < f->up_len) {
		ssize_t w = libssh2_channel_write(f->ch, f->up + f->up_off, f->up_len - f->up_off);
		if (w == LIBSSH2_ERROR_EAGAIN)
			break;
		if (w < 0) {
			if (session_error((int)w))
				return -2;
			fwd_close(t, f);
			return -1;
		}
		f->up_off += (size_t)w;
		progress = 1;
	}
	if (f->up_off == f->up_len)
		f->up_len = f->up_off = 0;
	if (f->down_len == 0) {
		ssize_t n = libssh2_channel_read(f->ch, f->down, sizeof(f->down));
		if (n > 0) {
			f->down_len = (size_t)n;
			f->down_off = 0;
			progress = 1;
		} else if (n == 0 && libssh2_channel_eof(f->ch)) {
			fwd_close(t, f);
			return -1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			if (session_error((int)n))
				return -2;
			fwd_close(t, f);
			return -1;
		}
	}
	while (f->down_off < f->down_len) {
		ssize_t w = write(f->fd, f->down + f->down_off, f->down_len - f->down_off);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (w <= 0) {
			fwd_close(t, f);
			return -1;
		}
		f->down_off += (size_t)w;
		progress = 1;
	}
	if (f->down_off == f->down_len)
		f->down_len = f->down_off = 0;
	return progress;
}

static void retry_closing(struct tunnel *t)
{
	size_t kept = 0;
	for (size_t i = 0; i < t->nclosing; i++)
		if (libssh2_channel_free(t->closing[i]) == LIBSSH2_ERROR_EAGAIN)
			t->closing[kept++] = t->closing[i];
	t->nclosing = kept;
}

/* The session died: every forwarded socket closes, so the backends on it
 * fail at once; the next accepted connection rebuilds. */
static void session_lost(struct tunnel *t, const char *why)
{
	/* State first: whoever sees a forwarded socket close can then ask
	 * tunnel_error() why. */
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_SSH, "the SSH connection to %s:%u was lost (%s)", t->s.ssh_host,
	               t->s.ssh_port, why);
	tusk_error_set_hint(&e, "It is rebuilt on the next query.");
	log_info("tunnel", "%s", tusk_error_message(&e));
	set_state(t, T_DOWN, &e);
	tusk_error_clear(&e);
	while (t->fwds)
		fwd_close(t, t->fwds);
	t->nclosing = 0; /* freed with the session */
	tunnel_ssh_close(t->session, t->sock);
	t->session = NULL;
	t->sock = -1;
	t->failures = 0;
	t->retry_at_ms = 0;
}

static int open_session(struct tunnel *t)
{
	TuskError e = TUSK_ERROR_INIT;
	struct hostkey unknown = {0};
	pthread_mutex_lock(&t->lock);
	bool stopping = t->stopping;
	t->in_setup = !stopping;
	pthread_mutex_unlock(&t->lock);
	if (stopping)
		return -1;
	t->session = tunnel_ssh_open(&t->s, &t->sock, &unknown, &e);
	pthread_mutex_lock(&t->lock);
	t->in_setup = false;
	pthread_mutex_unlock(&t->lock);
	if (!t->session) {
		pthread_mutex_lock(&t->lock);
		if (unknown.blob) {
			hostkey_clear(&t->unknown);
			t->unknown = unknown;
		}
		pthread_mutex_unlock(&t->lock);
		if (!unknown.blob)
			hostkey_clear(&unknown);
		t->sock = -1;
		set_state(t, t->state == T_CONNECTING ? T_FAILED : T_DOWN, &e);
		tusk_error_clear(&e);
		return -1;
	}
	libssh2_session_set_blocking(t->session, 0);
	set_state(t, T_UP, NULL);
	return 0;
}

static void accept_one(struct tunnel *t)
{
	int fd = accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!t->session) {
		uint64_t now = now_ms();
		if (now < t->retry_at_ms || open_session(t) < 0) {
			if (now >= t->retry_at_ms) {
				t->failures++;
				unsigned back = t->failures >= 5 ? 30 : 1u << (t->failures - 1);
				t->retry_at_ms = now + back * 1000u;
			}
			close(fd);
			return;
		}
		pthread_mutex_lock(&t->lock);
		t->rebuilds++;
		pthread_mutex_unlock(&t->lock);
		log_info("tunnel", "SSH connection to %s:%u rebuilt", t->s.ssh_host, t->s.ssh_port);
	}
	struct fwd *f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	f->fd = fd;
	f->next = t->fwds;
	t->fwds = f;
	pthread_mutex_lock(&t->lock);
	t->channels++;
	pthread_mutex_unlock(&t->lock);
}

static int make_listener(struct tunnel *t, TuskError *e)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return tusk_error_from_errno(e, err, "tunnel listener on 127.0.0.1");
	}
	t->listen_fd = fd;
	pthread_mutex_lock(&t->lock);
	t->local_port = ntohs(sa.sin_port);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void forward_loop(struct tunnel *t)
{
	size_t cap = 8;
	struct pollfd *pfds = malloc(cap * sizeof(*pfds));
	bool ssh_data_waiting = false;
	while (pfds) {
		/* Pump until nothing moves: libssh2 may hold bytes it already read. */
		bool opening = false, dead = false;
		for (int moved = 1; moved && t->session && !dead;) {
			moved = 0;
			opening = false;
			for (struct fwd *f = t->fwds, *next; f; f = next) {
				next = f->next;
				int r = fwd_pump(t, f, &opening);
				if (r == -2) {
					dead = true;
					break;
				}
				if (r == 1)
					moved = 1;
			}
		}
		if (t->session && !dead && t->nclosing)
			retry_closing(t);
		int next_ka = 0;
		if (t->session && !dead && t->s.keepalive_sec > 0 &&
		    libssh2_keepalive_send(t->session, &next_ka) < 0 &&
		    libssh2_session_last_errno(t->session) != LIBSSH2_ERROR_EAGAIN)
			dead = true;
		if (dead)
			session_lost(t, "the server went away");

		size_t n = 0, need = 3;
		for (struct fwd *f = t->fwds; f; f = f->next)
			need++;
		if (need > cap) {
			struct pollfd *np = realloc(pfds, need * 2 * sizeof(*pfds));
			if (!np)
				break;
			pfds = np;
			cap = need * 2;
		}
		pfds[n++] = (struct pollfd){.fd = t->stop_fd, .events = POLLIN};
		pfds[n++] = (struct pollfd){.fd = t->listen_fd, .events = POLLIN};
		bool want_ssh = t->session && !(ssh_data_waiting && !t->fwds);
		for (struct fwd *f = t->fwds; f; f = f->next) {
			short ev = 0;
			if (f->ch && f->up_len == 0)
				ev |= POLLIN;
			if (f->down_len > 0)
				ev |= POLLOUT;
			pfds[n++] = (struct pollfd){.fd = f->fd, .events = ev};
		}
		size_t ssh_idx = n;
		if (want_ssh) {
			short ev = POLLIN;
			if (libssh2_session_block_directions(t->session) &
			    LIBSSH2_SESSION_BLOCK_OUTBOUND)
				ev |= POLLOUT;
			pfds[n++] = (struct pollfd){.fd = t->sock, .events = ev};
		}
		int timeout = opening ? 20 : next_ka > 0 ? next_ka * 1000 : 5000;
		if (poll(pfds, n, timeout) < 0 && errno != EINTR)
			break;
		if (pfds[0].revents)
			break;
		if (pfds[1].revents & POLLIN)
			accept_one(t);
		if (want_ssh && pfds[ssh_idx].revents && !t->fwds && t->session) {
			/* Idle: the only way to see the server go is to look. */
			char c;
			ssize_t r = recv(t->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				session_lost(t, "the server closed the connection");
			else if (r > 0)
				ssh_data_waiting = true; /* read with the next channel */
		} else if (t->fwds) {
			ssh_data_waiting = false;
		}
	}
	free(pfds);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ~/.ssh/config is read into a copy and swapped in under the lock:
 * tunnel_status_json reads these fields from the loop. */
static void apply_ssh_config(struct tunnel *t)
{
	struct tunnel_settings c = {
	    .ssh_host = dup_or_null(t->s.ssh_host),
	    .ssh_port = t->s.ssh_port,
	    .ssh_user = dup_or_null(t->s.ssh_user),
	    .key_path = dup_or_null(t->s.key_path),
	    .home = t->s.home,
	};
	if (!c.ssh_host) {
		free(c.ssh_user);
		free(c.key_path);
		return;
	}
	tunnel_read_ssh_config(&c);
	if (!c.ssh_user || !*c.ssh_user) {
		/* As ssh does: the local login name. */
		struct passwd pw, *res = NULL;
		char buf[1024];
		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res) {
			free(c.ssh_user);
			c.ssh_user = strdup(pw.pw_name);
		}
	}
	pthread_mutex_lock(&t->lock);
	char *old_host = t->s.ssh_host, *old_user = t->s.ssh_user, *old_key = t->s.key_path;
	t->s.ssh_host = c.ssh_host;
	t->s.ssh_port = c.ssh_port;
	t->s.ssh_user = c.ssh_user;
	t->s.key_path = c.key_path;
	pthread_mutex_unlock(&t->lock);
	free(old_host);
	free(old_user);
	free(old_key);
}

static void *tunnel_main(void *arg)
{
	struct tunnel *t = arg;
	apply_ssh_config(t);
	TuskError e = TUSK_ERROR_INIT;
	if (make_listener(t, &e) < 0) {
		set_state(t, T_FAILED, &e);
		tusk_error_clear(&e);
	} else if (open_session(t) == 0) {
		log_info("tunnel", "127.0.0.1:%d → %s@%s:%u → %s:%u", t->local_port, t->s.ssh_user,
		         t->s.ssh_host, t->s.ssh_port, t->s.remote_host, t->s.remote_port);
		forward_loop(t);
	}
	while (t->fwds)
		fwd_close(t, t->fwds);
	tunnel_ssh_close(t->session, t->sock);
	t->session = NULL;
	free(t->closing);
	if (t->listen_fd >= 0)
		close(t->listen_fd);
	unref(t);
	return NULL;
}

/* ---- loop side ---------------------------------------------------------- */

/* An unknown key the thread saw goes to the trust registry (loop only). */
static void tunnel_remember_unknown(struct tunnel *t)
{
	pthread_mutex_lock(&t->lock);
	struct hostkey k = t->unknown;
	memset(&t->unknown, 0, sizeof(t->unknown));
	pthread_mutex_unlock(&t->lock);
	if (k.blob)
		tunnel_trust_remember(t->db, t->s.connection_id, t->given_host, t->given_port,
		                      t->s.home, &k);
	else
		hostkey_clear(&k);
}

static void on_notify(evutil_socket_t fd, short what, void *ud)
{
	struct tunnel *t = ud;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0) {
		/* Spurious wake-up. */
	}
	if (t->reported)
		return;
	pthread_mutex_lock(&t->lock);
	enum tunnel_state st = t->state;
	TuskError e = TUSK_ERROR_INIT;
	if (st != T_UP)
		tusk_error_copy(&e, &t->error);
	pthread_mutex_unlock(&t->lock);
	if (st == T_CONNECTING)
		return;
	t->reported = true;
	if (st != T_UP)
		tunnel_remember_unknown(t);
	t->cb(t, st == T_UP ? NULL : &e, t->ud);
	tusk_error_clear(&e);
}

static void ssh_init_once(void)
{
	libssh2_init(0);
}

struct tunnel *tunnel_start(struct db *db, const struct tunnel_conf *c, tunnel_ready_cb cb,
                            void *ud)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, ssh_init_once);
	struct tunnel *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->db = db;
	atomic_init(&t->refs, 2); /* the loop's and the thread's */
	pthread_mutex_init(&t->lock, NULL);
	t->listen_fd = t->sock = -1;
	t->cb = cb;
	t->ud = ud;
	struct tunnel_settings *s = &t->s;
	s->connection_id = dup_or_null(c->connection_id);
	s->ssh_host = dup_or_null(c->ssh_host);
	s->ssh_port = c->ssh_port ? c->ssh_port : 22;
	t->given_host = dup_or_null(c->ssh_host);
	t->given_port = s->ssh_port;
	s->ssh_user = dup_or_null(c->ssh_user);
	s->auth = c->auth;
	s->key_path = dup_or_null(c->key_path);
	s->passphrase = dup_or_null(c->passphrase);
	s->password = dup_or_null(c->password);
	s->agent_sock = dup_or_null(c->agent_sock);
	s->remote_host = dup_or_null(c->remote_host ? c->remote_host : "127.0.0.1");
	s->remote_port = c->remote_port ? c->remote_port : 5432;
	s->connect_timeout_sec = c->connect_timeout_sec ? c->connect_timeout_sec : 10;
	s->keepalive_sec = c->keepalive_sec;
	s->home = dup_or_null(c->home);
	t->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->in_setup = true;
	if (!s->ssh_host || !t->given_host || !s->remote_host || t->notify_fd < 0 ||
	    t->stop_fd < 0 ||
	    !(t->ev = event_new(db->env.base, t->notify_fd, EV_READ | EV_PERSIST, on_notify, t)) ||
	    event_add(t->ev, NULL) < 0 || pthread_create(&t->thread, NULL, tunnel_main, t) != 0) {
		if (t->ev)
			event_free(t->ev);
		atomic_store(&t->refs, 1);
		unref(t);
		return NULL;
	}
	return t;
}

void tunnel_free(void *arg)
{
	struct tunnel *t = arg;
	if (!t)
		return;
	event_free(t->ev);
	t->ev = NULL;
	uint64_t one = 1;
	if (write(t->stop_fd, &one, sizeof(one)) < 0) {
		/* Cannot happen with an eventfd far from its maximum. */
	}
	/* A thread in its forwarding loop sees stop_fd at once: wait for it, so
	 * every socket and session is gone when the pool is. One still
	 * connecting (bounded by the connect timeout) finishes on its own. */
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	bool wait = !t->in_setup;
	pthread_mutex_unlock(&t->lock);
	pthread_t th = t->thread;
	unref(t);
	if (wait)
		pthread_join(th, NULL);
	else
		pthread_detach(th);
}

int tunnel_local_port(struct tunnel *t)
{
	pthread_mutex_lock(&t->lock);
	int port = t->local_port;
	pthread_mutex_unlock(&t->lock);
	return port;
}

bool tunnel_error(struct tunnel *t, TuskError *e)
{
	pthread_mutex_lock(&t->lock);
	bool down = t->state != T_UP && t->error.kind != TUSK_ERR_NONE;
	if (down)
		tusk_error_copy(e, &t->error);
	pthread_mutex_unlock(&t->lock);
	if (down)
		tunnel_remember_unknown(t); /* a rebuild may have met a new key */
	return down;
}

json_t *tunnel_status_json(struct tunnel *t)
{
	pthread_mutex_lock(&t->lock);
	json_t *err = t->state != T_UP && t->error.kind != TUSK_ERR_NONE
	                  ? tusk_error_info_to_json(&t->error)
	                  : json_null();
	json_t *j = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:s, s:s, s:i, s:i, s:o}", "state",
	                      state_names[t->state], "local_port", t->local_port, "remote_host",
	                      t->s.remote_host, "remote_port", (int)t->s.remote_port, "ssh_host",
	                      t->s.ssh_host, "ssh_port", (int)t->s.ssh_port, "ssh_user",
	                      t->s.ssh_user ? t->s.ssh_user : "", "auth",
	                      tusk_ssh_auth_name(t->s.auth), "channels", (int)t->channels,
	                      "rebuilds", (int)t->rebuilds, "last_error", err);
	pthread_mutex_unlock(&t->lock);
	return j;
}

unsigned tunnel_rebuilds(struct tunnel *t)
{
	pthread_mutex_lock(&t->lock);
	unsigned n = t->rebuilds;
	pthread_mutex_unlock(&t->lock);
	return n;
}
