/* Connection groups as tuskctl sees them, shared by cmd-group.c and
 * cmd-conn.c: names on the command line, ids on the wire. */
#pragma once

#include <jansson.h>

#include "client-cli/tuskctl.h"

/* groups.list's array (new reference) in *ret; an exit code. */
int ctl_groups_fetch(struct ctl *ctl, json_t **ret);
/* The group named (or with the id) text among groups (borrowed), or NULL
 * after printing why: none, or several of that name. */
const json_t *ctl_group_find(const json_t *groups, const char *text);
/* The id (new reference) of the group named or identified by text; a
 * group of that name is created when there is none (conn add --group). */
int ctl_group_ensure(struct ctl *ctl, const char *text, json_t **ret_id);
/* "Parent/Child" for the group with this id, or the id when unknown. */
char *ctl_group_path(const json_t *groups, const char *id);
