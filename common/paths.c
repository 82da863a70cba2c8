#include "common/paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

/* The XDG spec says relative values are invalid and must be ignored. */
static const char *env_xdg(const char *name)
{
	const char *v = env_nonempty(name);
	return v && v[0] == '/' ? v : NULL;
}

static char *join(TuskError *e, const char *a, const char *b)
{
	char *s = NULL;
	size_t n = strlen(a);
	bool slash = n > 0 && a[n - 1] == '/';
	if (asprintf(&s, "%s%s%s", a, slash ? "" : "/", b) < 0) {
		tusk_error_from_errno(e, ENOMEM, "building a path");
		return NULL;
	}
	return s;
}

static char *home_dir(TuskError *e)
{
	const char *h = env_nonempty("HOME");
	if (h) {
		char *s = strdup(h);
		if (!s)
			tusk_error_from_errno(e, ENOMEM, "reading $HOME");
		return s;
	}

	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t bufsize = sz > 0 ? (size_t)sz : 16384;
	for (;;) {
		_cleanup_free_ char *buf = malloc(bufsize);
		struct passwd pw, *res = NULL;
		if (!buf) {
			tusk_error_from_errno(e, ENOMEM, "reading the password database");
			return NULL;
		}
		int r = getpwuid_r(getuid(), &pw, buf, bufsize, &res);
		if (r == ERANGE && bufsize < 1024 * 1024) {
			bufsize *= 2;
			continue;
		}
		if (r == 0 && res && res->pw_dir && res->pw_dir[0]) {
			char *s = strdup(res->pw_dir);
			if (!s)
				tusk_error_from_errno(e, ENOMEM, "reading the password database");
			return s;
		}
		tusk_error_set(e, TUSK_ERR_IO,
		               "cannot find the home directory: $HOME is unset and uid %u has no "
		               "entry in the password database",
		               (unsigned)getuid());
		if (r)
			tusk_error_set_detail(e, "getpwuid_r: %s", strerror(r));
		return NULL;
	}
}

/* $override, else $xdg/tusk, else ~/home_rel/tusk. */
static char *xdg_dir(TuskError *e, const char *override, const char *xdg, const char *home_rel)
{
	const char *v = env_nonempty(override);
	if (v) {
		char *s = strdup(v);
		if (!s)
			tusk_error_from_errno(e, ENOMEM, "building a path");
		return s;
	}
	v = env_xdg(xdg);
	if (v)
		return join(e, v, "tusk");

	_cleanup_free_ char *home = home_dir(e);
	if (!home)
		return NULL;
	_cleanup_free_ char *base = join(e, home, home_rel);
	return base ? join(e, base, "tusk") : NULL;
}

char *tusk_path_socket(TuskError *e)
{
	const char *v = env_nonempty("TUSK_SOCKET");
	if (v) {
		char *s = strdup(v);
		if (!s)
			tusk_error_from_errno(e, ENOMEM, "building a path");
		return s;
	}
	v = env_xdg("XDG_RUNTIME_DIR");
	if (v)
		return join(e, v, "tusk/tuskd.sock");

	char *s = NULL;
	if (asprintf(&s, "/tmp/tusk-%u/tuskd.sock", (unsigned)getuid()) < 0) {
		tusk_error_from_errno(e, ENOMEM, "building a path");
		return NULL;
	}
	return s;
}

char *tusk_path_data_dir(TuskError *e)
{
	return xdg_dir(e, "TUSK_DATA_DIR", "XDG_DATA_HOME", ".local/share");
}

char *tusk_path_state_dir(TuskError *e)
{
	return xdg_dir(e, "TUSK_STATE_DIR", "XDG_STATE_HOME", ".local/state");
}

char *tusk_path_log_dir(TuskError *e)
{
	_cleanup_free_ char *state = tusk_path_state_dir(e);
	return state ? join(e, state, "logs") : NULL;
}

char *tusk_path_cache_dir(TuskError *e)
{
	return xdg_dir(e, "TUSK_CACHE_DIR", "XDG_CACHE_HOME", ".cache");
}

static int mkdir_fail(TuskError *e, const char *path, const char *component, int err)
{
	tusk_error_set(e, TUSK_ERR_IO, "cannot create directory '%s': %s", path, strerror(err));
	if (strcmp(path, component) != 0) {
		if (err == ENOTDIR || err == EEXIST)
			tusk_error_set_detail(e, "'%s' exists and is not a directory", component);
		else
			tusk_error_set_detail(e, "creating '%s' failed: %s", component,
			                      strerror(err));
	}
	errno = err; /* for callers that report an errno, like the logger */
	return -1;
}

/* An existing component must be a directory (or a link to one). */
static int check_dir(const char *p)
{
	struct stat st;
	if (stat(p, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int tusk_mkdir_p(const char *path, unsigned mode, TuskError *e)
{
	if (!path || !path[0])
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "cannot create directory: empty path");

	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return tusk_error_from_errno(e, ENOMEM, "creating a directory");

	/* Walk each prefix ending before a '/', then the whole path. */
	for (char *s = p + 1;; s++) {
		bool end = *s == '\0';
		if (!end && *s != '/')
			continue;
		if (!end && s[-1] == '/')
			continue; /* "//" */
		char saved = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0) {
			int err = errno;
			if (err == EEXIST) {
				int r = check_dir(p);
				if (r < 0) {
					int rc = mkdir_fail(e, path, p, -r);
					*s = saved;
					return rc;
				}
			} else {
				/* A missing-parent error cannot happen here;
				 * anything else (EACCES, ENOTDIR, EROFS) is final. */
				int rc = mkdir_fail(e, path, p, err);
				*s = saved;
				return rc;
			}
		}
		*s = saved;
		if (end)
			break;
	}
	return 0;
}

char *tusk_path_dirname(const char *path)
{
	if (!path || !path[0])
		return strdup(".");
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/') /* "a/b/" names a/b */
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return strdup(".");
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}
