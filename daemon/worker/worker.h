/* A small thread pool for calls that block by nature (keyring, PQcancel,
 * DNS, big SQLite writes). work runs on a worker thread; done runs later on
 * the loop thread with the same arg. Nothing else of the daemon may be
 * touched from work. */
#pragma once

#include <event2/event.h>
#include <stddef.h>

struct worker_pool;

typedef void (*worker_fn)(void *arg);

struct worker_stats {
	unsigned threads;
	unsigned busy;
	size_t queued;
};

struct worker_pool *worker_pool_new(struct event_base *base, unsigned threads);
/* Waits for queued and running jobs to finish and runs their done callbacks,
 * then joins the threads. Accepts NULL. */
void worker_pool_free(struct worker_pool *p);
/* Returns 0, or -ESHUTDOWN when the pool is stopping, -ENOMEM. */
int worker_submit(struct worker_pool *p, worker_fn work, worker_fn done, void *arg);
void worker_pool_stats(struct worker_pool *p, struct worker_stats *ret);
