/* COPY data between tuskctl's files and the daemon (client-cli/copy.c). */
#pragma once

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

#include "protocol/client.h"

/* After query.copy_in: send fd's bytes (until EOF or, unless binary, a
 * line "\." as psql reads it: what follows stays for the script's next
 * COPY … FROM STDIN from fd) and then query.copy_end, or query.copy_fail
 * when reading fails or *interrupted is set. The daemon's messages
 * meanwhile go to fn; its reply to the query is kept for the waiting call.
 * 0 or -1 (e). */
int ctl_copy_upload(TuskClient *c, const char *qid, int fd, bool binary, TuskNotifyFn fn, void *ud,
                    volatile sig_atomic_t *interrupted, TuskError *e);
/* The same for data in memory (a script's COPY data); fail: send
 * query.copy_fail with it instead of the data. */
int ctl_copy_upload_mem(TuskClient *c, const char *qid, const char *data, size_t len,
                        const char *fail, TuskNotifyFn fn, void *ud,
                        volatile sig_atomic_t *interrupted, TuskError *e);
/* A query.copy_out chunk: its bytes to out. 0 or -errno. */
int ctl_copy_write(FILE *out, const json_t *params);
/* A query.copy_out line of query qid as tuskd spells it, read without a
 * JSON tree: its bytes to out, its rows in *rows, *werr = -errno when
 * writing fails. false: not such a line (the general way reads it). */
bool ctl_copy_out_line(const char *line, size_t len, const char *qid, FILE *out,
                       unsigned long long *rows, int *werr);
