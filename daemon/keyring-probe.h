/* The start-up keyring probe in a child process (`tuskd --keyring-probe`),
 * so that a tuskd that has not needed a secret yet has not loaded
 * libsecret and GLib (~3.5 MB resident, 13 libraries): the child loads
 * them, asks the Secret Service whether the default collection is
 * unlocked, prints "STATE\tWHY\n" and exits. Keyring calls themselves load
 * libsecret in tuskd on first use (keyring-lib.h). */
#pragma once

#include "daemon/keyring.h"

/* The argument that makes tuskd the probe child. */
#define KEYRING_PROBE_ARG "--keyring-probe"

/* Parent, on a worker: runs exe KEYRING_PROBE_ARG and reads its answer.
 * 0 with *st and *why (malloc'd, may be NULL) set, or -1 when the child
 * could not be run or answered nothing (then probe in-process). */
int keyring_probe_spawn(const char *exe, KeyringState *st, char **why);

/* tuskd: the start-up probe (keyring_init's) runs exe KEYRING_PROBE_ARG.
 * Unset (tests linking the daemon in-process), it runs in-process. */
void keyring_probe_in_child(const char *exe);

/* Child: probe, print, return the exit status (keyring.c). */
int keyring_probe_main(void);
