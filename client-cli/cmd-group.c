/* placeholder until the connections work lands */
#include "client-cli/tuskctl.h"

int cmd_group(struct ctl *ctl, int argc, char **argv)
{
	return ctl_usage_error("'group' is not available yet");
}
