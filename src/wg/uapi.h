/* The cross-platform userspace API of WireGuard (wireguard.com/xplatform): a UNIX socket at
 * /var/run/wireguard/IFACE.sock speaking get=1 and set=1, so wg and wg-quick configure adit
 * as they configure wireguard-go; and adit-show=1, adit's own, for adit show.
 *
 * It is served inside the data path's event loop without ever holding it (ctlserver.h): a
 * connection is read and written without blocking, and each wake-up does a bounded amount of
 * work (a few buffers of requests parsed, or of a reply written), so a 100,000-peer dump
 * goes out in slices between batches of packets. */
#ifndef ADIT_WG_UAPI_H
#define ADIT_WG_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ctlserver.h"
#include "base/loop.h"

struct wg_device;
struct wg_peer;
struct allowedips_node;

/* The longest line read; the longest legitimate one (an endpoint with a scope) is < 100. */
#define UAPI_LINE_MAX 4096
/* The least room uapi_session_output needs: one peer's lines, or one allowed IP's. */
#define UAPI_OUTPUT_MIN 1024

/* ---- The protocol, on bytes: one connection's conversation (uapi.c) ---- */

enum uapi_phase {
	UAPI_OPERATION, /* waiting for get=1, set=1 or adit-show=1 */
	UAPI_GET,       /* reading a get's or an adit-show's (empty) body */
	UAPI_SET,       /* applying a set's lines as they come */
	UAPI_REPLY,     /* the answer is being written; no input is taken meanwhile */
	UAPI_CLOSED,    /* the client broke the protocol: hang up */
};

struct uapi_session {
	struct wg_device *dev;
	enum uapi_phase phase;
	char line[UAPI_LINE_MAX + 1];
	size_t line_len;
	bool line_bad; /* too long or holding a NUL */
	/* set: where its lines are, and the first error (lines after it are not applied) */
	bool in_peers;
	struct wg_peer *peer; /* NULL in a peer section checked but not applied */
	bool created;
	int err;
	unsigned long lines, peers; /* of the request being read: lines, and peers a set named */
	bool get_extra; /* a get with lines in its body */
	bool show;      /* the get is adit's own, adit-show=1 (see uapi.c) */
	/* The reply, step by step, so it can stop at a full buffer and go on later. */
	enum { REPLY_DEVICE, REPLY_DEVICE_DROPS, REPLY_PEER, REPLY_PEER_DROPS, REPLY_ALLOWED_IPS,
	       REPLY_ERRNO } step;
	const struct wg_peer *reply_peer;
	const struct allowedips_node *reply_ip;
	int reply_err;
	unsigned long reply_peers; /* peers the reply has said all of so far */
	unsigned int requests;     /* answered so far */
};

void uapi_session_start(struct uapi_session *s, struct wg_device *dev);
/* Takes request bytes; returns how many it used. It stops early while a reply is due
 * (UAPI_REPLY: call uapi_session_output until the reply is done, then give it the rest)
 * and for good once the session is UAPI_CLOSED. A set's lines are applied as they come. */
size_t uapi_session_input(struct uapi_session *s, const char *buf, size_t len);
/* Writes the next part of the reply into buf (cap >= UAPI_OUTPUT_MIN); returns its length.
 * When the reply is complete the session takes input again. (uapi_get.c) */
size_t uapi_session_output(struct uapi_session *s, char *buf, size_t cap);
/* How far the request got, for a log line: "in a set, 12 lines read, 3 peers". */
void uapi_session_describe(const struct uapi_session *s, char *buf, size_t size);
/* What a client hung up on in the middle of a set is told: errno=-ETIMEDOUT, as the set's
 * answer (what came before it was applied, as after any error). Returns its length in buf,
 * or 0 when the session is not in a set. */
size_t uapi_session_cut(struct uapi_session *s, char *buf, size_t cap);
/* Wipes what the session read (keys pass through it). */
void uapi_session_end(struct uapi_session *s);

/* ---- A set's lines (uapi_set.c), as the session reads them ---- */

/* Applies one line of a set: 0 or a negative errno, after which the set applies nothing
 * more. */
int uapi_set_line(struct uapi_session *s, char *line);
/* The set's end (or the next peer section): the peer just configured sends what it had
 * staged, if it now can. */
void uapi_set_end(struct uapi_session *s);

/* ---- The socket (uapi_socket.c), served by ctlserver.c ---- */

/* Creates the directory if needed and listens on the socket (a stale socket nobody answers
 * on is replaced; a live one is an error). Returns the fd, or a negative errno after
 * printing why. */
int uapi_listen(const char *ifname);
/* The UAPI socket, for a janitor to remove at exit (privs.h). */
struct ctlsock *uapi_ctlsock(void);
void uapi_unlink(const char *ifname);
/* Serves listen_fd (or, with -1, only the connections given to ctlserver_attach) in loop, a
 * uapi_session for each connection; ctlserver_stop stops it. Returns 0, or a negative errno
 * after saying why. */
int uapi_server_start(struct ctlserver *srv, struct wg_device *dev, struct loop *loop,
		      int listen_fd);

#endif
