/* The answer to adit-show=1 in lab mode, in the UAPI's KEY=VALUE shape (show.c reads it):
 *
 *   mode=server|client, listen=ADDR:PORT (a server), tun_offloads=..., udp_offloads=...,
 *   lab_drop_malformed=N, lab_drop_no_client=N, lab_drop_flood_unconfirmed=N,
 *   lab_drop_flood_budget=N, io_drop_NAME=N (zeros left out), then
 *   per client (a server's, most recently seen first): client=ADDR:PORT, inner=ADDR (each
 *   inner address or MAC it owns), last_seen_ago=SECONDS, rx_packets, rx_bytes, tx_packets,
 *   tx_bytes (received from it, sent to it), addrs_refused=N; or for a client, its server:
 *   server=ADDR:PORT, last_seen_ago (left out until it has sent a datagram) and the same
 *   counters; then errno=0 and an empty line.
 *
 * A table holds at most 1,024 clients of 8 addresses: the answer (under 1 MB) is made whole
 * when the request has been read, then handed to ctlserver.c a buffer at a time; it writes
 * it as the socket takes it, within the request's deadline, and hangs up. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/log.h"
#include "lab/lab_control.h"

static const char request[] = "adit-show=1\n\n";

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
		fprintf(f, "client=%s\n", addr_format_endpoint(&c->addr, where, sizeof(where)));
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

/* The names are adit show's keys (lab_drop_NAME): they do not change. */
static const struct drop_reason lab_reasons[LAB_DROP_COUNT] = {
	[LAB_DROP_MALFORMED] = { "malformed", "from the socket, not exactly one IP packet (or "
					      "Ethernet frame)" },
	[LAB_DROP_NO_CLIENT] = { "no_client", "from the interface, for an address no client "
					      "owns" },
	[LAB_DROP_FLOOD_UNCONFIRMED] = { "flood_unconfirmed", "flooded copies held from "
							      "unconfirmed clients: more than they "
							      "sent" },
	[LAB_DROP_FLOOD_BUDGET] = { "flood_budget",
				    "flooded copies over the per-second flood budget" },
};

const struct drop_vocab lab_drop_vocab = { "lab_drop_", lab_reasons, LAB_DROP_COUNT };

/* KEY=N for each reason of v that has drops. */
static void put_drops(FILE *f, const struct drop_vocab *v, const uint64_t *count)
{
	char key[64];

	for (unsigned int i = 0; i < v->count; i++)
		if (count[i])
			fprintf(f, "%s=%llu\n", drops_key(v, i, key, sizeof(key)),
				(unsigned long long)count[i]);
}

static void put_io_drops(FILE *f, const struct lab_view *v)
{
	uint64_t n[IO_DROP_COUNT];

	for (int i = 0; i < IO_DROP_COUNT; i++)
		n[i] = v->tun->stats.drops[i] + (v->udp_stats ? v->udp_stats->drops[i] : 0);
	put_drops(f, &io_drop_vocab, n);
}

static void put_device(FILE *f, const struct lab_view *v)
{
	char where[80], names[64];

	fprintf(f, "mode=%s\n", v->tun_only ? "tun" : v->server ? "server" : "client");
	fprintf(f, "link=%s\n", v->tap ? "tap" : "tun");
	if (v->netns[0])
		fprintf(f, "netns=%s\n", v->netns);
	if (v->server)
		fprintf(f, "listen=%s\n", addr_format_endpoint(v->where, where, sizeof(where)));
	fprintf(f, "tun_offloads=%s\n", tun_offload_names(v->tun, names, sizeof(names)));
	if (v->tun_only) {
		put_io_drops(f, v);
		return;
	}
	fprintf(f, "udp_offloads=%s\n", udp_offloads(v->sock));
	put_drops(f, &lab_drop_vocab, v->stats->drops);
	put_io_drops(f, v);
}

/* One connection's conversation with ctlserver.c: request[] in, the answer out, hang up. */
struct session {
	const struct lab_view *view;
	size_t in_len; /* how much of request[] has come */
	bool refused;  /* something else came, or memory ran out */
	char *out;     /* the answer, made whole when the request has come */
	size_t out_len, out_off;
};

/* The whole answer into s->out; false when memory runs out. */
static bool make_answer(struct session *s)
{
	const struct lab_view *v = s->view;
	char where[80];
	FILE *f = open_memstream(&s->out, &s->out_len);

	if (!f)
		return false;
	put_device(f, v);
	if (v->tun_only) {
		/* no peer */
	} else if (v->server) {
		put_clients(f, v->table);
	} else {
		fprintf(f, "server=%s\n", addr_format_endpoint(v->where, where, sizeof(where)));
		if (v->live && v->live->last_heard)
			fprintf(f, "last_seen_ago=%llu\n", (unsigned long long)(now_sec() >
				v->live->last_heard ? now_sec() - v->live->last_heard : 0));
		put_counters(f, v->stats->to_tun, v->stats->to_tun_bytes, v->stats->to_socket,
			     v->stats->to_socket_bytes);
	}
	fprintf(f, "errno=0\n\n");
	if (fclose(f) != 0) {
		free(s->out);
		s->out = NULL;
		return false;
	}
	s->out_off = 0;
	return true;
}

static void *start(void *ctx)
{
	const struct lab_control *c = ctx;
	struct session *s = calloc(1, sizeof(*s));

	if (s)
		s->view = c->view;
	return s;
}

/* The request must be exactly request[]; anything else ends the connection unanswered. */
static size_t input(void *session, const char *buf, size_t len)
{
	struct session *s = session;
	size_t take = sizeof(request) - 1 - s->in_len;

	if (take > len)
		take = len;
	if (memcmp(buf, &request[s->in_len], take)) {
		s->refused = true;
		return len;
	}
	s->in_len += take;
	if (s->in_len == sizeof(request) - 1 && !make_answer(s))
		s->refused = true;
	return take;
}

static size_t output(void *session, char *buf, size_t cap)
{
	struct session *s = session;
	size_t n = s->out_len - s->out_off;

	if (n > cap)
		n = cap;
	memcpy(buf, s->out + s->out_off, n);
	s->out_off += n;
	return n;
}

/* One request, one answer: once it has all been written, the server hangs up. */
static enum ctlserver_want want(const void *session)
{
	const struct session *s = session;

	if (s->refused)
		return CTLSERVER_CLOSE;
	if (!s->out)
		return CTLSERVER_INPUT;
	return s->out_off < s->out_len ? CTLSERVER_OUTPUT : CTLSERVER_CLOSE;
}

static void end(void *session)
{
	struct session *s = session;

	free(s->out);
	free(s);
}

static const struct ctlserver_ops lab_ops = {
	.name = "lab control", .start = start, .input = input, .output = output,
	.want = want, .end = end,
};

int lab_control_start(struct lab_control *c, struct loop *l, const struct lab_view *v)
{
	char dir[sizeof(c->sock.path)];

	*c = (struct lab_control){ .view = v, .listen_fd = -1, .sock.pin = -1 };
	if (geteuid() != 0) {
		log_info("not root: 'adit show %s' will not see this %s", v->tun->name,
			 v->tun_only ? "interface" : v->server ? "server" : "client");
		return -1;
	}
	if (!ctlsock_lab_dir(dir, sizeof(dir)))
		goto fail;
	c->listen_fd = ctlsock_listen(&c->sock, CTLSOCK_LAB_DIR, dir + strlen(CTLSOCK_LAB_DIR) + 1,
				      v->tun->name);
	if (c->listen_fd < 0)
		goto fail;
	if (ctlserver_start(&c->server, l, c->listen_fd, &lab_ops, c) < 0) {
		lab_control_stop(c);
		goto fail;
	}
	return 0;
fail:
	log_warn("carrying on without the control socket: 'adit show %s' will not see this %s",
		 v->tun->name, v->tun_only ? "interface" : v->server ? "server" : "client");
	return -1;
}

void lab_control_stop(struct lab_control *c)
{
	if (!c->view)
		return;
	ctlserver_stop(&c->server);
	if (c->listen_fd >= 0) {
		ctlsock_unlink(&c->sock); /* first: the bound socket still holds the inode */
		close(c->listen_fd);
	}
	c->listen_fd = -1;
	c->view = NULL;
}
