/* ssh.trust_host_key: host keys refused as unknown, remembered on the loop
 * per saved connection and per SSH server (an unsaved config's test has no
 * connection id), and appended to known_hosts on a worker when the user
 * confirms the fingerprint. Never used for a changed key: those are
 * refused before they get here. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/db/tunnel-internal.h"
#include "daemon/db/db-internal.h"
#include "daemon/worker/worker.h"

#define TRUST_PENDINGS_MAX 64

/* One unknown key seen; the newest is first in db->trust_pendings. */
struct pending {
	char *connection_id; /* NULL: an unsaved config's test */
	char *given_host;    /* the SSH server as configured; key.host as resolved */
	int given_port;
	char *home;
	struct hostkey key;
	struct pending *next;
};

static void pending_free(struct pending *p)
{
	free(p->connection_id);
	free(p->given_host);
	free(p->home);
	hostkey_clear(&p->key);
	free(p);
}

static bool at_server(const struct pending *p, const char *host, int port)
{
	return (port == p->given_port && strcasecmp(host, p->given_host) == 0) ||
	       (port == p->key.port && strcasecmp(host, p->key.host) == 0);
}

/* What a newer key seen replaces: the same saved connection's, or an
 * unsaved test's at the same server. */
static bool replaced_by(const struct pending *p, const char *connection_id, const char *given_host,
                        int given_port)
{
	if (connection_id || p->connection_id)
		return connection_id && p->connection_id &&
		       strcmp(connection_id, p->connection_id) == 0;
	return at_server(p, given_host, given_port);
}

/* The newest key the name refers to. */
static struct pending **find(struct db *db, const struct tunnel_key_name *n)
{
	struct pending **pp = &db->trust_pendings;
	for (; *pp; pp = &(*pp)->next) {
		if (n->connection_id ? (*pp)->connection_id &&
		                           strcmp((*pp)->connection_id, n->connection_id) == 0
		                     : at_server(*pp, n->ssh_host, n->ssh_port))
			break;
	}
	return pp;
}

void tunnel_trust_remember(struct db *db, const char *connection_id, const char *given_host,
                           int given_port, const char *home, struct hostkey *k)
{
	for (struct pending **pp = &db->trust_pendings; *pp;) {
		if (replaced_by(*pp, connection_id, given_host, given_port)) {
			struct pending *old = *pp;
			*pp = old->next;
			pending_free(old);
		} else {
			pp = &(*pp)->next;
		}
	}
	struct pending *p = calloc(1, sizeof(*p));
	if (!p || !given_host || !k->host || !(p->given_host = strdup(given_host)) ||
	    (connection_id && !(p->connection_id = strdup(connection_id))) ||
	    (home && !(p->home = strdup(home)))) {
		if (p)
			pending_free(p);
		hostkey_clear(k);
		return;
	}
	p->given_port = given_port;
	p->key = *k;
	memset(k, 0, sizeof(*k));
	p->next = db->trust_pendings;
	db->trust_pendings = p;
	/* Each unsaved config's Test adds one: keep the newest, not all. */
	int n = 0;
	for (struct pending **pp = &db->trust_pendings; *pp; pp = &(*pp)->next)
		if (++n == TRUST_PENDINGS_MAX) {
			while ((*pp)->next) {
				struct pending *old = (*pp)->next;
				(*pp)->next = old->next;
				pending_free(old);
			}
			break;
		}
}

struct trust_job {
	struct db *db;
	struct pending *p;
	bool named_by_id;
	tunnel_trust_cb cb;
	void *ud;
	TuskError e;
	int r;
};

static void trust_work(void *arg)
{
	struct trust_job *j = arg;
	const char *home = j->p->home ? j->p->home : getenv("HOME");
	j->r = tunnel_known_hosts_append(home ? home : "/", &j->p->key, &j->e);
}

static void trust_done(void *arg)
{
	struct trust_job *j = arg;
	if (j->r < 0) {
		j->cb(NULL, &j->e, j->ud);
	} else {
		/* The same key seen under other names is in known_hosts now. */
		for (struct pending **pp = &j->db->trust_pendings; *pp;) {
			struct pending *o = *pp;
			if (o->key.port == j->p->key.port &&
			    strcmp(o->key.host, j->p->key.host) == 0 &&
			    strcmp(o->key.fingerprint, j->p->key.fingerprint) == 0) {
				*pp = o->next;
				pending_free(o);
			} else {
				pp = &o->next;
			}
		}
		json_t *r = json_pack("{s:s, s:i, s:s}", "host", j->p->key.host, "port",
		                      j->p->key.port, "fingerprint", j->p->key.fingerprint);
		if (r && j->named_by_id && j->p->connection_id)
			json_object_set_new(r, "connection_id", json_string(j->p->connection_id));
		j->cb(r, NULL, j->ud);
		json_decref(r);
	}
	tusk_error_clear(&j->e);
	pending_free(j->p);
	free(j);
}

int tunnel_trust_host_key(struct db *db, const struct tunnel_key_name *name,
                          const char *fingerprint, tunnel_trust_cb cb, void *ud, TuskError *e)
{
	struct pending **pp = find(db, name);
	if (!*pp && name->connection_id)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "no unknown host key was seen for this connection: open it "
		                      "first, then trust the fingerprint its error shows");
	if (!*pp)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "no unknown host key was seen at %s:%d since the daemon "
		                      "started: test or open the connection first, then trust the "
		                      "fingerprint its error shows",
		                      name->ssh_host, name->ssh_port);
	if (strcmp((*pp)->key.fingerprint, fingerprint) != 0)
		return tusk_error_set(e, TUSK_ERR_SSH,
		                      "the fingerprint does not match the host key the server "
		                      "offered (%s)",
		                      (*pp)->key.fingerprint);
	struct trust_job *j = calloc(1, sizeof(*j));
	if (!j)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	j->p = *pp;
	*pp = j->p->next;
	j->p->next = NULL;
	j->db = db;
	j->named_by_id = name->connection_id != NULL;
	j->cb = cb;
	j->ud = ud;
	if (worker_submit(db->env.workers, trust_work, trust_done, j) < 0) {
		/* Put it back: the daemon is stopping. */
		j->p->next = db->trust_pendings;
		db->trust_pendings = j->p;
		free(j);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "the daemon is stopping");
	}
	return 0;
}
