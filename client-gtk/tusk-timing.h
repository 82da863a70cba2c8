/* Timings for benchmarks (tests/bench/gtk.sh): with TUSK_TIMING set the
 * window prints "tusk-timing WHAT MS [key=value…]" lines on stderr. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TUSK_TIMING is set (read once). */
gboolean tusk_timing_enabled(void);
/* "tusk-timing mark WHAT CLOCK_MS cpu=MS": the monotonic clock and the
 * process's CPU time (user + system) so far. */
void tusk_timing_mark(const char *what);
/* Once, after the next frame of widget's frame clock is painted:
 * "tusk-timing WHAT MS" with MS the time since since_us (monotonic µs; 0:
 * the monotonic clock itself) and the CPU time so far. FALSE without a
 * frame clock (not realized yet) or without TUSK_TIMING. */
gboolean tusk_timing_after_paint(GtkWidget *widget, const char *what, gint64 since_us);

/* TUSK_BENCH_SCROLL=N (with TUSK_TIMING): the scroller's content goes from
 * top to bottom in N frames, one step a frame (as a dragged scrollbar),
 * then "tusk-timing scroll MS frames=N fps=F cpu=MS" is printed (cpu: the
 * CPU time the scroll took). Once per
 * process; nothing without the variables. */
void tusk_timing_scroll(GtkScrolledWindow *scroller);

G_END_DECLS
