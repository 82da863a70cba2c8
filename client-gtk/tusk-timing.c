#include "client-gtk/tusk-timing.h"

#include <stdlib.h>
#include <sys/resource.h>

gboolean tusk_timing_enabled(void)
{
	static int enabled = -1;
	if (enabled < 0)
		enabled = g_getenv("TUSK_TIMING") != NULL;
	return enabled;
}

static double cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

void tusk_timing_mark(const char *what)
{
	if (tusk_timing_enabled())
		g_printerr("tusk-timing mark %.1f %s cpu=%.1f\n",
		           (double)g_get_monotonic_time() / 1000.0, what, cpu_ms());
}

typedef struct {
	char *what;
	gint64 since_us;
	gulong handler;
} Paint;

static void on_after_paint(GdkFrameClock *clock, gpointer data)
{
	Paint *p = data;
	g_printerr("tusk-timing %s %.1f cpu=%.1f\n", p->what,
	           (double)(g_get_monotonic_time() - p->since_us) / 1000.0, cpu_ms());
	g_signal_handler_disconnect(clock, p->handler); /* frees p */
}

static void paint_free(gpointer data, GClosure *closure)
{
	Paint *p = data;
	g_free(p->what);
	g_free(p);
}

gboolean tusk_timing_after_paint(GtkWidget *widget, const char *what, gint64 since_us)
{
	GdkFrameClock *clock = gtk_widget_get_frame_clock(widget);
	if (!tusk_timing_enabled() || !clock)
		return FALSE;
	Paint *p = g_new0(Paint, 1);
	p->what = g_strdup(what);
	p->since_us = since_us;
	p->handler = g_signal_connect_data(clock, "after-paint", G_CALLBACK(on_after_paint), p,
	                                   paint_free, 0);
	gtk_widget_queue_draw(widget);
	return TRUE;
}

typedef struct {
	int frames, done;
	gint64 start_us;
	double start_cpu;
} Scroll;

static gboolean on_scroll_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
	Scroll *s = data;
	GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(widget));
	if (s->done == 0) {
		s->start_us = g_get_monotonic_time();
		s->start_cpu = cpu_ms();
	}
	if (s->done < s->frames) {
		double span = gtk_adjustment_get_upper(adj) - gtk_adjustment_get_page_size(adj);
		s->done++;
		gtk_adjustment_set_value(adj, span * s->done / s->frames);
		return G_SOURCE_CONTINUE;
	}
	double ms = (double)(g_get_monotonic_time() - s->start_us) / 1000.0;
	g_printerr("tusk-timing scroll %.1f frames=%d fps=%.1f cpu=%.1f height=%.0f\n", ms,
	           s->frames, ms > 0 ? s->frames * 1000.0 / ms : 0.0, cpu_ms() - s->start_cpu,
	           gtk_adjustment_get_page_size(adj));
	return G_SOURCE_REMOVE;
}

void tusk_timing_scroll(GtkScrolledWindow *scroller)
{
	static gboolean started;
	const char *n = g_getenv("TUSK_BENCH_SCROLL");
	if (started || !n || !tusk_timing_enabled() || atoi(n) <= 0)
		return;
	started = TRUE;
	Scroll *s = g_new0(Scroll, 1);
	s->frames = atoi(n);
	gtk_widget_add_tick_callback(GTK_WIDGET(scroller), on_scroll_tick, s, g_free);
}
