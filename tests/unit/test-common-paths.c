/* XDG places and their TUSK_* overrides; mkdir -p and its errors. Check
 * runs each test in its own process, so changing the environment is safe. */
#include "common/paths.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/lib/tt-check.h"

static char tmp[] = "/tmp/tusk-paths-XXXXXX";

static void setup(void)
{
	strcpy(tmp, "/tmp/tusk-paths-XXXXXX"); /* CK_FORK=no runs every test here */
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	static const char *const vars[] = {
	    "TUSK_SOCKET",     "TUSK_DATA_DIR", "TUSK_STATE_DIR", "TUSK_CACHE_DIR",
	    "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("HOME", "/home/ada", 1);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

#define ASSERT_PATH(call, want)                                   \
	do {                                                      \
		TuskError e_ = TUSK_ERROR_INIT;                   \
		_cleanup_free_ char *p_ = call(&e_);              \
		ck_assert_msg(p_, "%s", tusk_error_message(&e_)); \
		ck_assert_str_eq(p_, want);                       \
	} while (0)

START_TEST(home_fallbacks)
{
	char sock[64];
	snprintf(sock, sizeof(sock), "/tmp/tusk-%u/tuskd.sock", (unsigned)getuid());
	ASSERT_PATH(tusk_path_socket, sock);
	ASSERT_PATH(tusk_path_data_dir, "/home/ada/.local/share/tusk");
	ASSERT_PATH(tusk_path_state_dir, "/home/ada/.local/state/tusk");
	ASSERT_PATH(tusk_path_log_dir, "/home/ada/.local/state/tusk/logs");
	ASSERT_PATH(tusk_path_cache_dir, "/home/ada/.cache/tusk");
}
END_TEST

START_TEST(xdg_variables)
{
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("XDG_DATA_HOME", "/d/", 1);
	setenv("XDG_STATE_HOME", "/s", 1);
	setenv("XDG_CACHE_HOME", "/c", 1);
	ASSERT_PATH(tusk_path_socket, "/run/user/1000/tusk/tuskd.sock");
	ASSERT_PATH(tusk_path_data_dir, "/d/tusk");
	ASSERT_PATH(tusk_path_state_dir, "/s/tusk");
	ASSERT_PATH(tusk_path_log_dir, "/s/tusk/logs");
	ASSERT_PATH(tusk_path_cache_dir, "/c/tusk");
}
END_TEST

START_TEST(relative_or_empty_xdg_ignored)
{
	setenv("XDG_DATA_HOME", "relative/dir", 1);
	setenv("XDG_CACHE_HOME", "", 1);
	ASSERT_PATH(tusk_path_data_dir, "/home/ada/.local/share/tusk");
	ASSERT_PATH(tusk_path_cache_dir, "/home/ada/.cache/tusk");
}
END_TEST

START_TEST(tusk_overrides_win)
{
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("XDG_DATA_HOME", "/d", 1);
	setenv("TUSK_SOCKET", "/tmp/private.sock", 1);
	setenv("TUSK_DATA_DIR", "/srv/tusk-data", 1);
	setenv("TUSK_STATE_DIR", "/srv/tusk-state", 1);
	setenv("TUSK_CACHE_DIR", "/srv/tusk-cache", 1);
	ASSERT_PATH(tusk_path_socket, "/tmp/private.sock");
	ASSERT_PATH(tusk_path_data_dir, "/srv/tusk-data");
	ASSERT_PATH(tusk_path_log_dir, "/srv/tusk-state/logs");
	ASSERT_PATH(tusk_path_cache_dir, "/srv/tusk-cache");
}
END_TEST

START_TEST(home_from_password_database)
{
	struct passwd *pw = getpwuid(getuid());
	char want[512];
	ck_assert_ptr_nonnull(pw);
	snprintf(want, sizeof(want), "%s/.local/share/tusk", pw->pw_dir);
	unsetenv("HOME");
	ASSERT_PATH(tusk_path_data_dir, want);
}
END_TEST

START_TEST(mkdir_p_creates_with_mode)
{
	char path[256];
	struct stat st;
	TuskError e = TUSK_ERROR_INIT;
	snprintf(path, sizeof(path), "%s/a//b/c/", tmp);

	umask(022);
	ck_assert_int_eq(tusk_mkdir_p(path, 0700, &e), 0);
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/a", tmp);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);

	/* Existing directories are fine and keep their mode. */
	ck_assert_int_eq(chmod(path, 0755), 0);
	ck_assert_int_eq(tusk_mkdir_p(path, 0700, &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(tusk_mkdir_p("/", 0700, &e), 0);
}
END_TEST

/* Tests run as root, so permissions cannot stop mkdir: a regular file in
 * the way can. */
START_TEST(mkdir_p_under_a_file)
{
	char file[256], path[300], want[400];
	TuskError e = TUSK_ERROR_INIT;
	snprintf(file, sizeof(file), "%s/plain-file", tmp);
	int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/logs/today", file);

	ck_assert_int_eq(tusk_mkdir_p(path, 0700, &e), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(e.kind, TUSK_ERR_IO);
	snprintf(want, sizeof(want), "cannot create directory '%s': Not a directory", path);
	ck_assert_str_eq(e.message, want);
	snprintf(want, sizeof(want), "'%s' exists and is not a directory", file);
	ck_assert_str_eq(e.detail, want);

	/* The path itself being a file is refused too. */
	ck_assert_int_eq(tusk_mkdir_p(file, 0700, &e), -1);
	snprintf(want, sizeof(want), "cannot create directory '%s': Not a directory", file);
	ck_assert_str_eq(e.message, want);

	ck_assert_int_eq(tusk_mkdir_p("", 0700, &e), -1);
	ck_assert_int_eq(e.kind, TUSK_ERR_INVALID_INPUT);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(dirname)
{
	static const char *const cases[][2] = {
	    {"/a/b", "/a"}, {"/a/b/", "/a"}, {"/a", "/"},   {"/", "/"},   {"a", "."},
	    {"a/b", "a"},   {"", "."},       {"a//b", "a"}, {"//a", "/"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *d = tusk_path_dirname(cases[i][0]);
		ck_assert_msg(strcmp(d, cases[i][1]) == 0, "dirname(\"%s\") = \"%s\"", cases[i][0],
		              d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common-paths");
	TCase *tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, home_fallbacks);
	tcase_add_test(tc, xdg_variables);
	tcase_add_test(tc, relative_or_empty_xdg_ignored);
	tcase_add_test(tc, tusk_overrides_win);
	tcase_add_test(tc, home_from_password_database);
	tcase_add_test(tc, mkdir_p_creates_with_mode);
	tcase_add_test(tc, mkdir_p_under_a_file);
	tcase_add_test(tc, dirname);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
