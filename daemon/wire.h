/* Where tuskd hands the db library what it needs (db/env.h): the loop, the
 * workers, the settings, the keyring as credential lookup, the server as
 * event sink, session.c as keeper of named contexts. main.c and the fuzz
 * harness call it once, after server_new: it makes tuskd.db (db_new).
 * -1: out of memory. */
#pragma once

int tuskd_wire_db(void);
