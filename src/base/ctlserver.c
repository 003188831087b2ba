/* One connection at a time, without blocking, through a session (ctlserver.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/ctlserver.h"
#include "base/log.h"
#include "base/secmem.h"

/* What one wake-up may parse or format: four chunks take about a millisecond, so packets
 * never wait long behind a big setconf or dump. */
#define CHUNKS_PER_WAKE 4
/* An answer runs ahead of its reader by this much, so the two overlap (a UNIX socket is
 * writable again only once its queue is down to a quarter of this). */
#define SNDBUF (1 << 20)

/* The connection being served: what it sent that the session has not taken yet, and what
 * the session wrote that the socket has not taken yet. Keys pass through its buffers (a
 * set's private_key=, a get's reply), so it is mapped out of core dumps. */
struct ctlserver_conn {
	int fd;
	void *session;
	uint64_t active_ms; /* when a byte last went either way (or the client connected) */
	unsigned long long bytes_in, bytes_out;
	bool answered; /* a reply is complete, and the session has taken nothing since */
	size_t in_off, in_len;
	size_t out_off, out_len;
	char in[CTLSERVER_CHUNK];
	char out[CTLSERVER_CHUNK];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The timer goes off in ms (0: never); it is armed once per idle period, not per byte. */
static void arm_timer(struct ctlserver *srv, uint64_t ms)
{
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)(ms / 1000),
						.tv_nsec = (long)(ms % 1000) * 1000000 } };

	timerfd_settime(srv->timer_fd, 0, &its, NULL);
}

static void watch_listener(struct ctlserver *srv, bool on)
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

static void hang_up(struct ctlserver *srv)
{
	struct ctlserver_conn *c = srv->conn;

	if (!c)
		return;
	loop_del(srv->loop, &srv->conn_watch);
	close(c->fd);
	if (c->session)
		srv->ops->end(c->session);
	secmem_wipe(c, sizeof(*c)); /* keys went through both buffers */
	secmem_unmap(c, sizeof(*c));
	srv->conn = NULL;
	srv->conn_watch.fd = -1;
	arm_timer(srv, 0);
	watch_listener(srv, true);
}

/* Sends what is waiting; 0 when the socket cannot take more now, -1 when the client is
 * gone. */
static int flush_out(struct ctlserver_conn *c)
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
		c->bytes_out += (unsigned long long)n;
	}
	secmem_wipe(c->out, c->out_len);
	c->out_off = c->out_len = 0;
	return 1;
}

/* Reads what is there; 0 when nothing is, -1 at end of input or on an error. */
static int fill_in(struct ctlserver_conn *c)
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
	c->bytes_in += (unsigned long long)n;
	return 1;
}

/* The last answer is out and nothing of a next request has been read: a hang-up here cuts no
 * request short. */
static bool between_requests(const struct ctlserver_conn *c)
{
	return c->answered && !c->out_len && c->in_off == c->in_len;
}

/* One wake-up's work: at most a few chunks read and parsed and a few formatted and sent.
 * Then the socket is watched for what the session waits for: input, or room for output
 * (which, when there is work left over, is also how the loop comes back here at once). */
static int conn_ready(void *ctx)
{
	struct ctlserver *srv = ctx;
	const struct ctlserver_ops *ops = srv->ops;
	struct ctlserver_conn *c = srv->conn;
	unsigned long long before = c ? c->bytes_in + c->bytes_out : 0;
	unsigned int reads = 0, writes = 0;
	enum ctlserver_want want;
	size_t took;
	int ret = 1;

	if (!c)
		return 0;
	for (;;) {
		if (c->out_len) {
			ret = flush_out(c);
			if (ret <= 0)
				break;
		}
		want = ops->want(c->session);
		if (want == CTLSERVER_OUTPUT) {
			if (writes++ == CHUNKS_PER_WAKE)
				break;
			c->out_len = ops->output(c->session, c->out, sizeof(c->out));
			c->answered = ops->want(c->session) == CTLSERVER_INPUT;
			continue;
		}
		if (want == CTLSERVER_CLOSE)
			break;
		if (c->in_off == c->in_len) {
			if (reads++ == CHUNKS_PER_WAKE)
				break;
			ret = fill_in(c);
			if (ret <= 0)
				break;
		}
		took = ops->input(c->session, c->in + c->in_off, c->in_len - c->in_off);
		c->in_off += took;
		if (took)
			c->answered = false;
	}
	/* After the work, so that a wake-up that took long does not count as idle time. */
	if (c->bytes_in + c->bytes_out != before)
		c->active_ms = now_ms();
	want = ops->want(c->session);
	if (ret < 0 || (want == CTLSERVER_CLOSE && !c->out_len)) {
		hang_up(srv);
		return 0;
	}
	loop_watch_events(srv->loop, &srv->conn_watch,
			  c->out_len || want == CTLSERVER_OUTPUT || c->in_off < c->in_len);
	/* Between requests, a client that connects takes the connection's place. */
	watch_listener(srv, between_requests(c));
	return 0;
}

int ctlserver_attach(struct ctlserver *srv, int conn)
{
	struct ctlserver_conn *c = secmem_map(sizeof(*c));
	int sndbuf = SNDBUF, err;

	if (!c) {
		close(conn);
		return -ENOMEM;
	}
	/* Past net.core.wmem_max only with CAP_NET_ADMIN; the default is also fine, if slower. */
	if (setsockopt(conn, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(conn, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->fd = conn;
	c->active_ms = now_ms();
	srv->conn = c;
	srv->conn_watch = (struct loop_watch){ .fd = conn, .ready = conn_ready, .ctx = srv };
	c->session = srv->ops->start(srv->ctx);
	err = c->session ? loop_add(srv->loop, &srv->conn_watch) : -ENOMEM;
	if (err < 0) {
		srv->conn_watch.fd = -1; /* not in the loop */
		hang_up(srv);
		return err;
	}
	watch_listener(srv, false);
	arm_timer(srv, CTLSERVER_IDLE_SEC * 1000);
	return 0;
}

/* The listener is watched while no connection is served, or while the one served is between
 * requests: then it gives way to the client that waits. */
static int listen_ready(void *ctx)
{
	struct ctlserver *srv = ctx;
	int conn;

	if (srv->conn && !between_requests(srv->conn))
		return 0; /* reported before the connection's request began */
	conn = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0)
		return 0;
	if (srv->conn) {
		log_verbose("%s: a client between requests gave way to another", srv->ops->name);
		hang_up(srv);
	}
	ctlserver_attach(srv, conn);
	return 0;
}

/* Says, in the log and (where the protocol has a way) to the client, that the connection is
 * cut and how far its request got. A client hung up on between requests lost nothing. */
static void cut(struct ctlserver *srv, struct ctlserver_conn *c)
{
	const struct ctlserver_ops *ops = srv->ops;
	unsigned long long in = c->bytes_in, out = c->bytes_out;
	char where[160] = "";
	size_t told = 0;

	if (ops->describe)
		ops->describe(c->session, where, sizeof(where));
	if (!c->out_len && ops->cut && ops->want(c->session) == CTLSERVER_INPUT) {
		told = ops->cut(c->session, c->out, sizeof(c->out));
		c->out_len = told;
		flush_out(c);
	}
	if (c->answered)
		log_verbose("%s: a client idle for %d s between requests: hung up on it",
			    ops->name, CTLSERVER_IDLE_SEC);
	else
		log_warn("%s: a client sent and read nothing for %d s%s%s (%llu bytes read, "
			 "%llu written): hung up on it%s", ops->name, CTLSERVER_IDLE_SEC,
			 *where ? ", " : "", where, in, out,
			 told ? ", telling it the request timed out" : "");
	hang_up(srv);
}

static int deadline_ready(void *ctx)
{
	struct ctlserver *srv = ctx;
	uint64_t expirations, idle;
	struct ctlserver_conn *c = srv->conn;

	if (read(srv->timer_fd, &expirations, sizeof(expirations)) != sizeof(expirations) || !c)
		return 0;
	idle = now_ms() - c->active_ms;
	if (idle < CTLSERVER_IDLE_SEC * 1000)
		arm_timer(srv, CTLSERVER_IDLE_SEC * 1000 - idle);
	else
		cut(srv, c);
	return 0;
}

int ctlserver_start(struct ctlserver *srv, struct loop *loop, int listen_fd,
		    const struct ctlserver_ops *ops, void *ctx)
{
	int err;

	*srv = (struct ctlserver){ .ops = ops, .ctx = ctx, .loop = loop, .listen_fd = listen_fd };
	srv->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (srv->timer_fd < 0) {
		log_error("cannot create a timer for the %s socket: %s", ops->name,
			  strerror(errno));
		return -errno;
	}
	srv->listen_watch = (struct loop_watch){ .fd = listen_fd, .ready = listen_ready, .ctx = srv };
	srv->timer_watch = (struct loop_watch){ .fd = srv->timer_fd, .ready = deadline_ready,
						.ctx = srv };
	srv->conn_watch.fd = -1;
	err = loop_add(loop, &srv->timer_watch);
	if (err < 0) {
		close(srv->timer_fd);
		srv->timer_fd = -1;
		return err;
	}
	watch_listener(srv, true);
	if (listen_fd >= 0 && !srv->listening) {
		ctlserver_stop(srv);
		return -EIO; /* watch_listener said why */
	}
	return 0;
}

void ctlserver_stop(struct ctlserver *srv)
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
