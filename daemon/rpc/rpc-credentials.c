/* credentials.* methods. */
#include <stddef.h>

#include "daemon/rpc.h"

const struct rpc_method *const rpc_credentials_methods[] = {
    NULL,
};
