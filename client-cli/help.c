/* tuskctl COMMAND --help and tuskctl help COMMAND: per-command usage,
 * options and examples. Lines stay within 80 columns. */
#include <stdio.h>
#include <string.h>

#include "client-cli/tuskctl.h"

struct help {
	const char *name; /* "conn" or "conn add" */
	const char *text;
};

static const struct help helps[] = {
    {"ping", "Usage: tuskctl ping\n"
             "Check that tuskd answers, and how fast.\n\n"
             "Example:\n"
             "  tuskctl ping               # pong from tuskd 0.1.0 in 0.050 ms\n"},
    {"status", "Usage: tuskctl status\n"
               "What the daemon is doing: pid, uptime, socket, storage, keyring,\n"
               "clients, workers, memory, and the queries running now.\n\n"
               "Example:\n"
               "  tuskctl status\n"
               "  tuskctl --json status | jq .rss_bytes\n"},
    {"shutdown", "Usage: tuskctl shutdown\n"
                 "Stop the daemon gracefully (running queries are cancelled).\n"
                 "Never starts a daemon to stop it.\n"},
    {"settings", "Usage: tuskctl settings list\n"
                 "       tuskctl settings get KEY\n"
                 "       tuskctl settings set KEY VALUE\n"
                 "       tuskctl settings reset KEY\n"
                 "Read and change the daemon's settings (kept in its data dir).\n\n"
                 "Examples:\n"
                 "  tuskctl settings list\n"
                 "  tuskctl settings set pool.max_size 8\n"
                 "  tuskctl settings reset pool.max_size\n"},
    {"query", "Usage: tuskctl [query] [-d NAME|URI] [-c SQL | -f FILE] [OPTIONS]\n"
              "       tuskctl query list\n"
              "       tuskctl query close QUERY_ID\n"
              "Run SQL through the daemon and print the results as they stream.\n"
              "Without -c or -f the SQL is read from stdin. 'query list' shows the\n"
              "queries running in the daemon now, with the ids 'cancel' takes, and\n"
              "the stored results; 'query close' releases a stored result.\n\n"
              "Options:\n"
              "  -d, --dbname NAME|URI  saved connection, or a URI / conninfo\n"
              "                         (default $TUSK_DATABASE, else PG* like psql)\n"
              "  -c, --command SQL      the SQL to run\n"
              "  -f, --file FILE        run the script in FILE (- for stdin) as psql -f:\n"
              "                         statement by statement on one session, going\n"
              "                         on after a failed one (exit status 1)\n"
              "      --on-error-stop    stop a script at its first failed statement\n"
              "                         (also -v ON_ERROR_STOP=1)\n"
              "  -1, --single-transaction  a script in one transaction: all or nothing\n"
              "      --format F         aligned (default), csv, tsv, json, jsonl\n"
              "      --csv              the same as --format csv\n"
              "      --typed            typed JSON values (json when no format)\n"
              "      --session NAME     a named context: a transaction spans calls\n"
              "  -q, --quiet            no notices, no row-count footer\n"
              "      --store            keep the result in tuskd and print its id\n"
              "                         (then: tuskctl fetch / export ID)\n"
              "      --max-rows N       stop after N rows\n\n"
              "Ctrl-C cancels the query on the server.\n\n"
              "Examples:\n"
              "  tuskctl -d prod -c 'select now()'\n"
              "  tuskctl query -d prod -f report.sql --format csv > report.csv\n"
              "  tuskctl -d shop -1 -f migrate.sql\n"
              "  tuskctl -d prod --session s1 -c 'begin'\n"
              "  tuskctl query list\n"
              "  tuskctl query -d prod -c 'select * from big' --store\n"},
    {"shell", "Usage: tuskctl shell [-d NAME|URI]\n"
              "       tuskctl -d NAME|URI          (on a terminal, without -c or -f)\n"
              "An interactive shell: statements end with ';' (multi-line, $$ bodies\n"
              "and quotes as the server scans them), Tab completes from the schema,\n"
              "up-arrow recalls the daemon's history (what other clients ran too),\n"
              "the prompt shows connection/database and '*' in a transaction, '!'\n"
              "in a failed one. Meta-commands as psql: \\d \\dt \\dv \\df \\dn \\di\n"
              "\\du \\x \\timing \\conninfo \\c \\e \\i \\o \\g \\watch \\q \\? .\n"
              "Ctrl-C cancels the running statement on the server; Ctrl-D leaves.\n\n"
              "Examples:\n"
              "  tuskctl -d shop\n"
              "  tuskctl shell -d 'postgresql://app@localhost/shop'\n"},
    {"names", "Usage: tuskctl names connections|groups\n"
              "Saved connection or group names, one per line, for the bash and zsh\n"
              "completion scripts. Never starts tuskd.\n\n"
              "Example:\n"
              "  tuskctl names connections\n"},
    {"fetch", "Usage: tuskctl fetch QUERY_ID [--offset N] [--limit N | --all]\n"
              "                     [--result N] [--format F] [--typed]\n"
              "Print rows of a stored result (tuskctl query --store), from any\n"
              "process, also while the query still runs. --all pages through every\n"
              "row from --offset on and waits for rows still to come.\n\n"
              "Options:\n"
              "      --offset N   first row, 0-based (default 0)\n"
              "      --limit N    rows (default 100)\n"
              "      --result N   which result set of a script (default 0)\n"
              "      --format F   aligned (default), csv, tsv, json, jsonl\n\n"
              "Examples:\n"
              "  tuskctl fetch 0b6c2f0e-8d7e-4a53-9f55-1f9b8d3e2a10 --offset 1000000\n"
              "  tuskctl fetch 0b6c2f0e-8d7e-4a53-9f55-1f9b8d3e2a10 --all --csv\n"},
    {"export", "Usage: tuskctl export QUERY_ID --format F -o FILE [--result N]\n"
               "The daemon writes a stored result to FILE in the background: csv\n"
               "(byte-identical to psql --csv), tsv, json or jsonl. Ctrl-C cancels\n"
               "it and removes the partial file.\n\n"
               "Example:\n"
               "  tuskctl export 0b6c2f0e-8d7e-4a53-9f55-1f9b8d3e2a10 --format csv \\\n"
               "      -o big.csv\n"},
    {"cancel", "Usage: tuskctl cancel QUERY_ID\n"
               "Cancel a running query on the server. 'tuskctl query list' shows the\n"
               "ids; a long query run on a terminal prints its id on stderr.\n\n"
               "Example:\n"
               "  tuskctl cancel 0b6c2f0e-8d7e-4a53-9f55-1f9b8d3e2a10\n"},
    {"history", "Usage: tuskctl history [list] [-d NAME|ID] [--search TEXT]\n"
                "                       [--status ok|error|cancelled] [--limit N]\n"
                "                       [--offset N] [--json]\n"
                "       tuskctl history rm ID\n"
                "       tuskctl history clear [-d NAME|ID] --yes\n"
                "Every query the daemon ran, failed and cancelled ones too, newest first.\n"
                "--search is full-text over the SQL.\n\n"
                "Examples:\n"
                "  tuskctl history --search orders\n"
                "  tuskctl history -d prod --status error --limit 5\n"
                "  tuskctl history clear -d prod --yes\n"},
    {"conn", "Usage: tuskctl conn list\n"
             "       tuskctl conn show NAME [--json]\n"
             "       tuskctl conn add NAME URI_OR_CONNINFO [OPTIONS]\n"
             "       tuskctl conn edit NAME [OPTIONS]\n"
             "       tuskctl conn rm NAME\n"
             "       tuskctl conn import URI|CONNINFO|service=NAME [OPTIONS]\n"
             "       tuskctl conn test NAME|URI\n"
             "       tuskctl conn status [NAME]\n"
             "Saved connections. 'tuskctl conn SUB --help' tells more.\n\n"
             "Examples:\n"
             "  tuskctl conn add shop 'postgresql://app@db/shop' --password-stdin\n"
             "  tuskctl conn list\n"
             "  tuskctl conn status shop\n"},
    {"conn add", "Usage: tuskctl conn add NAME URI_OR_CONNINFO [OPTIONS]\n"
                 "Save a connection. The password goes to the keyring, never to argv.\n\n"
                 "Options:\n"
                 "  --group G              put it in group G\n"
                 "  --color C              a color, e.g. '#c0392b'\n"
                 "  --readonly             the server enforces read-only transactions\n"
                 "  --password-stdin       read the password from stdin\n"
                 "  --ssh USER@HOST[:PORT] reach the server through an SSH tunnel\n"
                 "  --ssh-key FILE         tunnel auth with a key file\n"
                 "  --ssh-agent            tunnel auth with the SSH agent\n"
                 "  --ssh-password-stdin   tunnel password from stdin (after the database\n"
                 "                         password's line when both are given)\n"
                 "  --dry-run              show what would be saved\n\n"
                 "Examples:\n"
                 "  tuskctl conn add shop 'postgresql://app@db.example.com/shop' \\\n"
                 "      --group work --color '#c0392b' --password-stdin <<< \"$PW\"\n"
                 "  tuskctl conn add local 'host=/run/postgresql dbname=postgres'\n"},
    {"conn edit", "Usage: tuskctl conn edit NAME [OPTIONS]\n"
                  "Change a saved connection.\n\n"
                  "Options: --name N, --host H, --port P, --db D, --user U,\n"
                  "  --sslmode M, --group G, --color C, --readonly, --no-readonly,\n"
                  "  --connect-timeout SEC, --statement-timeout MS, --app-name A\n\n"
                  "Example:\n"
                  "  tuskctl conn edit shop --port 5433 --readonly\n"},
    {"conn import", "Usage: tuskctl conn import URI|CONNINFO|service=NAME [--name N]\n"
                    "                           [--group G]\n"
                    "Save connections from a URI, a conninfo string or a service of\n"
                    "~/.pg_service.conf (PGSERVICEFILE honoured).\n\n"
                    "Example:\n"
                    "  tuskctl conn import 'service=shop'\n"},
    {"group", "Usage: tuskctl group list\n"
              "       tuskctl group add NAME [--parent P] [--color C] [--sort N]\n"
              "       tuskctl group rm NAME\n"
              "Connection groups (nested with --parent).\n\n"
              "Examples:\n"
              "  tuskctl group add work --color '#2a7ab0'\n"
              "  tuskctl group list\n"},
    {"open", "Usage: tuskctl open NAME|URI\n"
             "Open a connection's pool in the daemon (it stays warm).\n\n"
             "Example:\n"
             "  tuskctl open shop\n"},
    {"close", "Usage: tuskctl close NAME\n"
              "Close a connection's pool.\n\n"
              "Example:\n"
              "  tuskctl close shop\n"},
    {"secret", "Usage: tuskctl secret set NAME|ID [--ssh | --passphrase | --ssl-passphrase]\n"
               "                          [--password-stdin]\n"
               "       tuskctl secret rm NAME|ID [--ssh | --passphrase | --ssl-passphrase |\n"
               "                         --all]\n"
               "       tuskctl secret has NAME|ID [--ssh | --passphrase | --ssl-passphrase]\n"
               "Secrets in the keyring. No option: the connection's password; --ssh: the\n"
               "SSH tunnel's password; --passphrase: the SSH key's; --ssl-passphrase: the\n"
               "TLS client key's. 'has' exits 1 when the secret is not stored.\n\n"
               "Examples:\n"
               "  tuskctl secret set shop                 # asks, echo off\n"
               "  tuskctl secret set shop --password-stdin < pw.txt\n"},
    {"schema", "Usage: tuskctl schema [-d NAME|URI] [PATTERN] [--kind K] [--refresh]\n"
               "                      [--system] [--json]\n"
               "List a database's objects from the daemon's shared cache. PATTERN is\n"
               "a glob over name or schema.name.\n\n"
               "Examples:\n"
               "  tuskctl schema -d shop\n"
               "  tuskctl schema -d shop 'public.ord*' --kind table\n"},
    {"describe", "Usage: tuskctl describe -d NAME|URI OBJECT [--kind K] [--ddl] [--json]\n"
                 "One object, laid out like psql's \\d; --ddl prints its DDL.\n\n"
                 "Examples:\n"
                 "  tuskctl describe -d shop orders\n"
                 "  tuskctl describe -d shop public.orders --ddl\n"},
    {"complete", "Usage: tuskctl complete -d NAME|URI PREFIX [--context SQL] [--json]\n"
                 "Completion candidates for PREFIX where the cursor ends --context:\n"
                 "text, kind and detail, tab-separated.\n\n"
                 "Example:\n"
                 "  tuskctl complete -d shop ord --context 'select * from '\n"},
    {"ssh", "Usage: tuskctl ssh trust NAME [--fingerprint SHA256:... | --yes]\n"
            "       tuskctl ssh trust --host HOST [--port PORT] --fingerprint SHA256:...\n"
            "Trust an SSH tunnel's host key after checking the fingerprint shown.\n"
            "NAME opens the saved connection to see the key. --host (--port, 22\n"
            "by default) names the SSH server instead, as a connection not saved\n"
            "yet has it (say, the window's Test): the key the daemon last refused\n"
            "as unknown there is recorded if it has the fingerprint given.\n\n"
            "Examples:\n"
            "  tuskctl ssh trust bastioned --fingerprint SHA256:abc...\n"
            "  tuskctl ssh trust --host bastion.example.com --fingerprint SHA256:abc...\n"},
    {"listen", "Usage: tuskctl listen -d NAME CHANNEL... [--format text|jsonl]\n"
               "LISTEN on channels of a connection and print each NOTIFY as it\n"
               "arrives, like psql (text) or one JSON object a line (jsonl). The\n"
               "daemon listens on a backend of its own; after a server restart it\n"
               "listens again and says notifications may have been missed.\n"
               "Ctrl-C stops (exit 130).\n\n"
               "Examples:\n"
               "  tuskctl listen -d shop orders\n"
               "  tuskctl listen -d shop orders refunds --format jsonl | jq .payload\n"},
    {"events", "Usage: tuskctl events [--topic] TOPIC...\n"
               "Print the daemon's notifications of some topics as JSON lines\n"
               "({\"method\", \"params\"}) until Ctrl-C. Topics: connection, query,\n"
               "schema, notify, config (saved connections, groups, settings),\n"
               "workspace.\n\n"
               "Examples:\n"
               "  tuskctl events --topic config --topic workspace\n"
               "  tuskctl events query\n"},
    {"workspace", "Usage: tuskctl workspace [show] [-w NAME] [--sql]\n"
                  "       tuskctl workspace save [-w NAME] [--revision N] [--force]\n"
                  "                              < TABS.json\n"
                  "The editor tabs the daemon keeps for the windows (workspace\n"
                  "'default' unless -w). save reads a JSON array of tabs, or an\n"
                  "object with tabs and revision, from stdin; a stale revision is\n"
                  "refused unless --force.\n\n"
                  "Examples:\n"
                  "  tuskctl workspace --sql\n"
                  "  tuskctl --json workspace > tabs.json\n"
                  "  tuskctl workspace save < tabs.json\n"},
    {"session", "Usage: tuskctl session\n"
                "       tuskctl session release NAME CONTEXT\n"
                "What tuskd restored when it started: the connections open when it\n"
                "last stopped (setting session.restore), and the transactions of\n"
                "named contexts that were lost, with their statements.\n"
                "release lets a named context (--session CONTEXT) of connection\n"
                "NAME go now: its open transaction is rolled back, its SETs are\n"
                "reset and its backend goes back to the pool (else after setting\n"
                "query.context_idle_timeout_sec).\n\n"
                "Examples:\n"
                "  tuskctl session\n"
                "  tuskctl session release prod s1\n"},
};

static const struct help *find(const char *name, const char *sub)
{
	char full[64];
	if (sub) {
		snprintf(full, sizeof(full), "%s %s", name, sub);
		for (size_t i = 0; i < sizeof(helps) / sizeof(*helps); i++)
			if (strcmp(helps[i].name, full) == 0)
				return &helps[i];
	}
	for (size_t i = 0; i < sizeof(helps) / sizeof(*helps); i++)
		if (strcmp(helps[i].name, name) == 0)
			return &helps[i];
	return NULL;
}

bool ctl_help_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || (i <= 2 && strcmp(argv[i], "-h") == 0))
			return true;
	}
	return false;
}

int ctl_help(const char *name, const char *sub)
{
	const struct help *h = find(name, sub && sub[0] != '-' ? sub : NULL);
	if (!h)
		return ctl_usage_error("no help for '%s'", name);
	fputs(h->text, stdout);
	fputs("\nExit status: 0 ok, 1 SQL or daemon error, 2 usage error, 3 daemon\n"
	      "unreachable, 130 interrupted.\n",
	      stdout);
	return EXIT_OK;
}
