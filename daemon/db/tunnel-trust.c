/* ssh.trust_host_key: host keys refused as unknown, remembered per
 * connection on the loop, and appended to known_hosts on a worker when the
 * user confirms the fingerprint. Never used for a changed key: those are
 * refused before they get here. */
#include <stdlib.h>
#include <string.h>

#include "daemon/db/tunnel-internal.h"
#include "daemon/db/db-internal.h"
#include "daemon/worker/worker.h"

struct pending {
	char *connection_id;
	char *home;
	struct hostkey key;
	struct pending *next;
};

static void pending_free(struct pending *p)
{
	free(p->connection_id);
	free(p->home);
	hostkey_clear(&p->key);
	free(p);
}

static struct pending **find(struct db *db, const char *connection_id)
{
	struct pending **pp = &db->trust_pendings;
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->connection_id, connection_id) == 0)
			break;
	return pp;
}

void tunnel_trust_remember(struct db *db, const char *connection_id, const char *home,
                           struct hostkey *k)
{
	struct pending **pp = find(db, connection_id);
	if (*pp) {
		struct pending *old = *pp;
		*pp = old->next;
		pending_free(old);
	}
	struct pending *p = calloc(1, sizeof(*p));
	if (!p || !(p->connection_id = strdup(connection_id))) {
		free(p);
		hostkey_clear(k);
		return;
	}
	p->home = home ? strdup(home) : NULL;
	p->key = *k;
	memset(k, 0, sizeof(*k));
	p->next = db->trust_pendings;
	db->trust_pendings = p;
}

struct trust_job {
	struct pending *p;
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
		json_t *r = json_pack("{s:s, s:s, s:i, s:s}", "connection_id", j->p->connection_id,
		                      "host", j->p->key.host, "port", j->p->key.port, "fingerprint",
		                      j->p->key.fingerprint);
		j->cb(r, NULL, j->ud);
		json_decref(r);
	}
	tusk_error_clear(&j->e);
	pending_free(j->p);
	free(j);
}

int tunnel_trust_host_key(struct db *db, const char *connection_id, const char *fingerprint,
                          tunnel_trust_cb cb, void *ud, TuskError *e)
{
	struct pending **pp = find(db, connection_id);
	if (!*pp)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "no unknown host key was seen for this connection: open it "
		                      "first, then trust the fingerprint its error shows");
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
