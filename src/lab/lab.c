#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/netns.h"
#include "base/loop.h"
#include "base/privs.h"
#include "io/udp.h"
#include "lab/iface.h"
#include "lab/lab.h"
#include "lab/lab_clients.h"
#include "lab/lab_control.h"
#include "lab/lab_flood.h"
#include "lab/lab_liveness.h"
#include "lab/lab_udp.h"
#include "pkt/packet.h"
#include "pkt/trace.h"

/* A datagram is one packet: a buffer holds the largest UDP payload, so none is cut short. */
_Static_assert(IO_BUF_SIZE - IO_HEADROOM >= 65535 - 8, "a buffer must hold any UDP payload");
#define TUN_ROOM (IO_BUF_SIZE - IO_HEADROOM)

struct relay {
	const struct lab_opts *o;
	struct tun tun;
	struct udp_sock sock;
	enum link_type link;
	bool server, quiet;
	bool show; /* a line (unless -q) or a capture (--pcap) per packet: the one test per packet */
	struct trace trace; /* --pcap; the lines are lab mode's own */
	int path_error; /* the network's last complaint (ICMP, via the socket), until traffic flows */
	uint64_t now, moved_logged;
	bool host_limit_said, flood_budget_said;
	struct lab_flood flood;
	struct lab_clients *table;    /* server only */
	struct lab_routeback routeback; /* server only */
	struct lab_liveness live;     /* client only */
	struct io_pool pool;          /* IO_BATCH buffers for the TUN, IO_BATCH for the socket */
	struct io_stats udp_stats;
	struct udp_tx tx;
	struct udp_rx rx;
	uint8_t *pkts[IO_BATCH];
	size_t lens[IO_BATCH];
	unsigned int to_tun_count;
	uint8_t *to_tun[IO_BATCH];
	size_t to_tun_len[IO_BATCH];
	struct lab_stats st;
	struct lab_view view; /* what adit show is told */
	struct lab_control control;
};

static uint64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

static void packet_line(const struct relay *r, const char *dir, const uint8_t *pkt, size_t len,
			const char *note)
{
	char brief[160];

	packet_brief(pkt, len, r->link, brief, sizeof(brief));
	printf("%s %s%s\n", dir, brief, note);
}

/* The network refused a datagram or sent an ICMP error back (the server is down, a hop's MTU
 * is smaller, a firewall said no). None of it ends the tunnel: say it once, carry on, and say
 * when traffic flows again. */
static void note_path_error(struct relay *r, int err)
{
	char where[80];

	if (r->path_error == err)
		return;
	r->path_error = err;
	if (r->server)
		log_warn("the network refused a datagram (%s); carrying on", strerror(err));
	else
		log_warn("server %s unreachable (%s); the tunnel stays up and resumes when it "
			 "answers", addr_format_endpoint(&r->o->server.ss, where, sizeof(where)),
			 strerror(err));
}

/* The errors a socket can report that are about this program, not the network. */
static bool fatal_socket_errno(int err)
{
	return err == EBADF || err == EFAULT || err == EINVAL || err == ENOTSOCK;
}

/* The I/O layer counts what the network refused; the first refusal is also said. */
static void flush(struct relay *r)
{
	udp_tx_flush(&r->tx);
	if (r->tx.last_error) {
		note_path_error(r, r->tx.last_error);
		r->tx.last_error = 0;
	}
}

static void queue(struct relay *r, const uint8_t *pkt, size_t len, const struct lab_client *c)
{
	struct udp_endpoint to;

	r->st.to_socket++;
	r->st.to_socket_bytes += len;
	if (!c) {
		udp_tx_queue(&r->tx, &r->sock, NULL, NULL, (void *)pkt, len);
		return;
	}
	memset(&to, 0, sizeof(to));
	memcpy(&to.addr, &c->addr, c->addrlen < sizeof(to.addr) ? c->addrlen : sizeof(to.addr));
	lab_clients_count(r->table, c, true, len);
	udp_tx_queue(&r->tx, &r->sock, &to, NULL, (void *)pkt, len);
}

/* Where the server sent a packet from its TUN, for the per-packet line. */
struct choice {
	const struct lab_client *to; /* the one client it went to, or NULL */
	unsigned int flooded;        /* clients it went to when flooded */
	unsigned int withheld;       /* clients it was held back from (lab_flood.h) */
};

static void say_flood_budget(struct relay *r)
{
	if (r->flood_budget_said)
		return;
	r->flood_budget_said = true;
	log_warn("frames flooded from %s (broadcast, multicast, unknown destination) reached "
		 "%d KiB in a second: copies over that are dropped until the next second, and "
		 "counted; frames for a known client still go to it", r->tun.name,
		 LAB_FLOOD_BYTES_PER_SEC / 1024);
}

/* A frame no client owns goes to every client lab_flood.h lets it reach, as a switch floods
 * a frame it cannot place; the most recently seen first. */
static void flood(struct relay *r, const uint8_t *pkt, size_t len, struct choice *ch)
{
	const struct lab_client *c = NULL;

	while ((c = lab_clients_next(r->table, c))) {
		switch (lab_flood_check(&r->flood, c, len, r->now)) {
		case LAB_FLOOD_SEND:
			queue(r, pkt, len, c);
			ch->flooded++;
			continue;
		case LAB_FLOOD_UNCONFIRMED:
			r->st.drops[LAB_DROP_FLOOD_UNCONFIRMED]++;
			break;
		case LAB_FLOOD_OVER_BUDGET:
			r->st.drops[LAB_DROP_FLOOD_BUDGET]++;
			say_flood_budget(r);
			break;
		}
		ch->withheld++;
	}
}

/* The server's choice for a packet from its TUN: the client owning the destination; with no
 * owner, on a TUN the only client there is (the lab's behaviour), on a TAP a flood. */
static void route(struct relay *r, const uint8_t *pkt, size_t len, struct choice *ch)
{
	struct lab_key key;

	*ch = (struct choice){ 0 };
	if (lab_key_of(pkt, len, r->link, false, &key)) {
		lab_key_to_site(&key, r->o->routes, r->o->nroutes);
		ch->to = lab_clients_lookup(r->table, &key);
	}
	if (!ch->to && r->link == LINK_IP)
		ch->to = lab_clients_sole(r->table, r->now);
	if (ch->to) {
		queue(r, pkt, len, ch->to);
		return;
	}
	if (r->link == LINK_ETHER)
		flood(r, pkt, len, ch);
	if (!ch->flooded)
		r->st.drops[LAB_DROP_NO_CLIENT]++;
}

static void tun_line(const struct relay *r, const uint8_t *pkt, size_t len,
		     const struct choice *ch)
{
	char note[96], where[80];

	if (!r->server)
		note[0] = '\0';
	else if (ch->to)
		snprintf(note, sizeof(note), " (to %s)", addr_format_endpoint(&ch->to->addr, where,
									sizeof(where)));
	else if (ch->flooded && !ch->withheld)
		snprintf(note, sizeof(note), " (to all %u clients)", ch->flooded);
	else if (ch->flooded)
		snprintf(note, sizeof(note), " (to %u of %u clients)", ch->flooded,
			 ch->flooded + ch->withheld);
	else if (ch->withheld)
		snprintf(note, sizeof(note), " (to none of %u clients: flood limits)",
			 ch->withheld);
	else
		snprintf(note, sizeof(note), lab_clients_counts(r->table)->clients ?
			 " (no client owns the destination: dropped)" : " (no client yet: dropped)");
	/* The lab's scripts say "From tun"; a TAP's frames say where they came from too. */
	packet_line(r, r->link == LINK_ETHER ? "From tap ==>:" : "From tun ==>:", pkt, len, note);
}

static void show_tun(struct relay *r, const uint8_t *pkt, size_t len, const struct choice *ch)
{
	if (!r->quiet)
		tun_line(r, pkt, len, ch);
	trace_capture(&r->trace, pkt, len);
}

static int tun_failed(struct relay *r, int err)
{
	log_error("cannot read from %s: %s (was the interface deleted?)", r->tun.name,
		  strerror(err));
	return -err;
}

/* Datagrams went out and nothing came back for a while: the one case a dead server, a
 * mistyped address or a firewall leaves without any other word. */
static void say_silence(const struct relay *r)
{
	char where[80];

	log_warn("no datagram from %s in %llu s after %llu sent: is the server running and the "
		 "address right? (the tunnel stays up and says when the server answers)",
		 addr_format_endpoint(&r->o->server.ss, where, sizeof(where)),
		 (unsigned long long)(r->now - r->live.unanswered_since),
		 (unsigned long long)r->live.unanswered);
}

/* TUN → socket: a batch of packets read (super-packets split), routed, and sent with as few
 * system calls as GSO allows. */
static int tun_batch(struct relay *r)
{
	struct choice ch = { 0 };
	int n;

	for (unsigned int i = 0; i < IO_BATCH; i++)
		r->pkts[i] = io_pool_buf(&r->pool, i) + IO_HEADROOM;
	n = tun_read_batch(&r->tun, r->pkts, r->lens, IO_BATCH, TUN_ROOM);
	for (int i = 0; i < n; i++) {
		if (r->server)
			route(r, r->pkts[i], r->lens[i], &ch);
		else
			queue(r, r->pkts[i], r->lens[i], NULL);
		if (r->show)
			show_tun(r, r->pkts[i], r->lens[i], &ch);
	}
	flush(r);
	if (!r->server && n > 0 && lab_liveness_sent(&r->live, r->now, (unsigned int)n))
		say_silence(r);
	return n;
}

/* A few batches per wake-up, so the socket is not starved; a super-packet left over from the
 * last batch is never left waiting for a wake-up that may not come. */
static int on_tun(void *ctx)
{
	struct relay *r = ctx;
	int n, rounds = 0;

	r->now = now_sec();
	do
		n = tun_batch(r);
	while (n > 0 && (r->tun.pending || (n == IO_BATCH && ++rounds < 4)));
	fflush(stdout);
	if (r->trace.on)
		trace_flush(&r->trace);
	return n < 0 ? tun_failed(r, -n) : 0;
}

static const char *key_text(const struct lab_key *key, char *buf, size_t size)
{
	if (key->len == 6)
		snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", key->bytes[0], key->bytes[1],
			 key->bytes[2], key->bytes[3], key->bytes[4], key->bytes[5]);
	else
		inet_ntop(key->len == 4 ? AF_INET : AF_INET6, key->bytes, buf, (socklen_t)size);
	return buf;
}

/* A refusal is said once: the first address a client is refused, the first newcomer refused
 * while the table is full, the first host to send from more ports than it may hold. The
 * counters say how many followed. */
static void say_refusal(struct relay *r, enum lab_learned what, const struct lab_key *key,
			const struct sockaddr *from)
{
	char where[80], text[INET6_ADDRSTRLEN];

	addr_format_endpoint(from, where, sizeof(where));
	if (what == LAB_FULL)
		log_warn("the client table is full (%u clients, each confirmed and seen in the "
			 "last %u s): new client %s refused; its packets still reach %s but "
			 "nothing can be sent back to it until a client has been quiet that long; "
			 "later refusals are counted", lab_clients_counts(r->table)->clients,
			 LAB_IDLE_SEC, where, r->tun.name);
	else
		log_warn("client %s sends from more than %d inner addresses at once: %s not "
			 "learned, so nothing can be sent back to it; one of the client's "
			 "addresses frees up after %u s unseen; later refusals are counted (a site "
			 "behind the client: route its network into the tunnel with -r NET/PLEN "
			 "on the server, and the site counts as one address)", where,
			 LAB_CLIENT_ADDRS, key_text(key, text, sizeof(text)), LAB_IDLE_SEC);
}

static void say_host_limit(struct relay *r, const struct sockaddr *from)
{
	char where[80];

	if (r->host_limit_said || !lab_clients_counts(r->table)->host_replaced)
		return;
	r->host_limit_said = true;
	log_warn("client %s is a new port of a host that holds %d clients already: it takes "
		 "the place of that host's least recently seen one; later ones are counted",
		 addr_format_endpoint(from, where, sizeof(where)), LAB_HOST_CLIENTS);
}

/* Returns the client that sent the datagram, NULL when it was refused a place. */
static const struct lab_client *learn(struct relay *r, const uint8_t *pkt, size_t len,
				      const struct sockaddr *from, socklen_t fromlen)
{
	struct lab_key key;
	struct lab_learning how;
	enum lab_learned what;
	char where[80], text[INET6_ADDRSTRLEN];

	if (!lab_key_of(pkt, len, r->link, true, &key))
		return NULL;
	lab_key_to_site(&key, r->o->routes, r->o->nroutes);
	what = lab_clients_learn(r->table, &key, from, fromlen, r->now, &how);
	say_host_limit(r, from);
	switch (what) {
	case LAB_FULL:
	case LAB_ADDR_REFUSED:
		if (how.first_refusal)
			say_refusal(r, what, &key, from);
		break;
	case LAB_MOVED:
		/* Two clients claiming one address make it move on every packet: say so, but at
		 * most once a second. */
		r->st.moves++;
		if (r->moved_logged == r->now)
			break;
		r->moved_logged = r->now;
		log_info("%s moved to %s", key_text(&key, text, sizeof(text)),
			 addr_format_endpoint(from, where, sizeof(where)));
		break;
	case LAB_NEW:
		lab_routeback_check(&r->routeback, &key, r->now, r->tun.name,
				    addr_format_endpoint(from, where, sizeof(where)));
		break;
	case LAB_KNOWN:
		break;
	}
	return how.client;
}

/* A dropped datagram is shown whole, as the interface would have seen it: a student who sends
 * bytes that are not a packet sees what arrived and why it went no further. */
static void drop_line(const struct relay *r, const uint8_t *pkt, size_t len, const void *peer,
		      const char *why)
{
	char summary[200], where[80];

	if (r->quiet)
		return;
	packet_summary(pkt, len, r->link, summary, sizeof(summary));
	printf("From socket <==: %s (from %s; %s: dropped)\n", summary,
	       addr_format_endpoint(peer, where, sizeof(where)), why);
}

static void socket_line(const struct relay *r, const uint8_t *pkt, size_t len, const void *peer)
{
	char note[160], where[80];

	snprintf(note, sizeof(note), " (from %s)",
		 addr_format_endpoint(peer, where, sizeof(where)));
	packet_line(r, "From socket <==:", pkt, len, note);
}

/* A datagram from the server: a silence or an error that was said is over, and said so. */
static void heard(struct relay *r, const void *peer)
{
	uint64_t quiet = r->live.unanswered ? r->now - r->live.unanswered_since : 0;
	bool was_silent = lab_liveness_heard(&r->live, r->now);
	char where[80];

	if (!r->path_error && !was_silent)
		return;
	r->path_error = 0;
	addr_format_endpoint(peer, where, sizeof(where));
	if (was_silent)
		log_info("server %s answers again, after %llu s of silence", where,
			 (unsigned long long)quiet);
	else
		log_info("server %s answers again", where);
}

/* One datagram from the socket, checked and put in the batch for the TUN. */
static void deliver(struct relay *r, unsigned int i)
{
	uint8_t *pkt = udp_rx_take(&r->rx, i);
	size_t len = r->rx.len[i];
	socklen_t fromlen;
	const struct sockaddr *from = udp_rx_from(&r->rx, i, &fromlen);
	const void *peer = r->server ? (const void *)from : &r->o->server.ss;
	const struct lab_client *c;

	if (!r->server) /* any datagram: the server is there, whatever it sent */
		heard(r, peer);
	if (!packet_is_whole(pkt, len, r->link)) {
		r->st.drops[LAB_DROP_MALFORMED]++;
		drop_line(r, pkt, len, peer, r->link == LINK_IP ? "not exactly one IP packet" :
								 "not an Ethernet frame");
		return;
	}
	if (r->server && (c = learn(r, pkt, len, from, fromlen)))
		lab_clients_count(r->table, c, false, len);
	r->to_tun[r->to_tun_count] = pkt;
	r->to_tun_len[r->to_tun_count++] = len;
	r->st.to_tun++;
	r->st.to_tun_bytes += len;
	if (r->show) {
		if (!r->quiet)
			socket_line(r, pkt, len, peer);
		trace_capture(&r->trace, pkt, len);
	}
}

static int socket_failed(struct relay *r, int err)
{
	if (err == EAGAIN || err == EINTR)
		return 0;
	if (!fatal_socket_errno(err)) {
		note_path_error(r, err);
		return 0;
	}
	log_error("cannot receive from the UDP socket: %s", strerror(err));
	return -err;
}

/* Socket → TUN: a batch of datagrams (GRO ones split), then one batched write, where
 * same-flow packets are coalesced. */
static int on_socket(void *ctx)
{
	struct relay *r = ctx;
	int n, err;

	for (unsigned int i = 0; i < IO_BATCH; i++)
		r->pkts[i] = io_pool_buf(&r->pool, IO_BATCH + i);
	n = udp_rx_receive(&r->rx, &r->sock, &r->udp_stats, r->pkts, IO_BATCH);
	if (n < 0)
		return socket_failed(r, -n);
	r->now = now_sec();
	r->to_tun_count = 0;
	for (int i = 0; i < n; i++)
		deliver(r, (unsigned int)i);
	/* Lab mode is plaintext: nothing vouches for a datagram's checksums but themselves. */
	err = tun_write_batch(&r->tun, r->to_tun, r->to_tun_len, r->to_tun_count, TUN_ROOM,
			      false);
	fflush(stdout);
	if (r->trace.on)
		trace_flush(&r->trace);
	return err < 0 ? tun_failed(r, -err) : 0;
}

static void warn_forwarding_off(const struct lab_opts *o)
{
	char c = '1';
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");

	if (!f)
		return;
	if (fread(&c, 1, 1, f) == 1 && c == '0')
		log_warn("IP forwarding is off on this host (net.ipv4.ip_forward = 0): packets "
			 "from clients reach only this host, not the network behind it; enable it "
			 "with 'sysctl -w net.ipv4.ip_forward=1'%s", o->tap ? " or bridge the TAP" : "");
	fclose(f);
}

/* The clients refused the most addresses are named; a flood of them is summed up. */
static void print_table_stats(const struct lab_clients *t)
{
	const struct lab_clients_counts *n = lab_clients_counts(t);
	const struct lab_client *c = NULL;
	unsigned int named = 0, unnamed = 0;
	char where[80];

	log_info("client table: %u clients; %llu new clients refused (table full), %llu inner "
		 "addresses refused (client at its cap of %d), %llu places taken by another port "
		 "of the same host, %llu stale clients replaced, %llu unconfirmed clients "
		 "replaced", n->clients, (unsigned long long)n->refused,
		 (unsigned long long)n->addrs_refused, LAB_CLIENT_ADDRS,
		 (unsigned long long)n->host_replaced, (unsigned long long)n->expired,
		 (unsigned long long)n->unconfirmed_replaced);
	while ((c = lab_clients_next(t, c))) {
		if (!c->refused)
			continue;
		if (named++ < 8)
			log_info("client %s: %llu inner addresses refused",
				 addr_format_endpoint(&c->addr, where, sizeof(where)),
				 (unsigned long long)c->refused);
		else
			unnamed++;
	}
	if (unnamed)
		log_info("and %u more clients with addresses refused", unnamed);
}

static void print_stats(const struct relay *r)
{
	const struct lab_stats *s = &r->st;
	uint64_t dropped;

	log_info("%s ==> socket: %llu packets; socket ==> %s: %llu packets", r->tun.name,
		 (unsigned long long)s->to_socket, r->tun.name, (unsigned long long)s->to_tun);
	if (s->moves)
		log_info("inner addresses moved between endpoints %llu times",
			 (unsigned long long)s->moves);
	io_stats_log(r->tun.name, &r->tun.stats);
	io_stats_log("the socket", &r->udp_stats);
	if (r->table)
		print_table_stats(r->table);
	if (s->drops[LAB_DROP_FLOOD_UNCONFIRMED] || s->drops[LAB_DROP_FLOOD_BUDGET])
		log_info("flooded copies held back: %llu from unconfirmed clients (more than they "
			 "sent), %llu over the budget of %d KiB/s",
			 (unsigned long long)s->drops[LAB_DROP_FLOOD_UNCONFIRMED],
			 (unsigned long long)s->drops[LAB_DROP_FLOOD_BUDGET],
			 LAB_FLOOD_BYTES_PER_SEC / 1024);
	dropped = s->drops[LAB_DROP_MALFORMED] + s->drops[LAB_DROP_NO_CLIENT];
	if (dropped)
		log_info("dropped %llu: %llu malformed, %llu without client",
			 (unsigned long long)dropped,
			 (unsigned long long)s->drops[LAB_DROP_MALFORMED],
			 (unsigned long long)s->drops[LAB_DROP_NO_CLIENT]);
}

/* Everything the data path needs is allocated here, once: the packet pool and the table. */
static int relay_alloc(struct relay *r)
{
	int err = io_pool_init(&r->pool, 2 * IO_BATCH);

	if (err < 0)
		return err;
	r->tx.stats = &r->udp_stats;
	if (!r->server)
		return 0;
	r->table = lab_clients_new(LAB_IDLE_SEC);
	if (!r->table) {
		log_error("cannot set up the client table (%d clients): %s; free some memory and "
			  "start the server again", LAB_CLIENTS_MAX, strerror(errno));
		return -ENOMEM;
	}
	return 0;
}

static void relay_free(struct relay *r)
{
	io_pool_free(&r->pool);
	if (r->server)
		lab_routeback_free(&r->routeback);
	lab_clients_free(r->table);
	udp_sock_close(&r->sock);
	tun_close(&r->tun);
	trace_close(&r->trace);
}

static int open_socket(struct relay *r)
{
	const struct endpoint_addr *a = r->server ? &r->o->listen : &r->o->server;
	int fd = r->server ? lab_udp_listen(a) : lab_udp_connect(a, r->o->local_port);

	if (fd < 0)
		return fd;
	udp_sock_init(&r->sock, fd, a->ss.ss_family, !r->o->no_offload);
	return 0;
}

/* Said once everything is made: a server that then fails (no CAP_NET_ADMIN for the
 * interface) never claimed to be listening. */
static void say_ready(const struct relay *r)
{
	const struct endpoint_addr *a = r->server ? &r->o->listen : &r->o->server;
	char where[80];

	log_info(r->server ? "listening on UDP %s" : "tunnel to server %s",
		 addr_format_endpoint(&a->ss, where, sizeof(where)));
}

static int relay_loop(struct relay *r, struct loop *l)
{
	struct loop_watch tun_watch = { .fd = r->tun.fd, .ready = on_tun, .ctx = r };
	struct loop_watch sock_watch = { .fd = r->sock.fd, .ready = on_socket, .ctx = r };
	int ret;

	ret = loop_add(l, &tun_watch);
	if (!ret)
		ret = loop_add(l, &sock_watch);
	if (!ret)
		ret = loop_run(l);
	fflush(stdout);
	return ret > 0 ? 0 : ret < 0 ? ret : -EIO; /* a signal ends it well */
}

static struct relay *relay_new(const struct lab_opts *o)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (!r) {
		log_error("out of memory");
		return NULL;
	}
	r->o = o;
	r->sock.fd = -1;
	r->tun.fd = -1;
	r->server = o->cmd == CMD_SERVER;
	r->quiet = o->quiet;
	r->link = o->tap ? LINK_ETHER : LINK_IP;
	return r;
}

int lab_run(const struct lab_opts *o, const struct privs_user *user)
{
	struct relay *r = relay_new(o);
	struct loop l;
	int ret;

	/* Signals are taken from here on: a SIGTERM sent as soon as the interface is announced
	 * must find adit ready to remove it and print its counters. */
	ret = r ? loop_init(&l) : -ENOMEM;
	if (ret < 0) {
		free(r);
		return ret;
	}
	log_warn("lab mode is plaintext: anyone on the path can read and forge the tunnel's "
		 "packets (use it for the lab only)");
	/* The capture file first: a path that cannot be written stops adit before it has
	 * made anything. */
	if (o->pcap && (ret = trace_open_pcap(&r->trace, o->pcap, r->link)) < 0)
		goto out;
	r->show = !r->quiet || r->trace.on;
	if ((ret = relay_alloc(r)) < 0 || (ret = open_socket(r)) < 0 ||
	    (ret = iface_setup(&r->tun, o)) < 0)
		goto out;
	if (r->server)
		lab_routeback_init(&r->routeback, r->tun.ifindex);
	r->view = (struct lab_view){ .server = r->server, .table = r->table, .stats = &r->st,
				     .live = &r->live,
				     .where = r->server ? &o->listen.ss : &o->server.ss,
				     .tun = &r->tun, .sock = &r->sock, .udp_stats = &r->udp_stats,
				     .tap = o->tap };
	netns_name_self(r->view.netns, sizeof(r->view.netns));
	lab_control_start(&r->control, &l, &r->view);
	/* Another user cannot remove the control socket from root's /var/run/adit: a janitor
	 * will. */
	if (user->set && r->control.listen_fd >= 0 &&
	    (ret = privs_start_janitor(&r->control.sock)) < 0)
		goto out;
	/* Everything lab mode does from here (reads, writes, removing the interface by closing
	 * it) needs no capability. */
	if ((ret = privs_keep_only(false, false, user)) < 0)
		goto out;
	say_ready(r);
	printf("Interface Name: %s\n", r->tun.name);
	fflush(stdout);
	if (r->server)
		warn_forwarding_off(o);
	ret = relay_loop(r, &l);
	print_stats(r);
out:
	lab_control_stop(&r->control);
	loop_close(&l);
	relay_free(r);
	free(r);
	return ret;
}
