#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"
#include "iface.h"
#include "lab.h"
#include "log.h"
#include "loop.h"
#include "packet.h"
#include "udp.h"

#define BATCH LOOP_BATCH
#define TX_MAX (BATCH * 4) /* datagrams per sendmmsg; a TAP flood sends one per client */
#define BUF_SIZE PACKET_BUF_SIZE

/* No datagram is ever cut short (MSG_TRUNC): a buffer holds the largest UDP payload. */
_Static_assert(BUF_SIZE >= 65535 - 8, "a receive buffer must hold any UDP payload");

struct lab_stats {
	uint64_t to_socket, to_tun;
	uint64_t malformed, no_client, table_full, send_errors, write_errors;
	uint64_t moves; /* inner addresses taken over by another endpoint */
};

struct relay {
	const struct lab_opts *o;
	struct tun tun;
	int sock;
	enum link_type link;
	bool server, quiet;
	int path_error; /* the network's last complaint (ICMP, via the socket), until traffic flows */
	uint64_t now, moved_logged;
	struct endpoint_table *table; /* server only */
	uint8_t *pool;                /* BATCH buffers from the TUN, BATCH from the socket */
	struct iovec out_iov[BATCH];
	struct mmsghdr out[TX_MAX];
	struct iovec in_iov[BATCH];
	struct sockaddr_storage in_from[BATCH];
	struct mmsghdr in[BATCH];
	struct lab_stats st;
};

static uint64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

static uint8_t *out_buf(struct relay *r, unsigned int i)
{
	return r->pool + (size_t)i * BUF_SIZE;
}

static uint8_t *in_buf(struct relay *r, unsigned int i)
{
	return r->pool + (size_t)(BATCH + i) * BUF_SIZE;
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
			 "answers", opts_format_endpoint(&r->o->server.ss, where, sizeof(where)),
			 strerror(err));
}

/* The errors a socket can report that are about this program, not the network. */
static bool fatal_socket_errno(int err)
{
	return err == EBADF || err == EFAULT || err == EINVAL || err == ENOTSOCK;
}

/* Sends out[0..count); a datagram the kernel refuses is counted and skipped, the rest go on. */
static void send_all(struct relay *r, unsigned int count)
{
	unsigned int done = 0;
	int n;

	while (done < count) {
		n = sendmmsg(r->sock, r->out + done, count - done, 0);
		if (n > 0) {
			done += (unsigned int)n;
			r->st.to_socket += (unsigned int)n;
		} else if (errno == EAGAIN || errno == ENOBUFS) {
			r->st.send_errors += count - done; /* the socket is full: UDP may drop */
			return;
		} else if (errno != EINTR) {
			note_path_error(r, errno);
			r->st.send_errors++;
			done++;
		}
	}
}

static unsigned int queue(struct relay *r, unsigned int ntx, unsigned int i,
			  const struct endpoint_client *c)
{
	struct msghdr *h;

	if (ntx == TX_MAX) {
		send_all(r, ntx);
		ntx = 0;
	}
	h = &r->out[ntx].msg_hdr;
	memset(h, 0, sizeof(*h));
	h->msg_iov = &r->out_iov[i];
	h->msg_iovlen = 1;
	if (c) {
		h->msg_name = (void *)&c->addr;
		h->msg_namelen = c->addrlen;
	}
	return ntx + 1;
}

/* Where the server sent a packet from its TUN, for the per-packet line. */
struct choice {
	const struct endpoint_client *to; /* the one client it went to, or NULL */
	unsigned int flooded;             /* clients it went to when flooded */
};

/* The server's choice for a packet from its TUN: the client owning the destination; with no
 * owner, on a TUN the only client there is (the lab's behaviour), on a TAP every client, as a
 * switch floods a frame it cannot place. */
static unsigned int route(struct relay *r, unsigned int i, unsigned int ntx, struct choice *ch)
{
	const struct endpoint_client *all[ENDPOINT_MAX_CLIENTS];
	const uint8_t *pkt = r->out_iov[i].iov_base;
	struct endpoint_key key;

	ch->to = NULL;
	ch->flooded = 0;
	if (endpoint_key_of(pkt, r->out_iov[i].iov_len, r->link, false, &key))
		ch->to = endpoint_lookup(r->table, &key);
	if (!ch->to && r->link == LINK_IP)
		ch->to = endpoint_sole_client(r->table, r->now);
	if (ch->to)
		return queue(r, ntx, i, ch->to);
	if (r->link == LINK_ETHER) {
		ch->flooded = endpoint_list_clients(r->table, all, ENDPOINT_MAX_CLIENTS);
		for (unsigned int k = 0; k < ch->flooded; k++)
			ntx = queue(r, ntx, i, all[k]);
	}
	if (!ch->flooded)
		r->st.no_client++;
	return ntx;
}

static void tun_line(const struct relay *r, unsigned int i, const struct choice *ch)
{
	const struct endpoint_client *all[1];
	char note[96], where[80];

	if (!r->server)
		note[0] = '\0';
	else if (ch->to)
		snprintf(note, sizeof(note), " (to %s)", opts_format_endpoint(&ch->to->addr, where,
									sizeof(where)));
	else if (ch->flooded)
		snprintf(note, sizeof(note), " (to all %u clients)", ch->flooded);
	else
		snprintf(note, sizeof(note), endpoint_list_clients(r->table, all, 1) ?
			 " (no client owns the destination: dropped)" : " (no client yet: dropped)");
	packet_line(r, "From tun ==>:", r->out_iov[i].iov_base, r->out_iov[i].iov_len, note);
}

static int tun_failed(struct relay *r, int err)
{
	log_error("cannot read from %s: %s (was the interface deleted?)", r->tun.name,
		  strerror(err));
	return -err;
}

/* TUN → socket: a batch of packets read, routed, and sent with one sendmmsg. */
static int on_tun(void *ctx)
{
	struct relay *r = ctx;
	struct choice ch = { 0 };
	unsigned int ntx = 0;
	ssize_t len;

	r->now = now_sec();
	for (unsigned int i = 0; i < BATCH; i++) {
		len = read(r->tun.fd, out_buf(r, i), BUF_SIZE);
		if (len < 0 && errno == EINTR)
			len = read(r->tun.fd, out_buf(r, i), BUF_SIZE);
		if (len < 0 && errno != EAGAIN)
			return tun_failed(r, errno);
		if (len <= 0)
			break;
		r->out_iov[i] = (struct iovec){ .iov_base = out_buf(r, i), .iov_len = (size_t)len };
		if (r->server)
			ntx = route(r, i, ntx, &ch);
		else
			ntx = queue(r, ntx, i, NULL);
		if (!r->quiet)
			tun_line(r, i, &ch);
	}
	send_all(r, ntx);
	fflush(stdout);
	return 0;
}

static const char *key_text(const struct endpoint_key *key, char *buf, size_t size)
{
	if (key->len == 6)
		snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", key->bytes[0], key->bytes[1],
			 key->bytes[2], key->bytes[3], key->bytes[4], key->bytes[5]);
	else
		inet_ntop(key->len == 4 ? AF_INET : AF_INET6, key->bytes, buf, (socklen_t)size);
	return buf;
}

static void learn(struct relay *r, const uint8_t *pkt, size_t len, const struct sockaddr *from,
		  socklen_t fromlen)
{
	struct endpoint_key key;
	char where[80], text[INET6_ADDRSTRLEN];

	if (!endpoint_key_of(pkt, len, r->link, true, &key))
		return;
	switch (endpoint_learn(r->table, &key, from, fromlen, r->now)) {
	case ENDPOINT_FULL:
		r->st.table_full++;
		break;
	case ENDPOINT_MOVED:
		/* Two clients claiming one address make it move on every packet: say so, but at
		 * most once a second. */
		r->st.moves++;
		if (r->moved_logged == r->now)
			break;
		r->moved_logged = r->now;
		log_info("%s moved to %s", key_text(&key, text, sizeof(text)),
			 opts_format_endpoint(from, where, sizeof(where)));
		break;
	case ENDPOINT_NEW:
	case ENDPOINT_KNOWN:
		break;
	}
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
	       opts_format_endpoint(peer, where, sizeof(where)), why);
}

static void socket_line(const struct relay *r, const uint8_t *pkt, size_t len, const void *peer,
			int err)
{
	char note[160], where[80];

	opts_format_endpoint(peer, where, sizeof(where));
	if (err)
		snprintf(note, sizeof(note), " (from %s; %s refused it: %s)", where, r->tun.name,
			 strerror(err));
	else
		snprintf(note, sizeof(note), " (from %s)", where);
	packet_line(r, "From socket <==:", pkt, len, note);
}

/* One datagram from the socket onto the TUN. */
static void deliver(struct relay *r, unsigned int i)
{
	const uint8_t *pkt = in_buf(r, i);
	size_t len = r->in[i].msg_len;
	const struct sockaddr *from = (const struct sockaddr *)&r->in_from[i];
	const void *peer = r->server ? (const void *)from : &r->o->server.ss;
	char where[80];
	int err = 0;

	if (!packet_is_whole(pkt, len, r->link)) {
		r->st.malformed++;
		drop_line(r, pkt, len, peer, r->link == LINK_IP ? "not exactly one IP packet" :
								 "not an Ethernet frame");
		return;
	}
	if (r->server)
		learn(r, pkt, len, from, r->in[i].msg_hdr.msg_namelen);
	if (r->path_error && !r->server) {
		r->path_error = 0;
		log_info("server %s answers again", opts_format_endpoint(peer, where, sizeof(where)));
	}
	if (write(r->tun.fd, pkt, len) < 0) {
		err = errno;
		r->st.write_errors++;
	} else {
		r->st.to_tun++;
	}
	if (!r->quiet)
		socket_line(r, pkt, len, peer, err);
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

/* Socket → TUN: one recvmmsg for a batch of datagrams. */
static int on_socket(void *ctx)
{
	struct relay *r = ctx;
	int n;

	n = recvmmsg(r->sock, r->in, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return socket_failed(r, errno);
	r->now = now_sec();
	for (int i = 0; i < n; i++) {
		deliver(r, (unsigned int)i);
		r->in[i].msg_hdr.msg_namelen = sizeof(r->in_from[i]); /* the kernel wrote it */
	}
	fflush(stdout);
	return 0;
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

static void print_stats(const struct relay *r)
{
	const struct lab_stats *s = &r->st;
	uint64_t dropped = s->malformed + s->no_client + s->table_full + s->send_errors +
			   s->write_errors;

	log_info("%s ==> socket: %llu packets; socket ==> %s: %llu packets", r->tun.name,
		 (unsigned long long)s->to_socket, r->tun.name, (unsigned long long)s->to_tun);
	if (s->moves)
		log_info("inner addresses moved between endpoints %llu times",
			 (unsigned long long)s->moves);
	if (!dropped)
		return;
	log_info("dropped %llu: %llu malformed, %llu without client, "
		 "%llu table full, %llu send errors, %llu refused by %s",
		 (unsigned long long)dropped, (unsigned long long)s->malformed,
		 (unsigned long long)s->no_client,
		 (unsigned long long)s->table_full, (unsigned long long)s->send_errors,
		 (unsigned long long)s->write_errors, r->tun.name);
}

/* Everything the data path needs is allocated here, once: the packet pool and the table. */
static int relay_alloc(struct relay *r)
{
	size_t size = (size_t)2 * BATCH * BUF_SIZE;

	r->pool = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->pool == MAP_FAILED) {
		r->pool = NULL;
		log_error("cannot allocate %zu bytes of packet buffers: %s", size, strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; i < BATCH; i++) {
		r->in_iov[i] = (struct iovec){ .iov_base = in_buf(r, i), .iov_len = BUF_SIZE };
		r->in[i].msg_hdr = (struct msghdr){ .msg_name = &r->in_from[i],
						    .msg_namelen = sizeof(r->in_from[i]),
						    .msg_iov = &r->in_iov[i], .msg_iovlen = 1 };
	}
	if (!r->server)
		return 0;
	r->table = malloc(sizeof(*r->table));
	if (!r->table) {
		log_error("cannot allocate the endpoint table: %s", strerror(errno));
		return -1;
	}
	endpoint_table_init(r->table, ENDPOINT_IDLE_SEC);
	return 0;
}

static void relay_free(struct relay *r)
{
	if (r->pool)
		munmap(r->pool, (size_t)2 * BATCH * BUF_SIZE);
	free(r->table);
	if (r->sock >= 0)
		close(r->sock);
	tun_close(&r->tun);
}

static int open_socket(struct relay *r)
{
	char where[80];

	if (r->server) {
		r->sock = udp_listen(&r->o->listen);
		if (r->sock >= 0)
			log_info("listening on UDP %s",
				 opts_format_endpoint(&r->o->listen.ss, where, sizeof(where)));
	} else {
		r->sock = udp_connect(&r->o->server, r->o->local_port);
		if (r->sock >= 0)
			log_info("tunnel to server %s",
				 opts_format_endpoint(&r->o->server.ss, where, sizeof(where)));
	}
	return r->sock < 0 ? -1 : 0;
}

static int relay_loop(struct relay *r, struct loop *l)
{
	struct loop_watch tun_watch = { .fd = r->tun.fd, .ready = on_tun, .ctx = r };
	struct loop_watch sock_watch = { .fd = r->sock, .ready = on_socket, .ctx = r };
	int ret;

	ret = loop_add(l, &tun_watch) < 0 || loop_add(l, &sock_watch) < 0 ? -1 : loop_run(l);
	fflush(stdout);
	return ret > 0 ? EXIT_OK : EXIT_FAIL;
}

static struct relay *relay_new(const struct lab_opts *o)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (!r) {
		log_error("out of memory");
		return NULL;
	}
	r->o = o;
	r->sock = -1;
	r->tun.fd = -1;
	r->server = o->cmd == CMD_SERVER;
	r->quiet = o->quiet;
	r->link = o->tap ? LINK_ETHER : LINK_IP;
	return r;
}

static int lab_run(const struct lab_opts *o)
{
	struct relay *r = relay_new(o);
	int ret = EXIT_FAIL;
	struct loop l;

	/* Signals are taken from here on: a SIGTERM sent as soon as the interface is announced
	 * must find adit ready to remove it and print its counters. */
	if (!r || loop_init(&l) < 0) {
		free(r);
		return EXIT_FAIL;
	}
	log_warn("lab mode is plaintext: anyone on the path can read and forge the tunnel's "
		 "packets (use it for the lab only)");
	if (relay_alloc(r) < 0 || open_socket(r) < 0 || iface_setup(&r->tun, o) != 0)
		goto out;
	printf("Interface Name: %s\n", r->tun.name);
	fflush(stdout);
	if (r->server)
		warn_forwarding_off(o);
	ret = relay_loop(r, &l);
	print_stats(r);
out:
	loop_close(&l);
	relay_free(r);
	free(r);
	return ret;
}

int lab_main(enum lab_cmd cmd, int argc, char **argv)
{
	struct lab_opts o;
	int ret = opts_parse(&o, cmd, argc, argv);

	if (ret)
		return ret;
	if (o.help) {
		opts_usage(cmd, true);
		return EXIT_OK;
	}
	return lab_run(&o);
}
