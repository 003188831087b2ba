/* The server of adit's control sockets (ctlsock.h): wg mode's UAPI socket and lab mode's
 * adit show socket. It serves one connection at a time inside the data path's event loop
 * without ever holding it: the socket is read and written without blocking, and each wake-up
 * does a bounded amount of work.
 *
 * A connection keeps the server as long as it makes progress: a request may take as long as
 * its client takes to send it (a million-peer setconf, a slow link), but a client that sends
 * nothing and reads nothing for CTLSERVER_IDLE_SEC is hung up on, with a line in the log that
 * says how far its request got, and (where the protocol has a way) a word to the client. Once
 * a request has been answered, the connection gives way to a client waiting in the listen
 * backlog: it is hung up on before its next request, so a client that asks every few seconds
 * over one connection does not keep the others out for good.
 *
 * What is said over a connection is a session's business (struct ctlserver_ops): the server
 * hands it the bytes it reads and sends the bytes it writes. */
#ifndef ADIT_CTLSERVER_H
#define ADIT_CTLSERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/loop.h"

#define CTLSERVER_IDLE_SEC 10
/* The buffers of a connection, each way: output is given this much room. */
#define CTLSERVER_CHUNK 65536

/* What a session waits for. */
enum ctlserver_want {
	CTLSERVER_INPUT,  /* request bytes */
	CTLSERVER_OUTPUT, /* a call to output: an answer is being written */
	CTLSERVER_CLOSE,  /* nothing: hang up once what output wrote has gone */
};

/* One conversation over one connection. A session that wants input takes at least one of
 * the bytes it is given; one that wants output writes the next part of its answer. Once it
 * stops wanting output its answer is complete, and if it wants input again, the connection is
 * between requests until the session takes a byte of the next one. */
struct ctlserver_ops {
	const char *name; /* for the log: "UAPI", "lab control" */
	/* A new session for a new connection; NULL (out of memory) hangs up on it. */
	void *(*start)(void *ctx);
	size_t (*input)(void *session, const char *buf, size_t len);
	size_t (*output)(void *session, char *buf, size_t cap);
	enum ctlserver_want (*want)(const void *session);
	/* Optional. How far the request got, for the log line of a connection hung up on
	 * ("in a set, 12 lines read, 3 peers"). */
	void (*describe)(const void *session, char *buf, size_t size);
	/* Optional. What to tell a client hung up on midway, when the protocol has a way
	 * (a set's errno=N); the length written into buf, or 0. */
	size_t (*cut)(void *session, char *buf, size_t cap);
	/* Frees the session; the server wipes its own buffers (keys pass through them). */
	void (*end)(void *session);
};

struct ctlserver_conn;

struct ctlserver {
	const struct ctlserver_ops *ops;
	void *ctx; /* given to ops->start */
	struct loop *loop;
	int listen_fd;  /* -1: none (tests attach connections themselves) */
	int timer_fd;   /* when the connection will have been idle for CTLSERVER_IDLE_SEC */
	struct loop_watch listen_watch, conn_watch, timer_watch;
	bool listening; /* listen_watch is in the loop */
	struct ctlserver_conn *conn;
};

/* Serves listen_fd (or, with -1, only the connections given to ctlserver_attach) in loop,
 * a session of ops for each connection. Returns 0, or a negative errno after saying why. */
int ctlserver_start(struct ctlserver *srv, struct loop *loop, int listen_fd,
		    const struct ctlserver_ops *ops, void *ctx);
/* Serves conn (an accepted, connected stream socket, which the server then owns). Returns
 * 0, or a negative errno (conn is then closed). */
int ctlserver_attach(struct ctlserver *srv, int conn);
/* Hangs up any connection and stops watching; the listening fd stays the caller's. */
void ctlserver_stop(struct ctlserver *srv);

#endif
