/* The SSH host-key trust prompt, one object for the sidebar's Open and the
 * connection dialog's Test: an SSH server offered a host key that is not in
 * known_hosts (an ssh_error whose data's detail is the key's SHA256:
 * fingerprint); the prompt shows the fingerprint and asks whether to trust
 * it. Its message dialog is made once and hidden when answered (GTK 4.8's
 * AT-SPI bridge crashes answering about a window being destroyed).
 * It lives no longer than its parent window: when that is destroyed, an
 * unanswered question is dropped (its data freed, no answer) and the
 * message dialog destroyed, so nothing the question holds keeps the
 * parent's widgets alive. */
#pragma once

#include <adwaita.h>
#include <jansson.h>

G_BEGIN_DECLS

#define TUSK_TYPE_HOST_KEY_PROMPT (tusk_host_key_prompt_get_type())
G_DECLARE_FINAL_TYPE(TuskHostKeyPrompt, tusk_host_key_prompt, TUSK, HOST_KEY_PROMPT, GObject)

/* The user's answer. data is the caller's again (it owns and frees it). */
typedef void (*TuskHostKeyAnswer)(gboolean trusted, const char *fingerprint, gpointer data);

/* trust_label: the Trust button's label, e.g. "_Trust and Connect". */
TuskHostKeyPrompt *tusk_host_key_prompt_new(GtkWindow *parent, const char *trust_label);

/* The fingerprint of an unknown host key, when error (a tusk_rpc_call_finish
 * error) and data (its error data) say the SSH server's key is not known;
 * else NULL. Borrowed from data. */
const char *tusk_host_key_fingerprint(const GError *error, json_t *data);

/* Shows the prompt for connection `name`. answer is called once with data
 * when the user answers; a newer question replaces one not answered yet
 * (whose data goes to destroy, without an answer), as does the parent's
 * end. */
void tusk_host_key_prompt_ask(TuskHostKeyPrompt *self, const char *name, const char *fingerprint,
                              TuskHostKeyAnswer answer, gpointer data, GDestroyNotify destroy);

/* Hides the prompt and drops a question not answered yet (its data goes to
 * destroy, without an answer): the question no longer applies. */
void tusk_host_key_prompt_dismiss(TuskHostKeyPrompt *self);

G_END_DECLS
