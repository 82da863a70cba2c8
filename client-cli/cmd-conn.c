/* placeholder until the connections work lands */
#include "client-cli/tuskctl.h"

int cmd_conn(struct ctl *ctl, int argc, char **argv)
{
	return ctl_usage_error("'conn' is not available yet");
}

int cmd_open(struct ctl *ctl, int argc, char **argv)
{
	return ctl_usage_error("'open' is not available yet");
}

int cmd_close(struct ctl *ctl, int argc, char **argv)
{
	return ctl_usage_error("'close' is not available yet");
}
