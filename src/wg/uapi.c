/* The cross-platform userspace API (wireguard.com/xplatform), served as wireguard-go serves
 * it so that wg(8) cannot tell the two apart:
 *
 *   get=1 \n \n            ->  key=value lines, errno=0, empty line
 *   set=1 \n key=value ... \n  ->  errno=N, empty line
 *
 * A set is applied line by line as it is read. The first bad line stops applying (what came
 * before it stays applied, as in wireguard-go); the rest of the request is read and dropped up
 * to its empty line so that the next request on the connection is read from its start. A set
 * whose client goes idle midway is answered errno=-110 (ETIMEDOUT) when the server hangs up
 * on it (ctlserver.h), the lines before staying applied as after any error.
 *
 * The error number is written negated, errno=-22 for EINVAL, because that is what
 * wireguard-go writes (ipc/uapi_unix.go) and what wg(8) expects of a set: it stores the number
 * read and sets errno to its negation before perror (ipc-uapi.h).
 *
 * adit-show=1 is adit's own get, for `adit show`: the same lines, in the same order, except
 * that the device has own_public_key where get has private_key (no secret leaves), a peer has
 * has_preshared_key=true where get has preshared_key, and both carry their drops by reason
 * (drop_NAME=N, drops.h's names; the device's I/O drops as io_drop_NAME=N) and the device its
 * state (under_load=true|false, data_crypto=openssl|ipsec-mb, tun_offloads=...,
 * udp4_offloads=..., udp6_offloads=...); a zero counter is left out. wg(8) never sends it, and wireguard-go hangs up on it (an
 * unknown operation), which is how adit show tells an adit daemon from another.
 *
 * This file knows bytes, not sockets: uapi_socket.c feeds it what a connection reads and
 * sends what it writes, a buffer at a time. It reads requests a line at a time; a set's lines
 * are applied by uapi_set.c, and the replies written by uapi_get.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/uapi.h"

static void reply_with(struct uapi_session *s, int step, int err)
{
	s->phase = UAPI_REPLY;
	s->step = step;
	s->reply_err = err;
	s->reply_peer = s->dev->peers;
	s->reply_ip = NULL;
}

/* An unknown operation ends the connection, as in wireguard-go: there is no telling where
 * its request ends. */
static void operation_line(struct uapi_session *s, bool ok, const char *line)
{
	s->lines = s->peers = 0;
	s->reply_peers = 0;
	if (ok && (!strcmp(line, "get=1") || !strcmp(line, "adit-show=1"))) {
		s->phase = UAPI_GET;
		s->get_extra = false;
		s->show = line[0] == 'a';
	} else if (ok && !strcmp(line, "set=1")) {
		s->phase = UAPI_SET;
		s->in_peers = false;
		s->peer = NULL;
		s->created = false;
		s->err = 0;
	} else {
		s->phase = UAPI_CLOSED;
	}
}

/* A get carries nothing: anything before its empty line is an error. */
static void get_line(struct uapi_session *s, bool ok, size_t len)
{
	if (ok && !len)
		reply_with(s, s->get_extra ? REPLY_ERRNO : REPLY_DEVICE, s->get_extra ? -EINVAL : 0);
	else
		s->get_extra = true;
}

static void set_request_line(struct uapi_session *s, bool ok, char *line, size_t len)
{
	if (ok && !len) {
		if (!s->err)
			uapi_set_end(s);
		reply_with(s, REPLY_ERRNO, s->err);
	} else if (!s->err) {
		s->err = ok ? uapi_set_line(s, line) : -EPROTO;
	}
}

static void take_line(struct uapi_session *s)
{
	bool ok = !s->line_bad;

	s->lines++;
	s->line[s->line_len] = '\0';
	if (s->phase == UAPI_OPERATION)
		operation_line(s, ok, s->line);
	else if (s->phase == UAPI_GET)
		get_line(s, ok, s->line_len);
	else if (s->phase == UAPI_SET)
		set_request_line(s, ok, s->line, s->line_len);
	crypto_wipe(s->line, s->line_len + 1);
	s->line_len = 0;
	s->line_bad = false;
}

void uapi_session_start(struct uapi_session *s, struct wg_device *dev)
{
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->phase = UAPI_OPERATION;
}

size_t uapi_session_input(struct uapi_session *s, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && s->phase != UAPI_REPLY && s->phase != UAPI_CLOSED) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = (nl ? (size_t)(nl - buf) : len) - i;

		/* A line too long or holding a NUL is read to its end and refused whole. */
		if (memchr(buf + i, '\0', n) || s->line_len + n > UAPI_LINE_MAX)
			s->line_bad = true;
		else
			memcpy(s->line + s->line_len, buf + i, n);
		if (!s->line_bad)
			s->line_len += n;
		i += n;
		if (nl) {
			i++;
			take_line(s);
		}
	}
	return i;
}

void uapi_session_describe(const struct uapi_session *s, char *buf, size_t size)
{
	static const char *const what[] = {
		[UAPI_OPERATION] = "waiting for a request", [UAPI_GET] = "in a get",
		[UAPI_SET] = "in a set", [UAPI_REPLY] = "writing the reply",
		[UAPI_CLOSED] = "closing",
	};

	if (s->phase == UAPI_REPLY)
		snprintf(buf, size, "%s, %lu peers written", what[s->phase], s->reply_peers);
	else if (s->phase == UAPI_OPERATION)
		snprintf(buf, size, "%s (%u answered)", what[s->phase], s->requests);
	else
		snprintf(buf, size, "%s, %lu lines read, %lu peers", what[s->phase], s->lines,
			 s->peers);
}

size_t uapi_session_cut(struct uapi_session *s, char *buf, size_t cap)
{
	int n;

	if (s->phase != UAPI_SET)
		return 0;
	n = snprintf(buf, cap, "errno=%d\n\n", s->err ? s->err : -ETIMEDOUT);
	s->phase = UAPI_CLOSED;
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

void uapi_session_end(struct uapi_session *s)
{
	crypto_wipe(s, sizeof(*s));
}
