/* libsecret (and the GLib it brings: gio, gobject, glib and ten more
 * libraries) loaded with dlopen the first time the keyring is used, on a
 * keyring worker, instead of by the dynamic loader before main: tuskd
 * starts without mapping, relocating and initialising them (GLib's type
 * system) and a tuskd that never reaches the keyring never loads them.
 *
 * keyring.c includes this after <libsecret/secret.h>: every libsecret and
 * GLib function it calls is then a pointer in keyring_lib, filled by
 * keyring_lib_load(). The package dependency (libsecret-1-0) stays in
 * scripts/deps; only the link-time NEEDED entry is gone. */
#pragma once

#include <libsecret/secret.h>
#include <stdbool.h>

#define KEYRING_LIB_FUNCTIONS(X)               \
	X(g_cancellable_cancel)                \
	X(g_cancellable_is_cancelled)          \
	X(g_cancellable_new)                   \
	X(g_clear_error)                       \
	X(g_dbus_connection_is_closed)         \
	X(g_dbus_connection_set_exit_on_close) \
	X(g_dbus_proxy_get_connection)         \
	X(g_free)                              \
	X(g_hash_table_unref)                  \
	X(g_list_free_full)                    \
	X(g_object_ref)                        \
	X(g_object_unref)                      \
	X(g_strdup)                            \
	X(g_strdup_printf)                     \
	X(secret_attributes_build)             \
	X(secret_collection_for_alias_sync)    \
	X(secret_collection_get_locked)        \
	X(secret_item_get_locked)              \
	X(secret_item_get_secret)              \
	X(secret_service_clear_sync)           \
	X(secret_service_disconnect)           \
	X(secret_service_get_sync)             \
	X(secret_service_search_sync)          \
	X(secret_service_store_sync)           \
	X(secret_value_get_text)               \
	X(secret_value_new)                    \
	X(secret_value_unref)

struct keyring_lib {
#define KEYRING_LIB_FIELD(name) __typeof__(&name) name;
	KEYRING_LIB_FUNCTIONS(KEYRING_LIB_FIELD)
#undef KEYRING_LIB_FIELD
};

/* Filled once by keyring_lib_load(); read only after it returned true. */
extern struct keyring_lib keyring_lib;

/* Loads libsecret once (thread-safe; later calls return the first
 * answer). false when it cannot be loaded: *why (static text) says why. */
bool keyring_lib_load(const char **why);

/* Whether a load succeeded (for shutdown: nothing to disconnect if not). */
bool keyring_lib_loaded(void);

#ifndef KEYRING_LIB_NO_REDIRECT
/* GLib defines some of these as macros too (g_object_ref keeps the type). */
#undef g_cancellable_cancel
#define g_cancellable_cancel (keyring_lib.g_cancellable_cancel)
#undef g_cancellable_is_cancelled
#define g_cancellable_is_cancelled (keyring_lib.g_cancellable_is_cancelled)
#undef g_cancellable_new
#define g_cancellable_new (keyring_lib.g_cancellable_new)
#undef g_clear_error
#define g_clear_error (keyring_lib.g_clear_error)
#undef g_dbus_connection_is_closed
#define g_dbus_connection_is_closed (keyring_lib.g_dbus_connection_is_closed)
#undef g_dbus_connection_set_exit_on_close
#define g_dbus_connection_set_exit_on_close (keyring_lib.g_dbus_connection_set_exit_on_close)
#undef g_dbus_proxy_get_connection
#define g_dbus_proxy_get_connection (keyring_lib.g_dbus_proxy_get_connection)
#undef g_free
#define g_free (keyring_lib.g_free)
#undef g_hash_table_unref
#define g_hash_table_unref (keyring_lib.g_hash_table_unref)
#undef g_list_free_full
#define g_list_free_full (keyring_lib.g_list_free_full)
#undef g_object_ref
#define g_object_ref (keyring_lib.g_object_ref)
#undef g_object_unref
#define g_object_unref (keyring_lib.g_object_unref)
#undef g_strdup
#define g_strdup (keyring_lib.g_strdup)
#undef g_strdup_printf
#define g_strdup_printf (keyring_lib.g_strdup_printf)
#undef secret_attributes_build
#define secret_attributes_build (keyring_lib.secret_attributes_build)
#undef secret_collection_for_alias_sync
#define secret_collection_for_alias_sync (keyring_lib.secret_collection_for_alias_sync)
#undef secret_collection_get_locked
#define secret_collection_get_locked (keyring_lib.secret_collection_get_locked)
#undef secret_item_get_locked
#define secret_item_get_locked (keyring_lib.secret_item_get_locked)
#undef secret_item_get_secret
#define secret_item_get_secret (keyring_lib.secret_item_get_secret)
#undef secret_service_clear_sync
#define secret_service_clear_sync (keyring_lib.secret_service_clear_sync)
#undef secret_service_disconnect
#define secret_service_disconnect (keyring_lib.secret_service_disconnect)
#undef secret_service_get_sync
#define secret_service_get_sync (keyring_lib.secret_service_get_sync)
#undef secret_service_search_sync
#define secret_service_search_sync (keyring_lib.secret_service_search_sync)
#undef secret_service_store_sync
#define secret_service_store_sync (keyring_lib.secret_service_store_sync)
#undef secret_value_get_text
#define secret_value_get_text (keyring_lib.secret_value_get_text)
#undef secret_value_new
#define secret_value_new (keyring_lib.secret_value_new)
#undef secret_value_unref
#define secret_value_unref (keyring_lib.secret_value_unref)
#endif
