/* COPY through the daemon, tuskctl's side: COPY … FROM STDIN reads its
 * input (stdin, or the file of \copy) and sends it in chunks as
 * query.copy_data notifications, written while the daemon's messages are
 * read (it holds our input when PostgreSQL is behind: the socket then
 * blocks us, so memory stays flat); COPY … TO STDOUT's query.copy_out
 * chunks are decoded and written out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-cli/copy.h"
#include "common/base64.h"
#include "common/copy-json.h"
#include "protocol/jsonrpc.h"
#include "protocol/req.h"

/* Bytes of input per message. */
#define CHUNK (128 * 1024)
/* Room for one message: a chunk escaped as a JSON string (6 bytes for a
 * control character at worst; base64 takes 4 for 3), and its frame. */
#define MSG_CAP (6 * CHUNK + 256)

/* One COPY's sending side: every chunk is framed in the same buffer. */
struct upload {
	TuskClient *c;
	const char *qid;
	bool binary; /* COPY's binary format: base64 always */
	TuskNotifyFn fn;
	void *ud;
	char *msg;
};

/* The head of query.copy_data as tusk_req_query_copy_data spells it (and
 * tuskd's fast path reads it, daemon/rpc/copy-line.c):
 * {"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":Q,K:"… */
static size_t frame(char *out, const char *qid, const char *key)
{
	return (size_t)sprintf(out,
	                       "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":{\"query_id\":"
	                       "\"%s\",\"%s\":\"",
	                       TUSK_M_QUERY_COPY_DATA, qid, key);
}

/* data[0, n) as query.copy_data messages: a JSON string ("text") while it
 * is UTF-8 without NUL, smaller than base64 and as cheap; what is not
 * (another encoding, a character cut by the chunk's end) goes as base64.
 * 0, 1 (the query ended: its reply is kept) or -1 (e). */
static int send_data(struct upload *u, const char *data, size_t n, TuskError *e)
{
	while (n > 0) {
		size_t used = 0, len = 0;
		if (!u->binary) {
			len = frame(u->msg, u->qid, "text");
			len += tusk_copy_json_escape(data, n, u->msg + len, &used);
		}
		if (!used) {
			len = frame(u->msg, u->qid, "base64");
			len += tusk_base64_encode(data, n, u->msg + len);
			used = n;
		}
		memcpy(u->msg + len, "\"}}\n", 4);
		len += 4;
		int r = tusk_client_write_pumping(u->c, u->msg, len, u->fn, u->ud, e);
		if (r != 0)
			return r;
		data += used;
		n -= used;
	}
	return 0;
}

/* After the data (r: send_data's last answer): query.copy_end, or
 * query.copy_fail with fail; the buffer goes. 0 or -1 (e). */
static int upload_finish(struct upload *u, int r, const char *fail, TuskError *e)
{
	free(u->msg);
	u->msg = NULL;
	if (r < 0)
		return -1;
	if (r == 1)
		return 0; /* the query ended already: its reply says how */
	json_t *msg = tusk_rpc_notification(fail ? TUSK_M_QUERY_COPY_FAIL : TUSK_M_QUERY_COPY_END,
	                                    fail ? tusk_req_query_copy_fail(u->qid, fail)
	                                         : tusk_req_query_id(u->qid));
	size_t n;
	char *text = msg ? tusk_rpc_dump(msg, &n) : NULL;
	json_decref(msg);
	if (!text)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	r = tusk_client_write_pumping(u->c, text, n, u->fn, u->ud, e);
	free(text);
	return r < 0 ? -1 : 0;
}

/* A terminal gives lines until "\." or EOF, as psql's prompt says. */
static ssize_t read_input(int fd, bool tty, char *buf, size_t cap, bool *end)
{
	if (!tty)
		return read(fd, buf, cap);
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0)
			return n ? (ssize_t)n : r;
		if (buf[n++] == '\n')
			break;
	}
	if ((n == 3 && memcmp(buf, "\\.\n", 3) == 0) || (n == 2 && memcmp(buf, "\\.", 2) == 0)) {
		*end = true;
		return 0;
	}
	return (ssize_t)n;
}

/* Piped input (a file, a pipe) ends at a line "\." too, as psql's does:
 * what follows it on stdin stays for the next COPY … FROM STDIN of the
 * script. */
static struct {
	int fd;
	char *buf;
	size_t len;
} rest = {.fd = -1};

/* Where a line "\." (or "\.\r\n") starts in buf[0, n), with its length in
 * *mlen; bol: buf[0] starts a line. -1: none, with *keep the bytes at the
 * end that may be the start of one (held back for the next read). */
static ssize_t find_end(const char *buf, size_t n, bool bol, size_t *mlen, size_t *keep)
{
	static const char m1[] = "\\.\n", m2[] = "\\.\r\n";
	*keep = 0;
	const char *nl = bol ? NULL : memchr(buf, '\n', n);
	size_t p = bol ? 0 : nl ? (size_t)(nl - buf) + 1 : n;
	while (p < n) {
		size_t left = n - p;
		if (left >= 3 && memcmp(buf + p, m1, 3) == 0) {
			*mlen = 3;
			return (ssize_t)p;
		}
		if (left >= 4 && memcmp(buf + p, m2, 4) == 0) {
			*mlen = 4;
			return (ssize_t)p;
		}
		if (left < 4 && memcmp(buf + p, m2, left) == 0) {
			*keep = left;
			return -1;
		}
		nl = memchr(buf + p, '\n', left);
		p = nl ? (size_t)(nl - buf) + 1 : n;
	}
	return -1;
}

/* Piped input: the next bytes into buf[held, cap) after the held-back
 * bytes already at buf[0, held); *end when a line "\." ended the data. */
static ssize_t read_piped(int fd, char *buf, size_t held, size_t cap, bool *bol, bool *end,
                          size_t *keep)
{
	ssize_t r;
	if (rest.fd == fd && rest.len) {
		size_t take = rest.len < cap - held ? rest.len : cap - held;
		memcpy(buf + held, rest.buf, take);
		memmove(rest.buf, rest.buf + take, rest.len - take);
		rest.len -= take;
		r = (ssize_t)take;
	} else {
		r = read(fd, buf + held, cap - held);
	}
	if (r <= 0) {
		*keep = 0;
		return r < 0 ? r : (ssize_t)held; /* at EOF the held bytes are data */
	}
	size_t n = held + (size_t)r, mlen = 0;
	ssize_t at = find_end(buf, n, *bol, &mlen, keep);
	if (at >= 0) {
		size_t after = n - (size_t)at - mlen;
		char *b = realloc(rest.buf, rest.len + after);
		if (b) {
			memmove(b + after, b, rest.len);
			memcpy(b, buf + at + mlen, after);
			rest.buf = b;
			rest.len += after;
			rest.fd = fd;
		}
		*end = true;
		*keep = 0;
		return at;
	}
	*bol = *keep || buf[n - 1] == '\n';
	return (ssize_t)(n - *keep);
}

int ctl_copy_upload(TuskClient *c, const char *qid, int fd, bool binary, TuskNotifyFn fn, void *ud,
                    volatile sig_atomic_t *interrupted, TuskError *e)
{
	bool tty = isatty(fd);
	if (tty)
		fprintf(stderr, "Enter data to be copied followed by a newline.\n"
		                "End with a backslash and a period on a line by itself, or an EOF "
		                "signal.\n");
	if (rest.fd != fd) {
		rest.fd = fd;
		rest.len = 0;
	}
	struct upload u = {c, qid, binary, fn, ud, malloc(MSG_CAP)};
	char *in = malloc(CHUNK);
	if (!in || !u.msg) {
		free(in);
		free(u.msg);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	const char *fail = NULL;
	char why[256];
	int r = 0;
	bool bol = true;
	size_t held = 0;
	for (;;) {
		bool end = false;
		size_t keep = 0;
		ssize_t n = tty      ? read_input(fd, tty, in, CHUNK, &end)
		            : binary ? read(fd, in, CHUNK)
		                     : read_piped(fd, in, held, CHUNK, &bol, &end, &keep);
		if (interrupted && *interrupted) {
			fail = "cancelled";
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, sizeof(why), "cannot read the input: %s", strerror(errno));
			fail = why;
			break;
		}
		if (n == 0 && !end)
			break;
		r = send_data(&u, in, (size_t)n, e);
		if (r != 0 || end)
			break;
		/* The start of a possible "\." waits for the next read. */
		memmove(in, in + n, keep);
		held = keep;
	}
	free(in);
	if (fd != STDIN_FILENO)
		rest.len = 0; /* a file of \copy is closed after: its number is reused */
	return upload_finish(&u, r, fail, e);
}

int ctl_copy_upload_mem(TuskClient *c, const char *qid, const char *data, size_t len,
                        const char *fail, TuskNotifyFn fn, void *ud,
                        volatile sig_atomic_t *interrupted, TuskError *e)
{
	struct upload u = {c, qid, false, fn, ud, malloc(MSG_CAP)};
	if (!u.msg)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	int r = 0;
	for (size_t at = 0; at < len && !fail && r == 0; at += CHUNK) {
		if (interrupted && *interrupted)
			fail = "cancelled";
		else
			r = send_data(&u, data + at, len - at < CHUNK ? len - at : CHUNK, e);
	}
	return upload_finish(&u, r, fail, e);
}

/* One decode buffer for every query.copy_out chunk of the process (its
 * size settles at the daemon's chunk: no allocation and no fresh pages per
 * chunk). NULL when memory ran out. */
static char *decode_buffer(size_t encoded)
{
	static char *buf;
	static size_t cap;
	size_t need = encoded / 4 * 3 + 3;
	if (need > cap) {
		free(buf);
		cap = 0;
		if (!(buf = malloc(need)))
			return NULL;
		cap = need;
	}
	return buf;
}

int ctl_copy_write(FILE *out, const json_t *params)
{
	const json_t *b = json_object_get(params, "base64");
	size_t len = json_string_length(b);
	char *buf = decode_buffer(len);
	long long n = buf ? tusk_base64_decode(json_string_value(b), len, buf) : -1;
	int r = 0;
	if (n < 0)
		r = -EPROTO;
	else if (n > 0 && fwrite(buf, 1, (size_t)n, out) != (size_t)n)
		r = errno ? -errno : -EIO;
	return r;
}

#define OUT_HEAD "{\"jsonrpc\":\"2.0\",\"method\":\"query.copy_out\",\"params\":{\"query_id\":\""

/* Digits, then the expected text: p past both, or NULL. */
static const char *number(const char *p, const char *end, const char *then, unsigned long long *v)
{
	*v = 0;
	const char *d = p;
	while (p < end && *p >= '0' && *p <= '9' && p - d < 19)
		*v = *v * 10 + (unsigned)(*p++ - '0');
	size_t tl = strlen(then);
	if (p == d || (size_t)(end - p) < tl || memcmp(p, then, tl) != 0)
		return NULL;
	return p + tl;
}

bool ctl_copy_out_line(const char *line, size_t len, const char *qid, FILE *out,
                       unsigned long long *rows, int *werr)
{
	const char *end = line + len, *p = line;
	size_t hl = sizeof(OUT_HEAD) - 1, ql = strlen(qid);
	unsigned long long idx, n;
	if (len < hl + ql + 4 || memcmp(p, OUT_HEAD, hl) != 0 || memcmp(p + hl, qid, ql) != 0 ||
	    memcmp(p + hl + ql, "\",\"", 3) != 0)
		return false;
	p += hl + ql + 3;
	if ((size_t)(end - p) < 15 || memcmp(p, "result_index\":", 14) != 0 ||
	    !(p = number(p + 14, end, ",\"rows\":", &idx)) ||
	    !(p = number(p, end, ",\"base64\":\"", &n)) || end - p < 3 ||
	    memcmp(end - 3, "\"}}", 3) != 0)
		return false;
	size_t bl = (size_t)(end - 3 - p);
	char *buf = decode_buffer(bl);
	long long got = buf ? tusk_base64_decode(p, bl, buf) : -1;
	if (got < 0)
		return false;
	if (got > 0 && fwrite(buf, 1, (size_t)got, out) != (size_t)got && !*werr)
		*werr = errno ? -errno : -EIO;
	*rows += n;
	return true;
}
