#include "client-gtk/tusk-host-key-prompt.h"

#include "client-gtk/tusk-rpc.h"
#include "common/error.h"

struct _TuskHostKeyPrompt {
	GObject parent_instance;
	AdwMessageDialog *dialog; /* NULL once the parent is gone */
	char *fingerprint;
	TuskHostKeyAnswer answer;
	gpointer data;
	GDestroyNotify destroy;
};

G_DEFINE_FINAL_TYPE(TuskHostKeyPrompt, tusk_host_key_prompt, G_TYPE_OBJECT)

const char *tusk_host_key_fingerprint(const GError *error, json_t *data)
{
	if (!error || error->domain != TUSK_RPC_ERROR ||
	    tusk_error_kind_from_rpc_code(error->code) != TUSK_ERR_SSH)
		return NULL;
	const char *detail = json_string_value(json_object_get(data, "detail"));
	return detail && g_str_has_prefix(detail, "SHA256:") ? detail : NULL;
}

/* The question not answered is dropped: its data freed, no answer. */
static void prompt_drop(TuskHostKeyPrompt *self)
{
	gpointer data = g_steal_pointer(&self->data);
	GDestroyNotify destroy = self->destroy;
	self->answer = NULL;
	self->destroy = NULL;
	if (data && destroy)
		destroy(data);
}

static void on_response(AdwMessageDialog *d, const char *response, TuskHostKeyPrompt *self)
{
	TuskHostKeyAnswer answer = self->answer;
	gpointer data = g_steal_pointer(&self->data);
	self->answer = NULL;
	self->destroy = NULL;
	if (answer)
		answer(g_str_equal(response, "trust"), self->fingerprint, data);
}

/* The message dialog goes with its parent when GTK destroys it first. */
static void on_dialog_destroy(GtkWidget *dialog, TuskHostKeyPrompt *self)
{
	if (self->dialog == ADW_MESSAGE_DIALOG(dialog)) {
		self->dialog = NULL;
		prompt_drop(self);
	}
}

static void on_parent_destroy(GtkWidget *parent, TuskHostKeyPrompt *self)
{
	prompt_drop(self);
	if (self->dialog)
		gtk_window_destroy(GTK_WINDOW(self->dialog)); /* on_dialog_destroy clears it */
	self->dialog = NULL;
}

TuskHostKeyPrompt *tusk_host_key_prompt_new(GtkWindow *parent, const char *trust_label)
{
	TuskHostKeyPrompt *self = g_object_new(TUSK_TYPE_HOST_KEY_PROMPT, NULL);
	self->dialog =
	    ADW_MESSAGE_DIALOG(adw_message_dialog_new(parent, "Unknown SSH Host Key", NULL));
	gtk_window_set_hide_on_close(GTK_WINDOW(self->dialog), TRUE);
	adw_message_dialog_add_responses(self->dialog, "cancel", "_Cancel", "trust", trust_label,
	                                 NULL);
	adw_message_dialog_set_response_appearance(self->dialog, "trust", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_close_response(self->dialog, "cancel");
	g_signal_connect(self->dialog, "response", G_CALLBACK(on_response), self);
	g_signal_connect(self->dialog, "destroy", G_CALLBACK(on_dialog_destroy), self);
	if (parent)
		g_signal_connect_object(parent, "destroy", G_CALLBACK(on_parent_destroy), self, 0);
	return self;
}

void tusk_host_key_prompt_ask(TuskHostKeyPrompt *self, const char *name, const char *fingerprint,
                              TuskHostKeyAnswer answer, gpointer data, GDestroyNotify destroy)
{
	prompt_drop(self);
	if (!self->dialog) {
		if (destroy && data)
			destroy(data);
		return;
	}
	self->answer = answer;
	self->data = data;
	self->destroy = destroy;
	g_free(self->fingerprint);
	self->fingerprint = g_strdup(fingerprint);
	g_autofree char *body = g_strdup_printf(
	    "The SSH server of “%s” offers a host key that is not in ~/.ssh/known_hosts.\n\n"
	    "Fingerprint: %s\n\nTrust it only if it is the server's real key.",
	    name, fingerprint);
	adw_message_dialog_set_body(self->dialog, body);
	gtk_window_present(GTK_WINDOW(self->dialog));
}

void tusk_host_key_prompt_dismiss(TuskHostKeyPrompt *self)
{
	prompt_drop(self);
	if (self->dialog)
		gtk_widget_set_visible(GTK_WIDGET(self->dialog), FALSE);
}

static void tusk_host_key_prompt_dispose(GObject *object)
{
	TuskHostKeyPrompt *self = TUSK_HOST_KEY_PROMPT(object);
	prompt_drop(self);
	AdwMessageDialog *dialog = g_steal_pointer(&self->dialog);
	if (dialog) {
		g_signal_handlers_disconnect_by_data(dialog, self);
		gtk_window_destroy(GTK_WINDOW(dialog));
	}
	G_OBJECT_CLASS(tusk_host_key_prompt_parent_class)->dispose(object);
}

static void tusk_host_key_prompt_finalize(GObject *object)
{
	g_free(TUSK_HOST_KEY_PROMPT(object)->fingerprint);
	G_OBJECT_CLASS(tusk_host_key_prompt_parent_class)->finalize(object);
}

static void tusk_host_key_prompt_class_init(TuskHostKeyPromptClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = tusk_host_key_prompt_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_host_key_prompt_finalize;
}

static void tusk_host_key_prompt_init(TuskHostKeyPrompt *self) {}
