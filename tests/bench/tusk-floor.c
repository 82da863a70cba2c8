/* The start-up floor for the window's benchmark (tests/bench/gtk.sh): the
 * smallest AdwApplication window (a header bar and a label), timed by the
 * window's own marks (client-gtk/tusk-timing.c, TUSK_TIMING set): main,
 * gtk-ready (GTK and libadwaita started), window, mapped, then "ready"
 * after the first frame painted.
 * Whatever tusk takes beyond this is its own. */
#include <adwaita.h>

#include "client-gtk/tusk-timing.h"

static void on_map(GtkWidget *win, gpointer data)
{
	tusk_timing_mark("mapped");
	tusk_timing_after_paint(win, "ready", 0);
}

static void on_startup(GApplication *app, gpointer data)
{
	tusk_timing_mark("gtk-ready"); /* after GtkApplication's own startup: GTK is up */
}

static void on_activate(GApplication *app, gpointer data)
{
	GtkWidget *win = adw_application_window_new(GTK_APPLICATION(app));
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	gtk_box_append(GTK_BOX(box), adw_header_bar_new());
	gtk_box_append(GTK_BOX(box), gtk_label_new("The start-up floor"));
	adw_application_window_set_content(ADW_APPLICATION_WINDOW(win), box);
	gtk_window_set_default_size(GTK_WINDOW(win), 1000, 700);
	g_signal_connect(win, "map", G_CALLBACK(on_map), NULL);
	tusk_timing_mark("window");
	gtk_window_present(GTK_WINDOW(win));
}

int main(int argc, char **argv)
{
	tusk_timing_mark("main");
	g_autoptr(AdwApplication) app =
	    adw_application_new("app.tusk.Floor", G_APPLICATION_NON_UNIQUE);
	g_signal_connect(app, "startup", G_CALLBACK(on_startup), NULL);
	g_signal_connect(app, "activate", G_CALLBACK(on_activate), NULL);
	return g_application_run(G_APPLICATION(app), argc, argv);
}
