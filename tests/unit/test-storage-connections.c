/* Saved connections and groups in a real tusk.db (temp dir): CRUD, unique
 * names, the group foreign key, nested groups and loops, what deleting a
 * group does, unreadable rows; and connections.import's libpq parsing,
 * including that an imported password never reaches the database file. */
#include <check.h>
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/db/conninfo.h"
#include "daemon/storage/connections.h"
#include "daemon/storage/groups.h"
#include "test-storage-util.h"
#include "tests/lib/tt-check.h"

static char *dir;
static char *path;
static Storage *st;

static void setup(void)
{
	TuskError e = TUSK_ERROR_INIT;
	dir = tst_dir();
	path = tst_join(dir, "tusk.db");
	st = storage_open(path, &e);
	ck_assert_msg(st != NULL, "%s", tusk_error_message(&e));
	ck_assert_int_eq(storage_state(st), STORAGE_OK);
}

static void teardown(void)
{
	storage_close(st);
	st = NULL;
	free(path);
	free(dir);
}

static TuskConnectionConfig *config(const char *name, const char *group_id)
{
	TuskConnectionConfig *c = tusk_connection_config_new(name, "db.example.com", "sales");
	ck_assert_ptr_nonnull(c);
	if (group_id)
		c->group_id = strdup(group_id);
	return c;
}

static void save_ok(const TuskConnectionConfig *c)
{
	TuskError e = TUSK_ERROR_INIT;
	ck_assert_msg(connections_save(st, c, NULL, &e) == 0, "%s", tusk_error_message(&e));
}

static TuskConnectionGroup *group(const char *name, const char *parent, int order)
{
	TuskError e = TUSK_ERROR_INIT;
	TuskConnectionGroup *g = tusk_connection_group_new(name);
	ck_assert_ptr_nonnull(g);
	if (parent)
		g->parent_id = strdup(parent);
	g->sort_order = order;
	ck_assert_msg(groups_save(st, g, NULL, &e) == 0, "%s", tusk_error_message(&e));
	return g;
}

/* Expect a failure of kind with a message starting with prefix. */
#define ck_fails(call, e, want_kind, prefix)                                                  \
	do {                                                                                  \
		tusk_error_clear(&(e));                                                       \
		ck_assert_int_lt((call), 0);                                                  \
		ck_assert_msg((e).kind == (want_kind), "kind %s: %s",                         \
		              tusk_error_kind_name((e).kind), tusk_error_message(&(e)));      \
		ck_assert_msg(strncmp(tusk_error_message(&(e)), prefix, strlen(prefix)) == 0, \
		              "message \"%s\" does not start with \"%s\"",                    \
		              tusk_error_message(&(e)), prefix);                              \
	} while (0)

START_TEST(test_crud)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_config_ TuskConnectionConfig *c = config("prod", NULL);
	_cleanup_connection_config_ TuskConnectionConfig *got = NULL, *byname = NULL;
	bool created = false;

	c->port = 6543;
	c->options.readonly = true;
	ck_assert_int_eq(connections_save(st, c, &created, &e), 0);
	ck_assert(created);

	ck_assert_int_eq(connections_get(st, c->id, &got, &e), 0);
	ck_assert_str_eq(got->name, "prod");
	ck_assert_int_eq(got->port, 6543);
	ck_assert(got->options.readonly);
	/* By name, and by id in upper case. */
	ck_assert_int_eq(connections_get(st, "prod", &byname, &e), 0);
	ck_assert_str_eq(byname->id, c->id);
	char upper[TUSK_UUID_STRLEN + 1];
	for (size_t i = 0; i <= TUSK_UUID_STRLEN; i++)
		upper[i] = (char)toupper((unsigned char)c->id[i]);
	tusk_connection_config_free(byname);
	ck_assert_int_eq(connections_get(st, upper, &byname, &e), 0);
	ck_assert_str_eq(byname->id, c->id);

	/* Update: same id, new name and host; created_at kept. */
	long long created_at = tst_int(storage_db(st), "SELECT created_at FROM connections");
	free(c->name);
	c->name = strdup("production");
	free(c->host);
	c->host = strdup("10.0.0.5");
	ck_assert_int_eq(connections_save(st, c, &created, &e), 0);
	ck_assert(!created);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM connections"), 1);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT created_at FROM connections"), created_at);
	tusk_connection_config_free(got);
	got = NULL;
	ck_fails(connections_get(st, "prod", &got, &e), e, TUSK_ERR_CONNECTION_NOT_FOUND,
	         "no saved connection 'prod'");
	ck_assert_int_eq(connections_get(st, "production", &got, &e), 0);
	ck_assert_str_eq(got->host, "10.0.0.5");

	_cleanup_(connection_list_freep) ConnectionList *l = NULL;
	ck_assert_int_eq(connections_list(st, &l, NULL, &e), 0);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->items[0]->name, "production");

	char id[TUSK_UUID_STRLEN + 1] = "";
	ck_assert_int_eq(connections_delete(st, "production", id, &e), 0);
	ck_assert_str_eq(id, c->id);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM connections"), 0);
	ck_fails(connections_delete(st, c->id, NULL, &e), e, TUSK_ERR_CONNECTION_NOT_FOUND,
	         "no saved connection");
	ck_fails(connections_delete(st, "nothing", NULL, &e), e, TUSK_ERR_CONNECTION_NOT_FOUND,
	         "no saved connection 'nothing'");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_unique_name)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_config_ TuskConnectionConfig *a = config("shared", NULL);
	_cleanup_connection_config_ TuskConnectionConfig *b = config("shared", NULL);
	save_ok(a);
	ck_fails(connections_save(st, b, NULL, &e), e, TUSK_ERR_INVALID_INPUT,
	         "name: a connection named 'shared' already exists");
	ck_fails(connections_check(st, b, &e), e, TUSK_ERR_INVALID_INPUT, "name: ");
	/* Saving a under its own name again is an update, not a clash. */
	save_ok(a);
	free(b->name);
	b->name = strdup("other");
	save_ok(b);
	/* Renaming b onto a's name is refused and changes nothing. */
	free(b->name);
	b->name = strdup("shared");
	ck_fails(connections_save(st, b, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "name: ");
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM connections WHERE "
	                                         "name = 'other'"),
	                 1);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_invalid_config_refused)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_config_ TuskConnectionConfig *c = config("bad", NULL);
	c->color = strdup("blue");
	ck_fails(connections_save(st, c, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "color: ");
	free(c->color);
	c->color = NULL;
	c->port = 0;
	ck_fails(connections_save(st, c, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "port: ");
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM connections"), 0);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_group_fk)
{
	TuskError e = TUSK_ERROR_INIT;
	char missing[TUSK_UUID_STRLEN + 1];
	ck_assert_int_eq(tusk_uuid_v4(missing), 0);
	_cleanup_connection_config_ TuskConnectionConfig *c = config("in-group", missing);
	ck_fails(connections_save(st, c, NULL, &e), e, TUSK_ERR_INVALID_INPUT,
	         "group_id: no such group");

	_cleanup_connection_group_ TuskConnectionGroup *g = group("Work", NULL, 0);
	free(c->group_id);
	c->group_id = strdup(g->id);
	save_ok(c);
	_cleanup_connection_config_ TuskConnectionConfig *got = NULL;
	ck_assert_int_eq(connections_get(st, "in-group", &got, &e), 0);
	ck_assert_str_eq(got->group_id, g->id);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_nested_groups_and_loops)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_group_ TuskConnectionGroup *a = group("A", NULL, 0);
	_cleanup_connection_group_ TuskConnectionGroup *b = group("B", a->id, 0);
	_cleanup_connection_group_ TuskConnectionGroup *c = group("C", b->id, 0);

	/* A under C would make A its own ancestor. */
	free(a->parent_id);
	a->parent_id = strdup(c->id);
	ck_fails(groups_save(st, a, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "parent_id: ");
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "loop"));
	/* Its own parent. */
	free(a->parent_id);
	a->parent_id = strdup(a->id);
	ck_fails(groups_save(st, a, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "parent_id: ");
	/* A parent that does not exist. */
	free(a->parent_id);
	a->parent_id = malloc(TUSK_UUID_STRLEN + 1);
	ck_assert_int_eq(tusk_uuid_v4(a->parent_id), 0);
	ck_fails(groups_save(st, a, NULL, &e), e, TUSK_ERR_INVALID_INPUT, "parent_id: ");
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "does not exist"));
	ck_assert_ptr_null(tst_text(storage_db(st), "SELECT parent_id FROM connection_groups "
	                                            "WHERE name = 'A'"));

	/* Moving C to the top is fine; the list is by sort_order then name. */
	free(c->parent_id);
	c->parent_id = NULL;
	c->sort_order = -1;
	bool created = true;
	ck_assert_int_eq(groups_save(st, c, &created, &e), 0);
	ck_assert(!created);
	_cleanup_(group_list_freep) GroupList *l = NULL;
	ck_assert_int_eq(groups_list(st, &l, NULL, &e), 0);
	ck_assert_uint_eq(l->n, 3);
	ck_assert_str_eq(l->items[0]->name, "C");
	ck_assert_str_eq(l->items[1]->name, "A");
	ck_assert_str_eq(l->items[2]->name, "B");
	ck_assert_str_eq(l->items[2]->parent_id, a->id);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_group_names)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_group_ TuskConnectionGroup *a = group("Clients", NULL, 0);
	_cleanup_connection_group_ TuskConnectionGroup *b = group("Other", NULL, 0);
	_cleanup_connection_group_ TuskConnectionGroup *x = group("prod", a->id, 0);
	_cleanup_connection_group_ TuskConnectionGroup *y = group("prod", b->id, 0);
	_cleanup_connection_group_ TuskConnectionGroup *dup = tusk_connection_group_new("prod");
	dup->parent_id = strdup(a->id);
	ck_fails(groups_save(st, dup, NULL, &e), e, TUSK_ERR_INVALID_INPUT,
	         "name: a group named 'prod' already exists there");

	_cleanup_connection_group_ TuskConnectionGroup *found = NULL;
	ck_fails(groups_find(st, "prod", &found, &e), e, TUSK_ERR_INVALID_INPUT,
	         "id: 2 groups are named 'prod'");
	ck_fails(groups_find(st, "nope", &found, &e), e, TUSK_ERR_INVALID_INPUT,
	         "id: no group named 'nope'");
	ck_assert_int_eq(groups_find(st, "Clients", &found, &e), 0);
	ck_assert_str_eq(found->id, a->id);
	tusk_connection_group_free(found);
	ck_assert_int_eq(groups_find(st, y->id, &found, &e), 0);
	ck_assert_str_eq(found->parent_id, b->id);
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_group_delete)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_group_ TuskConnectionGroup *a = group("A", NULL, 0);
	_cleanup_connection_group_ TuskConnectionGroup *b = group("B", a->id, 0);
	_cleanup_connection_group_ TuskConnectionGroup *c = group("C", b->id, 0);
	_cleanup_connection_group_ TuskConnectionGroup *keep = group("Keep", NULL, 0);
	_cleanup_connection_config_ TuskConnectionConfig *x = config("x", a->id);
	_cleanup_connection_config_ TuskConnectionConfig *y = config("y", c->id);
	_cleanup_connection_config_ TuskConnectionConfig *z = config("z", keep->id);
	_cleanup_connection_config_ TuskConnectionConfig *w = config("w", NULL);
	save_ok(x);
	save_ok(y);
	save_ok(z);
	save_ok(w);

	GroupDeleteStats stats = {0};
	ck_assert_int_eq(groups_delete(st, "A", &stats, &e), 0);
	ck_assert_uint_eq(stats.groups, 3);
	ck_assert_uint_eq(stats.connections, 2);

	/* Every connection survives; those of A, B and C are in no group. */
	_cleanup_(connection_list_freep) ConnectionList *l = NULL;
	ck_assert_int_eq(connections_list(st, &l, NULL, &e), 0);
	ck_assert_uint_eq(l->n, 4);
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i]->name, "z") == 0)
			ck_assert_str_eq(l->items[i]->group_id, keep->id);
		else
			ck_assert_ptr_null(l->items[i]->group_id);
	}
	_cleanup_(group_list_freep) GroupList *gl = NULL;
	ck_assert_int_eq(groups_list(st, &gl, NULL, &e), 0);
	ck_assert_uint_eq(gl->n, 1);
	ck_assert_str_eq(gl->items[0]->name, "Keep");
	ck_fails(groups_delete(st, "A", NULL, &e), e, TUSK_ERR_INVALID_INPUT,
	         "id: no group named 'A'");
	tusk_error_clear(&e);
}
END_TEST

START_TEST(test_list_order)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_group_ TuskConnectionGroup *late = group("Late", NULL, 5);
	_cleanup_connection_group_ TuskConnectionGroup *early = group("Zearly", NULL, 1);
	const char *names[] = {"b-late", "a-late", "b-early", "a-early", "loose-b", "loose-a"};
	const char *groups[] = {late->id, late->id, early->id, early->id, NULL, NULL};
	for (size_t i = 0; i < 6; i++) {
		_cleanup_connection_config_ TuskConnectionConfig *c = config(names[i], groups[i]);
		save_ok(c);
	}
	const char *want[] = {"loose-a", "loose-b", "a-early", "b-early", "a-late", "b-late"};
	_cleanup_(connection_list_freep) ConnectionList *l = NULL;
	ck_assert_int_eq(connections_list(st, &l, NULL, &e), 0);
	ck_assert_uint_eq(l->n, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(l->items[i]->name, want[i]);
}
END_TEST

START_TEST(test_unreadable_row)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_connection_config_ TuskConnectionConfig *good = config("good", NULL);
	save_ok(good);
	tst_exec(storage_db(st), "INSERT INTO connections (id, name, config, created_at, "
	                         "updated_at) VALUES ('0b5e4a3e-7d35-4c61-9d5e-5a0f1d2c3b4a', "
	                         "'broken', '{\"name\": 12}', 0, 0)");
	size_t skipped = 0;
	_cleanup_(connection_list_freep) ConnectionList *l = NULL;
	ck_assert_int_eq(connections_list(st, &l, &skipped, &e), 0);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_uint_eq(skipped, 1);
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	ck_fails(connections_get(st, "broken", &c, &e), e, TUSK_ERR_STORAGE,
	         "the saved connection 'broken' cannot be read");
	/* Still deletable by its id. */
	ck_assert_int_eq(connections_delete(st, "0B5E4A3E-7D35-4C61-9D5E-5A0F1D2C3B4A", NULL, &e),
	                 0);
	ck_assert_int_eq(tst_int(storage_db(st), "SELECT count(*) FROM connections"), 1);
	tusk_error_clear(&e);
}
END_TEST

/* ---- import ---------------------------------------------------------------- */

static ConninfoImport *import_ok(const char *source, const char *service, const json_t *env)
{
	TuskError e = TUSK_ERROR_INIT;
	ConninfoImport *imp = NULL;
	ck_assert_msg(conninfo_import(source, service, env, &imp, &e) == 0, "%s",
	              tusk_error_message(&e));
	return imp;
}

static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strstr(json_string_value(v), s))
			return true;
	}
	return false;
}

static bool file_contains(const char *file, const char *needle)
{
	if (!tst_exists(file))
		return false;
	size_t len = 0;
	_cleanup_free_ char *data = tst_read_file(file, &len);
	return memmem(data, len, needle, strlen(needle)) != NULL;
}

START_TEST(test_import_uri_password_never_stored)
{
	_cleanup_(conninfo_import_freep) ConninfoImport *imp = import_ok(
	    "postgresql://alice:Sup3rS3cretPw%21@db.example.com:6543/sales?sslmode=verify-full"
	    "&application_name=report&connect_timeout=7"
	    "&options=-c%20default_transaction_read_only%3Don&target_session_attrs=read-write",
	    NULL, NULL);
	TuskConnectionConfig *c = imp->config;
	ck_assert_str_eq(c->host, "db.example.com");
	ck_assert_int_eq(c->port, 6543);
	ck_assert_str_eq(c->database, "sales");
	ck_assert_str_eq(c->username, "alice");
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_VERIFY_FULL);
	ck_assert_str_eq(c->options.application_name, "report");
	ck_assert_uint_eq(c->options.connect_timeout_sec, 7);
	ck_assert(c->options.readonly);
	ck_assert(!c->password_in_keyring);
	ck_assert_str_eq(c->name, "alice@db.example.com/sales");
	ck_assert_str_eq(imp->password, "Sup3rS3cretPw!");
	ck_assert(has_string(imp->ignored, "target_session_attrs"));
	ck_assert_uint_eq(json_array_size(imp->ignored), 1);

	/* The config JSON holds no password, and neither does the file. */
	_cleanup_json_ json_t *j = tusk_connection_config_to_json(c);
	_cleanup_free_ char *text = json_dumps(j, 0);
	ck_assert_ptr_null(strstr(text, "Sup3rS3cret"));
	save_ok(c);
	storage_close(st);
	st = NULL;
	_cleanup_free_ char *wal = tst_join(dir, "tusk.db-wal");
	ck_assert(tst_exists(path));
	ck_assert(file_contains(path, "db.example.com")); /* the probe itself can find text */
	ck_assert(!file_contains(path, "Sup3rS3cret"));
	ck_assert(!file_contains(wal, "Sup3rS3cret"));
	st = storage_open(path, NULL);
}
END_TEST

START_TEST(test_import_conninfo)
{
	_cleanup_(conninfo_import_freep) ConninfoImport *imp =
	    import_ok("host=a.example,b.example port=5433,5434 dbname=d user=u sslmode=allow "
	              "connect_timeout=0 sslrootcert=/etc/ca.pem sslcert=/c.pem sslkey=/k.pem "
	              "options='-c statement_timeout=5000 -c work_mem=64MB' keepalives=1",
	              NULL, NULL);
	TuskConnectionConfig *c = imp->config;
	ck_assert_str_eq(c->host, "a.example");
	ck_assert_int_eq(c->port, 5433);
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_PREFER);
	ck_assert_uint_eq(c->options.connect_timeout_sec, TUSK_DEFAULT_CONNECT_TIMEOUT_SEC);
	ck_assert_int_eq(c->options.statement_timeout_ms, 5000);
	ck_assert(!c->options.readonly);
	ck_assert_str_eq(c->ssl_ca_cert, "/etc/ca.pem");
	ck_assert_str_eq(c->ssl_client_cert, "/c.pem");
	ck_assert_str_eq(c->ssl_client_key, "/k.pem");
	ck_assert_ptr_null(imp->password);
	ck_assert(has_string(imp->ignored, "options"));
	ck_assert(has_string(imp->ignored, "keepalives"));
	ck_assert(has_string(imp->warnings, "only the first of 2 hosts"));
	ck_assert(has_string(imp->warnings, "only the first of 2 ports"));
	ck_assert(has_string(imp->warnings, "'allow'"));
	ck_assert(has_string(imp->warnings, "connect_timeout: 0"));
}
END_TEST

START_TEST(test_import_defaults)
{
	_cleanup_(conninfo_import_freep) ConninfoImport *imp = import_ok("dbname=x", NULL, NULL);
	ck_assert_str_eq(imp->config->host, "/var/run/postgresql");
	ck_assert_str_eq(imp->config->username, "");
	ck_assert_str_eq(imp->config->name, "/var/run/postgresql/x");
	ck_assert(has_string(imp->warnings, "host: none given"));
	conninfo_import_free(imp);
	/* No database: libpq's default, the user name. */
	imp = import_ok("host=h user=carol hostaddr=127.0.0.1", NULL, NULL);
	ck_assert_str_eq(imp->config->database, "carol");
	ck_assert_str_eq(imp->config->host, "h");
	ck_assert(has_string(imp->ignored, "hostaddr"));
	conninfo_import_free(imp);
	imp = import_ok("hostaddr=127.0.0.2", NULL, NULL);
	ck_assert_str_eq(imp->config->host, "127.0.0.2");
	ck_assert_str_ne(imp->config->database, "");
}
END_TEST

START_TEST(test_import_errors)
{
	TuskError e = TUSK_ERROR_INIT;
	ConninfoImport *imp = NULL;
	ck_fails(conninfo_import("host=h port=abc", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "port: 'abc'");
	ck_fails(conninfo_import("host=h port=70000", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "port: '70000'");
	ck_fails(conninfo_import("host=h sslmode=sometimes", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "sslmode: 'sometimes'");
	ck_fails(conninfo_import("host=h nosuchkeyword=1", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "source: ");
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "nosuchkeyword"));
	ck_fails(conninfo_import("host=h sslkey=/k.pem", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "ssl_client_key: ");
	/* libpq would quote the text after the password: withheld. */
	ck_fails(conninfo_import("host=h password=Hunter2 Secret", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "source: ");
	ck_assert_ptr_null(strstr(tusk_error_message(&e), "Secret"));
	ck_assert_ptr_null(strstr(tusk_error_message(&e), "Hunter2"));
	/* libpq quotes a whole URI, or the bad userinfo: the password is masked. */
	ck_fails(conninfo_import("postgresql://bob:pa55word@[::1/db", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "source: ");
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "[::1/db"));
	ck_assert_ptr_null(strstr(tusk_error_message(&e), "pa55word"));
	ck_fails(conninfo_import("postgresql://bob:pa55%zzword@h/db", NULL, NULL, &imp, &e), e,
	         TUSK_ERR_INVALID_INPUT, "source: invalid percent-encoded token");
	ck_assert_ptr_null(strstr(tusk_error_message(&e), "pa55"));
	ck_fails(conninfo_import(NULL, "", NULL, &imp, &e), e, TUSK_ERR_INVALID_INPUT, "service: ");
	ck_assert_ptr_null(imp);
	tusk_error_clear(&e);
}
END_TEST

static char *write_service_file(const char *name)
{
	char *file = tst_join(dir, name);
	const char *text = "# a real pg_service.conf\n"
	                   "[reporting]\n"
	                   "host=reports.example.com\n"
	                   "port=6432\n"
	                   "dbname=warehouse\n"
	                   "user=analyst\n"
	                   "password=Serv1cePw\n"
	                   "sslmode=require\n"
	                   "options=-c default_transaction_read_only=on\n"
	                   "\n"
	                   "[plain]\n"
	                   "host=plain.example.com\n"
	                   "dbname=plain\n";
	tst_write_file(file, text, strlen(text));
	return file;
}

START_TEST(test_import_service)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_free_ char *file = write_service_file("services.conf");
	_cleanup_json_ json_t *env = json_pack("{s:s}", "PGSERVICEFILE", file);

	_cleanup_(conninfo_import_freep) ConninfoImport *imp = import_ok(NULL, "reporting", env);
	TuskConnectionConfig *c = imp->config;
	ck_assert_str_eq(c->name, "reporting");
	ck_assert_str_eq(c->host, "reports.example.com");
	ck_assert_int_eq(c->port, 6432);
	ck_assert_str_eq(c->database, "warehouse");
	ck_assert_str_eq(c->username, "analyst");
	ck_assert_int_eq(c->ssl_mode, TUSK_SSL_REQUIRE);
	ck_assert(c->options.readonly);
	ck_assert_str_eq(imp->password, "Serv1cePw");
	ck_assert_uint_eq(json_array_size(imp->ignored), 0);

	/* The string form, with an explicit keyword winning over the file. */
	conninfo_import_free(imp);
	imp = import_ok("service=reporting port=7000", NULL, env);
	ck_assert_int_eq(imp->config->port, 7000);
	ck_assert_str_eq(imp->config->host, "reports.example.com");

	/* PGSYSCONFDIR/pg_service.conf. */
	_cleanup_free_ char *sysdir = tst_join(dir, "etc");
	ck_assert_int_eq(mkdir(sysdir, 0700), 0);
	_cleanup_free_ char *sysfile = tst_join(sysdir, "pg_service.conf");
	_cleanup_free_ char *orig = write_service_file("orig.conf");
	ck_assert_int_eq(rename(orig, sysfile), 0);
	_cleanup_json_ json_t *env2 = json_pack("{s:s}", "PGSYSCONFDIR", sysdir);
	conninfo_import_free(imp);
	imp = import_ok(NULL, "plain", env2);
	ck_assert_str_eq(imp->config->host, "plain.example.com");
	ck_assert_int_eq(imp->config->port, TUSK_DEFAULT_PORT);
	ck_assert_ptr_null(imp->password);

	/* Unknown service: libpq's message names it. */
	ConninfoImport *none = NULL;
	ck_fails(conninfo_import(NULL, "nosuch", env, &none, &e), e, TUSK_ERR_INVALID_INPUT,
	         "service: ");
	ck_assert_ptr_nonnull(strstr(tusk_error_message(&e), "\"nosuch\""));
	ck_assert_ptr_null(none);
	/* The env given is all that counts: without it, no such file. */
	_cleanup_json_ json_t *empty = json_object();
	ck_fails(conninfo_import(NULL, "reporting", empty, &none, &e), e, TUSK_ERR_INVALID_INPUT,
	         "service: ");
	tusk_error_clear(&e);
}
END_TEST

/* The service lookup must not connect anywhere: a listener named by the
 * service sees no connection. */
START_TEST(test_import_service_never_connects)
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);

	char text[256];
	snprintf(text, sizeof(text), "[here]\nhost=127.0.0.1\nport=%d\ndbname=x\n",
	         ntohs(sa.sin_port));
	_cleanup_free_ char *file = tst_join(dir, "here.conf");
	tst_write_file(file, text, strlen(text));
	_cleanup_json_ json_t *env = json_pack("{s:s}", "PGSERVICEFILE", file);
	_cleanup_(conninfo_import_freep) ConninfoImport *imp = import_ok(NULL, "here", env);
	ck_assert_str_eq(imp->config->host, "127.0.0.1");
	ck_assert_int_eq(imp->config->port, ntohs(sa.sin_port));
	/* A connect would have completed by now on loopback. */
	usleep(100 * 1000);
	ck_assert_int_lt(accept(lfd, NULL, NULL), 0);
	ck_assert_int_eq(errno, EAGAIN);
	close(lfd);
}
END_TEST

START_TEST(test_import_service_helper_missing)
{
	TuskError e = TUSK_ERROR_INIT;
	ConninfoImport *imp = NULL;
	setenv("TUSK_CONNINFO_HELPER", "/nonexistent/tusk-conninfo", 1);
	ck_fails(conninfo_import(NULL, "any", NULL, &imp, &e), e, TUSK_ERR_INTERNAL,
	         "cannot run the service-file helper /nonexistent/tusk-conninfo");
	ck_assert_ptr_null(imp);
	tusk_error_clear(&e);
}
END_TEST

int main(void)
{
	tst_root_init();
	/* A helper that exits before reading must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	Suite *s = suite_create("storage-connections");
	TCase *tc = tcase_create("storage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_crud);
	tcase_add_test(tc, test_unique_name);
	tcase_add_test(tc, test_invalid_config_refused);
	tcase_add_test(tc, test_group_fk);
	tcase_add_test(tc, test_nested_groups_and_loops);
	tcase_add_test(tc, test_group_names);
	tcase_add_test(tc, test_group_delete);
	tcase_add_test(tc, test_list_order);
	tcase_add_test(tc, test_unreadable_row);
	suite_add_tcase(s, tc);
	TCase *ti = tcase_create("import");
	tcase_add_checked_fixture(ti, setup, teardown);
	tcase_add_test(ti, test_import_uri_password_never_stored);
	tcase_add_test(ti, test_import_conninfo);
	tcase_add_test(ti, test_import_defaults);
	tcase_add_test(ti, test_import_errors);
	tcase_add_test(ti, test_import_service);
	tcase_add_test(ti, test_import_service_never_connects);
	tcase_add_test(ti, test_import_service_helper_missing);
	suite_add_tcase(s, ti);
	return tt_run_suite(s);
}
