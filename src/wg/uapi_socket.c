/* The UAPI socket: /var/run/wireguard/IFACE.sock, made private to root by ctlsock.c, and each
 * connection served in turn, without blocking, through a uapi_session (uapi.c). */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"
#include "log.h"
#include "secmem.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/uapi.h"

/* Each request, from its first byte to the last byte of its answer, has this long: a client
 * that trickles its request or does not read its answer gives way to the next one. */
#define UAPI_REQUEST_TIMEOUT_MS 10000
/* The buffers of a connection, each way. */
#define UAPI_CHUNK 65536
/* What one wake-up may parse or format: four chunks take about a millisecond, so packets
 * never wait long behind a big setconf or dump. */
#define UAPI_CHUNKS_PER_WAKE 4
/* A dump runs ahead of its reader by this much, so the two overlap (a UNIX socket is
 * writable again only once its queue is down to a quarter of this). */
#define UAPI_SNDBUF (1 << 20)

static struct ctlsock uapi_sock;

int uapi_listen(const char *ifname)
{
	return ctlsock_listen(&uapi_sock, CTLSOCK_WG_DIR, NULL, ifname);
}

void uapi_unlink(const char *ifname)
{
	char path[sizeof(uapi_sock.path)];

	if (ctlsock_path(path, sizeof(path), CTLSOCK_WG_DIR, ifname) &&
	    !strcmp(path, uapi_sock.path))
		ctlsock_unlink(&uapi_sock);
}

/* The connection being served: what it sent that the session has not taken yet, and what
 * the session wrote that the socket has not taken yet. Keys pass through its buffers and its
 * session's line (a set's private_key=, a get's reply), so it is mapped out of core dumps. */
struct uapi_conn {
	int fd;
	struct uapi_session session;
	size_t in_off, in_len;
	size_t out_off, out_len;
	char in[UAPI_CHUNK];
	char out[UAPI_CHUNK];
};

static void arm_deadline(struct uapi_server *srv, uint64_t ms)
{
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)(ms / 1000),
						.tv_nsec = (long)(ms % 1000) * 1000000 } };

	timerfd_settime(srv->timer_fd, 0, &its, NULL);
}

static void watch_listener(struct uapi_server *srv, bool on)
{
	if (srv->listen_fd < 0 || on == srv->listening)
		return;
	if (on)
		srv->listening = loop_add(srv->loop, &srv->listen_watch) == 0;
	else
		loop_del(srv->loop, &srv->listen_watch);
	if (!on)
		srv->listening = false;
}

static void hang_up(struct uapi_server *srv)
{
	struct uapi_conn *c = srv->conn;

	if (!c)
		return;
	loop_del(srv->loop, &srv->conn_watch);
	close(c->fd);
	uapi_session_end(&c->session);
	crypto_wipe(c, sizeof(*c)); /* keys went through both buffers */
	secmem_unmap(c, sizeof(*c));
	srv->conn = NULL;
	srv->conn_watch.fd = -1;
	arm_deadline(srv, 0);
	watch_listener(srv, true);
}

/* Sends what is waiting; false when the socket cannot take more now. -1: the client is gone. */
static int flush_out(struct uapi_conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	crypto_wipe(c->out, c->out_len);
	c->out_off = c->out_len = 0;
	return 1;
}

/* Reads what is there; 0 when nothing is, -1 at end of input or on an error. */
static int fill_in(struct uapi_conn *c)
{
	ssize_t n;

	do
		n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	c->in_off = 0;
	c->in_len = (size_t)n;
	return 1;
}

/* One wake-up's work: at most a chunk read and parsed and a chunk formatted and sent. Then
 * the socket is watched for what the session waits for: input, or room for output (which,
 * when there is work left over, is also how the loop comes back here at once). */
static int conn_ready(void *ctx)
{
	struct uapi_server *srv = ctx;
	struct uapi_conn *c = srv->conn;
	struct uapi_session *s;
	unsigned int reads = 0, writes = 0, before;
	int ret = 1;

	if (!c)
		return 0;
	s = &c->session;
	for (;;) {
		if (c->out_len) {
			ret = flush_out(c);
			if (ret <= 0)
				break;
		}
		before = s->requests;
		if (s->phase == UAPI_REPLY) {
			if (writes++ == UAPI_CHUNKS_PER_WAKE)
				break;
			c->out_len = uapi_session_output(s, c->out, sizeof(c->out));
			if (s->requests != before)
				arm_deadline(srv, UAPI_REQUEST_TIMEOUT_MS);
			continue;
		}
		if (s->phase == UAPI_CLOSED)
			break;
		if (c->in_off == c->in_len) {
			if (reads++ == UAPI_CHUNKS_PER_WAKE)
				break;
			ret = fill_in(c);
			if (ret <= 0)
				break;
		}
		c->in_off += uapi_session_input(s, c->in + c->in_off, c->in_len - c->in_off);
	}
	if (ret < 0 || (s->phase == UAPI_CLOSED && !c->out_len)) {
		hang_up(srv);
		return 0;
	}
	loop_watch_events(srv->loop, &srv->conn_watch,
			  c->out_len || s->phase == UAPI_REPLY || c->in_off < c->in_len);
	return 0;
}

int uapi_server_attach(struct uapi_server *srv, int conn)
{
	struct uapi_conn *c = secmem_map(sizeof(*c));
	int sndbuf = UAPI_SNDBUF;

	if (!c) {
		close(conn);
		return -1;
	}
	/* Past net.core.wmem_max only with CAP_NET_ADMIN; the default is also fine, if slower. */
	if (setsockopt(conn, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(conn, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->fd = conn;
	c->in_off = c->in_len = c->out_off = c->out_len = 0;
	uapi_session_start(&c->session, srv->dev);
	srv->conn = c;
	srv->conn_watch = (struct loop_watch){ .fd = conn, .ready = conn_ready, .ctx = srv };
	if (loop_add(srv->loop, &srv->conn_watch) < 0) {
		hang_up(srv);
		return -1;
	}
	watch_listener(srv, false);
	arm_deadline(srv, UAPI_REQUEST_TIMEOUT_MS);
	return 0;
}

static int listen_ready(void *ctx)
{
	struct uapi_server *srv = ctx;
	int conn;

	if (srv->conn)
		return 0;
	conn = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn >= 0)
		uapi_server_attach(srv, conn);
	return 0;
}

static int deadline_ready(void *ctx)
{
	struct uapi_server *srv = ctx;
	uint64_t expirations;

	if (read(srv->timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations) &&
	    srv->conn) {
		log_verbose("UAPI: a client took more than %d s over a request; hung up on it",
			    UAPI_REQUEST_TIMEOUT_MS / 1000);
		hang_up(srv);
	}
	return 0;
}

int uapi_server_start(struct uapi_server *srv, struct wg_device *dev, struct loop *loop,
		      int listen_fd)
{
	*srv = (struct uapi_server){ .dev = dev, .loop = loop, .listen_fd = listen_fd };
	srv->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (srv->timer_fd < 0) {
		log_error("cannot create a timer for the UAPI socket: %s", strerror(errno));
		return -1;
	}
	srv->listen_watch = (struct loop_watch){ .fd = listen_fd, .ready = listen_ready, .ctx = srv };
	srv->timer_watch = (struct loop_watch){ .fd = srv->timer_fd, .ready = deadline_ready,
						.ctx = srv };
	srv->conn_watch.fd = -1;
	if (loop_add(loop, &srv->timer_watch) < 0) {
		close(srv->timer_fd);
		srv->timer_fd = -1;
		return -1;
	}
	watch_listener(srv, true);
	if (listen_fd >= 0 && !srv->listening) {
		uapi_server_stop(srv);
		return -1;
	}
	return 0;
}

void uapi_server_stop(struct uapi_server *srv)
{
	if (!srv->loop)
		return;
	hang_up(srv);
	watch_listener(srv, false);
	if (srv->timer_fd >= 0) {
		loop_del(srv->loop, &srv->timer_watch);
		close(srv->timer_fd);
	}
	srv->timer_fd = -1;
	srv->loop = NULL;
}
