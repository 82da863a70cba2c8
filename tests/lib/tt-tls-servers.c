/* See tt-tls-servers.h. */
#include "tests/lib/tt-tls-servers.h"

void tt_tls_servers_start(struct tt_certs *certs, struct tt_pg *pg_tls, struct tt_pg *pg_other)
{
	tt_certs_init(certs);
	tt_certs_server(certs, "server", "localhost", "DNS:localhost,IP:127.0.0.1");
	tt_certs_give_to_pg(certs, "server");
	tt_certs_server(certs, "other", "db.example", "DNS:db.example");
	tt_certs_give_to_pg(certs, "other");
	tt_certs_client(certs, "certuser", "certuser");
	tt_certs_client(certs, "alice", "alice");
	struct tt_cert_opts enc = {.cn = "certuser", .client = true, .passphrase = "open-sesame"};
	tt_certs_make(certs, "certuser-enc", &enc);

	char conf[2048];
	tt_certs_pg_conf(certs, "server", conf, sizeof(conf));
	tt_pg_start(pg_tls, conf,
	            "local all all trust\n"
	            "hostssl all certuser 127.0.0.1/32 cert\n"
	            "hostssl all all 127.0.0.1/32 trust\n"
	            "host all all 127.0.0.1/32 trust\n");
	tt_pg_exec(pg_tls, NULL, "CREATE ROLE certuser LOGIN");
	tt_certs_pg_conf(certs, "other", conf, sizeof(conf));
	tt_pg_start(pg_other, conf, NULL);
}

void tt_tls_servers_stop(struct tt_certs *certs, struct tt_pg *pg_tls, struct tt_pg *pg_other)
{
	tt_pg_stop(pg_tls);
	tt_pg_stop(pg_other);
	tt_certs_cleanup(certs);
}
