/* The logger: TUSK_LOG specs, the daily file, retention, the console-only
 * fallback, and whole lines from many threads. Each test runs in its own
 * process (Check's fork mode), so the global logger starts fresh. */
#include "common/log.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/timestamp.h"
#include "tests/lib/tt-check.h"

static char tmp[] = "/tmp/tusk-log-XXXXXX";

static void setup(void)
{
	strcpy(tmp, "/tmp/tusk-log-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	tusk_log_set_spec(NULL);
	tusk_log_set_console(true);
}

static void teardown(void)
{
	char cmd[256];
	tusk_log_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	char chunk[4096];
	size_t r;
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, r, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Send stderr to a file for the rest of the test; returns its path. */
static const char *capture_stderr(void)
{
	static char path[300];
	snprintf(path, sizeof(path), "%s/stderr.txt", tmp);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	return path;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void today_name(char *out, size_t size, const char *dir, int64_t days_ago)
{
	int y;
	unsigned m, d;
	tusk_civil_from_days(tusk_now_us() / (INT64_C(86400) * 1000000) - days_ago, &y, &m, &d);
	snprintf(out, size, "%s/tuskd.log.%04d-%02u-%02u", dir, y, m, d);
}

START_TEST(spec_parsing)
{
	ck_assert_int_eq(tusk_log_set_spec("info,db=debug"), 0);
	ck_assert(tusk_log_enabled(TUSK_LOG_INFO, "rpc"));
	ck_assert(!tusk_log_enabled(TUSK_LOG_DEBUG, "rpc"));
	ck_assert(tusk_log_enabled(TUSK_LOG_DEBUG, "db"));
	ck_assert(tusk_log_enabled(TUSK_LOG_DEBUG, "db.pool")); /* a sub-domain */
	ck_assert(!tusk_log_enabled(TUSK_LOG_DEBUG, "dbx"));    /* not a prefix match */
	ck_assert(!tusk_log_enabled(TUSK_LOG_TRACE, "db"));
	ck_assert(tusk_log_enabled(TUSK_LOG_INFO, NULL));

	ck_assert_int_eq(tusk_log_set_spec(" warn , db = trace, db.pool=error "), 0);
	ck_assert(!tusk_log_enabled(TUSK_LOG_INFO, "rpc"));
	ck_assert(tusk_log_enabled(TUSK_LOG_TRACE, "db"));
	ck_assert(!tusk_log_enabled(TUSK_LOG_WARN, "db.pool")); /* the longest match wins */

	/* A bad spec changes nothing. */
	ck_assert_int_eq(tusk_log_set_spec("loud"), -EINVAL);
	ck_assert_int_eq(tusk_log_set_spec("info,db=loud"), -EINVAL);
	ck_assert_int_eq(tusk_log_set_spec("info,=debug"), -EINVAL);
	ck_assert(tusk_log_enabled(TUSK_LOG_TRACE, "db"));
	ck_assert(!tusk_log_enabled(TUSK_LOG_INFO, "rpc"));

	char many[1024] = "info";
	for (int i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), ",d%d=debug", i);
	ck_assert_int_eq(tusk_log_set_spec(many), -E2BIG);

	ck_assert_int_eq(tusk_log_set_spec(""), 0);
	ck_assert(tusk_log_enabled(TUSK_LOG_INFO, "db"));
	ck_assert(!tusk_log_enabled(TUSK_LOG_DEBUG, "db"));
}
END_TEST

START_TEST(level_names)
{
	static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
	for (int l = TUSK_LOG_ERROR; l <= TUSK_LOG_TRACE; l++) {
		ck_assert_str_eq(tusk_log_level_name(l), names[l]);
		ck_assert_int_eq(tusk_log_level_from_name(names[l]), l);
	}
	ck_assert_int_eq(tusk_log_level_from_name("DEBUG"), TUSK_LOG_DEBUG);
	ck_assert_int_eq(tusk_log_level_from_name("warning"), TUSK_LOG_WARN);
	ck_assert_int_eq(tusk_log_level_from_name("verbose"), -1);
}
END_TEST

START_TEST(file_lines_and_modes)
{
	char dir[300], want[400];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/state/logs", tmp);
	const char *err = capture_stderr();

	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), 0);
	today_name(want, sizeof(want), dir, 0);
	ck_assert_str_eq(tusk_log_file_path(), want);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	/* The file descriptor must not leak into programs the daemon starts. */
	bool found = false;
	DIR *fds = opendir("/proc/self/fd");
	struct dirent *de;
	while ((de = readdir(fds))) {
		char link[PATH_MAX + 1], p[300];
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		ssize_t n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) == 0) {
			found = true;
			ck_assert(fcntl(atoi(de->d_name), F_GETFD) & FD_CLOEXEC);
		}
	}
	closedir(fds);
	ck_assert(found);

	log_info("rpc", "hello %d", 42);
	log_debug("rpc", "not at info level");
	log_warn("db", "two\n");
	log_error(NULL, "no domain");

	_cleanup_free_ char *text = slurp(want);
	ck_assert_uint_eq(count_lines(text), 3);
	regex_t re;
	ck_assert_int_eq(
	    regcomp(&re,
	            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
	            "INFO  rpc: hello 42\n"
	            "[0-9T:.Z-]{24} WARN  db: two\n"
	            "[0-9T:.Z-]{24} ERROR no domain\n$",
	            REG_EXTENDED),
	    0);
	ck_assert_msg(regexec(&re, text, 0, NULL, 0) == 0, "log file:\n%s", text);
	regfree(&re);

	/* The console got the same lines. */
	_cleanup_free_ char *console = slurp(err);
	ck_assert_str_eq(console, text);
}
END_TEST

START_TEST(long_message_whole)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/logs", tmp);
	tusk_log_set_console(false);
	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), 0);

	char *big = malloc(20001);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	log_info("q", "%s|end", big);
	free(big);
	_cleanup_free_ char *text = slurp(tusk_log_file_path());
	ck_assert_ptr_nonnull(strstr(text, "|end\n"));
	ck_assert_uint_eq(strlen(text), 24 + 1 + 5 + 1 + 3 + 20000 + 4 + 1);
}
END_TEST

START_TEST(retention_deletes_only_old_files_of_that_name)
{
	char dir[300], old[400], recent[400], other[400], odd[400];
	snprintf(dir, sizeof(dir), "%s/logs", tmp);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	today_name(old, sizeof(old), dir, 8);
	today_name(recent, sizeof(recent), dir, 7);
	snprintf(other, sizeof(other), "%s/other.log.2000-01-01", dir);
	snprintf(odd, sizeof(odd), "%s/tuskd.log.old", dir);
	const char *files[] = {old, recent, other, odd};
	for (int i = 0; i < 4; i++) {
		int fd = open(files[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}

	tusk_log_set_console(false);
	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), 0);
	ck_assert_int_eq(access(old, F_OK), -1);   /* 8 days old: gone */
	ck_assert_int_eq(access(recent, F_OK), 0); /* 7 days: kept */
	ck_assert_int_eq(access(other, F_OK), 0);  /* another program's */
	ck_assert_int_eq(access(odd, F_OK), 0);    /* not a dated name */
	ck_assert_int_eq(access(tusk_log_file_path(), F_OK), 0);
}
END_TEST

START_TEST(console_only_when_dir_is_a_file)
{
	char file[300], dir[350];
	snprintf(file, sizeof(file), "%s/not-a-dir", tmp);
	int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(dir, sizeof(dir), "%s/logs", file);
	const char *err = capture_stderr();

	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), -ENOTDIR);
	ck_assert_ptr_null(tusk_log_file_path());
	log_info("daemon", "still here");

	_cleanup_free_ char *console = slurp(err);
	ck_assert_uint_eq(count_lines(console), 2);
	ck_assert_msg(strstr(console, "warning") && strstr(console, dir) &&
	                  strstr(console, "console only"),
	              "%s", console);
	ck_assert_ptr_nonnull(strstr(console, "INFO  daemon: still here\n"));
}
END_TEST

START_TEST(reopen_after_move)
{
	char dir[300], moved[400];
	snprintf(dir, sizeof(dir), "%s/logs", tmp);
	tusk_log_set_console(false);
	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), 0);
	log_info("t", "before");
	_cleanup_free_ char *path = strdup(tusk_log_file_path());
	snprintf(moved, sizeof(moved), "%s/rotated", tmp);
	ck_assert_int_eq(rename(path, moved), 0);

	ck_assert_int_eq(tusk_log_reopen(), 0);
	log_info("t", "after");
	_cleanup_free_ char *fresh = slurp(path);
	_cleanup_free_ char *old = slurp(moved);
	ck_assert_ptr_nonnull(strstr(fresh, "after"));
	ck_assert_ptr_null(strstr(fresh, "before"));
	ck_assert_ptr_nonnull(strstr(old, "before"));
}
END_TEST

#define THREADS 4
#define LINES   2000

static void *writer(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < LINES; i++)
		log_info("worker", "thread %ld line %d %s", id, i,
		         "padding padding padding padding padding padding padding");
	return NULL;
}

START_TEST(threads_write_whole_lines)
{
	char dir[300];
	pthread_t t[THREADS];
	snprintf(dir, sizeof(dir), "%s/logs", tmp);
	tusk_log_set_console(false);
	ck_assert_int_eq(tusk_log_open_file(dir, "tuskd.log", 7), 0);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	_cleanup_free_ char *text = slurp(tusk_log_file_path());
	ck_assert_uint_eq(count_lines(text), THREADS * LINES);
	regex_t re;
	ck_assert_int_eq(regcomp(&re,
	                         "^[0-9T:.Z-]{24} INFO  worker: thread [0-3] line [0-9]+ "
	                         "(padding ?){7}$",
	                         REG_EXTENDED | REG_NOSUB),
	                 0);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "torn line: %s", line);
	regfree(&re);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-log");
	TCase *tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, spec_parsing);
	tcase_add_test(tc, level_names);
	tcase_add_test(tc, file_lines_and_modes);
	tcase_add_test(tc, long_message_whole);
	tcase_add_test(tc, retention_deletes_only_old_files_of_that_name);
	tcase_add_test(tc, console_only_when_dir_is_a_file);
	tcase_add_test(tc, reopen_after_move);
	tcase_add_test(tc, threads_write_whole_lines);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
