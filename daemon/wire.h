/* Where tuskd hands the db library what it needs (db/env.h): the loop, the
 * workers, the settings, the keyring as credential lookup, the server as
 * event sink, session.c as keeper of named contexts. main.c and the fuzz
 * harness call it once, after server_new. */
#pragma once

void tuskd_wire_db(void);
