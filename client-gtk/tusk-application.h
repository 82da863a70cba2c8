/* The application: app id, actions, accelerators, the one TuskRpc. */
#pragma once

#include <adwaita.h>

#include "client-gtk/tusk-rpc.h"

G_BEGIN_DECLS

#define TUSK_TYPE_APPLICATION (tusk_application_get_type())
G_DECLARE_FINAL_TYPE(TuskApplication, tusk_application, TUSK, APPLICATION, AdwApplication)

TuskApplication *tusk_application_new(void);
TuskRpc *tusk_application_get_rpc(TuskApplication *self);

G_END_DECLS
