/* The start-up probe's child process: see keyring-probe.h. */
#include "daemon/keyring-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int state_from_name(const char *s, size_t n, KeyringState *st)
{
	static const KeyringState all[] = {KEYRING_OK, KEYRING_LOCKED, KEYRING_UNAVAILABLE};
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		const char *name = keyring_state_name(all[i]);
		if (strlen(name) == n && memcmp(name, s, n) == 0) {
			*st = all[i];
			return 0;
		}
	}
	return -1;
}

int keyring_probe_spawn(const char *exe, KeyringState *st, char **why)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	char *argv[] = {(char *)"tuskd", (char *)KEYRING_PROBE_ARG, NULL};
	pid_t pid;
	int r = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return -1;
	}
	/* The child answers within its own deadline (KEYRING_TIMEOUT_MS). */
	char buf[1024];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	char *nl = strchr(buf, '\n');
	char *tab = strchr(buf, '\t');
	if (!nl || !tab || tab > nl || state_from_name(buf, (size_t)(tab - buf), st) < 0)
		return -1;
	*nl = '\0';
	*why = tab[1] ? strdup(tab + 1) : NULL;
	return 0;
}
