#include "client-gtk/tusk-application.h"

#include "client-gtk/tusk-timing.h"
#include "client-gtk/tusk-window.h"

struct _TuskApplication {
	AdwApplication parent_instance;
	TuskRpc *rpc;
	char *socket_path;
	gboolean no_autostart;
};

G_DEFINE_FINAL_TYPE(TuskApplication, tusk_application, ADW_TYPE_APPLICATION)

/* glib-compile-resources --manual-register: the resource lives in a static
 * library, where a constructor would be dropped by the linker. */
void tusk_register_resource(void);

TuskRpc *tusk_application_get_rpc(TuskApplication *self)
{
	return self->rpc;
}

static void on_quit(GSimpleAction *action, GVariant *param, gpointer data)
{
	g_application_quit(G_APPLICATION(data));
}

static void on_about(GSimpleAction *action, GVariant *param, gpointer data)
{
	GtkApplication *app = GTK_APPLICATION(data);
	const char *developers[] = {"The Tusk developers", NULL};
	GtkWidget *about = g_object_new(
	    ADW_TYPE_ABOUT_WINDOW, "transient-for", gtk_application_get_active_window(app),
	    "application-name", "Tusk", "application-icon", TUSK_APP_ID, "version", TUSK_VERSION,
	    "developer-name", "The Tusk developers", "developers", developers, "comments",
	    "A PostgreSQL client: this window talks to the tuskd daemon.", NULL);
	gtk_window_present(GTK_WINDOW(about));
}

static const GActionEntry app_actions[] = {
    {.name = "quit", .activate = on_quit},
    {.name = "about", .activate = on_about},
};

static void tusk_application_startup(GApplication *app)
{
	TuskApplication *self = TUSK_APPLICATION(app);
	tusk_timing_mark("startup");
	G_APPLICATION_CLASS(tusk_application_parent_class)->startup(app);
	tusk_timing_mark("gtk-ready");
	g_action_map_add_action_entries(G_ACTION_MAP(app), app_actions, G_N_ELEMENTS(app_actions),
	                                app);
	struct {
		const char *action;
		const char *accels[3];
	} accels[] = {
	    {"app.quit", {"<Control>q", NULL}},
	    {"win.new-tab", {"<Control>t", NULL}},
	    {"win.close-tab", {"<Control>w", NULL}},
	    {"win.add-connection", {"<Control>n", NULL}},
	    {"win.show-history", {"<Control>h", NULL}},
	    {"win.focus-sidebar", {"F6", NULL}},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(accels); i++)
		gtk_application_set_accels_for_action(GTK_APPLICATION(app), accels[i].action,
		                                      accels[i].accels);
	self->rpc = tusk_rpc_new(self->socket_path, NULL, !self->no_autostart);
	tusk_rpc_start(self->rpc);
}

static void tusk_application_activate(GApplication *app)
{
	GtkWindow *win = gtk_application_get_active_window(GTK_APPLICATION(app));
	if (!win)
		win = GTK_WINDOW(tusk_window_new(TUSK_APPLICATION(app)));
	gtk_window_present(win);
}

static int tusk_application_handle_local_options(GApplication *app, GVariantDict *options)
{
	TuskApplication *self = TUSK_APPLICATION(app);
	g_variant_dict_lookup(options, "socket", "s", &self->socket_path);
	self->no_autostart = g_variant_dict_contains(options, "no-autostart");
	if (g_variant_dict_contains(options, "version")) {
		g_print("tusk %s\n", TUSK_VERSION);
		return 0;
	}
	return -1;
}

static void tusk_application_dispose(GObject *object)
{
	TuskApplication *self = TUSK_APPLICATION(object);
	g_clear_object(&self->rpc);
	G_OBJECT_CLASS(tusk_application_parent_class)->dispose(object);
}

static void tusk_application_finalize(GObject *object)
{
	g_free(TUSK_APPLICATION(object)->socket_path);
	G_OBJECT_CLASS(tusk_application_parent_class)->finalize(object);
}

static void tusk_application_class_init(TuskApplicationClass *klass)
{
	tusk_register_resource();
	G_OBJECT_CLASS(klass)->dispose = tusk_application_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_application_finalize;
	G_APPLICATION_CLASS(klass)->startup = tusk_application_startup;
	G_APPLICATION_CLASS(klass)->activate = tusk_application_activate;
	G_APPLICATION_CLASS(klass)->handle_local_options = tusk_application_handle_local_options;
}

static void tusk_application_init(TuskApplication *self)
{
	const GOptionEntry entries[] = {
	    {"socket", 0, 0, G_OPTION_ARG_STRING, NULL, "tuskd's socket (default: $TUSK_SOCKET)",
	     "PATH"},
	    {"no-autostart", 0, 0, G_OPTION_ARG_NONE, NULL, "Never start tuskd", NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version", NULL},
	    {NULL},
	};
	g_application_add_main_option_entries(G_APPLICATION(self), entries);
}

TuskApplication *tusk_application_new(void)
{
	return g_object_new(TUSK_TYPE_APPLICATION, "application-id", TUSK_APP_ID, "flags",
	                    G_APPLICATION_NON_UNIQUE, "resource-base-path", "/app/tusk/Tusk", NULL);
}
