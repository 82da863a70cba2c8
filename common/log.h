/* Logging: levels per domain from TUSK_LOG ("info,db=debug"), to stderr and
 * to a daily file with retention. Only the daemon and clients' mains set it
 * up; library code returns errors instead of logging. Never log a secret. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

typedef enum TuskLogLevel {
	TUSK_LOG_ERROR = 0,
	TUSK_LOG_WARN,
	TUSK_LOG_INFO,
	TUSK_LOG_DEBUG,
	TUSK_LOG_TRACE,
} TuskLogLevel;

/* Parse a spec such as "info", "warn,db=debug,rpc=trace". Returns 0 or
 * -EINVAL (nothing changed) for an unknown level. */
int tusk_log_set_spec(const char *spec);
/* Name ↔ level; -1 for an unknown name. */
int tusk_log_level_from_name(const char *name);
const char *tusk_log_level_name(TuskLogLevel level);
bool tusk_log_enabled(TuskLogLevel level, const char *domain);

/* Open the daily file "<dir>/<basename>.YYYY-MM-DD" (dir created 0700),
 * delete files of that basename older than retention_days. On failure the
 * logger stays console-only, writes one warning to stderr and returns a
 * negative errno. */
int tusk_log_open_file(const char *dir, const char *basename, unsigned retention_days);
/* Reopen (SIGHUP, or the day changed). Cheap if nothing changed. */
int tusk_log_reopen(void);
/* Path of the current file, or NULL when console-only. */
const char *tusk_log_file_path(void);
void tusk_log_set_console(bool enabled);
void tusk_log_close(void);

void tusk_log(TuskLogLevel level, const char *domain, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tusk_logv(TuskLogLevel level, const char *domain, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_error(dom, ...) tusk_log(TUSK_LOG_ERROR, dom, __VA_ARGS__)
#define log_warn(dom, ...)  tusk_log(TUSK_LOG_WARN, dom, __VA_ARGS__)
#define log_info(dom, ...)  tusk_log(TUSK_LOG_INFO, dom, __VA_ARGS__)
#define log_debug(dom, ...)                                         \
	do {                                                        \
		if (tusk_log_enabled(TUSK_LOG_DEBUG, dom))          \
			tusk_log(TUSK_LOG_DEBUG, dom, __VA_ARGS__); \
	} while (0)
#define log_trace(dom, ...)                                         \
	do {                                                        \
		if (tusk_log_enabled(TUSK_LOG_TRACE, dom))          \
			tusk_log(TUSK_LOG_TRACE, dom, __VA_ARGS__); \
	} while (0)
