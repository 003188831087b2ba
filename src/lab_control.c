/* The answer to adit-show=1 in lab mode, in the UAPI's KEY=VALUE shape (show.c reads it):
 *
 *   mode=server|client, listen=ADDR:PORT (a server), tun_offloads=..., udp_offloads=...,
 *   lab_drop_malformed=N, lab_drop_no_client=N, io_drop_NAME=N (zeros left out), then
 *   per client (a server's, most recently seen first): client=ADDR:PORT, inner=ADDR (each
 *   inner address or MAC it owns), last_seen_ago=SECONDS, rx_packets, rx_bytes, tx_packets,
 *   tx_bytes (received from it, sent to it), addrs_refused=N; or for a client, its server:
 *   server=ADDR:PORT and the same counters; then errno=0 and an empty line.
 *
 * A table holds at most 1,024 clients of 8 addresses: the answer (under 1 MB) is made whole
 * when the request has been read, then written as the socket takes it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lab_control.h"
#include "log.h"

static const char request[] = "adit-show=1\n\n";
#define DEADLINE_SEC 10

static uint64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* lab.c's clock for last_seen */
	return (uint64_t)ts.tv_sec;
}

static const char *udp_offloads(const struct udp_sock *s)
{
	if (s->gso)
		return s->gro ? "gso gro" : "gso";
	return s->gro ? "gro" : "off";
}

static void put_key(FILE *f, const struct lab_key *key)
{
	char text[INET6_ADDRSTRLEN];

	if (key->len == 6)
		fprintf(f, "inner=%02x:%02x:%02x:%02x:%02x:%02x\n", key->bytes[0], key->bytes[1],
			key->bytes[2], key->bytes[3], key->bytes[4], key->bytes[5]);
	else if (inet_ntop(key->len == 4 ? AF_INET : AF_INET6, key->bytes, text, sizeof(text)))
		fprintf(f, "inner=%s\n", text);
}

static void put_counters(FILE *f, uint64_t rxp, uint64_t rxb, uint64_t txp, uint64_t txb)
{
	fprintf(f, "rx_packets=%llu\nrx_bytes=%llu\ntx_packets=%llu\ntx_bytes=%llu\n",
		(unsigned long long)rxp, (unsigned long long)rxb, (unsigned long long)txp,
		(unsigned long long)txb);
}

static void put_clients(FILE *f, const struct lab_clients *t)
{
	const struct lab_client *c = NULL;
	struct lab_key keys[LAB_CLIENT_ADDRS];
	uint64_t now = now_sec();
	char where[80];
	unsigned int n;

	while ((c = lab_clients_next(t, c))) {
		fprintf(f, "client=%s\n", opts_format_endpoint(&c->addr, where, sizeof(where)));
		n = lab_clients_addrs(t, c, keys);
		for (unsigned int i = 0; i < n; i++)
			put_key(f, &keys[i]);
		fprintf(f, "last_seen_ago=%llu\n",
			(unsigned long long)(now > c->last_seen ? now - c->last_seen : 0));
		put_counters(f, c->rx_packets, c->rx_bytes, c->tx_packets, c->tx_bytes);
		if (c->refused)
			fprintf(f, "addrs_refused=%llu\n", (unsigned long long)c->refused);
	}
}

static void put_device(FILE *f, const struct lab_view *v)
{
	char where[80], names[64];
	uint64_t n;

	fprintf(f, "mode=%s\n", v->server ? "server" : "client");
	if (v->server)
		fprintf(f, "listen=%s\n", opts_format_endpoint(v->where, where, sizeof(where)));
	fprintf(f, "tun_offloads=%s\n", tun_offload_names(v->tun, names, sizeof(names)));
	fprintf(f, "udp_offloads=%s\n", udp_offloads(v->sock));
	if (v->stats->malformed)
		fprintf(f, "lab_drop_malformed=%llu\n", (unsigned long long)v->stats->malformed);
	if (v->stats->no_client)
		fprintf(f, "lab_drop_no_client=%llu\n", (unsigned long long)v->stats->no_client);
	for (int i = 0; i < IO_DROP_COUNT; i++) {
		n = v->tun->stats.drops[i] + v->udp_stats->drops[i];
		if (n)
			fprintf(f, "io_drop_%s=%llu\n", io_drop_key((enum io_drop)i),
				(unsigned long long)n);
	}
}

/* The whole answer into c->out; false when memory runs out. */
static bool make_answer(struct lab_control *c)
{
	const struct lab_view *v = c->view;
	char where[80];
	FILE *f = open_memstream(&c->out, &c->out_len);

	if (!f)
		return false;
	put_device(f, v);
	if (v->server) {
		put_clients(f, v->table);
	} else {
		fprintf(f, "server=%s\n", opts_format_endpoint(v->where, where, sizeof(where)));
		put_counters(f, v->stats->to_tun, v->stats->to_tun_bytes, v->stats->to_socket,
			     v->stats->to_socket_bytes);
	}
	fprintf(f, "errno=0\n\n");
	if (fclose(f) != 0) {
		free(c->out);
		c->out = NULL;
		return false;
	}
	c->out_off = 0;
	return true;
}

static void arm(struct lab_control *c, unsigned int sec)
{
	struct itimerspec its = { .it_value = { .tv_sec = sec } };

	timerfd_settime(c->timer_fd, 0, &its, NULL);
}

static void hang_up(struct lab_control *c)
{
	if (c->conn_fd < 0)
		return;
	loop_del(c->loop, &c->conn_watch);
	close(c->conn_fd);
	c->conn_fd = -1;
	free(c->out);
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
	arm(c, 0);
	loop_add(c->loop, &c->listen_watch);
}

/* Sends what the socket takes; true when all of it has gone. */
static bool send_more(struct lab_control *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->conn_fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n <= 0)
			return true; /* the client left: nothing more to send */
		c->out_off += (size_t)n;
	}
	return true;
}

/* Reads the request, which must be exactly request[]; anything else ends the connection. */
static int read_request(struct lab_control *c)
{
	size_t want = sizeof(request) - 1;
	ssize_t n;

	do
		n = recv(c->conn_fd, c->in + c->in_len, want - c->in_len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0 || memcmp(c->in + c->in_len, &request[c->in_len], (size_t)n))
		return -1;
	c->in_len += (size_t)n;
	if (c->in_len < want)
		return 0;
	return make_answer(c) ? 1 : -1;
}

static int conn_ready(void *ctx)
{
	struct lab_control *c = ctx;
	int ret;

	if (!c->out) {
		ret = read_request(c);
		if (ret < 0)
			hang_up(c);
		if (ret <= 0)
			return 0;
	}
	if (send_more(c))
		hang_up(c);
	else
		loop_watch_events(c->loop, &c->conn_watch, true);
	return 0;
}

static int listen_ready(void *ctx)
{
	struct lab_control *c = ctx;
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return 0;
	c->conn_fd = fd;
	c->conn_watch = (struct loop_watch){ .fd = fd, .ready = conn_ready, .ctx = c };
	if (loop_add(c->loop, &c->conn_watch) < 0) {
		close(fd);
		c->conn_fd = -1;
		return 0;
	}
	/* One at a time: the next waits in the backlog. */
	loop_del(c->loop, &c->listen_watch);
	arm(c, DEADLINE_SEC);
	return 0;
}

static int deadline_ready(void *ctx)
{
	struct lab_control *c = ctx;
	uint64_t expirations;

	if (read(c->timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations))
		hang_up(c);
	return 0;
}

int lab_control_start(struct lab_control *c, struct loop *l, const struct lab_view *v)
{
	char dir[sizeof(c->sock.path)];

	*c = (struct lab_control){ .loop = l, .view = v, .listen_fd = -1, .timer_fd = -1,
				   .conn_fd = -1 };
	if (geteuid() != 0) {
		log_info("not root: 'adit show %s' will not see this %s", v->tun->name,
			 v->server ? "server" : "client");
		return -1;
	}
	if (!ctlsock_lab_dir(dir, sizeof(dir)))
		goto fail;
	c->listen_fd = ctlsock_listen(&c->sock, CTLSOCK_LAB_DIR, dir + strlen(CTLSOCK_LAB_DIR) + 1,
				      v->tun->name);
	if (c->listen_fd < 0)
		goto fail;
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->listen_watch = (struct loop_watch){ .fd = c->listen_fd, .ready = listen_ready, .ctx = c };
	c->timer_watch = (struct loop_watch){ .fd = c->timer_fd, .ready = deadline_ready, .ctx = c };
	if (c->timer_fd < 0 || loop_add(l, &c->timer_watch) < 0 ||
	    loop_add(l, &c->listen_watch) < 0) {
		lab_control_stop(c);
		goto fail;
	}
	return 0;
fail:
	log_warn("carrying on without the control socket: 'adit show %s' will not see this %s",
		 v->tun->name, v->server ? "server" : "client");
	return -1;
}

void lab_control_stop(struct lab_control *c)
{
	if (!c->loop)
		return;
	hang_up(c);
	if (c->listen_fd >= 0) {
		loop_del(c->loop, &c->listen_watch);
		close(c->listen_fd);
		ctlsock_unlink(&c->sock);
	}
	if (c->timer_fd >= 0) {
		loop_del(c->loop, &c->timer_watch);
		close(c->timer_fd);
	}
	c->listen_fd = c->timer_fd = -1;
	c->loop = NULL;
}
