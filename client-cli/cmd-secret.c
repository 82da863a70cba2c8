/* placeholder until the connections work lands */
#include "client-cli/tuskctl.h"

int cmd_secret(struct ctl *ctl, int argc, char **argv)
{
	return ctl_usage_error("'secret' is not available yet");
}
