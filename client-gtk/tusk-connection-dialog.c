#include "client-gtk/tusk-connection-dialog.h"

#include <string.h>

#include "client-gtk/tusk-host-key-prompt.h"

struct _TuskConnectionDialog {
	AdwWindow parent_instance;
	GtkRevealer *message_revealer;
	GtkLabel *message_label;
	GtkWidget *save_button;
	AdwEntryRow *uri_row, *name_row, *color_row, *host_row, *database_row, *user_row;
	AdwComboRow *group_row, *sslmode_row, *ssh_auth_row;
	GtkSpinButton *port_spin, *connect_timeout_spin, *statement_timeout_spin, *ssh_port_spin;
	AdwPasswordEntryRow *password_row, *ssh_secret_row, *ssl_passphrase_row;
	AdwActionRow *keyring_row;
	AdwEntryRow *appname_row, *ca_row, *cert_row, *key_row;
	AdwEntryRow *ssh_host_row, *ssh_user_row, *ssh_key_row;
	GtkSwitch *readonly_switch, *ssh_switch;
	AdwViewStack *stack;

	TuskRpc *rpc;
	GCancellable *cancel; /* this opening's calls: a reopened dialog drops the last one's */
	TuskHostKeyPrompt *prompt; /* Test's host-key prompt (made at the first unknown key) */
	char *id;
	json_t *groups;
	json_t *loaded; /* the config being edited */
	guint opening;  /* counts openings: a save answers in its own */
	guint test_gen; /* counts Test presses and openings: a host-key answer
	                 * acts only for the Test that asked */
};

enum { SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(TuskConnectionDialog, tusk_connection_dialog, ADW_TYPE_WINDOW)

static const char *ssl_modes[] = {"disable", "prefer", "require", "verify_ca", "verify_full"};
static const char *ssh_auths[] = {"agent", "key", "password"};

static void dialog_message(TuskConnectionDialog *self, const char *text, gboolean error)
{
	gtk_label_set_text(self->message_label, text);
	if (error) {
		gtk_widget_add_css_class(GTK_WIDGET(self->message_label), "tusk-error");
	} else {
		gtk_widget_remove_css_class(GTK_WIDGET(self->message_label), "tusk-error");
	}
	gtk_revealer_set_reveal_child(self->message_revealer, TRUE);
}

static const char *text_of(AdwEntryRow *row)
{
	return gtk_editable_get_text(GTK_EDITABLE(row));
}

static void set_text(AdwEntryRow *row, const char *text)
{
	gtk_editable_set_text(GTK_EDITABLE(row), text ? text : "");
}

static guint index_of(const char **list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (g_strcmp0(list[i], v) == 0)
			return (guint)i;
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* A key's passphrase is in the keyring once typed here, or when it was. */
static gboolean ssh_passphrase_kept(TuskConnectionDialog *self)
{
	if (!g_str_equal(ssh_auths[adw_combo_row_get_selected(self->ssh_auth_row)], "key"))
		return FALSE;
	json_t *t = json_object_get(self->loaded, "ssh_tunnel");
	return *gtk_editable_get_text(GTK_EDITABLE(self->ssh_secret_row)) ||
	       json_is_true(json_object_get(t, "passphrase_in_keyring"));
}

static json_t *dialog_config(TuskConnectionDialog *self)
{
	json_t *c = json_object();
	if (self->id)
		json_object_set_new(c, "id", json_string(self->id));
	json_object_set_new(c, "name", json_string(text_of(self->name_row)));
	json_object_set_new(c, "color", str_or_null(text_of(self->color_row)));
	guint g = adw_combo_row_get_selected(self->group_row);
	json_t *group = g > 0 ? json_array_get(self->groups, g - 1) : NULL;
	json_object_set_new(c, "group_id",
	                    group ? json_incref(json_object_get(group, "id")) : json_null());
	json_object_set_new(c, "host", json_string(text_of(self->host_row)));
	json_object_set_new(c, "port",
	                    json_integer(gtk_spin_button_get_value_as_int(self->port_spin)));
	json_object_set_new(c, "database", json_string(text_of(self->database_row)));
	json_object_set_new(c, "username", json_string(text_of(self->user_row)));
	/* the daemon looks the password up only for a config that says it has one */
	gboolean has_pw = *gtk_editable_get_text(GTK_EDITABLE(self->password_row)) ||
	                  json_is_true(json_object_get(self->loaded, "password_in_keyring"));
	json_object_set_new(c, "password_in_keyring", json_boolean(has_pw));
	json_object_set_new(c, "ssl_mode",
	                    json_string(ssl_modes[adw_combo_row_get_selected(self->sslmode_row)]));
	json_object_set_new(c, "ssl_ca_cert", str_or_null(text_of(self->ca_row)));
	json_object_set_new(c, "ssl_client_cert", str_or_null(text_of(self->cert_row)));
	json_object_set_new(c, "ssl_client_key", str_or_null(text_of(self->key_row)));
	int st = gtk_spin_button_get_value_as_int(self->statement_timeout_spin);
	json_object_set_new(c, "options",
	                    json_pack("{s:i, s:o, s:o, s:b}", "connect_timeout_sec",
	                              gtk_spin_button_get_value_as_int(self->connect_timeout_spin),
	                              "statement_timeout_ms",
	                              st > 0 ? json_integer(st) : json_null(), "application_name",
	                              str_or_null(text_of(self->appname_row)), "readonly",
	                              gtk_switch_get_active(self->readonly_switch)));
	const char *ssh_host = text_of(self->ssh_host_row);
	if (gtk_switch_get_active(self->ssh_switch) || *ssh_host) {
		json_object_set_new(
		    c, "ssh_tunnel",
		    json_pack("{s:b, s:o, s:i, s:o, s:s, s:o, s:b}", "enabled",
		              gtk_switch_get_active(self->ssh_switch), "host",
		              str_or_null(ssh_host), "port",
		              gtk_spin_button_get_value_as_int(self->ssh_port_spin), "username",
		              str_or_null(text_of(self->ssh_user_row)), "auth",
		              ssh_auths[adw_combo_row_get_selected(self->ssh_auth_row)], "key_path",
		              str_or_null(text_of(self->ssh_key_row)), "passphrase_in_keyring",
		              ssh_passphrase_kept(self)));
	} else {
		json_object_set_new(c, "ssh_tunnel", json_null());
	}
	return c;
}

static void dialog_fill(TuskConnectionDialog *self, json_t *c)
{
	set_text(self->name_row, json_string_value(json_object_get(c, "name")));
	set_text(self->color_row, json_string_value(json_object_get(c, "color")));
	set_text(self->host_row, json_string_value(json_object_get(c, "host")));
	json_t *port = json_object_get(c, "port");
	if (json_is_integer(port))
		gtk_spin_button_set_value(self->port_spin, (double)json_integer_value(port));
	set_text(self->database_row, json_string_value(json_object_get(c, "database")));
	set_text(self->user_row, json_string_value(json_object_get(c, "username")));
	const char *mode = json_string_value(json_object_get(c, "ssl_mode"));
	if (mode)
		adw_combo_row_set_selected(self->sslmode_row,
		                           index_of(ssl_modes, G_N_ELEMENTS(ssl_modes), mode));
	set_text(self->ca_row, json_string_value(json_object_get(c, "ssl_ca_cert")));
	set_text(self->cert_row, json_string_value(json_object_get(c, "ssl_client_cert")));
	set_text(self->key_row, json_string_value(json_object_get(c, "ssl_client_key")));
	json_t *o = json_object_get(c, "options");
	if (json_is_object(o)) {
		gtk_spin_button_set_value(
		    self->connect_timeout_spin,
		    (double)json_integer_value(json_object_get(o, "connect_timeout_sec")));
		gtk_spin_button_set_value(
		    self->statement_timeout_spin,
		    (double)json_integer_value(json_object_get(o, "statement_timeout_ms")));
		set_text(self->appname_row,
		         json_string_value(json_object_get(o, "application_name")));
		gtk_switch_set_active(self->readonly_switch,
		                      json_is_true(json_object_get(o, "readonly")));
	}
	json_t *t = json_object_get(c, "ssh_tunnel");
	if (json_is_object(t)) {
		gtk_switch_set_active(self->ssh_switch,
		                      json_is_true(json_object_get(t, "enabled")));
		set_text(self->ssh_host_row, json_string_value(json_object_get(t, "host")));
		gtk_spin_button_set_value(self->ssh_port_spin,
		                          (double)json_integer_value(json_object_get(t, "port")));
		set_text(self->ssh_user_row, json_string_value(json_object_get(t, "username")));
		adw_combo_row_set_selected(self->ssh_auth_row,
		                           index_of(ssh_auths, G_N_ELEMENTS(ssh_auths),
		                                    json_string_value(json_object_get(t, "auth"))));
		set_text(self->ssh_key_row, json_string_value(json_object_get(t, "key_path")));
	}
	if (json_is_true(json_object_get(c, "password_in_keyring")))
		gtk_editable_set_text(GTK_EDITABLE(self->password_row), "");
}

/* postgresql://user:password@host:port/database?sslmode=… parsed with GUri:
 * fills the fields it names. */
static void on_uri_apply(AdwEntryRow *row, TuskConnectionDialog *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GUri) uri = g_uri_parse(text_of(row), G_URI_FLAGS_HAS_PASSWORD, &error);
	const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
	if (!uri || (g_strcmp0(scheme, "postgresql") != 0 && g_strcmp0(scheme, "postgres") != 0)) {
		dialog_message(self, "Not a postgresql:// URI", TRUE);
		return;
	}
	if (g_uri_get_host(uri))
		set_text(self->host_row, g_uri_get_host(uri));
	if (g_uri_get_port(uri) > 0)
		gtk_spin_button_set_value(self->port_spin, g_uri_get_port(uri));
	if (g_uri_get_user(uri))
		set_text(self->user_row, g_uri_get_user(uri));
	if (g_uri_get_password(uri))
		gtk_editable_set_text(GTK_EDITABLE(self->password_row), g_uri_get_password(uri));
	const char *path = g_uri_get_path(uri);
	if (path && path[0] == '/' && path[1])
		set_text(self->database_row, path + 1);
	if (!*text_of(self->name_row) && g_uri_get_host(uri)) {
		g_autofree char *name =
		    g_strdup_printf("%s/%s", g_uri_get_host(uri), path && path[0] ? path + 1 : "");
		set_text(self->name_row, name);
	}
	const char *query = g_uri_get_query(uri);
	if (query) {
		g_autoptr(GHashTable) p =
		    g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL);
		const char *mode = p ? g_hash_table_lookup(p, "sslmode") : NULL;
		if (mode) {
			g_autofree char *m = g_strdelimit(g_strdup(mode), "-", '_');
			adw_combo_row_set_selected(self->sslmode_row,
			                           index_of(ssl_modes, G_N_ELEMENTS(ssl_modes), m));
		}
		const char *appname = p ? g_hash_table_lookup(p, "application_name") : NULL;
		if (appname)
			set_text(self->appname_row, appname);
	}
	set_text(row, "");
	dialog_message(self, "Filled in from the URI; check and save.", FALSE);
}

/* A reply for an earlier opening of the (reused) dialog: dropped. */
static gboolean stale(GError *error)
{
	return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void dialog_show_keyring(TuskConnectionDialog *self)
{
	const char *k = tusk_rpc_get_keyring(self->rpc);
	const char *text = "unknown: the daemon has not probed the keyring yet";
	if (g_strcmp0(k, "ok") == 0)
		text = "ok: the password is stored in the Secret Service keyring";
	else if (g_strcmp0(k, "locked") == 0)
		text = "locked: the password is kept for this session only";
	else if (g_strcmp0(k, "unavailable") == 0)
		text = "unavailable: the password is kept for this session only";
	adw_action_row_set_subtitle(self->keyring_row, text);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->keyring_row),
	                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void act_test(GtkWidget *w, const char *action, GVariant *param);

/* One press of Test and what follows from it: the SSH server it reached
 * (as configured then) and the generation it was pressed in. The host-key
 * question holds one too, without a reference on the dialog (the dialog
 * owns the prompt, which drops the question when the dialog goes). */
typedef struct {
	TuskConnectionDialog *self;
	gboolean ref; /* holds a reference on self (an RPC in flight) */
	guint gen;
	char *ssh_host;
	int ssh_port;
} TestReq;

static TestReq *test_req_new(TuskConnectionDialog *self, gboolean ref, guint gen,
                             const char *ssh_host, int ssh_port)
{
	TestReq *q = g_new0(TestReq, 1);
	q->self = ref ? g_object_ref(self) : self;
	q->ref = ref;
	q->gen = gen;
	q->ssh_host = g_strdup(ssh_host);
	q->ssh_port = ssh_port;
	return q;
}

static void test_req_free(gpointer data)
{
	TestReq *q = data;
	if (q->ref)
		g_object_unref(q->self);
	g_free(q->ssh_host);
	g_free(q);
}

static void on_test_trusted(GObject *source, GAsyncResult *res, gpointer data)
{
	TestReq *q = data;
	TuskConnectionDialog *self = q->self;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	json_decref(r);
	/* a Test pressed (or the dialog opened) meanwhile answers for itself */
	if (q->gen != self->test_gen || (!r && stale(error))) {
		test_req_free(q);
		return;
	}
	if (r)
		act_test(GTK_WIDGET(self), NULL, NULL);
	else
		dialog_message(self, error->message, TRUE);
	test_req_free(q);
}

static void on_test_trust_answer(gboolean trusted, const char *fingerprint, gpointer data)
{
	TestReq *q = data; /* ours again once answered */
	TuskConnectionDialog *self = q->self;
	if (q->gen != self->test_gen) {
		dialog_message(
		    self,
		    "That host key question was for an earlier Test: nothing was trusted. "
		    "Press Test again.",
		    TRUE);
	} else if (!trusted) {
		dialog_message(self, "Not tested: the SSH host key was not trusted", TRUE);
	} else {
		dialog_message(self, "Trusting the host key…", FALSE);
		/* by the SSH server that Test reached: saved or not, the daemon
		 * knows the key it refused there */
		tusk_rpc_call_async(
		    self->rpc, TUSK_M_SSH_TRUST_HOST_KEY,
		    tusk_req_ssh_trust_host_key_at(q->ssh_host, q->ssh_port, fingerprint),
		    self->cancel, on_test_trusted,
		    test_req_new(self, TRUE, q->gen, q->ssh_host, q->ssh_port));
	}
	test_req_free(q);
}

/* Test reached an SSH server whose host key is not in known_hosts: the
 * prompt asks, bound to this Test (q). */
static void test_ask_host_key(TuskConnectionDialog *self, TestReq *q, const char *message,
                              const char *fingerprint)
{
	dialog_message(self, message, TRUE);
	if (!q->ssh_host)
		return;
	if (!self->prompt)
		self->prompt = tusk_host_key_prompt_new(GTK_WINDOW(self), "_Trust and Test");
	const char *name = text_of(self->name_row);
	tusk_host_key_prompt_ask(
	    self->prompt, *name ? name : q->ssh_host, fingerprint, on_test_trust_answer,
	    test_req_new(self, FALSE, q->gen, q->ssh_host, q->ssh_port), test_req_free);
}

/* "Connected to …", and after a TLS test what it negotiated and who the
 * server's certificate names. */
static char *tested_text(const json_t *r)
{
	GString *t = g_string_new(NULL);
	g_string_printf(t, "Connected to %s in %.0f ms — PostgreSQL %s",
	                json_string_value(json_object_get(r, "display")),
	                json_number_value(json_object_get(r, "connect_ms")),
	                json_string_value(json_object_get(r, "server_version")));
	const json_t *tls = json_object_get(r, "tls");
	if (json_is_true(json_object_get(tls, "in_use"))) {
		const char *facts[] = {json_string_value(json_object_get(tls, "protocol")),
		                       json_string_value(json_object_get(tls, "cipher"))};
		for (size_t i = 0; i < G_N_ELEMENTS(facts); i++)
			if (facts[i])
				g_string_append_printf(t, " · %s", facts[i]);
		const char *subject =
		    json_string_value(json_object_get(json_object_get(tls, "peer"), "subject"));
		if (subject)
			g_string_append_printf(t, "\nServer certificate: %s", subject);
	}
	return g_string_free(t, FALSE);
}

static void on_tested(GObject *source, GAsyncResult *res, gpointer data)
{
	TestReq *q = data;
	TuskConnectionDialog *self = q->self;
	g_autoptr(GError) error = NULL;
	json_t *edata = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, &edata, &error);
	if (!r && stale(error)) {
		json_decref(edata);
		test_req_free(q);
		return;
	}
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "dialog.test", TRUE);
	const char *fingerprint = r ? NULL : tusk_host_key_fingerprint(error, edata);
	if (r) {
		g_autofree char *t = tested_text(r);
		dialog_message(self, t, FALSE);
		json_decref(r);
	} else if (fingerprint) {
		test_ask_host_key(self, q, error->message, fingerprint);
	} else {
		/* the daemon's hint (what to do) under its message */
		const char *hint = json_string_value(json_object_get(edata, "hint"));
		g_autofree char *t = hint && *hint ? g_strdup_printf("%s\n%s", error->message, hint)
		                                   : g_strdup(error->message);
		dialog_message(self, t, TRUE);
	}
	json_decref(edata);
	test_req_free(q);
}

static void act_test(GtkWidget *w, const char *action, GVariant *param)
{
	TuskConnectionDialog *self = TUSK_CONNECTION_DIALOG(w);
	json_t *config = dialog_config(self);
	json_t *t = json_object_get(config, "ssh_tunnel");
	TestReq *q = test_req_new(self, TRUE, ++self->test_gen,
	                          json_is_true(json_object_get(t, "enabled"))
	                              ? json_string_value(json_object_get(t, "host"))
	                              : NULL,
	                          (int)json_integer_value(json_object_get(t, "port")));
	/* a typed password, SSH password or key passphrase and TLS key
	 * passphrase are used for this test instead of the keyring's (an
	 * unsaved connection has none there) */
	json_t *params = tusk_req_connections_test_config(
	    config, gtk_editable_get_text(GTK_EDITABLE(self->password_row)),
	    gtk_editable_get_text(GTK_EDITABLE(self->ssh_secret_row)),
	    gtk_editable_get_text(GTK_EDITABLE(self->ssl_passphrase_row)));
	dialog_message(self, "Testing…", FALSE);
	gtk_widget_action_set_enabled(w, "dialog.test", FALSE);
	tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_TEST, params, self->cancel, on_tested, q);
}

/* One press of Save: the connection, then each typed secret to the keyring
 * (credentials.set), then "saved" so the sidebar refreshes. It finishes
 * whatever happens to the dialog meanwhile: a reopened dialog drops only
 * its own opening's calls, not a save in flight (the secrets are copied
 * at the press and wiped when done). */
typedef struct {
	TuskConnectionDialog *self;
	guint opening;        /* the dialog's opening it was pressed in */
	char *id;             /* the saved id */
	const char *kinds[3]; /* credentials.set kinds of … */
	char *secrets[3];     /* … the secrets typed (NULL: none) */
	int pending;
	gboolean failed;
} Save;

static void save_free(Save *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(s->secrets); i++) {
		if (s->secrets[i])
			explicit_bzero(s->secrets[i], strlen(s->secrets[i]));
		g_free(s->secrets[i]);
	}
	g_free(s->id);
	g_object_unref(s->self);
	g_free(s);
}

/* Still the opening Save was pressed in: its answer is shown there. */
static gboolean save_shown(Save *s)
{
	return s->opening == s->self->opening;
}

static void save_done(Save *s)
{
	g_signal_emit(s->self, signals[SIGNAL_SAVED], 0, s->id);
	if (save_shown(s))
		gtk_window_close(GTK_WINDOW(s->self));
	save_free(s);
}

static void on_secret_set(GObject *source, GAsyncResult *res, gpointer data)
{
	Save *s = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	json_decref(r);
	if (!r && !s->failed) {
		s->failed = TRUE;
		g_autofree char *t =
		    g_strdup_printf("Saved, but the password was not: %s", error->message);
		if (save_shown(s))
			dialog_message(s->self, t, TRUE);
		else
			g_warning("%s", t);
	}
	if (--s->pending > 0)
		return;
	if (s->failed) {
		/* saved without its secret: the sidebar shows it, the dialog stays */
		g_signal_emit(s->self, signals[SIGNAL_SAVED], 0, s->id);
		save_free(s);
	} else {
		save_done(s);
	}
}

static void on_saved(GObject *source, GAsyncResult *res, gpointer data)
{
	Save *s = data;
	TuskConnectionDialog *self = s->self;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (save_shown(s))
		gtk_widget_action_set_enabled(GTK_WIDGET(self), "dialog.save", TRUE);
	if (!r) {
		if (save_shown(s))
			dialog_message(self, error->message, TRUE);
		else
			g_warning("saving the connection failed: %s", error->message);
		save_free(s);
		return;
	}
	s->id = g_strdup(json_string_value(json_object_get(r, "id")));
	json_decref(r);
	/* A Save again (after its secret failed) updates this connection
	 * instead of adding a second one. */
	if (save_shown(s) && !self->id)
		self->id = g_strdup(s->id);
	for (size_t i = 0; i < G_N_ELEMENTS(s->secrets); i++)
		s->pending += s->secrets[i] ? 1 : 0;
	if (s->pending == 0) {
		save_done(s);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(s->secrets); i++)
		if (s->secrets[i])
			tusk_rpc_call_async(
			    self->rpc, TUSK_M_CREDENTIALS_SET,
			    tusk_req_credentials_set(s->id, s->kinds[i], s->secrets[i]), NULL,
			    on_secret_set, s);
}

static char *secret_of(AdwPasswordEntryRow *row)
{
	const char *t = gtk_editable_get_text(GTK_EDITABLE(row));
	return *t ? g_strdup(t) : NULL;
}

static void act_save(GtkWidget *w, const char *action, GVariant *param)
{
	TuskConnectionDialog *self = TUSK_CONNECTION_DIALOG(w);
	gtk_widget_action_set_enabled(w, "dialog.save", FALSE);
	Save *s = g_new0(Save, 1);
	s->self = g_object_ref(self);
	s->opening = self->opening;
	guint auth = adw_combo_row_get_selected(self->ssh_auth_row);
	s->kinds[0] = g_str_equal(ssh_auths[auth], "key") ? "ssh_passphrase" : "ssh_password";
	s->secrets[0] = secret_of(self->ssh_secret_row);
	s->kinds[1] = "password";
	s->secrets[1] = secret_of(self->password_row);
	s->kinds[2] = "ssl_passphrase";
	s->secrets[2] = secret_of(self->ssl_passphrase_row);
	/* not self->cancel: reopening the dialog does not stop a save */
	tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_SAVE,
	                    tusk_req_connections_save(dialog_config(self)), NULL, on_saved, s);
}

static void on_groups(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskConnectionDialog *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (r) {
		json_decref(self->groups);
		self->groups = json_incref(json_object_get(r, "groups"));
		GtkStringList *names = gtk_string_list_new(NULL);
		gtk_string_list_append(names, "No group");
		json_t *g;
		size_t i;
		json_array_foreach(self->groups, i, g)
		    gtk_string_list_append(names, json_string_value(json_object_get(g, "name")));
		adw_combo_row_set_model(self->group_row, G_LIST_MODEL(names));
		g_object_unref(names);
		const char *gid = json_string_value(json_object_get(self->loaded, "group_id"));
		json_array_foreach(self->groups, i, g)
		{
			if (gid && g_strcmp0(json_string_value(json_object_get(g, "id")), gid) == 0)
				adw_combo_row_set_selected(self->group_row, (guint)i + 1);
		}
		json_decref(r);
	}
	g_object_unref(self);
}

static void on_loaded(GObject *source, GAsyncResult *res, gpointer data)
{
	TuskConnectionDialog *self = data;
	g_autoptr(GError) error = NULL;
	json_t *r = tusk_rpc_call_finish(TUSK_RPC(source), res, NULL, &error);
	if (!r && stale(error)) {
		g_object_unref(self);
		return;
	}
	if (r) {
		json_decref(self->loaded);
		self->loaded = r;
		dialog_fill(self, r);
	} else {
		dialog_message(self, error->message, TRUE);
	}
	tusk_rpc_call_async(self->rpc, TUSK_M_GROUPS_LIST, NULL, self->cancel, on_groups, self);
}

/* Every field back to a new connection's defaults. */
static void dialog_reset(TuskConnectionDialog *self)
{
	AdwEntryRow *rows[] = {self->uri_row,      self->name_row,     self->color_row,
	                       self->database_row, self->user_row,     self->appname_row,
	                       self->ca_row,       self->cert_row,     self->key_row,
	                       self->ssh_host_row, self->ssh_user_row, self->ssh_key_row};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
		set_text(rows[i], "");
	AdwPasswordEntryRow *secrets[] = {self->password_row, self->ssh_secret_row,
	                                  self->ssl_passphrase_row};
	for (size_t i = 0; i < G_N_ELEMENTS(secrets); i++)
		gtk_editable_set_text(GTK_EDITABLE(secrets[i]), "");
	set_text(self->host_row, "localhost");
	gtk_spin_button_set_value(self->port_spin, 5432);
	gtk_spin_button_set_value(self->connect_timeout_spin, 10);
	gtk_spin_button_set_value(self->statement_timeout_spin, 0);
	gtk_spin_button_set_value(self->ssh_port_spin, 22);
	gtk_switch_set_active(self->readonly_switch, FALSE);
	gtk_switch_set_active(self->ssh_switch, FALSE);
	adw_combo_row_set_selected(self->sslmode_row, 1);
	adw_combo_row_set_selected(self->ssh_auth_row, 0);
	adw_combo_row_set_selected(self->group_row, 0);
	adw_view_stack_set_visible_child_name(self->stack, "general");
	gtk_label_set_text(self->message_label, "");
	gtk_revealer_set_reveal_child(self->message_revealer, FALSE);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "dialog.test", TRUE);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "dialog.save", TRUE);
	g_clear_pointer(&self->loaded, json_decref);
	g_clear_pointer(&self->id, g_free);
}

TuskConnectionDialog *tusk_connection_dialog_new(GtkWindow *parent, TuskRpc *rpc)
{
	TuskConnectionDialog *self = g_object_new(TUSK_TYPE_CONNECTION_DIALOG, "transient-for",
	                                          parent, "hide-on-close", TRUE, NULL);
	self->rpc = g_object_ref(rpc);
	return self;
}

void tusk_connection_dialog_open(TuskConnectionDialog *self, const char *id)
{
	/* whatever the last opening still waits for is dropped */
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	self->cancel = g_cancellable_new();
	self->opening++;
	/* a host-key question of the last opening's Test is not this one's */
	self->test_gen++;
	if (self->prompt)
		tusk_host_key_prompt_dismiss(self->prompt);
	/* shown first: GTK 4.8 tells AT-SPI of a hidden window's title change
	 * through its unrealized context, and the bus drops the application */
	gtk_window_present(GTK_WINDOW(self));
	dialog_reset(self);
	self->id = g_strdup(id);
	gtk_window_set_title(GTK_WINDOW(self), id ? "Edit Connection" : "New Connection");
	dialog_show_keyring(self);
	if (id)
		tusk_rpc_call_async(self->rpc, TUSK_M_CONNECTIONS_GET,
		                    tusk_req_connection_id(id, NULL), self->cancel, on_loaded,
		                    g_object_ref(self));
	else
		tusk_rpc_call_async(self->rpc, TUSK_M_GROUPS_LIST, NULL, self->cancel, on_groups,
		                    g_object_ref(self));
}

static void tusk_connection_dialog_dispose(GObject *object)
{
	TuskConnectionDialog *self = TUSK_CONNECTION_DIALOG(object);
	g_cancellable_cancel(self->cancel);
	g_clear_object(&self->cancel);
	g_clear_object(&self->prompt);
	g_clear_object(&self->rpc);
	gtk_widget_dispose_template(GTK_WIDGET(self), TUSK_TYPE_CONNECTION_DIALOG);
	G_OBJECT_CLASS(tusk_connection_dialog_parent_class)->dispose(object);
}

static void tusk_connection_dialog_finalize(GObject *object)
{
	TuskConnectionDialog *self = TUSK_CONNECTION_DIALOG(object);
	g_free(self->id);
	json_decref(self->groups);
	json_decref(self->loaded);
	G_OBJECT_CLASS(tusk_connection_dialog_parent_class)->finalize(object);
}

#define BIND(name) gtk_widget_class_bind_template_child(wc, TuskConnectionDialog, name)

static void tusk_connection_dialog_class_init(TuskConnectionDialogClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = tusk_connection_dialog_dispose;
	G_OBJECT_CLASS(klass)->finalize = tusk_connection_dialog_finalize;
	signals[SIGNAL_SAVED] = g_signal_new("saved", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
	                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	gtk_widget_class_set_template_from_resource(wc, "/app/tusk/Tusk/tusk-connection-dialog.ui");
	BIND(message_revealer);
	BIND(message_label);
	BIND(save_button);
	BIND(uri_row);
	BIND(name_row);
	BIND(color_row);
	BIND(group_row);
	BIND(host_row);
	BIND(port_spin);
	BIND(database_row);
	BIND(user_row);
	BIND(password_row);
	BIND(keyring_row);
	BIND(connect_timeout_spin);
	BIND(statement_timeout_spin);
	BIND(appname_row);
	BIND(readonly_switch);
	BIND(sslmode_row);
	BIND(ca_row);
	BIND(cert_row);
	BIND(key_row);
	BIND(ssh_switch);
	BIND(ssh_host_row);
	BIND(ssh_port_spin);
	BIND(ssh_user_row);
	BIND(ssh_auth_row);
	BIND(ssh_key_row);
	BIND(ssh_secret_row);
	BIND(ssl_passphrase_row);
	BIND(stack);
	gtk_widget_class_install_action(wc, "dialog.save", NULL, act_save);
	gtk_widget_class_install_action(wc, "dialog.test", NULL, act_test);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void on_file_chosen(GtkNativeDialog *chooser, int response, gpointer data)
{
	AdwEntryRow *row = data;
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) f = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(chooser));
		g_autofree char *path = f ? g_file_get_path(f) : NULL;
		if (path)
			set_text(row, path);
	}
	g_object_unref(chooser);
	g_object_unref(row);
}

static void on_choose_file(GtkButton *button, AdwEntryRow *row)
{
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(row));
	GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
	    adw_preferences_row_get_title(ADW_PREFERENCES_ROW(row)), GTK_WINDOW(root),
	    GTK_FILE_CHOOSER_ACTION_OPEN, "_Choose", "_Cancel");
	const char *now = text_of(row);
	if (*now) {
		g_autoptr(GFile) f = g_file_new_for_path(now);
		gtk_file_chooser_set_file(GTK_FILE_CHOOSER(chooser), f, NULL);
	}
	g_signal_connect(chooser, "response", G_CALLBACK(on_file_chosen), g_object_ref(row));
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

/* A "Choose…" button after a file path row; typing the path still works. */
static void add_file_button(AdwEntryRow *row)
{
	GtkWidget *b = gtk_button_new_from_icon_name("document-open-symbolic");
	gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(b, "flat");
	g_autofree char *label =
	    g_strdup_printf("Choose %s", adw_preferences_row_get_title(ADW_PREFERENCES_ROW(row)));
	gtk_widget_set_tooltip_text(b, label);
	gtk_accessible_update_property(GTK_ACCESSIBLE(b), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
	g_signal_connect(b, "clicked", G_CALLBACK(on_choose_file), row);
	adw_entry_row_add_suffix(row, b);
}

static void tusk_connection_dialog_init(TuskConnectionDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	add_file_button(self->ca_row);
	add_file_button(self->cert_row);
	add_file_button(self->key_row);
	add_file_button(self->ssh_key_row);
	adw_combo_row_set_selected(self->sslmode_row, 1);
	set_text(self->host_row, "localhost");
	g_signal_connect(self->uri_row, "apply", G_CALLBACK(on_uri_apply), self);
}
