/* query.copy_data without building a JSON tree: a COPY FROM STDIN of a
 * gigabyte is thousands of 128 KiB lines, and parsing each into jansson's
 * tree, checking it against the schema and copying its string costs more
 * than PostgreSQL takes to load it. A line spelt exactly as tuskctl spells
 * it (see rpc.h) is scanned instead: the query id runs to the next quote
 * (no escapes), the base64 or text to the closing quote, and the decoders
 * refuse every byte outside the alphabet (base64) or what a JSON string may
 * not hold unescaped (text: a quote, a control character, bytes that are
 * not UTF-8), so nothing else passes for one. Every other line goes the
 * general way. */
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/copy-json.h"
#include "daemon/rpc.h"
#include "daemon/server.h"

#define HEAD "{\"jsonrpc\":\"2.0\",\"method\":\"query.copy_data\",\"params\":{\"query_id\":\""
#define MID  "\",\"base64\":\""
#define MIDT "\",\"text\":\""
#define TAIL "\"}}"
/* The schema's maxLength of params.base64 and params.text. */
#define DATA_MAX (16 * 1024 * 1024)
#define QID_MAX  64
/* A decode buffer larger than this is not kept for the next line. */
#define KEEP_MAX (1024 * 1024)

bool rpc_copy_data_line(struct client *c, const char *line, size_t len)
{
	size_t hl = sizeof(HEAD) - 1, ml = sizeof(MID) - 1, tl = sizeof(TAIL) - 1;
	if (len < hl + 1 + sizeof(MIDT) - 1 + tl || memcmp(line, HEAD, hl) != 0 ||
	    memcmp(line + len - tl, TAIL, tl) != 0)
		return false;
	const char *qid = line + hl;
	const char *q_end = memchr(qid, '"', len - hl);
	size_t ql = q_end ? (size_t)(q_end - qid) : 0;
	if (ql == 0 || ql >= QID_MAX || memchr(qid, '\\', ql))
		return false;
	size_t rest = len - (size_t)(q_end - line);
	bool text = rest >= sizeof(MIDT) - 1 + tl && memcmp(q_end, MIDT, sizeof(MIDT) - 1) == 0;
	if (text)
		ml = sizeof(MIDT) - 1;
	else if (rest < ml + tl || memcmp(q_end, MID, ml) != 0)
		return false;
	char id[QID_MAX];
	for (size_t i = 0; i < ql; i++)
		if ((unsigned char)qid[i] < 0x20)
			return false;
	memcpy(id, qid, ql);
	id[ql] = '\0';
	const char *data = q_end + ml;
	size_t bl = (size_t)(line + len - tl - data);
	if (bl > DATA_MAX || (!text && bl % 4))
		return false;
	if (!client_request_begin(c))
		return false; /* over the limit: the general way drops it */
	client_request_end(c);
	/* One buffer for the loop's lines (one thread): kept while chunks
	 * stay tuskctl's size, so a load allocates no memory per line. */
	static char *buf;
	static size_t cap;
	size_t need = text ? bl + 1 : bl / 4 * 3 + 3;
	if (need > cap || cap > KEEP_MAX) {
		free(buf);
		cap = 0;
		if (!(buf = malloc(need)))
			return false;
		cap = need;
	}
	long long n =
	    text ? tusk_copy_json_unescape(data, bl, buf) : tusk_base64_decode(data, bl, buf);
	return n >= 0 && rpc_query_copy_data_raw(c, id, buf, (size_t)n);
}
