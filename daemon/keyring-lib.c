/* dlopen of libsecret for keyring.c: see keyring-lib.h. */
#define KEYRING_LIB_NO_REDIRECT
#include "daemon/keyring-lib.h"

#include <dlfcn.h>
#include <pthread.h>

#define KEYRING_LIB_SONAME "libsecret-1.so.0"

struct keyring_lib keyring_lib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool load_ok;
static const char *load_why;

static void load(void)
{
	/* RTLD_NODELETE: GLib cannot be unloaded (its types, its GDBus
	 * thread); the handle is kept for the process's life. */
	void *h = dlopen(KEYRING_LIB_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		load_why = "libsecret (" KEYRING_LIB_SONAME ") could not be loaded";
		return;
	}
	/* dlsym on the handle also searches what libsecret depends on
	 * (gio, gobject, glib). */
#define KEYRING_LIB_SYM(name)                                                 \
	if (!(*(void **)&keyring_lib.name = dlsym(h, #name))) {               \
		load_why = "libsecret (" KEYRING_LIB_SONAME ") lacks " #name; \
		return;                                                       \
	}
	KEYRING_LIB_FUNCTIONS(KEYRING_LIB_SYM)
#undef KEYRING_LIB_SYM
	load_ok = true;
}

bool keyring_lib_load(const char **why)
{
	pthread_once(&load_once, load);
	if (!load_ok && why)
		*why = load_why;
	return load_ok;
}

bool keyring_lib_loaded(void)
{
	return load_ok;
}
