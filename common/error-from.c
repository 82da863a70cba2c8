/* TuskError from what libpq reports: results and connections. (SQLite,
 * errno and jansson are in error-from-misc.c, so that a client that needs
 * no libpq links none.) */
#include "common/error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"

static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static unsigned parse_position(const char *s)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return 0;
	errno = 0;
	unsigned long v = strtoul(s, NULL, 10);
	return errno || v > UINT_MAX ? 0 : (unsigned)v;
}

/* Trailing newlines and blanks that libpq leaves on its messages. */
static void rtrim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static char *trimmed_copy(const char *s)
{
	while (s && isspace((unsigned char)*s))
		s++;
	char *c = dup_or_null(s);
	if (c)
		rtrim(c);
	return c;
}

/* Errors libpq makes up itself when the socket dies carry no SQLSTATE. */
static bool is_connection_loss(const char *msg)
{
	static const char *const needles[] = {
	    "server closed the connection",       "connection to server was lost",
	    "no connection to the server",        "could not send data to server",
	    "could not receive data from server", "terminating connection",
	};
	if (!msg)
		return false;
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strcasestr(msg, needles[i]))
			return true;
	return false;
}

static TuskErrorKind kind_for_sqlstate(const char *sqlstate, const char *primary)
{
	if (!sqlstate)
		return is_connection_loss(primary) ? TUSK_ERR_CONNECTION_FAILED
		                                   : TUSK_ERR_QUERY_FAILED;
	if (strcmp(sqlstate, "57014") == 0)
		return primary && strcasestr(primary, "statement timeout")
		           ? TUSK_ERR_QUERY_TIMEOUT
		           : TUSK_ERR_QUERY_CANCELLED;
	if (strcmp(sqlstate, "28P01") == 0 || strcmp(sqlstate, "28000") == 0)
		return TUSK_ERR_AUTHENTICATION_FAILED;
	/* Class 08 (connection exception) and 57P01..57P03 (the server is
	 * shutting down or not accepting connections) leave no usable backend. */
	if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
	    strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0)
		return TUSK_ERR_CONNECTION_FAILED;
	return TUSK_ERR_QUERY_FAILED;
}

int tusk_error_from_pgresult(TuskError *e, const PGresult *res)
{
	if (!e)
		return -1;
	if (!res)
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "libpq returned no result (out of memory)");

#define F(code) PQresultErrorField(res, code)
	const char *primary = F(PG_DIAG_MESSAGE_PRIMARY);
	const char *sqlstate = F(PG_DIAG_SQLSTATE);
	const char *severity = F(PG_DIAG_SEVERITY_NONLOCALIZED);
	_cleanup_free_ char *fallback = NULL;

	if (!primary || !primary[0]) {
		/* libpq's own errors ("server closed the connection…") only
		 * fill the whole message. */
		fallback = trimmed_copy(PQresultErrorMessage(res));
		primary = fallback;
	}

	TuskErrorKind kind = kind_for_sqlstate(sqlstate, primary);
	tusk_error_set(e, kind, "%s", primary && primary[0] ? primary : "Query execution failed");

	const char *hint = F(PG_DIAG_MESSAGE_HINT);
	if (hint && hint[0])
		tusk_error_set_hint(e, hint);
	e->detail = dup_or_null(F(PG_DIAG_MESSAGE_DETAIL));
	e->code = dup_or_null(sqlstate);
	e->severity = dup_or_null(severity ? severity : F(PG_DIAG_SEVERITY));
	e->position = parse_position(F(PG_DIAG_STATEMENT_POSITION));
	e->internal_position = parse_position(F(PG_DIAG_INTERNAL_POSITION));
	e->internal_query = dup_or_null(F(PG_DIAG_INTERNAL_QUERY));
	e->context = dup_or_null(F(PG_DIAG_CONTEXT));
	e->schema_name = dup_or_null(F(PG_DIAG_SCHEMA_NAME));
	e->table_name = dup_or_null(F(PG_DIAG_TABLE_NAME));
	e->column_name = dup_or_null(F(PG_DIAG_COLUMN_NAME));
	e->datatype_name = dup_or_null(F(PG_DIAG_DATATYPE_NAME));
	e->constraint_name = dup_or_null(F(PG_DIAG_CONSTRAINT_NAME));
	e->source_file = dup_or_null(F(PG_DIAG_SOURCE_FILE));
	e->source_line = dup_or_null(F(PG_DIAG_SOURCE_LINE));
	e->source_function = dup_or_null(F(PG_DIAG_SOURCE_FUNCTION));
#undef F
	return -1;
}

static TuskErrorKind classify(const char *msg);

/* Names the user chose (a database called "SSL_reports", a role called
 * "authentication") are quoted in libpq's text: blank them out so that
 * only the server's own words decide. */
TuskErrorKind tusk_error_classify_pg_message(const char *msg)
{
	if (!msg)
		return TUSK_ERR_CONNECTION_FAILED;
	char *words = strdup(msg);
	if (!words)
		return classify(msg);
	bool quoted = false;
	for (char *p = words; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (quoted)
			*p = ' ';
	}
	TuskErrorKind kind = classify(words);
	free(words);
	return kind;
}

static TuskErrorKind classify(const char *msg)
{
	/* Order matters: "no pg_hba.conf entry … SSL encryption" is an
	 * authorisation refusal, not a TLS fault, and "timeout expired" may
	 * follow an SSL negotiation. */
	static const char *const auth[] = {
	    "authentication",       /* password, SCRAM, peer, ident, cert… */
	    "no pg_hba.conf entry", /* even when it ends "…, SSL encryption" */
	    "pg_hba.conf rejects connection",
	    "no password supplied",
	    "does not exist", /* guarded below: only for a role */
	};
	if (!msg)
		return TUSK_ERR_CONNECTION_FAILED;
	for (size_t i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
		const char *hit = strcasestr(msg, auth[i]);
		if (!hit)
			continue;
		if (strcmp(auth[i], "does not exist") == 0) {
			/* 'role "x" does not exist' is a login problem;
			 * 'database "x" does not exist' and a missing root
			 * certificate file are not. */
			const char *role = strcasestr(msg, "role \"");
			if (!role || role > hit)
				continue;
		}
		return TUSK_ERR_AUTHENTICATION_FAILED;
	}
	if (strcasestr(msg, "timeout expired"))
		return TUSK_ERR_CONNECTION_TIMEOUT;
	static const char *const ssl[] = {"SSL",         "TLS",     "certificate",
	                                  "private key", "sslmode", "sslrootcert",
	                                  "sslcert",     "sslkey",  "sslcrl"};
	for (size_t i = 0; i < sizeof(ssl) / sizeof(ssl[0]); i++)
		if (strstr(msg, ssl[i]) ||
		    (islower((unsigned char)ssl[i][0]) && strcasestr(msg, ssl[i])))
			return TUSK_ERR_SSL;
	return TUSK_ERR_CONNECTION_FAILED;
}

/* The first line of libpq's text without "FATAL:  " after "failed: ". */
static char *short_pg_message(const char *msg)
{
	_cleanup_free_ char *line = trimmed_copy(msg);
	if (!line)
		return NULL;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	rtrim(line);

	static const char *const prefixes[] = {"FATAL:  ", "ERROR:  "};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		char *p = strstr(line, prefixes[i]);
		if (p)
			memmove(p, p + strlen(prefixes[i]), strlen(p + strlen(prefixes[i])) + 1);
	}
	return TAKE_PTR(line);
}

/* The hint for what the server actually said, not one per kind: each
 * names what to change and, where tuskctl changes it, the command. NAME
 * stands for the saved connection. */
static const char *connection_hint(const char *msg)
{
	if (!msg)
		return NULL;
	if (strcasestr(msg, "no pg_hba.conf entry") ||
	    strcasestr(msg, "pg_hba.conf rejects connection")) {
		if (strcasestr(msg, "no encryption") || strcasestr(msg, "SSL off"))
			return "The server accepts only TLS (SSL) connections from here: set "
			       "sslmode "
			       "to require or stricter (tuskctl conn edit NAME --sslmode require).";
		if (strcasestr(msg, "SSL encryption") || strcasestr(msg, "SSL on") ||
		    strcasestr(msg, "GSS encryption"))
			return "The server's pg_hba.conf has no line for encrypted connections "
			       "from here: ask its administrator to add one, or set sslmode to "
			       "prefer (tuskctl conn edit NAME --sslmode prefer).";
		return "The server's pg_hba.conf does not let this host, user and database in: "
		       "ask the server's administrator to add a line for them.";
	}
	if (strcasestr(msg, "password authentication failed"))
		return "Check the password: store the right one with "
		       "tuskctl secret set NAME --password-stdin.";
	if (strcasestr(msg, "no password supplied"))
		return "The server asks for a password and none is stored: store it with "
		       "tuskctl secret set NAME --password-stdin.";
	if (strcasestr(msg, "role \"") && strcasestr(msg, "does not exist"))
		return "Check the user name: the server has no such role "
		       "(tuskctl conn edit NAME --user USER).";
	if (strcasestr(msg, "certificate authentication failed"))
		return "The server did not accept the client certificate for this user: check "
		       "ssl_cert and ssl_key, and that the certificate's CN is the user name.";
	return NULL;
}

int tusk_error_from_pgconn(TuskError *e, const PGconn *conn, unsigned connect_timeout_sec)
{
	if (!e)
		return -1;
	if (!conn)
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "libpq could not allocate a connection (out of memory)");

	const char *text = PQerrorMessage(conn);
	TuskErrorKind kind = tusk_error_classify_pg_message(text);
	_cleanup_free_ char *msg = short_pg_message(text);

	if (kind == TUSK_ERR_CONNECTION_TIMEOUT && connect_timeout_sec > 0)
		tusk_error_set(e, kind, "Connection timeout after %us", connect_timeout_sec);
	else
		tusk_error_set(e, kind, "%s", msg ? msg : "Connection failed");
	e->detail = trimmed_copy(text);
	const char *hint = kind == TUSK_ERR_AUTHENTICATION_FAILED ? connection_hint(text) : NULL;
	if (hint)
		tusk_error_set_hint(e, hint);
	return -1;
}
