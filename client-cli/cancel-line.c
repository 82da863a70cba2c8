/* Ctrl-C during a long call: the SIGINT handler sends a request prepared
 * beforehand (query.cancel, query.export_cancel) to tuskd on a connection
 * of its own, since the call's connection is busy waiting. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"
#include "protocol/jsonrpc.h"

static struct sockaddr_un cancel_addr;
static char cancel_line[256];
static size_t cancel_len;

void ctl_cancel_prepare(const char *socket_path, const char *method, json_t *params)
{
	cancel_addr.sun_family = AF_UNIX;
	snprintf(cancel_addr.sun_path, sizeof(cancel_addr.sun_path), "%s", socket_path);
	_cleanup_json_ json_t *one = json_integer(1); /* not stolen */
	_cleanup_json_ json_t *req = tusk_rpc_request(one, method, params);
	size_t len = 0;
	_cleanup_free_ char *line = req ? tusk_rpc_dump(req, &len) : NULL;
	cancel_len = line && len < sizeof(cancel_line) ? len : 0;
	memcpy(cancel_line, line ? line : "", cancel_len);
}

void ctl_cancel_send(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&cancel_addr, sizeof(cancel_addr)) == 0)
		(void)!write(fd, cancel_line, cancel_len);
	close(fd);
}
