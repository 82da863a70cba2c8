/* The two pieces of systemd's service protocol tuskd speaks, written here
 * instead of linking libsystemd (which brings libgcrypt, liblzma, libzstd,
 * liblz4 and libcap into every start of tuskd):
 * - socket activation: the listening sockets passed as fds 3… with
 *   LISTEN_PID / LISTEN_FDS (sd_listen_fds(3));
 * - readiness: a datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET
 *   (sd_notify(3)). */
#pragma once

#define TUSK_LISTEN_FDS_START 3

/* The number of sockets passed to this process (0 when none, or when they
 * were meant for another pid); marks them close-on-exec and removes the
 * LISTEN_* variables so that children do not see them. */
int tusk_listen_fds(void);

/* 1 when fd is a listening Unix stream socket, else 0. */
int tusk_is_listening_unix_stream(int fd);

/* Sends state ("READY=1\n…") to $NOTIFY_SOCKET; 0 when there is none,
 * 1 when sent, -errno on failure. */
int tusk_notify(const char *state);
int tusk_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
