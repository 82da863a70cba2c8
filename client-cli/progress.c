/* While a query runs on a terminal: after a second, its id on stderr (so
 * 'tuskctl cancel ID' can be used from elsewhere), then a progress line
 * (rows, rate, elapsed) redrawn at most every 100 ms. Nothing when stderr
 * is not a terminal. The id line is written from SIGALRM (a query may
 * send nothing for a long time), with async-signal-safe calls only. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"

#define SHOW_AFTER_MS 1000

static char id_line[256];
static size_t id_len;
static volatile sig_atomic_t id_shown;
static bool enabled, drawn, rows_allowed;
static double started_ms, drawn_ms;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_alarm(int sig)
{
	(void)sig;
	if (!id_shown)
		(void)!write(STDERR_FILENO, id_line, id_len);
	id_shown = 1;
}

void ctl_progress_begin(const char *query_id, bool stdout_shared)
{
	enabled = isatty(STDERR_FILENO);
	drawn = false;
	id_shown = 0;
	started_ms = now_ms();
	drawn_ms = 0;
	/* Rows streamed to the same terminal would break the line. */
	rows_allowed = !stdout_shared;
	if (!enabled)
		return;
	/* The id in full on its own: cancel takes the whole id. */
	id_len = (size_t)snprintf(id_line, sizeof(id_line),
	                          "tuskctl: query %s is running (Ctrl-C or 'tuskctl cancel "
	                          "ID' stops it)\n",
	                          query_id);
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {.tv_sec = SHOW_AFTER_MS / 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

void ctl_progress_rows(unsigned long long rows)
{
	if (!enabled || !rows_allowed || !id_shown)
		return;
	double t = now_ms();
	if (t - drawn_ms < 100)
		return;
	drawn_ms = t;
	double s = (t - started_ms) / 1000.0;
	fprintf(stderr, "\r\033[K%llu rows, %.0f rows/s, %.1f s", rows, s > 0 ? rows / s : 0.0, s);
	fflush(stderr);
	drawn = true;
}

void ctl_progress_clear(void)
{
	if (drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		drawn = false;
	}
}

void ctl_progress_end(void)
{
	if (!enabled)
		return;
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	ctl_progress_clear();
	enabled = false;
}
