/* Worker threads post finished jobs to a list and wake the loop through an
 * eventfd; the loop runs the done callbacks. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/worker/worker.h"

struct job {
	worker_fn work;
	worker_fn done;
	void *arg;
	struct job *next;
};

struct job_list {
	struct job *head, *tail;
	size_t len;
};

struct worker_pool {
	struct event_base *base;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job_list todo;
	struct job_list finished;
	unsigned nthreads;
	unsigned busy;
	bool stopping;
	pthread_t *threads;
	int efd;
	struct event *ev;
};

static void list_push(struct job_list *l, struct job *j)
{
	j->next = NULL;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->len++;
}

static struct job *list_pop(struct job_list *l)
{
	struct job *j = l->head;
	if (!j)
		return NULL;
	l->head = j->next;
	if (!l->head)
		l->tail = NULL;
	l->len--;
	return j;
}

static void *worker_main(void *data)
{
	struct worker_pool *p = data;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j;
		while (!(j = list_pop(&p->todo)) && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!j)
			break;
		p->busy++;
		pthread_mutex_unlock(&p->lock);

		if (j->work)
			j->work(j->arg);

		pthread_mutex_lock(&p->lock);
		p->busy--;
		list_push(&p->finished, j);
		uint64_t one = 1;
		/* An eventfd counter cannot overflow here; a failed write only
		 * delays the done callback until the next wake-up. */
		(void)!write(p->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void run_finished(struct worker_pool *p)
{
	struct job_list done;

	pthread_mutex_lock(&p->lock);
	done = p->finished;
	p->finished = (struct job_list){0};
	pthread_mutex_unlock(&p->lock);

	struct job *j;
	while ((j = list_pop(&done))) {
		if (j->done)
			j->done(j->arg);
		free(j);
	}
}

static void on_wake(evutil_socket_t fd, short what, void *data)
{
	uint64_t n;
	(void)!read(fd, &n, sizeof(n));
	run_finished(data);
}

struct worker_pool *worker_pool_new(struct event_base *base, unsigned threads)
{
	struct worker_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base = base;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->threads = calloc(threads, sizeof(*p->threads));
	if (p->efd < 0 || !p->threads)
		goto fail;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->ev = event_new(base, p->efd, EV_READ | EV_PERSIST, on_wake, p);
	if (!p->ev || event_add(p->ev, NULL) < 0)
		goto fail;
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0)
		goto fail;
	return p;
fail:
	if (p->ev)
		event_free(p->ev);
	if (p->efd >= 0)
		close(p->efd);
	free(p->threads);
	free(p);
	return NULL;
}

void worker_pool_free(struct worker_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	/* Jobs left in todo never ran: threads drain todo before they stop. */
	run_finished(p);
	event_free(p->ev);
	close(p->efd);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p->threads);
	free(p);
}

int worker_submit(struct worker_pool *p, worker_fn work, worker_fn done, void *arg)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct job){.work = work, .done = done, .arg = arg};

	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		return -ESHUTDOWN;
	}
	list_push(&p->todo, j);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void worker_pool_stats(struct worker_pool *p, struct worker_stats *ret)
{
	pthread_mutex_lock(&p->lock);
	*ret =
	    (struct worker_stats){.threads = p->nthreads, .busy = p->busy, .queued = p->todo.len};
	pthread_mutex_unlock(&p->lock);
}
