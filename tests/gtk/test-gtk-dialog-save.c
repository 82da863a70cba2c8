/* A Save in the connection dialog finishes when the dialog is closed and
 * reopened while it runs (test-gtk-dialog-save.sh runs it under an Xvfb
 * of its own, in a D-Bus session with an unlocked gnome-keyring, without
 * the AT-SPI bridge: GTK 4.8's bridge segfaulted the window in this very
 * sequence). The real dialog on a real tuskd: the fields are typed into,
 * Save is pressed, and the dialog is closed and opened again before the
 * daemon has answered (at once; and once the connection is saved, while
 * the password is on its way to the keyring). The save still finishes:
 * "saved" (what reloads the sidebar) names the new connection, the typed
 * password is in the keyring, and the reopened dialog stays open and
 * empty. */
#include <stdio.h>
#include <string.h>

#include "client-gtk/tusk-connection-dialog.h"
#include "tests/gtk/gtk-daemon.h"

void tusk_register_resource(void);

typedef struct {
	char *id;
	int n;
} Saved;

static void on_saved(TuskConnectionDialog *dlg, const char *id, Saved *s)
{
	s->n++;
	g_free(s->id);
	s->id = g_strdup(id);
}

/* The dialog's preferences row titled title (an entry row, a spin row's
 * row), found in its widget tree the way a person finds it on screen. */
static GtkWidget *row_titled(GtkWidget *w, const char *title)
{
	if (ADW_IS_PREFERENCES_ROW(w) &&
	    g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w)), title) == 0)
		return w;
	for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *found = row_titled(c, title);
		if (found)
			return found;
	}
	return NULL;
}

static void type_into(TuskConnectionDialog *dlg, const char *title, const char *text)
{
	GtkWidget *row = row_titled(GTK_WIDGET(dlg), title);
	g_assert_nonnull(row);
	gtk_editable_set_text(GTK_EDITABLE(row), text);
}

static const char *text_in(TuskConnectionDialog *dlg, const char *title)
{
	GtkWidget *row = row_titled(GTK_WIDGET(dlg), title);
	g_assert_nonnull(row);
	return gtk_editable_get_text(GTK_EDITABLE(row));
}

static void spin_until(gboolean *flag, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (!*flag && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static void spin(int ms)
{
	gboolean never = FALSE;
	spin_until(&never, ms);
}

/* What the keyring holds under key, read by secret-tool (another client
 * of the Secret Service). */
static char *keyring_lookup(const char *key)
{
	const char *argv[] = {"secret-tool", "lookup", "service", "com.tusk.app", "key", key, NULL};
	char *out = NULL;
	int status = 0;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
	                           NULL, &status, NULL));
	return out;
}

static int connections_named(TuskRpc *rpc, const char *name)
{
	Reply r;
	call(rpc, TUSK_M_CONNECTIONS_LIST, NULL, NULL, &r);
	g_assert_nonnull(r.result);
	int n = 0;
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(r.result, "connections"), i, c) n +=
	    g_strcmp0(json_string_value(json_object_get(c, "name")), name) == 0;
	reply_clear(&r);
	return n;
}

typedef enum { REOPEN_AT_ONCE, REOPEN_WHEN_SAVED } When;

static void test_reopen(Fixture *f, gconstpointer data)
{
	When when = GPOINTER_TO_INT(data);
	/* a failed assertion aborts before the teardown: the script stops it */
	const char *pids = g_getenv("TUSK_DIALOG_SAVE_PIDS");
	if (pids) {
		FILE *fp = fopen(pids, "a");
		g_assert_nonnull(fp);
		fprintf(fp, "%d\n", tusk_rpc_get_daemon_pid(f->rpc));
		fclose(fp);
	}
	GtkWindow *parent = GTK_WINDOW(gtk_window_new());
	gtk_window_present(parent);
	TuskConnectionDialog *dlg = tusk_connection_dialog_new(parent, f->rpc);
	Saved saved = {0};
	g_signal_connect(dlg, "saved", G_CALLBACK(on_saved), &saved);
	tusk_connection_dialog_open(dlg, NULL);
	spin(200); /* its groups */

	const char *name = when == REOPEN_AT_ONCE ? "reopened at once" : "reopened when saved";
	gint64 end;
	g_autofree char *password = g_strdup_printf("typed-%08x", g_random_int());
	type_into(dlg, "Name", name);
	type_into(dlg, "Database", "postgres");
	type_into(dlg, "User", "someone");
	type_into(dlg, "Password", password);
	g_assert_true(gtk_widget_activate_action(GTK_WIDGET(dlg), "dialog.save", NULL));
	if (when == REOPEN_WHEN_SAVED) {
		/* the daemon has the connection; its password is on its way */
		end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
		while (connections_named(f->rpc, name) == 0 && g_get_monotonic_time() < end)
			;
		g_assert_cmpint(connections_named(f->rpc, name), ==, 1);
	}
	/* Cancel (the dialog hides), then Add Connection: the same dialog */
	gtk_window_close(GTK_WINDOW(dlg));
	g_assert_false(gtk_widget_get_visible(GTK_WIDGET(dlg)));
	tusk_connection_dialog_open(dlg, NULL);
	g_assert_cmpstr(text_in(dlg, "Name"), ==, "");
	g_assert_cmpstr(text_in(dlg, "Password"), ==, "");

	gboolean done = FALSE;
	end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	while (saved.n == 0 && g_get_monotonic_time() < end)
		spin_until(&done, 10);
	/* "saved" is what reloads the sidebar: it came, naming the connection */
	g_assert_cmpint(saved.n, ==, 1);
	g_assert_nonnull(saved.id);
	Reply r;
	call(f->rpc, TUSK_M_CONNECTIONS_GET, tusk_req_connection_id(saved.id, NULL), NULL, &r);
	g_assert_nonnull(r.result);
	g_assert_cmpstr(json_string_value(json_object_get(r.result, "name")), ==, name);
	g_assert_true(json_is_true(json_object_get(r.result, "password_in_keyring")));
	reply_clear(&r);
	/* the typed password reached the keyring */
	g_autofree char *key = g_strdup_printf("tusk:connection:%s", saved.id);
	g_autofree char *stored = keyring_lookup(key);
	g_assert_cmpstr(stored, ==, password);
	/* the reopened dialog was left alone: still open, still empty */
	spin(200);
	g_assert_true(gtk_widget_get_visible(GTK_WIDGET(dlg)));
	g_assert_cmpstr(text_in(dlg, "Name"), ==, "");
	g_assert_cmpint(saved.n, ==, 1);
	g_assert_cmpint(connections_named(f->rpc, name), ==, 1);

	gtk_window_destroy(GTK_WINDOW(dlg));
	gtk_window_destroy(parent);
	g_free(saved.id);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	adw_init();
	tusk_register_resource();
	g_test_add("/dialog-save/reopen-at-once", Fixture, GINT_TO_POINTER(REOPEN_AT_ONCE),
	           fixture_setup, test_reopen, fixture_teardown);
	g_test_add("/dialog-save/reopen-when-saved", Fixture, GINT_TO_POINTER(REOPEN_WHEN_SAVED),
	           fixture_setup, test_reopen, fixture_teardown);
	return g_test_run();
}
