/* One process-wide logger. Workers log too, so every entry point takes the
 * mutex; a line is formatted first and written with one write(2) per sink so
 * lines from different threads never interleave. */
#include "common/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/paths.h"
#include "common/timestamp.h"

#define MAX_DOMAINS    16
#define MAX_DOMAIN_LEN 32
#define US_PER_DAY     (INT64_C(86400) * 1000000)

struct domain_level {
	char name[MAX_DOMAIN_LEN];
	TuskLogLevel level;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static TuskLogLevel default_level = TUSK_LOG_INFO;
static struct domain_level domains[MAX_DOMAINS];
static size_t n_domains;
static bool console = true;

static int file_fd = -1;
static char *file_dir;
static char *file_base;
static char *file_path;
static unsigned file_retention;
static int64_t file_day; /* UTC day number the open file is named for */

static const char *const level_names[] = {
    [TUSK_LOG_ERROR] = "error", [TUSK_LOG_WARN] = "warn",   [TUSK_LOG_INFO] = "info",
    [TUSK_LOG_DEBUG] = "debug", [TUSK_LOG_TRACE] = "trace",
};
/* Padded to one width so messages line up. */
static const char *const level_tags[] = {
    [TUSK_LOG_ERROR] = "ERROR", [TUSK_LOG_WARN] = "WARN ",  [TUSK_LOG_INFO] = "INFO ",
    [TUSK_LOG_DEBUG] = "DEBUG", [TUSK_LOG_TRACE] = "TRACE",
};

int tusk_log_level_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int l = TUSK_LOG_ERROR; l <= TUSK_LOG_TRACE; l++)
		if (strcasecmp(name, level_names[l]) == 0)
			return l;
	if (strcasecmp(name, "warning") == 0)
		return TUSK_LOG_WARN;
	return -1;
}

const char *tusk_log_level_name(TuskLogLevel level)
{
	if ((int)level < TUSK_LOG_ERROR || level > TUSK_LOG_TRACE)
		return "unknown";
	return level_names[level];
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int tusk_log_set_spec(const char *spec)
{
	TuskLogLevel def = TUSK_LOG_INFO;
	struct domain_level parsed[MAX_DOMAINS];
	size_t n = 0;

	if (spec) {
		_cleanup_free_ char *copy = strdup(spec);
		char *save = NULL;
		if (!copy)
			return -ENOMEM;
		for (char *tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			tok = trim(tok);
			if (!tok[0])
				continue;
			char *eq = strchr(tok, '=');
			if (!eq) {
				int l = tusk_log_level_from_name(tok);
				if (l < 0)
					return -EINVAL;
				def = (TuskLogLevel)l;
				continue;
			}
			*eq = '\0';
			char *name = trim(tok);
			int l = tusk_log_level_from_name(trim(eq + 1));
			if (l < 0 || !name[0] || strlen(name) >= MAX_DOMAIN_LEN)
				return -EINVAL;
			size_t i;
			for (i = 0; i < n; i++) /* a later entry for a domain wins */
				if (strcmp(parsed[i].name, name) == 0)
					break;
			if (i == n) {
				if (n == MAX_DOMAINS)
					return -E2BIG;
				n++;
			}
			snprintf(parsed[i].name, sizeof(parsed[i].name), "%s", name);
			parsed[i].level = (TuskLogLevel)l;
		}
	}

	pthread_mutex_lock(&log_lock);
	default_level = def;
	memcpy(domains, parsed, n * sizeof(parsed[0]));
	n_domains = n;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

/* "db" also governs "db.pool"; the longest matching name wins. */
static TuskLogLevel level_for_locked(const char *domain)
{
	TuskLogLevel level = default_level;
	size_t best = 0;

	if (!domain)
		return level;
	for (size_t i = 0; i < n_domains; i++) {
		size_t len = strlen(domains[i].name);
		if (strncmp(domain, domains[i].name, len) != 0)
			continue;
		if (domain[len] != '\0' && domain[len] != '.')
			continue;
		if (len > best) {
			best = len;
			level = domains[i].level;
		}
	}
	return level;
}

bool tusk_log_enabled(TuskLogLevel level, const char *domain)
{
	pthread_mutex_lock(&log_lock);
	bool on = level <= level_for_locked(domain);
	pthread_mutex_unlock(&log_lock);
	return on;
}

void tusk_log_set_console(bool enabled)
{
	pthread_mutex_lock(&log_lock);
	console = enabled;
	pthread_mutex_unlock(&log_lock);
}

static int64_t today(void)
{
	int64_t us = tusk_now_us();
	return us >= 0 ? us / US_PER_DAY : (us - US_PER_DAY + 1) / US_PER_DAY;
}

static char *dated_path(const char *dir, const char *base, int64_t day)
{
	int y;
	unsigned m, d;
	char *s = NULL;

	tusk_civil_from_days(day, &y, &m, &d);
	if (asprintf(&s, "%s/%s.%04d-%02u-%02u", dir, base, y, m, d) < 0)
		return NULL;
	return s;
}

/* Day number of "<base>.YYYY-MM-DD", or -1 for any other name. */
static int64_t day_of_name(const char *name, const char *base)
{
	size_t bl = strlen(base);
	unsigned y, m, d;
	char tail;

	if (strncmp(name, base, bl) != 0 || name[bl] != '.' || strlen(name + bl + 1) != 10)
		return -1;
	const char *date = name + bl + 1;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? date[i] != '-' : !isdigit((unsigned char)date[i]))
			return -1;
	if (sscanf(date, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > 31)
		return -1;
	return tusk_days_from_civil((int)y, m, d);
}

static void prune_locked(int64_t day)
{
	if (file_retention == 0)
		return;
	DIR *dir = opendir(file_dir);
	if (!dir)
		return;
	int dfd = dirfd(dir);
	struct dirent *de;
	while ((de = readdir(dir))) {
		int64_t d = day_of_name(de->d_name, file_base);
		if (d < 0 || d >= day - (int64_t)file_retention)
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(dir);
}

/* All of s to fd, through EINTR; a failing fd drops the rest (a log must
 * never stop the caller). */
static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* (Re)open the file for day; on failure the logger is console-only. */
static int open_locked(int64_t day)
{
	_cleanup_free_ char *path = dated_path(file_dir, file_base, day);
	if (!path)
		return -ENOMEM;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	if (file_fd >= 0)
		close(file_fd);
	file_fd = fd;
	free(file_path);
	file_path = TAKE_PTR(path);
	file_day = day;
	prune_locked(day);
	return 0;
}

static void forget_file_locked(void)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = -1;
	free(file_dir);
	free(file_base);
	free(file_path);
	file_dir = file_base = file_path = NULL;
}

static void warn_console_only(const char *what, const char *why, const char *detail)
{
	char line[2048];
	int n = snprintf(line, sizeof(line),
	                 "tusk: warning: %s: %s%s%s%s; logging to the console only\n", what, why,
	                 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	if (n > 0)
		write_all(STDERR_FILENO, line,
		          (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int tusk_log_open_file(const char *dir, const char *basename, unsigned retention_days)
{
	if (!dir || !dir[0] || !basename || !basename[0] || strchr(basename, '/'))
		return -EINVAL;

	pthread_mutex_lock(&log_lock);
	forget_file_locked();
	pthread_mutex_unlock(&log_lock);

	TuskError err = TUSK_ERROR_INIT;
	if (tusk_mkdir_p(dir, 0700, &err) < 0) {
		int r = errno > 0 ? -errno : -EIO;
		warn_console_only("cannot open the log file", tusk_error_message(&err), err.detail);
		tusk_error_clear(&err);
		return r;
	}

	pthread_mutex_lock(&log_lock);
	file_dir = strdup(dir);
	file_base = strdup(basename);
	file_retention = retention_days;
	int r = file_dir && file_base ? open_locked(today()) : -ENOMEM;
	_cleanup_free_ char *path =
	    r < 0 && file_dir && file_base ? dated_path(dir, basename, today()) : NULL;
	if (r < 0)
		forget_file_locked();
	pthread_mutex_unlock(&log_lock);
	if (r < 0) {
		_cleanup_free_ char *what = NULL;
		if (asprintf(&what, "cannot open log file '%s'", path ? path : dir) < 0)
			what = NULL;
		warn_console_only(what ? what : "cannot open the log file", strerror(-r), NULL);
	}
	return r;
}

int tusk_log_reopen(void)
{
	pthread_mutex_lock(&log_lock);
	/* Always reopen: after logrotate or a SIGHUP the name may be the same
	 * while the file behind our fd was moved away. */
	int r = file_dir ? open_locked(today()) : 0;
	pthread_mutex_unlock(&log_lock);
	return r;
}

const char *tusk_log_file_path(void)
{
	pthread_mutex_lock(&log_lock);
	const char *p = file_fd >= 0 ? file_path : NULL;
	pthread_mutex_unlock(&log_lock);
	return p;
}

void tusk_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	forget_file_locked();
	pthread_mutex_unlock(&log_lock);
}

void tusk_logv(TuskLogLevel level, const char *domain, const char *fmt, va_list ap)
{
	if ((int)level < TUSK_LOG_ERROR || level > TUSK_LOG_TRACE)
		level = TUSK_LOG_ERROR;
	if (!tusk_log_enabled(level, domain))
		return;

	int64_t now = tusk_now_us();
	char stamp[TUSK_TIMESTAMP_STRLEN];
	if (tusk_timestamp_format(now, 3, stamp) < 0)
		snprintf(stamp, sizeof(stamp), "%s", "0000-00-00T00:00:00.000Z");

	/* Format outside the lock; most lines fit the stack buffer. */
	char small[512];
	_cleanup_free_ char *big = NULL;
	char *line = small;
	int head = snprintf(small, sizeof(small), "%s %s %s%s", stamp, level_tags[level],
	                    domain ? domain : "", domain ? ": " : "");
	va_list aq;
	va_copy(aq, ap);
	int body = vsnprintf(small + head, sizeof(small) - (size_t)head, fmt, aq);
	va_end(aq);
	if (body < 0)
		return;
	size_t len = (size_t)head + (size_t)body;
	if (len + 1 >= sizeof(small)) {
		big = malloc(len + 2);
		if (big) {
			memcpy(big, small, (size_t)head);
			vsnprintf(big + head, (size_t)body + 1, fmt, ap);
			line = big;
		} else {
			len = sizeof(small) - 2;
		}
	}
	/* A message's own trailing newline would leave a blank line. */
	while (len > (size_t)head && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';

	pthread_mutex_lock(&log_lock);
	if (console)
		write_all(STDERR_FILENO, line, len);
	if (file_dir) {
		int64_t day = now >= 0 ? now / US_PER_DAY : -1;
		if (file_fd < 0 || day != file_day)
			(void)open_locked(day);
		if (file_fd >= 0)
			write_all(file_fd, line, len);
	}
	pthread_mutex_unlock(&log_lock);
}

void tusk_log(TuskLogLevel level, const char *domain, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tusk_logv(level, domain, fmt, ap);
	va_end(ap);
}
