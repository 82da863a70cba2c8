/* The worker pool: jobs run off the loop thread, their done callbacks run
 * on it, and freeing the pool finishes what was queued. */
#include <check.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/worker/worker.h"
#include "tests/lib/tt-check.h"

static pthread_t loop_thread;
static atomic_int worked;
static int done_on_loop, done_elsewhere, done_count;
static struct event_base *base;

static void work(void *arg)
{
	if (pthread_equal(pthread_self(), loop_thread))
		return; /* counted as not worked: the test fails */
	usleep(20000);
	atomic_fetch_add(&worked, 1);
}

static void done(void *arg)
{
	if (pthread_equal(pthread_self(), loop_thread))
		done_on_loop++;
	else
		done_elsewhere++;
	if (++done_count == *(int *)arg)
		event_base_loopbreak(base);
}

START_TEST(jobs_run_off_loop_and_finish_on_it)
{
	int total = 16;
	loop_thread = pthread_self();
	base = event_base_new();
	struct worker_pool *p = worker_pool_new(base, 4);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < total; i++)
		ck_assert_int_eq(worker_submit(p, work, done, &total), 0);

	struct worker_stats st;
	worker_pool_stats(p, &st);
	ck_assert_uint_eq(st.threads, 4);
	/* Jobs take 20 ms each: right after submitting, most are waiting. */
	ck_assert_uint_le(st.busy, 4);
	ck_assert_uint_gt(st.busy + st.queued, 0);

	struct timeval limit = {.tv_sec = 10};
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	ck_assert_int_eq(atomic_load(&worked), total);
	ck_assert_int_eq(done_on_loop, total);
	ck_assert_int_eq(done_elsewhere, 0);
	worker_pool_free(p);
	event_base_free(base);
}
END_TEST

static int freed_done;
static void count_done(void *arg)
{
	freed_done++;
}

START_TEST(free_finishes_queued_jobs)
{
	loop_thread = pthread_self();
	base = event_base_new();
	struct worker_pool *p = worker_pool_new(base, 2);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(worker_submit(p, work, count_done, NULL), 0);
	/* No loop runs: free must still run every job and its done. */
	worker_pool_free(p);
	ck_assert_int_eq(atomic_load(&worked), 10);
	ck_assert_int_eq(freed_done, 10);
	event_base_free(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-worker");
	TCase *tc = tcase_create("pool");
	tcase_add_test(tc, jobs_run_off_loop_and_finish_on_it);
	tcase_add_test(tc, free_finishes_queued_jobs);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
