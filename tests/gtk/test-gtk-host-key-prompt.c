/* The window's message-dialog objects in a real GTK window on an Xvfb of
 * its own. The SSH host-key prompt (client-gtk/tusk-host-key-prompt.c):
 * which errors carry a fingerprint to ask about, a newer question replacing
 * an unanswered one, and its lifetime: when the parent window is destroyed
 * with a question not answered, the question's data is freed (nothing it
 * holds, like the sidebar, is kept alive) and the prompt's window is gone.
 * The tab-close question (client-gtk/tusk-tab-close.c): it outlives its
 * window while a close is on its way, and its dialog goes with the window
 * (under ASan, the old code read the freed dialog). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client-gtk/tusk-host-key-prompt.h"
#include "client-gtk/tusk-tab-close.h"
#include "client-gtk/tusk-rpc.h"

typedef struct {
	GObject *held; /* what a question holds (the sidebar's open holds the sidebar) */
	int *freed;
} Question;

static void question_free(Question *q)
{
	(*q->freed)++;
	g_object_unref(q->held);
	g_free(q);
}

static void never_answered(gboolean trusted, const char *fp, gpointer data)
{
	g_assert_not_reached();
}

static Question *question(GObject *held, int *freed)
{
	Question *q = g_new0(Question, 1);
	q->held = g_object_ref(held);
	q->freed = freed;
	return q;
}

static guint n_toplevels(void)
{
	GListModel *l = gtk_window_get_toplevels();
	guint n = 0;
	for (guint i = 0; i < g_list_model_get_n_items(l); i++) {
		g_autoptr(GObject) w = g_list_model_get_item(l, i);
		n += gtk_widget_get_visible(GTK_WIDGET(w)) ? 1 : 0;
	}
	return n;
}

static void test_fingerprint(void)
{
	json_t *data = json_pack("{s:s}", "detail", "SHA256:abcdef");
	g_autoptr(GError) ssh = g_error_new_literal(TUSK_RPC_ERROR, -32004, "unknown host key");
	g_assert_cmpstr(tusk_host_key_fingerprint(ssh, data), ==, "SHA256:abcdef");
	/* another kind of error, or another detail, is not a host-key question */
	g_autoptr(GError) auth = g_error_new_literal(TUSK_RPC_ERROR, -32002, "auth");
	g_assert_null(tusk_host_key_fingerprint(auth, data));
	g_autoptr(GError) io = g_error_new_literal(G_IO_ERROR, -32004, "io");
	g_assert_null(tusk_host_key_fingerprint(io, data));
	json_t *other = json_pack("{s:s}", "detail", "connection refused");
	g_assert_null(tusk_host_key_fingerprint(ssh, other));
	g_assert_null(tusk_host_key_fingerprint(ssh, NULL));
	g_assert_null(tusk_host_key_fingerprint(NULL, data));
	json_decref(other);
	json_decref(data);
}

static void on_answer(gboolean trusted, const char *fp, gpointer data)
{
	Question *q = data;
	g_assert_true(trusted);
	g_assert_cmpstr(fp, ==, "SHA256:second");
	question_free(q);
}

static void test_replace_and_answer(void)
{
	GtkWindow *win = GTK_WINDOW(gtk_window_new());
	gtk_window_present(win);
	g_autoptr(GObject) held = g_object_new(G_TYPE_OBJECT, NULL);
	int freed = 0;
	TuskHostKeyPrompt *p = tusk_host_key_prompt_new(win, "_Trust and Connect");
	tusk_host_key_prompt_ask(p, "one", "SHA256:first", never_answered, question(held, &freed),
	                         (GDestroyNotify)question_free);
	g_assert_cmpuint(n_toplevels(), ==, 2);
	/* a newer question replaces the one not answered: its data is freed */
	tusk_host_key_prompt_ask(p, "two", "SHA256:second", on_answer, question(held, &freed),
	                         (GDestroyNotify)question_free);
	g_assert_cmpint(freed, ==, 1);
	/* the answer goes to the newer one, which frees its data itself */
	GtkWindow *shown = NULL;
	GListModel *l = gtk_window_get_toplevels();
	for (guint i = 0; i < g_list_model_get_n_items(l); i++) {
		g_autoptr(GObject) w = g_list_model_get_item(l, i);
		if (ADW_IS_MESSAGE_DIALOG(w))
			shown = GTK_WINDOW(w);
	}
	g_assert_nonnull(shown);
	g_assert_true(g_strrstr(adw_message_dialog_get_body(ADW_MESSAGE_DIALOG(shown)),
	                        "SHA256:second") != NULL);
	adw_message_dialog_response(ADW_MESSAGE_DIALOG(shown), "trust");
	g_assert_cmpint(freed, ==, 2);
	g_object_unref(p);
	gtk_window_destroy(win);
	g_assert_cmpuint(n_toplevels(), ==, 0);
}

static void test_parent_destroyed(void)
{
	GtkWindow *win = GTK_WINDOW(gtk_window_new());
	gtk_window_present(win);
	GObject *held = g_object_new(G_TYPE_OBJECT, NULL);
	g_object_add_weak_pointer(held, (gpointer *)&held);
	int freed = 0;
	TuskHostKeyPrompt *p = tusk_host_key_prompt_new(win, "_Trust and Connect");
	g_object_add_weak_pointer(G_OBJECT(p), (gpointer *)&p);
	tusk_host_key_prompt_ask(p, "one", "SHA256:first", never_answered, question(held, &freed),
	                         (GDestroyNotify)question_free);
	g_object_unref(held); /* the question holds the last reference */
	g_assert_nonnull(held);
	/* the window goes with the question unanswered: the question's data is
	 * freed (so what it held goes) and the prompt's window with it */
	gtk_window_destroy(win);
	g_assert_cmpint(freed, ==, 1);
	g_assert_null(held);
	g_assert_cmpuint(n_toplevels(), ==, 0);
	/* asked again after its window went: nothing shows, the data is freed */
	GObject *later = g_object_new(G_TYPE_OBJECT, NULL);
	tusk_host_key_prompt_ask(p, "two", "SHA256:x", never_answered, question(later, &freed),
	                         (GDestroyNotify)question_free);
	g_object_unref(later);
	g_assert_cmpint(freed, ==, 2);
	g_object_unref(p);
	g_assert_null(p);
}

static void test_tab_close_outlives_window(void)
{
	GtkWindow *win = GTK_WINDOW(gtk_window_new());
	gtk_window_present(win);
	TuskRpc *rpc = tusk_rpc_new("/nonexistent/tuskd.sock", NULL, FALSE);
	TuskTabClose *tc = tusk_tab_close_new(win, rpc);
	g_object_add_weak_pointer(G_OBJECT(tc), (gpointer *)&tc);
	g_object_unref(rpc);
	/* a close on its way holds it past the window's own reference */
	g_object_ref(tc);
	g_object_unref(tc);
	gtk_window_destroy(win);
	g_assert_cmpuint(n_toplevels(), ==, 0);
	g_assert_nonnull(tc);
	g_object_unref(tc); /* the close ends */
	g_assert_null(tc);
}

/* An Xvfb of the test's own: it picks a free display and writes its number
 * to a file once it listens (-displayfd), as tests/gtk/gtk-lib.sh does. */
static pid_t xvfb_start(void)
{
	g_autofree char *path = NULL;
	int fd = g_file_open_tmp("tusk-xvfb-XXXXXX", &path, NULL);
	g_assert_cmpint(fd, >=, 0);
	pid_t pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* gone with the test, even a failed one */
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		g_autofree char *fds = g_strdup_printf("%d", fd);
		execlp("Xvfb", "Xvfb", "-displayfd", fds, "-screen", "0", "800x600x24", "-nolisten",
		       "tcp", (char *)NULL);
		_exit(127);
	}
	close(fd);
	g_autofree char *text = NULL;
	for (int i = 0; i < 200 && !(text && strchr(text, '\n')); i++) {
		g_clear_pointer(&text, g_free);
		g_usleep(50 * 1000);
		g_file_get_contents(path, &text, NULL, NULL);
	}
	g_assert_true(text && strchr(text, '\n'));
	unlink(path);
	g_autofree char *display = g_strdup_printf(":%d", atoi(text));
	g_setenv("DISPLAY", display, TRUE);
	g_setenv("GDK_BACKEND", "x11", TRUE);
	g_setenv("GSK_RENDERER", "cairo", TRUE);
	g_setenv("NO_AT_BRIDGE", "1", TRUE);
	g_setenv("GDK_DEBUG", "gl-disable", TRUE); /* no Mesa: nothing of it to leak-check */
	return pid;
}

int main(int argc, char **argv)
{
	pid_t xvfb = xvfb_start();
	g_test_init(&argc, &argv, NULL);
	adw_init();
	g_test_add_func("/host-key-prompt/fingerprint", test_fingerprint);
	g_test_add_func("/host-key-prompt/replace-and-answer", test_replace_and_answer);
	g_test_add_func("/host-key-prompt/parent-destroyed", test_parent_destroyed);
	g_test_add_func("/tab-close/outlives-window", test_tab_close_outlives_window);
	int rc = g_test_run();
	kill(xvfb, SIGTERM);
	waitpid(xvfb, NULL, 0);
	return rc;
}
