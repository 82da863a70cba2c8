/* groups.* methods. */
#include <stddef.h>

#include "daemon/rpc.h"

const struct rpc_method *const rpc_groups_methods[] = {
    NULL,
};
