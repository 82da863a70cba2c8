/* The schema cache through a real tuskd and PostgreSQL: a fixture database
 * with every object kind checked object by object against schema.get and
 * schema.describe, DDL through query.execute announced on topic schema and
 * reflected in the cache, DDL from outside picked up by schema.refresh,
 * completion, and a 1,000-table catalog (the 10,000-table one is in
 * tests/bench/schema.sh). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/schema.h"
#include "tests/lib/tt-pg.h"
#include "tests/lib/tt.h"
#include "tests/lib/tt-check.h"

static struct tt_daemon d;
static struct tt_pg pg;
static int fd = -1;
static char db[64];
static char conninfo[256];
static char conn_id[128];
static int next_id = 10;

static const char fixture[] =
    "create schema app;"
    "comment on schema app is 'the app';"
    "create type app.mood as enum ('sad', 'ok', 'it''s fine');"
    "create domain app.posint as int not null check (value > 0);"
    "create type app.pair as (a int, b text);"
    "create table app.users (id int generated always as identity primary key,"
    " email text not null unique, mood app.mood default 'ok', score numeric(10,2),"
    " doubled int generated always as (id * 2) stored);"
    "comment on table app.users is 'people';"
    "comment on column app.users.email is 'login name';"
    "create table app.orders (id bigserial primary key,"
    " user_id int references app.users (id) on delete cascade, total app.posint,"
    " check (total < 1000000), placed timestamptz default now());"
    "create index orders_user_idx on app.orders (user_id) where total > 10;"
    "create table app.events (id int, at date not null) partition by range (at);"
    "create table app.events_2026 partition of app.events"
    " for values from ('2026-01-01') to ('2027-01-01');"
    "create view app.big_orders as select id, total from app.orders where total > 100;"
    "create materialized view app.order_totals as"
    " select user_id, sum(total) as total from app.orders group by user_id;"
    "create foreign data wrapper tusk_fdw;"
    "create server tusk_srv foreign data wrapper tusk_fdw;"
    "create foreign table app.remote (x int not null) server tusk_srv;"
    "create sequence app.counter as integer;"
    "create function app.add(a int, b int) returns int language sql immutable"
    " as 'select a + b';"
    "create procedure app.reset() language plpgsql as $$ begin null; end $$;"
    "create function app.touch() returns trigger language plpgsql"
    " as $$ begin return new; end $$;"
    "create trigger users_touch before update on app.users for each row"
    " execute function app.touch();"
    "alter table app.users enable row level security;"
    "create policy own on app.users for select to public using (id > 0);"
    "create table app.rooms (during tsrange, exclude using gist (during with &&));"
    "create table \"Mixed Case\" (\"Col\" int);";

static void setup_db(void)
{
	tt_pg_shared(&pg);
	tt_pg_create_db(&pg, "tusk_schema", db, sizeof(db));
	tt_pg_exec(&pg, db, fixture);
	snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=postgres dbname=%s", pg.host,
	         pg.port, db);
}

static void drop_db(void)
{
	tt_pg_drop_db(&pg, db);
}

static json_t *call_ok(const char *method, json_t *params)
{
	json_t *r = tt_call(fd, ++next_id, method, params);
	ck_assert_msg(r, "%s: no reply", method);
	ck_assert_msg(json_object_get(r, "result"), "%s failed: %s", method,
	              json_dumps(json_object_get(r, "error"), 0));
	json_t *res = json_incref(json_object_get(r, "result"));
	json_decref(r);
	return res;
}

static void setup(void)
{
	fd = tt_daemon_open(&d, NULL);
	json_t *st = call_ok("connection.open", json_pack("{s:s}", "conninfo", conninfo));
	snprintf(conn_id, sizeof(conn_id), "%s",
	         json_string_value(json_object_get(st, "connection_id")));
	json_decref(st);
}

static void teardown(void)
{
	tt_daemon_close(&d, fd);
}

static json_t *get(const char *schema)
{
	json_t *params = json_pack("{s:s}", "connection_id", conn_id);
	if (schema)
		json_object_set_new(params, "schema", json_string(schema));
	return call_ok("schema.get", params);
}

static json_t *named(json_t *list, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
			return o;
	}
	return NULL;
}

static json_t *must(json_t *list, const char *name)
{
	json_t *o = named(list, name);
	ck_assert_msg(o, "no %s", name);
	return o;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *app_schema(json_t *tree)
{
	return must(json_object_get(tree, "schemas"), "app");
}

START_TEST(every_kind)
{
	json_t *tree = get(NULL);
	json_t *schemas = json_object_get(tree, "schemas");
	ck_assert_ptr_null(named(schemas, "pg_catalog")); /* hidden by default */
	ck_assert_ptr_nonnull(named(schemas, "public"));
	json_t *app = app_schema(tree);
	ck_assert_str_eq(str(app, "comment"), "the app");
	ck_assert_str_eq(str(app, "owner"), "postgres");
	json_t *rels = json_object_get(app, "relations");

	json_t *users = must(rels, "users");
	ck_assert_str_eq(str(users, "kind"), "table");
	ck_assert_str_eq(str(users, "comment"), "people");
	json_t *cols = json_object_get(users, "columns");
	ck_assert_int_eq(json_array_size(cols), 5);
	json_t *id = json_array_get(cols, 0);
	ck_assert_str_eq(str(id, "name"), "id");
	ck_assert_str_eq(str(id, "type"), "integer");
	ck_assert_str_eq(str(id, "identity"), "always");
	ck_assert(json_is_true(json_object_get(id, "primary_key")));
	ck_assert(json_is_false(json_object_get(id, "nullable")));
	json_t *email = must(cols, "email");
	ck_assert_str_eq(str(email, "comment"), "login name");
	ck_assert(json_is_false(json_object_get(email, "primary_key")));
	ck_assert(json_is_false(json_object_get(email, "nullable")));
	json_t *mood = must(cols, "mood");
	ck_assert_str_eq(str(mood, "type"), "app.mood");
	ck_assert_str_eq(str(mood, "default"), "'ok'::app.mood");
	ck_assert(json_is_true(json_object_get(mood, "nullable")));
	ck_assert_str_eq(str(must(cols, "score"), "type"), "numeric(10,2)");
	ck_assert_str_eq(str(must(cols, "doubled"), "generated"), "(id * 2)");
	ck_assert(json_is_null(json_object_get(must(cols, "doubled"), "default")));
	json_t *cons = json_object_get(users, "constraints");
	ck_assert_str_eq(str(must(cons, "users_pkey"), "type"), "primary_key");
	ck_assert_str_eq(str(must(cons, "users_email_key"), "type"), "unique");
	ck_assert_str_eq(str(must(json_object_get(users, "triggers"), "users_touch"), "definition"),
	                 "CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW "
	                 "EXECUTE FUNCTION app.touch()");
	json_t *pol = must(json_object_get(users, "policies"), "own");
	ck_assert_str_eq(str(pol, "command"), "select");
	ck_assert_str_eq(str(pol, "using"), "(id > 0)");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(pol, "roles"), 0)),
	                 "public");

	json_t *orders = must(rels, "orders");
	json_t *fk = must(json_object_get(orders, "constraints"), "orders_user_id_fkey");
	ck_assert_str_eq(str(fk, "type"), "foreign_key");
	json_t *refs = json_object_get(fk, "references");
	ck_assert_str_eq(str(refs, "schema"), "app");
	ck_assert_str_eq(str(refs, "table"), "users");
	ck_assert_str_eq(str(refs, "on_delete"), "cascade");
	ck_assert_str_eq(str(refs, "on_update"), "no action");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(fk, "columns"), 0)),
	                 "user_id");
	ck_assert_str_eq(
	    str(must(json_object_get(orders, "constraints"), "orders_total_check"), "type"),
	    "check");
	ck_assert_str_eq(str(must(cols = json_object_get(orders, "columns"), "total"), "type"),
	                 "app.posint");
	ck_assert_str_eq(str(must(cols, "id"), "default"),
	                 "nextval('app.orders_id_seq'::regclass)");
	json_t *idx = must(json_object_get(orders, "indexes"), "orders_user_idx");
	ck_assert_str_eq(str(idx, "method"), "btree");
	ck_assert_str_eq(str(idx, "predicate"), "((total)::integer > 10)");
	ck_assert(json_is_false(json_object_get(idx, "unique")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(idx, "columns"), 0)),
	                 "user_id");
	ck_assert(json_is_true(
	    json_object_get(must(json_object_get(orders, "indexes"), "orders_pkey"), "primary")));

	ck_assert_str_eq(str(must(rels, "events"), "kind"), "partitioned_table");
	json_t *part = must(rels, "events_2026");
	ck_assert_str_eq(str(json_object_get(part, "partition_of"), "name"), "events");
	ck_assert_str_eq(str(part, "partition_bound"),
	                 "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
	ck_assert_str_eq(str(must(rels, "big_orders"), "kind"), "view");
	ck_assert_ptr_nonnull(strstr(str(must(rels, "big_orders"), "definition"), "> 100"));
	ck_assert_str_eq(str(must(rels, "order_totals"), "kind"), "materialized_view");
	ck_assert_str_eq(str(must(rels, "remote"), "kind"), "foreign_table");
	json_t *excl = json_array_get(json_object_get(must(rels, "rooms"), "constraints"), 0);
	ck_assert_str_eq(str(excl, "type"), "exclusion");

	json_t *seq = must(json_object_get(app, "sequences"), "counter");
	ck_assert_str_eq(str(seq, "data_type"), "integer");
	ck_assert_ptr_nonnull(named(json_object_get(app, "sequences"), "orders_id_seq"));

	json_t *fns = json_object_get(app, "functions");
	json_t *add = must(fns, "add");
	ck_assert_str_eq(str(add, "arguments"), "a integer, b integer");
	ck_assert_str_eq(str(add, "result"), "integer");
	ck_assert_str_eq(str(add, "language"), "sql");
	ck_assert_str_eq(str(add, "volatility"), "immutable");
	ck_assert_str_eq(str(must(fns, "reset"), "kind"), "procedure");

	json_t *types = json_object_get(app, "types");
	json_t *en = must(types, "mood");
	ck_assert_str_eq(str(en, "kind"), "enum");
	ck_assert_int_eq(json_array_size(json_object_get(en, "labels")), 3);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(en, "labels"), 2)),
	                 "it's fine");
	json_t *dom = must(types, "posint");
	ck_assert_str_eq(str(dom, "base_type"), "integer");
	ck_assert(json_is_true(json_object_get(dom, "not_null")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(dom, "checks"), 0)),
	                 "CHECK (VALUE > 0)");
	json_t *pair = must(types, "pair");
	ck_assert_str_eq(str(pair, "kind"), "composite");
	ck_assert_str_eq(str(json_array_get(json_object_get(pair, "attributes"), 1), "type"),
	                 "text");

	ck_assert_ptr_nonnull(named(json_object_get(tree, "extensions"), "plpgsql"));
	json_t *roles = json_object_get(tree, "roles");
	ck_assert(json_is_true(json_object_get(must(roles, "postgres"), "superuser")));
	ck_assert_ptr_null(named(roles, "pg_monitor"));
	json_decref(tree);

	/* System schemas on request; a kind filter. */
	tree = call_ok("schema.get", json_pack("{s:s, s:b, s:s}", "connection_id", conn_id,
	                                       "include_system", 1, "kind", "function"));
	json_t *cat = must(json_object_get(tree, "schemas"), "pg_catalog");
	ck_assert_ptr_nonnull(named(json_object_get(cat, "functions"), "now"));
	ck_assert_ptr_null(json_object_get(cat, "relations"));
	ck_assert_ptr_null(json_object_get(tree, "roles"));
	json_decref(tree);
	tree = call_ok("schema.get", json_pack("{s:s, s:s, s:s}", "connection_id", conn_id,
	                                       "schema", "app", "kind", "view"));
	ck_assert_int_eq(json_array_size(json_object_get(tree, "schemas")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(app_schema(tree), "relations")), 1);
	json_decref(tree);
}
END_TEST

static json_t *describe(const char *object)
{
	return call_ok("schema.describe",
	               json_pack("{s:s, s:s}", "connection_id", conn_id, "object", object));
}

START_TEST(describe_objects)
{
	json_t *r = describe("app.users");
	ck_assert_str_eq(str(r, "kind"), "table");
	const char *ddl = str(r, "ddl");
	ck_assert_msg(strstr(ddl, "CREATE TABLE app.users (\n"
	                          "    id integer GENERATED ALWAYS AS IDENTITY NOT NULL,\n"
	                          "    email text NOT NULL,\n"
	                          "    mood app.mood DEFAULT 'ok'::app.mood,\n"),
	              "%s", ddl);
	ck_assert_msg(strstr(ddl, "CONSTRAINT users_pkey PRIMARY KEY (id)"), "%s", ddl);
	ck_assert_msg(strstr(ddl, "\nCREATE TRIGGER users_touch BEFORE UPDATE"), "%s", ddl);
	ck_assert_msg(strstr(ddl, "\nCREATE POLICY own ON app.users AS PERMISSIVE FOR select"),
	              "%s", ddl);
	ck_assert_msg(strstr(ddl, "COMMENT ON COLUMN app.users.email IS 'login name';"), "%s", ddl);
	json_decref(r);

	r = describe("orders"); /* not in the search_path: found in app */
	ck_assert_str_eq(str(r, "schema"), "app");
	ck_assert_msg(
	    strstr(str(r, "ddl"), "CREATE INDEX orders_user_idx ON app.orders USING btree"), "%s",
	    str(r, "ddl"));
	json_decref(r);

	r = describe("app.big_orders");
	ck_assert_str_eq(str(r, "kind"), "view");
	ck_assert_msg(strncmp(str(r, "ddl"), "CREATE VIEW app.big_orders AS\n SELECT", 37) == 0,
	              "%s", str(r, "ddl"));
	json_decref(r);

	r = describe("app.add");
	ck_assert_str_eq(str(r, "kind"), "function");
	ck_assert_msg(
	    strstr(str(r, "ddl"), "CREATE OR REPLACE FUNCTION app.add(a integer, b integer)"), "%s",
	    str(r, "ddl"));
	json_decref(r);

	r = describe("app.mood");
	ck_assert_str_eq(str(r, "ddl"),
	                 "CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'it''s fine');");
	json_decref(r);
	r = describe("app.posint");
	ck_assert_str_eq(str(r, "ddl"),
	                 "CREATE DOMAIN app.posint AS integer NOT NULL CHECK (VALUE > 0);");
	json_decref(r);
	r = describe("Mixed Case");
	ck_assert_msg(
	    strstr(str(r, "ddl"), "CREATE TABLE public.\"Mixed Case\" (\n    \"Col\" integer"),
	    "%s", str(r, "ddl"));
	json_decref(r);

	json_t *reply = tt_call(
	    fd, ++next_id, "schema.describe",
	    json_pack("{s:s, s:s}", "connection_id", conn_id, "object", "app.nothing_here"));
	ck_assert_int_ne(tt_error_code(reply), 0);
	json_decref(reply);
}
END_TEST

/* Run SQL through query.execute on the pool. */
static void execute(const char *sql)
{
	json_decref(call_ok("query.execute",
	                    json_pack("{s:s, s:s}", "connection_id", conn_id, "sql", sql)));
}

/* The next schema.<event> on ev for kind/name, skipping others. */
static void expect_event(int ev, const char *event, const char *kind, const char *name)
{
	double until = tt_now_ms() + 20000;
	while (tt_now_ms() < until) {
		json_t *m = tt_read(ev, 20000);
		ck_assert_msg(m, "no %s for %s", event, name);
		const char *method = str(m, "method");
		json_t *p = json_object_get(m, "params");
		TuskError e = TUSK_ERROR_INIT;
		ck_assert_msg(!method || tusk_schema_validate_notification(method, p, &e) == 0,
		              "%s: %s", method, tusk_error_message(&e));
		bool hit = method && strcmp(method, event) == 0 &&
		           strcmp(str(p, "kind"), kind) == 0 && strcmp(str(p, "name"), name) == 0;
		if (hit) {
			ck_assert_str_eq(str(p, "connection_id"), conn_id);
			json_decref(m);
			return;
		}
		json_decref(m);
	}
	ck_abort_msg("no %s for %s", event, name);
}

START_TEST(ddl_through_tusk)
{
	int ev = tt_connect(d.socket);
	json_decref(tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "schema")));
	json_decref(get(NULL)); /* warm */
	execute("create table app.fresh (a int)");
	expect_event(ev, "schema.object_created", "table", "fresh");
	json_t *tree = get("app");
	json_t *fresh = must(json_object_get(app_schema(tree), "relations"), "fresh");
	ck_assert_int_eq(json_array_size(json_object_get(fresh, "columns")), 1);
	json_decref(tree);

	execute("alter table app.fresh add column b text; comment on table app.fresh is 'new'");
	expect_event(ev, "schema.object_altered", "table", "fresh");
	tree = get("app");
	fresh = must(json_object_get(app_schema(tree), "relations"), "fresh");
	ck_assert_int_eq(json_array_size(json_object_get(fresh, "columns")), 2);
	ck_assert_str_eq(str(fresh, "comment"), "new");
	json_decref(tree);

	/* Unqualified: resolved in the search_path (public). */
	execute("create function plus1(x int) returns int language sql as 'select x + 1'");
	expect_event(ev, "schema.object_created", "function", "plus1(x integer)");
	execute("drop table app.fresh");
	expect_event(ev, "schema.object_dropped", "table", "fresh");
	tree = get("app");
	ck_assert_ptr_null(named(json_object_get(app_schema(tree), "relations"), "fresh"));
	json_decref(tree);
	execute("create schema other; create table other.t (x int)");
	expect_event(ev, "schema.object_created", "schema", "other");
	tree = get("other");
	json_t *other = must(json_object_get(tree, "schemas"), "other");
	ck_assert_ptr_nonnull(named(json_object_get(other, "relations"), "t"));
	json_decref(tree);
	execute("drop schema other cascade; drop function plus1");
	expect_event(ev, "schema.object_dropped", "schema", "other");
	close(ev);
}
END_TEST

/* DDL inside a transaction reaches the cache when the transaction ends:
 * the catalog shows nothing before COMMIT. */
START_TEST(ddl_in_a_transaction)
{
	int ev = tt_connect(d.socket);
	json_decref(tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "schema")));
	json_decref(get(NULL)); /* warm */
	json_decref(
	    call_ok("query.execute",
	            json_pack("{s:s, s:s, s:s}", "connection_id", conn_id, "sql",
	                      "begin; create table app.txn_t (a int)", "context", "tx-tab")));
	json_decref(call_ok("query.execute", json_pack("{s:s, s:s, s:s}", "connection_id", conn_id,
	                                               "sql", "commit", "context", "tx-tab")));
	expect_event(ev, "schema.object_created", "table", "txn_t");
	json_t *tree = get("app");
	ck_assert_ptr_nonnull(named(json_object_get(app_schema(tree), "relations"), "txn_t"));
	json_decref(tree);
	execute("drop table app.txn_t");
	close(ev);
}
END_TEST

START_TEST(ddl_from_outside)
{
	json_decref(get(NULL));
	tt_pg_exec(&pg, db, "create table app.outside (x int)");
	json_t *tree = get("app");
	ck_assert_ptr_null(named(json_object_get(app_schema(tree), "relations"), "outside"));
	json_decref(tree);
	int ev = tt_connect(d.socket);
	json_decref(tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "schema")));
	tree = call_ok("schema.refresh", json_pack("{s:s}", "connection_id", conn_id));
	ck_assert_ptr_nonnull(named(json_object_get(app_schema(tree), "relations"), "outside"));
	json_decref(tree);
	expect_event(ev, "schema.object_created", "table", "outside");
	tt_pg_exec(&pg, db, "drop table app.outside");
	tree = call_ok("schema.refresh",
	               json_pack("{s:s, s:s}", "connection_id", conn_id, "schema", "app"));
	ck_assert_ptr_null(named(json_object_get(app_schema(tree), "relations"), "outside"));
	json_decref(tree);
	expect_event(ev, "schema.object_dropped", "table", "outside");
	close(ev);
}
END_TEST

static json_t *complete(const char *prefix, const char *context)
{
	json_t *params = json_pack("{s:s, s:s}", "connection_id", conn_id, "prefix", prefix);
	if (context)
		json_object_set_new(params, "context", json_string(context));
	json_t *r = call_ok("schema.complete", params);
	json_t *c = json_incref(json_object_get(r, "candidates"));
	json_decref(r);
	return c;
}

static json_t *with_text(json_t *candidates, const char *text)
{
	size_t i;
	json_t *o;
	json_array_foreach(candidates, i, o)
	{
		if (strcmp(str(o, "text"), text) == 0)
			return o;
	}
	return NULL;
}

START_TEST(completion)
{
	json_t *c = complete("ord", NULL);
	json_t *first = json_array_get(c, 0);
	ck_assert_str_eq(str(first, "text"), "orders");
	ck_assert_str_eq(str(first, "kind"), "table");
	ck_assert_str_eq(str(first, "detail"), "app");
	ck_assert_ptr_nonnull(with_text(c, "order_totals"));
	ck_assert_ptr_nonnull(with_text(c, "ORDER")); /* the keyword, after objects */
	json_decref(c);

	c = complete("e", "select  from app.users u where u.id = 1");
	ck_assert_str_eq(str(json_array_get(c, 0), "text"), "email");
	ck_assert_str_eq(str(json_array_get(c, 0), "kind"), "column");
	json_decref(c);
	c = complete("u.m", "select u. from app.users u");
	ck_assert_int_eq(json_array_size(c), 1);
	ck_assert_str_eq(str(json_array_get(c, 0), "text"), "mood");
	json_decref(c);
	c = complete("app.ad", NULL);
	ck_assert_str_eq(str(json_array_get(c, 0), "text"), "add");
	ck_assert_str_eq(str(json_array_get(c, 0), "kind"), "function");
	json_decref(c);
	c = complete("pg_sleep", NULL);
	ck_assert_ptr_nonnull(with_text(c, "pg_sleep"));
	json_decref(c);
}
END_TEST

START_TEST(ten_thousand_tables)
{
	/* The large catalog of the issue: 10 schemas, 10,000 tables, 100,000
	 * columns, 2,000 indexes besides the primary keys; one transaction
	 * per schema keeps the server's lock table in bounds. */
	for (int s = 1; s <= 10; s++) {
		char sql[1024];
		snprintf(
		    sql, sizeof(sql),
		    "do $$ begin create schema big%d;"
		    " for t in 1..1000 loop"
		    "  execute format('create table big%d.t%%s (id int primary key, a text, b int,"
		    "   c date, d numeric, e bool, f text, g int, h jsonb, i text)', t);"
		    "  if t %% 5 = 0 then execute format('create index on big%d.t%%s (b)', t);"
		    "  end if;"
		    " end loop; end $$",
		    s, s, s);
		tt_pg_exec(&pg, db, sql);
	}
	double t0 = tt_now_ms();
	json_t *tree = call_ok("schema.refresh", json_pack("{s:s}", "connection_id", conn_id));
	double load = tt_now_ms() - t0;
	/* The whole tree (about 17 MiB) comes in pages below the message
	 * limit: the first from refresh, the rest from schema.get. */
	size_t tables = 0, columns = 0, indexes = 0, pages = 0, i;
	json_int_t loaded_at = json_integer_value(json_object_get(tree, "loaded_at_us"));
	for (;;) {
		pages++;
		ck_assert_int_eq(json_integer_value(json_object_get(tree, "loaded_at_us")),
		                 loaded_at);
		char *text = json_dumps(tree, JSON_COMPACT);
		ck_assert_int_lt(strlen(text), 8 * 1024 * 1024);
		free(text);
		json_t *s;
		json_array_foreach(json_object_get(tree, "schemas"), i, s)
		{
			if (strncmp(str(s, "name"), "big", 3) != 0)
				continue;
			size_t k;
			json_t *r;
			json_array_foreach(json_object_get(s, "relations"), k, r)
			{
				tables++;
				columns += json_array_size(json_object_get(r, "columns"));
				indexes += json_array_size(json_object_get(r, "indexes"));
			}
		}
		json_t *next = json_object_get(tree, "next_offset");
		if (!next)
			break;
		json_t *params = json_pack("{s:s, s:O}", "connection_id", conn_id, "offset", next);
		json_decref(tree);
		tree = call_ok("schema.get", params);
	}
	json_decref(tree);
	ck_assert_int_ge(pages, 4);
	ck_assert_int_eq(tables, 10000);
	ck_assert_int_eq(columns, 100000);
	/* Every table's primary key plus the 2,000 others. */
	ck_assert_int_eq(indexes, 12000);
	ck_assert_msg(load < 60000, "loading 10,000 tables took %.0f ms", load);
	t0 = tt_now_ms();
	json_t *c = complete("t99", "select * from big3.t999");
	ck_assert_ptr_nonnull(with_text(c, "t99"));
	ck_assert_msg(tt_now_ms() - t0 < 1000, "completion took %.0f ms", tt_now_ms() - t0);
	json_decref(c);

	/* Filters run in the daemon: one schema's tables by pattern. */
	tree = call_ok("schema.get", json_pack("{s:s, s:s, s:s}", "connection_id", conn_id,
	                                       "pattern", "big3.*", "kind", "table"));
	ck_assert_ptr_null(json_object_get(tree, "next_offset"));
	ck_assert_int_eq(json_array_size(json_object_get(tree, "schemas")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(
	                     json_array_get(json_object_get(tree, "schemas"), 0), "relations")),
	                 1000);
	json_decref(tree);

	/* tuskctl on the whole catalog through a saved connection, as a user
	 * types it: every table listed once, across pages. */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "\"%s\" --socket \"%s\" --no-autostart conn add big "
	         "'postgresql://postgres@%s:%d/%s' >/dev/null",
	         getenv("TUSKCTL"), d.socket, pg.host, pg.port, db);
	ck_assert_int_eq(system(cmd), 0);
	static const struct {
		const char *args, *prefix;
		long lines;
	} runs[] = {
	    {"schema -d big", "table              big", 10000},
	    {"schema -d big 'big3.*' --kind table", "table              big3.t", 1000},
	    {"schema -d big 't99*' --kind table", "table              big", 110},
	};
	for (size_t r = 0; r < sizeof(runs) / sizeof(*runs); r++) {
		snprintf(cmd, sizeof(cmd), "\"%s\" --socket \"%s\" --no-autostart %s",
		         getenv("TUSKCTL"), d.socket, runs[r].args);
		FILE *p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		char line[512];
		long n = 0, all = 0;
		while (fgets(line, sizeof(line), p)) {
			all++;
			n += strncmp(line, runs[r].prefix, strlen(runs[r].prefix)) == 0;
		}
		int rc = pclose(p);
		ck_assert_msg(rc == 0 && n == runs[r].lines,
		              "tuskctl %s: exit %d, %ld matching lines of %ld (want %ld)",
		              runs[r].args, rc, n, all, runs[r].lines);
	}
	/* --format json merges the pages into one tree. */
	snprintf(cmd, sizeof(cmd), "\"%s\" --socket \"%s\" --no-autostart schema -d big --json",
	         getenv("TUSKCTL"), d.socket);
	FILE *p = popen(cmd, "r");
	json_error_t jerr;
	tree = json_loadf(p, 0, &jerr);
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(tree, "tuskctl schema --json: %s", jerr.text);
	tables = 0;
	json_t *s;
	json_array_foreach(json_object_get(tree, "schemas"), i, s)
	{
		if (strncmp(str(s, "name"), "big", 3) == 0)
			tables += json_array_size(json_object_get(s, "relations"));
	}
	ck_assert_ptr_null(json_object_get(tree, "next_offset"));
	json_decref(tree);
	ck_assert_int_eq(tables, 10000);
}
END_TEST

/* The next notification named event on ev whose connection_id is id. */
static json_t *wait_event(int ev, const char *event, const char *id)
{
	for (;;) {
		json_t *m = tt_read(ev, 20000);
		ck_assert_msg(m, "no %s", event);
		const char *method = str(m, "method");
		json_t *p = json_object_get(m, "params");
		if (method && strcmp(method, event) == 0 &&
		    strcmp(str(p, "connection_id"), id) == 0) {
			json_t *params = json_incref(p);
			json_decref(m);
			return params;
		}
		json_decref(m);
	}
}

START_TEST(load_on_open_and_roles)
{
	int ev = tt_connect(d.socket);
	json_decref(tt_call(ev, 1, "events.subscribe", json_pack("{s:[s]}", "topics", "schema")));
	json_decref(call_ok("settings.set",
	                    json_pack("{s:s, s:b}", "key", "schema.load_on_open", "value", 1)));
	char other[300];
	snprintf(other, sizeof(other), "%s application_name=schema_test", conninfo);
	json_t *st = call_ok("connection.open", json_pack("{s:s}", "conninfo", other));
	const char *id = str(st, "connection_id");
	ck_assert_str_ne(id, conn_id);
	/* Loaded without anyone asking. */
	json_t *done = wait_event(ev, "schema.refresh_completed", id);
	ck_assert_int_ge(
	    json_integer_value(json_object_get(json_object_get(done, "counts"), "relations")), 10);
	json_decref(done);
	json_decref(st);

	/* Roles are cluster-wide: one named after this process. */
	char sql[128], role[64];
	snprintf(role, sizeof(role), "tusk_schema_role_%d", (int)getpid());
	json_decref(get(NULL));
	snprintf(sql, sizeof(sql), "create role %s", role);
	execute(sql);
	expect_event(ev, "schema.object_created", "role", role);
	snprintf(sql, sizeof(sql), "drop role %s", role);
	execute(sql);
	expect_event(ev, "schema.object_dropped", "role", role);
	close(ev);
}
END_TEST

/* A saved connection, named: schema.get opens it on demand. */
START_TEST(saved_connection_by_name)
{
	json_decref(
	    call_ok("connections.save",
	            json_pack("{s:{s:s, s:s, s:i, s:s, s:s}}", "config", "name", "fixture", "host",
	                      pg.host, "port", pg.port, "database", db, "username", "postgres")));
	json_t *tree = call_ok(
	    "schema.get", json_pack("{s:s, s:s}", "connection_id", "fixture", "schema", "app"));
	ck_assert_ptr_nonnull(named(json_object_get(app_schema(tree), "relations"), "users"));
	ck_assert_str_ne(str(tree, "connection_id"), conn_id); /* its own pool */
	json_decref(tree);
	json_t *r = call_ok("schema.describe", json_pack("{s:s, s:s}", "connection_id", "fixture",
	                                                 "object", "app.users"));
	ck_assert_str_eq(str(r, "kind"), "table");
	json_decref(r);
}
END_TEST

/* tuskctl's output for one command (at most 64 KiB). */
static char *ctl(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "\"%s\" --socket \"%s\" --no-autostart %s", getenv("TUSKCTL"),
	         d.socket, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *out = calloc(1, 65536);
	size_t n = fread(out, 1, 65535, p);
	out[n] = '\0';
	ck_assert_msg(pclose(p) == 0, "%s failed: %s", cmd, out);
	return out;
}

START_TEST(cli)
{
	char args[512];
	snprintf(args, sizeof(args), "describe -d %s app.users", conn_id);
	char *out = ctl(args);
	/* psql's \d layout (test-cli-daily.sh compares it byte for byte). */
	ck_assert_msg(strstr(out, "Table \"app.users\"\n"), "%s", out);
	ck_assert_msg(strstr(out, " email   | text          |           | not null | \n"), "%s",
	              out);
	ck_assert_msg(strstr(out, "    \"users_pkey\" PRIMARY KEY, btree (id)\n"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "describe -d %s app.add", conn_id);
	out = ctl(args);
	ck_assert_msg(strstr(out, "CREATE OR REPLACE FUNCTION app.add(a integer, b integer)"), "%s",
	              out);
	free(out);
	snprintf(args, sizeof(args), "schema -d %s 'app.*order*'", conn_id);
	out = ctl(args);
	/* Relations by name, then sequences. */
	ck_assert_str_eq(out, "view               app.big_orders\n"
	                      "materialized_view  app.order_totals\n"
	                      "table              app.orders\n"
	                      "sequence           app.orders_id_seq\n");
	free(out);
	snprintf(args, sizeof(args), "complete -d %s u.ema --context 'select from app.users u'",
	         conn_id);
	out = ctl(args);
	ck_assert_str_eq(out, "email\tcolumn\tusers\n");
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration-schema");
	TCase *tc = tcase_create("schema");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, setup_db, drop_db);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_kind);
	tcase_add_test(tc, describe_objects);
	tcase_add_test(tc, ddl_through_tusk);
	tcase_add_test(tc, ddl_in_a_transaction);
	tcase_add_test(tc, ddl_from_outside);
	tcase_add_test(tc, completion);
	tcase_add_test(tc, cli);
	tcase_add_test(tc, saved_connection_by_name);
	tcase_add_test(tc, load_on_open_and_roles);
	tcase_add_test(tc, ten_thousand_tables);
	suite_add_tcase(s, tc);
	return tt_run_suite(s);
}
