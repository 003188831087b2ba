/* adit show's words and its reading of the daemon's answer. The expected texts are wg(8)'s
 * (wireguard-tools src/show.c: pretty_time, ago, bytes), worked out by hand for each value:
 * 1536 B is 1.50 KiB; 62 s is "1 minute, 2 seconds"; the year is 365 days. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/show.h"

static char buf[256];

/* Every realloc of the code under test, counted (linked with --wrap=realloc). */
void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);
static size_t reallocs;

void *__wrap_realloc(void *p, size_t size)
{
	reallocs++;
	return __real_realloc(p, size);
}

static void bytes_in_wg_units(void **state)
{
	(void)state;
	assert_string_equal(show_bytes(buf, sizeof(buf), 0), "0 B");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1023), "1023 B");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1024), "1.00 KiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1536), "1.50 KiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1048575), "1024.00 KiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1048576), "1.00 MiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 5u * 1048576 + 262144), "5.25 MiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 3ull << 30), "3.00 GiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 1ull << 40), "1.00 TiB");
	assert_string_equal(show_bytes(buf, sizeof(buf), 2048ull << 40), "2048.00 TiB");
}

static void durations_in_wg_words(void **state)
{
	(void)state;
	assert_string_equal(show_duration(buf, sizeof(buf), 1), "1 second");
	assert_string_equal(show_duration(buf, sizeof(buf), 25), "25 seconds");
	assert_string_equal(show_duration(buf, sizeof(buf), 60), "1 minute");
	assert_string_equal(show_duration(buf, sizeof(buf), 62), "1 minute, 2 seconds");
	assert_string_equal(show_duration(buf, sizeof(buf), 3600 + 120), "1 hour, 2 minutes");
	assert_string_equal(show_duration(buf, sizeof(buf), 2 * 86400 + 1),
			    "2 days, 1 second");
	assert_string_equal(show_duration(buf, sizeof(buf), 365 * 86400 + 3 * 3600 + 4 * 60 + 5),
			    "1 year, 3 hours, 4 minutes, 5 seconds");
	assert_string_equal(show_ago(buf, sizeof(buf), 1000, 1000), "Now");
	assert_string_equal(show_ago(buf, sizeof(buf), 1062, 1000), "1 minute, 2 seconds ago");
	assert_string_equal(show_ago(buf, sizeof(buf), 1005, 1000), "5 seconds ago");
	assert_string_equal(show_ago(buf, sizeof(buf), 1000, 1001),
			    "(System clock wound backward; connection problems may ensue.)");
}

/* Feeds the lines of text (each ending in \n, as on the socket) and returns the last result. */
static int feed(struct show_iface *s, const char *text)
{
	char line[512];
	int ret = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = (size_t)(nl - text);

		assert_non_null(nl);
		assert_true(n < sizeof(line));
		memcpy(line, text, n);
		line[n] = '\0';
		ret = show_parse_line(s, line);
		if (ret)
			return ret;
		text = nl + 1;
	}
	return ret;
}

/* Keys from RFC 7748 §6.1 (Alice's and Bob's public keys); their base64 written by hand
 * with `printf %s HEX | xxd -r -p | base64`. */
#define ALICE_HEX "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define ALICE_B64 "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define BOB_HEX "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define BOB_B64 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="

static void wg_answer_printed(void **state)
{
	struct show_iface s;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	show_init(&s, "wg0");
	assert_int_equal(feed(&s, "own_public_key=" ALICE_HEX "\n"
				  "listen_port=51820\n"
				  "fwmark=81\n"
				  "under_load=false\n"
				  "data_crypto=ipsec-mb\n"
				  "tun_offloads=csum tso4\n"
				  "udp4_offloads=gso gro\n"
				  "drop_unknown_index=300\n"
				  "io_drop_udp_full=2\n"
				  "a_key_from_a_newer_adit=1\n"
				  "public_key=" BOB_HEX "\n"
				  "has_preshared_key=true\n"
				  "endpoint=192.0.2.1:51820\n"
				  "last_handshake_time_sec=938\n"
				  "last_handshake_time_nsec=5\n"
				  "tx_bytes=1536\n"
				  "rx_bytes=1048576\n"
				  "persistent_keepalive_interval=25\n"
				  "drop_decrypt=200\n"
				  "allowed_ip=10.0.0.2/32\n"
				  "allowed_ip=fd00::/64\n"
				  "errno=0\n"), 1);
	f = open_memstream(&out, &size);
	assert_non_null(f);
	show_print(f, &s, 1000);
	fclose(f);
	assert_string_equal(out,
		"interface: wg0\n"
		"  public key: " ALICE_B64 "\n"
		"  private key: (hidden)\n"
		"  listening port: 51820\n"
		"  fwmark: 0x51\n"
		"  under load: no\n"
		"  data crypto: ipsec-mb\n"
		"  offloads: TUN csum tso4; UDP (IPv4) gso gro\n"
		"  dropped:\n"
		"    300 unknown_index: its receiver index names no session of ours\n"
		"    2 udp_full: socket buffer full\n"
		"\n"
		"peer: " BOB_B64 "\n"
		"  preshared key: (hidden)\n"
		"  endpoint: 192.0.2.1:51820\n"
		"  allowed ips: 10.0.0.2/32, fd00::/64\n"
		"  latest handshake: 1 minute, 2 seconds ago\n"
		"  transfer: 1.00 MiB received, 1.50 KiB sent\n"
		"  persistent keepalive: every 25 seconds\n"
		"  dropped:\n"
		"    200 decrypt: a data message that does not decrypt\n");
	free(out);
	show_free(&s);
}

/* What the path-MTU prober says of a peer (uapi_get.c's path_mtu keys): the MTU found with
 * how and when, the price paid, or why there is none. */
static void path_mtu_printed(void **state)
{
	struct show_iface s;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	show_init(&s, "wg0");
	assert_int_equal(feed(&s, "own_public_key=" ALICE_HEX "\n"
				  "public_key=" BOB_HEX "\n"
				  "path_mtu=1312\n"
				  "path_mtu_how=probed\n"
				  "path_mtu_age=4\n"
				  "path_mtu_probe_address=10.0.0.2\n"
				  "path_mtu_probes=22/13\n"
				  "path_mtu_too_big_sent=3\n"
				  "path_mtu_mss_clamped=2\n"
				  "public_key=" ALICE_HEX "\n"
				  "path_mtu=0\n"
				  "path_mtu_how=no-address\n"
				  "errno=0\n"), 1);
	f = open_memstream(&out, &size);
	assert_non_null(f);
	show_print(f, &s, 1000);
	fclose(f);
	assert_non_null(strstr(out, "  path MTU: 1312 (probed 4 seconds ago, to 10.0.0.2)\n"
				    "  path MTU kept: 3 too big (ICMP sent), 2 TCP SYNs clamped\n"));
	assert_non_null(strstr(out, "  path MTU: unknown (no address of the peer to probe: no /32 "
				    "or /128 in its allowed IPs; name one with adit "
				    "probe-address)\n"));
	free(out);
	show_free(&s);
	/* A malformed value is refused, as every other. */
	show_init(&s, "wg0");
	assert_int_not_equal(feed(&s, "own_public_key=" ALICE_HEX "\n"
				      "public_key=" BOB_HEX "\n"
				      "path_mtu=many\n"
				      "errno=0\n"), 1);
	show_free(&s);
}

/* A lab server's answer (lab_control.c's keys): clients with inner addresses and counters. */
static void lab_answer_printed(void **state)
{
	struct show_iface s;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	show_init(&s, "tun0");
	assert_int_equal(feed(&s, "mode=server\nlisten=0.0.0.0:9090\nudp_offloads=off\n"
				  "lab_drop_malformed=3\n"
				  "client=10.9.0.5:40000\ninner=192.168.53.99\ninner=fe80::1\n"
				  "last_seen_ago=0\nrx_packets=4\nrx_bytes=300\ntx_packets=3\n"
				  "tx_bytes=252\n"
				  "client=10.9.0.12:9090\ninner=192.168.53.12\nlast_seen_ago=65\n"
				  "rx_packets=0\nrx_bytes=0\ntx_packets=0\ntx_bytes=0\n"
				  "addrs_refused=7\nerrno=0\n"), 1);
	f = open_memstream(&out, &size);
	assert_non_null(f);
	show_print(f, &s, 5000);
	fclose(f);
	assert_string_equal(out,
		"interface: tun0\n"
		"  mode: lab server (plaintext)\n"
		"  listening on: 0.0.0.0:9090\n"
		"  offloads: UDP off\n"
		"  dropped:\n"
		"    3 malformed: from the socket, not exactly one IP packet (or Ethernet frame)\n"
		"\n"
		"client: 10.9.0.5:40000\n"
		"  inner addresses: 192.168.53.99, fe80::1\n"
		"  latest packet: Now\n"
		"  transfer: 300 B received (4 packets), 252 B sent (3 packets)\n"
		"\n"
		"client: 10.9.0.12:9090\n"
		"  inner addresses: 192.168.53.12\n"
		"  inner addresses refused: 7\n"
		"  latest packet: 1 minute, 5 seconds ago\n");
	free(out);
	show_free(&s);
}

/* adit tun's answer, on a TAP: named as such, with its namespace; a lab client's server that
 * answered once, and one that never did. */
static void tun_tap_and_client_printed(void **state)
{
	struct show_iface s;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	show_init(&s, "tap0");
	assert_int_equal(feed(&s, "mode=tun\nlink=tap\nnetns=lab-u\ntun_offloads=off\n"
				  "errno=0\n"), 1);
	f = open_memstream(&out, &size);
	assert_non_null(f);
	show_print(f, &s, 5000);
	fclose(f);
	assert_string_equal(out, "interface: tap0\n"
				 "  mode: adit tun (TAP; no tunnel)\n"
				 "  network namespace: lab-u\n"
				 "  offloads: TAP off\n");
	free(out);
	show_free(&s);

	show_init(&s, "tun0");
	assert_int_equal(feed(&s, "mode=client\nserver=10.9.0.11:9090\nlast_seen_ago=3\n"
				  "rx_packets=1\nrx_bytes=84\ntx_packets=1\ntx_bytes=84\n"
				  "errno=0\n"), 1);
	f = open_memstream(&out, &size);
	show_print(f, &s, 5000);
	fclose(f);
	assert_non_null(strstr(out, "  latest packet: 3 seconds ago\n"
				    "  transfer: 84 B received (1 packet), 84 B sent (1 packet)\n"));
	free(out);
	show_free(&s);

	show_init(&s, "tun0");
	assert_int_equal(feed(&s, "mode=client\nserver=10.9.0.11:9090\n"
				  "rx_packets=0\nrx_bytes=0\ntx_packets=13\ntx_bytes=1092\n"
				  "errno=0\n"), 1);
	f = open_memstream(&out, &size);
	show_print(f, &s, 5000);
	fclose(f);
	assert_non_null(strstr(out, "  latest packet: none yet (is the server running and the "
				    "address right?)\n"));
	free(out);
	show_free(&s);
}

/* wg show's order: the latest handshake first, never-handshaken peers last. */
static void peers_sorted_by_handshake(void **state)
{
	struct show_iface s;
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	show_init(&s, "wg0");
	assert_int_equal(feed(&s, "public_key=" ALICE_HEX "\nlast_handshake_time_sec=0\n"
				  "public_key=" BOB_HEX "\nlast_handshake_time_sec=100\n"
				  "public_key=" ALICE_HEX "\nlast_handshake_time_sec=200\n"
				  "errno=0\n"), 1);
	show_print(null, &s, 300);
	fclose(null);
	assert_int_equal(s.peer[0].handshake_sec, 200);
	assert_int_equal(s.peer[1].handshake_sec, 100);
	assert_int_equal(s.peer[2].handshake_sec, 0);
	show_free(&s);
}

static void bad_answers(void **state)
{
	struct show_iface s;
	char line[64];

	(void)state;
	show_init(&s, "wg0");
	/* The daemon's error, as UAPI writes it (negated), and unsigned. */
	assert_int_equal(feed(&s, "errno=-22\n"), -EINVAL);
	assert_int_equal(feed(&s, "errno=5\n"), -EIO);
	strcpy(line, "no equals sign");
	assert_int_equal(show_parse_line(&s, line), -EPROTO);
	strcpy(line, "=1");
	assert_int_equal(show_parse_line(&s, line), -EPROTO);
	assert_int_equal(feed(&s, "listen_port=65536\n"), -EPROTO);
	assert_int_equal(feed(&s, "listen_port=-1\n"), -EPROTO);
	assert_int_equal(feed(&s, "drop_mac1=18446744073709551616\n"), -EPROTO);
	assert_int_equal(feed(&s, "under_load=maybe\n"), -EPROTO);
	assert_int_equal(feed(&s, "data_crypto=rot13\n"), -EPROTO);
	assert_int_equal(feed(&s, "data_crypto=ipsec-mb\x1b[2J\n"), -EPROTO);
	assert_int_equal(feed(&s, "public_key=abc\n"), -EPROTO);
	assert_int_equal(feed(&s, "errno=x\n"), -EPROTO);
	assert_int_equal(s.npeers, 0);
	assert_int_equal(feed(&s, "public_key=" BOB_HEX "\nrx_bytes=1x\n"), -EPROTO);
	show_free(&s);
}

/* Feeds one line, copied so show_parse_line may edit it. */
static int feed_one(struct show_iface *s, const char *text)
{
	char line[512];

	snprintf(line, sizeof(line), "%s", text);
	return show_parse_line(s, line);
}

/* What show_print writes for s; the caller frees it. */
static char *printed(struct show_iface *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	assert_non_null(f);
	show_print(f, s, 1000);
	fclose(f);
	return out;
}

/* Printable ASCII and newlines only: no escape sequence, no C1 control, no raw byte. */
static void assert_terminal_safe(const char *out, const char *what)
{
	for (const unsigned char *c = (const unsigned char *)out; *c; c++)
		if (*c != '\n' && (*c < 0x20 || *c >= 0x7f))
			fail_msg("%s: byte 0x%02x printed at offset %zu of:\n%s", what, *c,
				 (size_t)((const char *)c - out), out);
}

/* A misbehaving daemon (a --user daemon taken over through its input still holds root's
 * socket) puts terminal escapes in every value adit show prints. Each such value must be
 * refused (addresses, endpoints, words of a fixed vocabulary) and nothing of it printed. */
static void control_bytes_never_printed(void **state)
{
	static const struct {
		const char *before, *bad;
	} cases[] = {
		{ "", "client=\x1b[2J10.9.0.5:40000" },
		{ "", "server=10.9.0.11:9090\x1b]0;owned\x07" },
		{ "public_key=" BOB_HEX, "endpoint=\x1b[31m192.0.2.1:51820" },
		{ "public_key=" BOB_HEX, "endpoint=[fd00::1]:51820\r\x1b[K" },
		{ "client=10.9.0.5:40000", "inner=\x1b[8m" },
		{ "client=10.9.0.5:40000", "inner=aa:bb:cc:dd:ee:ff\x1b" },
		{ "public_key=" BOB_HEX, "allowed_ip=10.0.0.2/32\x1b[0m" },
		{ "", "mode=server\x1b[0m" },
		{ "", "mode=\x9b" "2J" },
		{ "", "listen=0.0.0.0:9090\r\x1b[K" },
		{ "", "tun_offloads=csum\x1b[1m tso4" },
		{ "", "udp4_offloads=\x9b" "2J" },
		{ "", "udp6_offloads=gso\x07" },
		{ "", "udp_offloads=off \x1b" },
	};
	struct show_iface s;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		show_init(&s, "wg0");
		if (cases[i].before[0])
			assert_int_equal(feed_one(&s, cases[i].before), 0);
		assert_int_equal(feed_one(&s, cases[i].bad), -EPROTO);
		out = printed(&s);
		assert_terminal_safe(out, cases[i].bad);
		free(out);
		show_free(&s);
	}
	/* A drop counter's key is kept (a newer adit may count more), escaped. */
	show_init(&s, "wg0");
	assert_int_equal(feed(&s, "drop_\x1b[2Jx\\=5\npublic_key=" BOB_HEX "\n"
				  "io_drop_\x9b" "1m=6\nerrno=0\n"), 1);
	out = printed(&s);
	assert_terminal_safe(out, "drop keys");
	assert_non_null(strstr(out, "    5 \\x1b[2Jx\\x5c\n"));
	assert_non_null(strstr(out, "    6 \\x9b1m\n"));
	free(out);
	show_free(&s);
}

/* Valid values are printed back by adit's own printer, in its canonical form. */
static void values_reprinted(void **state)
{
	struct show_iface s;
	char *out;

	(void)state;
	show_init(&s, "tap0");
	assert_int_equal(feed(&s, "mode=client\nlisten=:9090\n"
				  "tun_offloads=tso4 csum\nudp_offloads=gro gso\n"
				  "server=[fd00:0::1]:9090\n"
				  "client=[fe80::1%3]:40000\ninner=02:00:00:AA:bb:01\ninner=fd00:0::5\n"
				  "errno=0\n"), 1);
	out = printed(&s);
	assert_string_equal(out,
		"interface: tap0\n"
		"  mode: lab client (plaintext)\n"
		"  listening on: 0.0.0.0:9090\n"
		"  offloads: TUN csum tso4; UDP gso gro\n"
		"\n"
		"server: [fd00::1]:9090\n"
		"\n"
		"client: [fe80::1%3]:40000\n"
		"  inner addresses: 02:00:00:aa:bb:01, fd00::5\n");
	free(out);
	show_free(&s);
	show_init(&s, "wg0");
	/* A word twice, an empty set, a prefix where an address goes, and the reverse. */
	assert_int_equal(feed_one(&s, "tun_offloads=csum csum"), -EPROTO);
	assert_int_equal(feed_one(&s, "udp_offloads="), -EPROTO);
	assert_int_equal(feed_one(&s, "listen=example.org:9090"), -EPROTO);
	assert_int_equal(feed_one(&s, "client=10.9.0.5:40000"), 0);
	assert_int_equal(feed_one(&s, "inner=10.0.0.1/24"), -EPROTO);
	assert_int_equal(feed_one(&s, "public_key=" BOB_HEX), 0);
	assert_int_equal(feed_one(&s, "allowed_ip=10.0.0.1"), -EPROTO);
	show_free(&s);
}

/* An answer past adit show's limits: peers and addresses past them are counted and said,
 * and the answer is refused past SHOW_MAX_LINES lines. */
static void huge_answer_capped(void **state)
{
	struct show_iface s;
	char *out, *at;
	size_t peers = 0;

	(void)state;
	/* The limits a daemon's answer meets, as documented... */
	show_init(&s, "wg0");
	assert_int_equal(s.max_peers, SHOW_MAX_PEERS);
	assert_int_equal(s.max_addrs, SHOW_MAX_ADDRS);
	assert_int_equal(s.max_lines, SHOW_MAX_LINES);
	show_free(&s);
	/* ... each enforced, seen at a lower value: millions of lines took minutes under
	 * AddressSanitizer, the longest job of make check. */
	show_init(&s, "wg0");
	s.max_peers = 500;
	for (size_t i = 0; i < s.max_peers + 3; i++) {
		assert_int_equal(feed_one(&s, "public_key=" BOB_HEX), 0);
		assert_int_equal(feed_one(&s, "allowed_ip=10.0.0.1/32"), 0);
	}
	assert_int_equal(feed_one(&s, "errno=0"), 1);
	out = printed(&s);
	for (at = out; (at = strstr(at, "\npeer: ")); at++)
		peers++;
	assert_int_equal(peers, s.max_peers);
	assert_non_null(strstr(out, "(3 more peers not shown: adit show prints at most 500)"));
	free(out);
	show_free(&s);

	show_init(&s, "wg0");
	s.max_addrs = 4000;
	assert_int_equal(feed_one(&s, "public_key=" BOB_HEX), 0);
	for (size_t i = 0; i < s.max_addrs + 5; i++)
		assert_int_equal(feed_one(&s, "allowed_ip=fd00::1/128"), 0);
	assert_int_equal(s.peer[0].addrs.n, s.max_addrs);
	assert_int_equal(s.peer[0].addrs.left_out, 5);
	show_free(&s);

	show_init(&s, "wg0");
	s.max_lines = 20000;
	for (size_t i = 1; i < s.max_lines; i++)
		assert_int_equal(feed_one(&s, "a_key_from_a_newer_adit=1"), 0);
	assert_int_equal(feed_one(&s, "a_key_from_a_newer_adit=1"), 0);
	assert_int_equal(feed_one(&s, "errno=0"), -EFBIG);
	show_free(&s);
}

/* A peer's list of N allowed IPs (or a lab client's N inner addresses) is built with a
 * number of reallocations that grows as log N, not N: every entry is copied O(1) times. */
static void address_list_built_in_linear_time(void **state)
{
	static const char *const first[] = { "public_key=" BOB_HEX, "client=10.9.0.5:40000" };
	static const char *const key[] = { "allowed_ip", "inner" }, *const plen[] = { "/24", "" };
	char line[64];
	struct show_iface s;
	size_t n = 20000, before;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		show_init(&s, "wg0");
		assert_int_equal(feed_one(&s, first[k]), 0);
		before = reallocs;
		for (size_t i = 0; i < n; i++) {
			snprintf(line, sizeof(line), "%s=10.%zu.%zu.0%s", key[k], i >> 8, i & 255,
				 plen[k]);
			assert_int_equal(feed_one(&s, line), 0);
		}
		/* Doubling from 4: 13 reallocations reach 32768 >= 20000. */
		assert_in_range(reallocs - before, 1, 16);
		show_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_in_wg_units),
		cmocka_unit_test(durations_in_wg_words),
		cmocka_unit_test(wg_answer_printed),
		cmocka_unit_test(path_mtu_printed),
		cmocka_unit_test(tun_tap_and_client_printed),
		cmocka_unit_test(lab_answer_printed),
		cmocka_unit_test(peers_sorted_by_handshake),
		cmocka_unit_test(bad_answers),
		cmocka_unit_test(control_bytes_never_printed),
		cmocka_unit_test(values_reprinted),
		cmocka_unit_test(huge_answer_capped),
		cmocka_unit_test(address_list_built_in_linear_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
