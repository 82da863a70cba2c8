/* The start-up floor for the window's benchmark (tests/bench/gtk.sh): the
 * smallest AdwApplication window (a header bar and a label), timed with
 * the same "tusk-timing" lines on stderr as tusk's TUSK_TIMING
 * (client-gtk/tusk-timing.c): main, gtk-ready (GTK and libadwaita
 * started), window, mapped, then "ready" after the first frame painted.
 * Whatever tusk takes beyond this is its own. */
#include <adwaita.h>
#include <sys/resource.h>

static double cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static void mark(const char *what)
{
	g_printerr("tusk-timing mark %.1f %s cpu=%.1f\n", (double)g_get_monotonic_time() / 1000.0,
	           what, cpu_ms());
}

static gulong paint_handler;

static void on_after_paint(GdkFrameClock *clock, gpointer data)
{
	g_printerr("tusk-timing ready %.1f cpu=%.1f\n", (double)g_get_monotonic_time() / 1000.0,
	           cpu_ms());
	g_signal_handler_disconnect(clock, paint_handler);
}

static void on_map(GtkWidget *win, gpointer data)
{
	mark("mapped");
	paint_handler = g_signal_connect(gtk_widget_get_frame_clock(win), "after-paint",
	                                 G_CALLBACK(on_after_paint), NULL);
}

static void on_startup(GApplication *app, gpointer data)
{
	mark("gtk-ready"); /* after GtkApplication's own startup: GTK is up */
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
	mark("window");
	gtk_window_present(GTK_WINDOW(win));
}

int main(int argc, char **argv)
{
	mark("main");
	g_autoptr(AdwApplication) app =
	    adw_application_new("app.tusk.Floor", G_APPLICATION_NON_UNIQUE);
	g_signal_connect(app, "startup", G_CALLBACK(on_startup), NULL);
	g_signal_connect(app, "activate", G_CALLBACK(on_activate), NULL);
	return g_application_run(G_APPLICATION(app), argc, argv);
}
