/* XDG places (DESIGN.md "Processes and places") with TUSK_* overrides. */
#pragma once

#include "common/error.h"

/* Each returns a newly allocated path, or NULL with e set (IO) when no
 * base can be found. None creates anything.
 *   socket:  $TUSK_SOCKET, else $XDG_RUNTIME_DIR/tusk/tuskd.sock,
 *            else /tmp/tusk-$UID/tuskd.sock
 *   data:    $TUSK_DATA_DIR, else $XDG_DATA_HOME/tusk, else ~/.local/share/tusk
 *   state:   $TUSK_STATE_DIR, else $XDG_STATE_HOME/tusk, else ~/.local/state/tusk
 *   logs:    <state>/logs
 *   cache:   $TUSK_CACHE_DIR, else $XDG_CACHE_HOME/tusk, else ~/.cache/tusk */
char *tusk_path_socket(TuskError *e);
char *tusk_path_data_dir(TuskError *e);
char *tusk_path_state_dir(TuskError *e);
char *tusk_path_log_dir(TuskError *e);
char *tusk_path_cache_dir(TuskError *e);

/* mkdir -p with the given mode for every created component; an existing
 * directory is accepted as is (its mode is not changed). Returns 0, or -1
 * with e set (IO) naming the path that could not be created. */
int tusk_mkdir_p(const char *path, unsigned mode, TuskError *e);
/* Directory part of a path, newly allocated ("." when none). */
char *tusk_path_dirname(const char *path);
