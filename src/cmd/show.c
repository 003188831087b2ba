/* The answer to adit-show=1 is UAPI's shape: KEY=VALUE lines, the interface's first, then
 * each peer's (a WireGuard peer from public_key=, a lab client from client=, a lab client's
 * server from server=), ending with errno=N. What it means is in uapi.c (wg mode) and
 * lab_control.c (lab mode); this file only reads it and prints it. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "cmd/show.h"
#include "io/stats.h"
#include "lab/lab_control.h"
#include "wg/crypto.h"
#include "wg/drops.h"
#include "wg/pmtu.h"

void show_init(struct show_iface *s, const char *name)
{
	/* Every drop key a daemon of this adit reports, explained. */
	drops_register(&io_drop_vocab);
	drops_register(&lab_drop_vocab);
	drops_register(&wg_drop_vocab);
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->under_load = -1;
	s->max_peers = SHOW_MAX_PEERS;
	s->max_addrs = SHOW_MAX_ADDRS;
	s->max_lines = SHOW_MAX_LINES;
}

/* The words of the offload lines (tun_offload_names in tun.c, udp_offloads in uapi.c and
 * lab_control.c): a value is a set of them, printed back in this order. */
static const char *const offload_words[] = { "off",  "csum", "tso4", "tso6",
					     "uso4", "uso6", "gso",  "gro" };

void show_free(struct show_iface *s)
{
	for (size_t i = 0; i < s->npeers; i++) {
		free(s->peer[i].addrs.addr);
		free(s->peer[i].drops.drop);
	}
	free(s->peer);
	free(s->drops.drop);
	crypto_wipe(s, sizeof(*s));
}

/* array (of *cap elements of size bytes) with room for one past n: doubled when full, so a
 * list of N elements costs O(log N) reallocations and O(N) bytes copied. NULL when out of
 * memory, array then unchanged. */
static void *room_for_one(void *array, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want = *cap ? 2 * *cap : first;
	void *grown;

	if (n < *cap)
		return array;
	grown = realloc(array, want * size);
	if (grown)
		*cap = want;
	return grown;
}

/* ADDR:PORT or [ADDR6]:PORT, numeric, into dst as adit's own printer writes it. */
static bool reprint_endpoint(char *dst, size_t size, const char *v)
{
	struct endpoint_addr e;
	char text[80];

	if (!addr_parse_endpoint(v, &e, false))
		return false;
	addr_format_endpoint(&e.ss, text, sizeof(text));
	return (size_t)snprintf(dst, size, "%s", text) < size;
}

/* "csum tso4": words of offload_words, once each, one space apart. */
static bool parse_offloads(const char *v, unsigned int *set)
{
	size_t n, i;

	*set = 0;
	while (*v) {
		n = strcspn(v, " ");
		for (i = 0; i < sizeof(offload_words) / sizeof(offload_words[0]); i++)
			if (strlen(offload_words[i]) == n && !strncmp(v, offload_words[i], n))
				break;
		if (i == sizeof(offload_words) / sizeof(offload_words[0]) || (*set & (1u << i)))
			return false;
		*set |= 1u << i;
		v += n;
		if (*v && !*++v)
			return false; /* a trailing space */
	}
	return *set != 0;
}

static int add_drop(struct show_drops *d, const char *key, const char *v)
{
	struct show_drop *grown;
	uint64_t n;

	if (!addr_parse_uint(v, UINT64_MAX, &n) || strlen(key) >= sizeof(d->drop->key))
		return -EPROTO;
	if (d->n == SHOW_MAX_DROPS) {
		d->left_out++;
		return 0;
	}
	grown = room_for_one(d->drop, &d->cap, d->n, sizeof(*grown), 32);
	if (!grown)
		return -ENOMEM;
	d->drop = grown;
	snprintf(d->drop[d->n].key, sizeof(d->drop->key), "%s", key);
	d->drop[d->n++].count = n;
	return 0;
}

/* aa:bb:cc:dd:ee:ff, as lab_control.c writes a TAP client's inner address. */
static bool parse_mac(const char *v, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, v += 3) {
		if (!isxdigit((unsigned char)v[0]) || !isxdigit((unsigned char)v[1]) ||
		    v[2] != (i == 5 ? '\0' : ':'))
			return false;
		mac[i] = (uint8_t)strtoul((char[3]){ v[0], v[1], '\0' }, NULL, 16);
	}
	return true;
}

/* allowed_ip=ADDR/PLEN (wg) or inner=ADDR|MAC (lab). */
static int add_addr(struct show_iface *s, struct show_peer *p, const char *v)
{
	struct prefix a, *grown;

	memset(&a, 0, sizeof(a));
	if (p->kind != SHOW_WG_PEER && parse_mac(v, a.addr))
		a.family = AF_PACKET;
	else if ((p->kind == SHOW_WG_PEER) != (strchr(v, '/') != NULL) ||
		 !addr_parse_prefix(v, &a))
		return -EPROTO;
	if (s->naddrs >= s->max_addrs) {
		p->addrs.left_out++;
		return 0;
	}
	grown = room_for_one(p->addrs.addr, &p->addrs.cap, p->addrs.n, sizeof(a), 4);
	if (!grown)
		return -ENOMEM;
	p->addrs.addr = grown;
	p->addrs.addr[p->addrs.n++] = a;
	s->naddrs++;
	return 0;
}

static int begin_peer(struct show_iface *s, enum show_kind kind, const char *v)
{
	struct show_peer p, *grown;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.last_seen_ago = -1;
	p.pmtu.age = -1;
	if (kind == SHOW_WG_PEER ? strlen(v) != WG_KEY_HEX_LEN ||
					   !crypto_key_from_hex(p.public_key, v)
				 : !reprint_endpoint(p.endpoint, sizeof(p.endpoint), v))
		return -EPROTO;
	if (s->peers_left_out || s->npeers >= s->max_peers) {
		s->peers_left_out++; /* and its lines skipped, as are the next peers' */
		return 0;
	}
	grown = room_for_one(s->peer, &s->cap, s->npeers, sizeof(p), 16);
	if (!grown)
		return -ENOMEM;
	s->peer = grown;
	s->peer[s->npeers++] = p;
	return 0;
}

/* A drop counter of any vocabulary show_init registered, known reason or not (a newer
 * daemon may count one this adit has no words for). */
static bool is_drop(const char *key)
{
	return drops_vocab_of(key) != NULL;
}

/* The offload lines' sets, by key; NULL for a key that is none. */
static unsigned int *offloads_of(struct show_iface *s, const char *key)
{
	if (!strcmp(key, "tun_offloads"))
		return &s->tun_offloads;
	if (!strcmp(key, "udp4_offloads"))
		return &s->udp4_offloads;
	if (!strcmp(key, "udp6_offloads"))
		return &s->udp6_offloads;
	if (!strcmp(key, "udp_offloads"))
		return &s->udp_offloads;
	return NULL;
}

static int device_line(struct show_iface *s, const char *key, const char *v)
{
	unsigned int *offloads = offloads_of(s, key);
	uint64_t n;

	if (!strcmp(key, "own_public_key")) {
		s->has_public_key = strlen(v) == WG_KEY_HEX_LEN &&
				    crypto_key_from_hex(s->public_key, v);
		return s->has_public_key ? 0 : -EPROTO;
	}
	if (!strcmp(key, "listen_port") || !strcmp(key, "fwmark")) {
		if (!addr_parse_uint(v, key[0] == 'l' ? UINT16_MAX : UINT32_MAX, &n))
			return -EPROTO;
		if (key[0] == 'l')
			s->listen_port = (unsigned int)n;
		else
			s->fwmark = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "under_load")) {
		s->under_load = !strcmp(v, "true");
		return s->under_load || !strcmp(v, "false") ? 0 : -EPROTO;
	}
	if (!strcmp(key, "data_crypto")) {
		s->data_crypto = !strcmp(v, "openssl") ? "openssl" : !strcmp(v, "ipsec-mb") ? "ipsec-mb"
											 : NULL;
		return s->data_crypto ? 0 : -EPROTO;
	}
	if (is_drop(key))
		return add_drop(&s->drops, key, v);
	if (!strcmp(key, "mode")) {
		s->mode = !strcmp(v, "server") ? "server" : !strcmp(v, "client") ? "client" :
			  !strcmp(v, "tun") ? "tun" : NULL;
		return s->mode ? 0 : -EPROTO;
	}
	if (!strcmp(key, "link")) {
		s->tap = !strcmp(v, "tap");
		return s->tap || !strcmp(v, "tun") ? 0 : -EPROTO;
	}
	if (!strcmp(key, "netns")) {
		snprintf(s->netns, sizeof(s->netns), "%s", v);
		return 0;
	}
	if (!strcmp(key, "listen"))
		return reprint_endpoint(s->listen, sizeof(s->listen), v) ? 0 : -EPROTO;
	if (offloads)
		return parse_offloads(v, offloads) ? 0 : -EPROTO;
	if (!strcmp(key, "crypto_threads"))
		return addr_parse_uint(v, 1024, &s->crypto_threads) ? 0 : -EPROTO;
	if (!strcmp(key, "crypto_helped"))
		return addr_parse_uint(v, UINT64_MAX, &s->crypto_helped) ? 0 : -EPROTO;
	return 0;
}

/* The counters of a peer, by key; NULL for a key that is none. */
static uint64_t *peer_counter(struct show_peer *p, const char *key)
{
	if (!strcmp(key, "rx_bytes"))
		return &p->rx_bytes;
	if (!strcmp(key, "tx_bytes"))
		return &p->tx_bytes;
	if (!strcmp(key, "rx_packets"))
		return &p->rx_packets;
	if (!strcmp(key, "tx_packets"))
		return &p->tx_packets;
	if (!strcmp(key, "addrs_refused"))
		return &p->addrs_refused;
	return NULL;
}

/* path_mtu, path_mtu_how, ... (the prefix gone from key) */
static int path_mtu_line(struct show_peer *p, const char *key, const char *v)
{
	uint64_t n;

	if (!strcmp(key, "_how"))
		return snprintf(p->pmtu.how, sizeof(p->pmtu.how), "%s", v) < 0 ? -EPROTO : 0;
	if (!strcmp(key, "_probe_address"))
		return snprintf(p->pmtu.probe_address, sizeof(p->pmtu.probe_address), "%s", v) <
				       0 ? -EPROTO : 0;
	if (!strcmp(key, "_probes"))
		return sscanf(v, "%" SCNu64 "/%" SCNu64, &p->pmtu.sent, &p->pmtu.answered) == 2
			       ? 0 : -EPROTO;
	if (!strcmp(key, "_too_big_sent"))
		return addr_parse_uint(v, UINT64_MAX, &p->pmtu.too_big) ? 0 : -EPROTO;
	if (!strcmp(key, "_mss_clamped"))
		return addr_parse_uint(v, UINT64_MAX, &p->pmtu.clamped) ? 0 : -EPROTO;
	if (!addr_parse_uint(v, key[0] ? INT64_MAX : 65535, &n))
		return -EPROTO;
	if (!key[0])
		p->pmtu.mtu = (unsigned int)n;
	else if (!strcmp(key, "_age"))
		p->pmtu.age = (int64_t)n;
	return 0;
}

static int peer_line(struct show_iface *s, struct show_peer *p, const char *key, const char *v)
{
	uint64_t n, *counter = peer_counter(p, key);

	if (counter) {
		if (!addr_parse_uint(v, UINT64_MAX, counter))
			return -EPROTO;
		p->has_packets |= strstr(key, "packets") != NULL;
		return 0;
	}
	if (!strcmp(key, "endpoint"))
		return reprint_endpoint(p->endpoint, sizeof(p->endpoint), v) ? 0 : -EPROTO;
	if (!strcmp(key, "allowed_ip") || !strcmp(key, "inner"))
		return add_addr(s, p, v);
	if (!strcmp(key, "has_preshared_key")) {
		p->has_preshared_key = !strcmp(v, "true");
		return 0;
	}
	if (is_drop(key))
		return add_drop(&p->drops, key, v);
	if (!strncmp(key, "path_mtu", 8))
		return path_mtu_line(p, key + 8, v);
	if (!strcmp(key, "last_handshake_time_sec") || !strcmp(key, "last_seen_ago") ||
	    !strcmp(key, "persistent_keepalive_interval")) {
		if (!addr_parse_uint(v, key[0] == 'p' ? UINT16_MAX : INT64_MAX, &n))
			return -EPROTO;
		if (key[0] == 'p')
			p->keepalive = (unsigned int)n;
		else if (key[5] == 'h')
			p->handshake_sec = (int64_t)n;
		else
			p->last_seen_ago = (int64_t)n;
	}
	return 0;
}

int show_parse_line(struct show_iface *s, char *line)
{
	char *v = strchr(line, '=');
	uint64_t n;

	if (++s->lines > s->max_lines)
		return -EFBIG;
	if (!v || v == line)
		return -EPROTO;
	*v++ = '\0';
	if (!strcmp(line, "errno")) {
		if (*v == '-' && addr_parse_uint(v + 1, INT32_MAX, &n))
			return n ? -(int)n : 1;
		return addr_parse_uint(v, INT32_MAX, &n) ? (n ? -(int)n : 1) : -EPROTO;
	}
	if (!strcmp(line, "public_key"))
		return begin_peer(s, SHOW_WG_PEER, v);
	if (!strcmp(line, "client"))
		return begin_peer(s, SHOW_LAB_CLIENT, v);
	if (!strcmp(line, "server"))
		return begin_peer(s, SHOW_LAB_SERVER, v);
	if (s->peers_left_out)
		return 0;
	if (!s->npeers)
		return device_line(s, line, v);
	return peer_line(s, &s->peer[s->npeers - 1], line, v);
}

/* ---- wg(8)'s words (its show.c: pretty_time, ago, bytes) --------------------------------- */

const char *show_bytes(char *buf, size_t size, uint64_t b)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, size, "%u B", (unsigned int)b);
		return buf;
	}
	while (u < 3 && (u < 0 || v >= 1024)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.2f %s", v, unit[u]);
	return buf;
}

const char *show_duration(char *buf, size_t size, uint64_t left)
{
	static const struct {
		uint64_t secs;
		const char *name;
	} units[] = { { 365 * 24 * 3600, "year" }, { 24 * 3600, "day" }, { 3600, "hour" },
		      { 60, "minute" }, { 1, "second" } };
	size_t off = 0;
	uint64_t n;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = left / units[i].secs;
		left %= units[i].secs;
		if (!n)
			continue;
		w = snprintf(buf + off, size - off, "%s%" PRIu64 " %s%s", off ? ", " : "", n,
			     units[i].name, n == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= size - off)
			break;
		off += (size_t)w;
	}
	return buf;
}

const char *show_ago(char *buf, size_t size, time_t now, time_t then)
{
	size_t n;

	if (now == then) {
		snprintf(buf, size, "Now");
	} else if (now < then) {
		snprintf(buf, size, "(System clock wound backward; connection problems may ensue.)");
	} else {
		show_duration(buf, size, (uint64_t)(now - then));
		n = strlen(buf);
		snprintf(buf + n, size - n, " ago");
	}
	return buf;
}

/* ---- Printing ------------------------------------------------------------------------------ */

/* s with every byte outside printable ASCII, and the backslash, as \xNN: for the texts kept
 * as the daemon sent them (the keys of drop counters this adit does not know). */
static void print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\')
			fputc(*s, f);
		else
			fprintf(f, "\\x%02x", (unsigned char)*s);
	}
}

/* "  dropped:" and a line per reason, "    N name: reason". */
static void print_drops(FILE *f, const struct show_drops *d)
{
	const char *key, *reason;

	if (!d->n)
		return;
	fprintf(f, "  dropped:\n");
	for (size_t i = 0; i < d->n; i++) {
		key = d->drop[i].key;
		reason = drops_explain(key);
		fprintf(f, "    %" PRIu64 " ", d->drop[i].count);
		print_escaped(f, strstr(key, "drop_") + 5); /* is_drop: it holds one */
		fprintf(f, "%s%s\n", reason ? ": " : "", reason ? reason : "");
	}
	if (d->left_out)
		fprintf(f, "    (%" PRIu64 " more counters not shown)\n", d->left_out);
}

static void print_offload_set(FILE *f, unsigned int set)
{
	const char *sep = "";

	for (size_t i = 0; i < sizeof(offload_words) / sizeof(offload_words[0]); i++) {
		if (set & (1u << i)) {
			fprintf(f, "%s%s", sep, offload_words[i]);
			sep = " ";
		}
	}
}

/* "  offloads: TUN csum tso4; UDP (IPv4) gso gro; UDP (IPv6) gso gro" */
static void print_offloads(FILE *f, const struct show_iface *s)
{
	const struct {
		const char *label;
		unsigned int set;
	} parts[] = { { s->tap ? "TAP" : "TUN", s->tun_offloads }, { "UDP", s->udp_offloads },
		      { "UDP (IPv4)", s->udp4_offloads }, { "UDP (IPv6)", s->udp6_offloads } };
	bool any = false;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i].set)
			continue;
		fprintf(f, "%s%s ", any ? "; " : "  offloads: ", parts[i].label);
		print_offload_set(f, parts[i].set);
		any = true;
	}
	if (any)
		fprintf(f, "\n");
}

/* "a/n, b/m" (wg's allowed IPs) or "a, b" (lab's inner addresses), or "(none)". */
static void print_addrs(FILE *f, const struct show_addrs *l, bool with_plen)
{
	char text[INET6_ADDRSTRLEN + 8];
	const struct prefix *a;

	if (!l->n)
		fprintf(f, "(none)");
	for (size_t i = 0; i < l->n; i++) {
		a = &l->addr[i];
		if (a->family == AF_PACKET)
			snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", a->addr[0],
				 a->addr[1], a->addr[2], a->addr[3], a->addr[4], a->addr[5]);
		else if (with_plen)
			addr_format_prefix(a, text, sizeof(text));
		else
			inet_ntop(a->family, a->addr, text, sizeof(text));
		fprintf(f, "%s%s", i ? ", " : "", text);
	}
	if (l->left_out)
		fprintf(f, " (and %" PRIu64 " more not shown)", l->left_out);
	fprintf(f, "\n");
}

static void print_transfer(FILE *f, const struct show_peer *p)
{
	char rx[32], tx[32];

	if (!p->rx_bytes && !p->tx_bytes && !p->rx_packets && !p->tx_packets)
		return;
	show_bytes(rx, sizeof(rx), p->rx_bytes);
	show_bytes(tx, sizeof(tx), p->tx_bytes);
	if (p->has_packets)
		fprintf(f, "  transfer: %s received (%" PRIu64 " packet%s), %s sent (%" PRIu64
			   " packet%s)\n", rx, p->rx_packets, p->rx_packets == 1 ? "" : "s", tx,
			p->tx_packets, p->tx_packets == 1 ? "" : "s");
	else
		fprintf(f, "  transfer: %s received, %s sent\n", rx, tx);
}

/* "path MTU: 1312 (probed 4 seconds ago, to 10.66.0.2)", or why there is none. */
static void print_path_mtu(FILE *f, const struct show_peer *p, time_t now)
{
	char ago[150], when[160] = "", to[80] = "";

	if (!p->pmtu.how[0])
		return;
	/* wg's words for an age, but "Now" is a sentence's start, not its middle */
	if (p->pmtu.age == 0)
		snprintf(when, sizeof(when), " just now");
	else if (p->pmtu.age > 0)
		snprintf(when, sizeof(when), " %s",
			 show_ago(ago, sizeof(ago), now, now - (time_t)p->pmtu.age));
	if (p->pmtu.probe_address[0])
		snprintf(to, sizeof(to), ", to %s", p->pmtu.probe_address);
	if (p->pmtu.mtu)
		fprintf(f, "  path MTU: %u (probed%s%s)\n", p->pmtu.mtu, when, to);
	else if (!strcmp(p->pmtu.how, "probing") || !strcmp(p->pmtu.how, "not-yet"))
		fprintf(f, "  path MTU: %s%s\n", pmtu_how_words(p->pmtu.how), to);
	else
		fprintf(f, "  path MTU: unknown (%s%s)\n", pmtu_how_words(p->pmtu.how), to);
	if (p->pmtu.too_big || p->pmtu.clamped)
		fprintf(f, "  path MTU kept: %" PRIu64 " too big (ICMP sent), %" PRIu64
			   " TCP SYNs clamped\n", p->pmtu.too_big, p->pmtu.clamped);
}

static void print_peer(FILE *f, const struct show_peer *p, time_t now)
{
	char key[WG_KEY_BASE64_LEN + 1], when[160];

	if (p->kind == SHOW_WG_PEER) {
		crypto_key_to_base64(key, p->public_key);
		fprintf(f, "peer: %s\n", key);
		if (p->has_preshared_key)
			fprintf(f, "  preshared key: (hidden)\n");
		if (p->endpoint[0])
			fprintf(f, "  endpoint: %s\n", p->endpoint);
		fprintf(f, "  allowed ips: ");
		print_addrs(f, &p->addrs, true);
		if (p->handshake_sec)
			fprintf(f, "  latest handshake: %s\n",
				show_ago(when, sizeof(when), now, (time_t)p->handshake_sec));
		print_path_mtu(f, p, now);
	} else {
		fprintf(f, "%s: %s\n", p->kind == SHOW_LAB_CLIENT ? "client" : "server", p->endpoint);
		if (p->kind == SHOW_LAB_CLIENT) {
			fprintf(f, "  inner addresses: ");
			print_addrs(f, &p->addrs, false);
		}
		if (p->addrs_refused)
			fprintf(f, "  inner addresses refused: %" PRIu64 "\n", p->addrs_refused);
		if (p->last_seen_ago >= 0)
			fprintf(f, "  latest packet: %s\n",
				show_ago(when, sizeof(when), now, now - (time_t)p->last_seen_ago));
		else if (p->kind == SHOW_LAB_SERVER && p->tx_packets)
			fprintf(f, "  latest packet: none yet (is the server running and the "
				   "address right?)\n");
	}
	print_transfer(f, p);
	if (p->keepalive)
		fprintf(f, "  persistent keepalive: every %s\n",
			show_duration(when, sizeof(when), p->keepalive));
	print_drops(f, &p->drops);
}

/* wg show's order: the latest handshake first, peers never handshaken last. */
static int by_handshake(const void *x, const void *y)
{
	const struct show_peer *a = x, *b = y;

	if (a->kind != SHOW_WG_PEER || b->kind != SHOW_WG_PEER)
		return 0;
	return (a->handshake_sec < b->handshake_sec) - (a->handshake_sec > b->handshake_sec);
}

void show_print(FILE *f, struct show_iface *s, time_t now)
{
	char key[WG_KEY_BASE64_LEN + 1];

	fprintf(f, "interface: ");
	print_escaped(f, s->name);
	fprintf(f, "\n");
	if (s->mode && !strcmp(s->mode, "tun"))
		fprintf(f, "  mode: adit tun (%s; no tunnel)\n", s->tap ? "TAP" : "TUN");
	else if (s->mode)
		fprintf(f, "  mode: lab %s (plaintext%s)\n", s->mode, s->tap ? ", TAP" : "");
	if (s->netns[0]) {
		fprintf(f, "  network namespace: ");
		print_escaped(f, s->netns);
		fprintf(f, "\n");
	}
	if (s->has_public_key) {
		crypto_key_to_base64(key, s->public_key);
		fprintf(f, "  public key: %s\n", key);
		fprintf(f, "  private key: (hidden)\n");
	}
	if (s->listen[0])
		fprintf(f, "  listening on: %s\n", s->listen);
	if (s->listen_port)
		fprintf(f, "  listening port: %u\n", s->listen_port);
	if (s->fwmark)
		fprintf(f, "  fwmark: 0x%x\n", s->fwmark);
	if (s->under_load >= 0)
		fprintf(f, "  under load: %s\n", s->under_load ? "yes (handshakes need a cookie)" :
				 "no");
	if (s->data_crypto)
		fprintf(f, "  data crypto: %s\n", s->data_crypto);
	print_offloads(f, s);
	if (s->crypto_threads > 1)
		fprintf(f, "  crypto threads: %llu (%llu packets sealed or opened by the helpers)\n",
			(unsigned long long)s->crypto_threads, (unsigned long long)s->crypto_helped);
	print_drops(f, &s->drops);
	/* As wg show does it: qsort, equal handshakes in no particular order. */
	if (s->npeers && !s->mode)
		qsort(s->peer, s->npeers, sizeof(*s->peer), by_handshake);
	for (size_t i = 0; i < s->npeers; i++) {
		fprintf(f, "\n");
		print_peer(f, &s->peer[i], now);
	}
	if (s->peers_left_out)
		fprintf(f, "\n(%" PRIu64 " more peers not shown: adit show prints at most %zu)\n",
			s->peers_left_out, s->max_peers);
}
