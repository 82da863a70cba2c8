/* Change events on topic config: connections.changed, groups.changed and
 * settings.changed, sent after any client changed saved state, so every
 * window refreshes by itself. */
#pragma once

struct client;

/* change: "created" | "updated" | "deleted". by may be NULL (the daemon). */
void changes_connection(struct client *by, const char *change, const char *id, const char *name);
void changes_group(struct client *by, const char *change, const char *id, const char *name);
void changes_setting(struct client *by, const char *key);
