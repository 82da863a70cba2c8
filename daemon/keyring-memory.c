/* Session-memory secrets: a small array under a mutex. A user has a
 * handful of connections, so a linear search is the simplest right thing. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/keyring-memory.h"

struct entry {
	char *key;
	char *secret;
};

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;
static size_t n_entries, cap_entries;

static void erase_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static char *secret_dup(const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len + 1);
	return copy;
}

static struct entry *find_locked(const char *key)
{
	for (size_t i = 0; i < n_entries; i++)
		if (strcmp(entries[i].key, key) == 0)
			return &entries[i];
	return NULL;
}

int keyring_memory_put(const char *key, const char *secret)
{
	char *value = secret_dup(secret);
	if (!value)
		return -ENOMEM;

	pthread_mutex_lock(&memory_lock);
	struct entry *en = find_locked(key);
	if (en) {
		erase_free(en->secret);
		en->secret = value;
		pthread_mutex_unlock(&memory_lock);
		return 0;
	}
	if (n_entries == cap_entries) {
		size_t cap = cap_entries ? cap_entries * 2 : 8;
		struct entry *grown = realloc(entries, cap * sizeof(*grown));
		if (!grown)
			goto oom;
		entries = grown;
		cap_entries = cap;
	}
	char *k = strdup(key);
	if (!k)
		goto oom;
	entries[n_entries++] = (struct entry){.key = k, .secret = value};
	pthread_mutex_unlock(&memory_lock);
	return 0;
oom:
	pthread_mutex_unlock(&memory_lock);
	erase_free(value);
	return -ENOMEM;
}

char *keyring_memory_get(const char *key, int *ret_errno)
{
	char *copy = NULL;
	int err = 0;

	pthread_mutex_lock(&memory_lock);
	struct entry *en = find_locked(key);
	if (en) {
		copy = secret_dup(en->secret);
		if (!copy)
			err = -ENOMEM;
	}
	pthread_mutex_unlock(&memory_lock);
	if (ret_errno)
		*ret_errno = err;
	return copy;
}

bool keyring_memory_has(const char *key)
{
	pthread_mutex_lock(&memory_lock);
	bool found = find_locked(key) != NULL;
	pthread_mutex_unlock(&memory_lock);
	return found;
}

bool keyring_memory_remove(const char *key)
{
	pthread_mutex_lock(&memory_lock);
	struct entry *en = find_locked(key);
	if (en) {
		erase_free(en->secret);
		free(en->key);
		*en = entries[--n_entries];
	}
	pthread_mutex_unlock(&memory_lock);
	return en != NULL;
}

void keyring_memory_clear(void)
{
	pthread_mutex_lock(&memory_lock);
	for (size_t i = 0; i < n_entries; i++) {
		erase_free(entries[i].secret);
		free(entries[i].key);
	}
	free(entries);
	entries = NULL;
	n_entries = cap_entries = 0;
	pthread_mutex_unlock(&memory_lock);
}
