/* The UAPI text protocol (wireguard.com/xplatform) as wg(8) speaks it: requests are fed to
 * a uapi_session from memory and the answers compared with text written by hand from the
 * protocol's description and wireguard-go's get output order. Keys are RFC 7748 §6.1 vectors:
 * the device's private key is Alice's (clamped, so any implementation prints it unchanged),
 * whose public key is then known without running our code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wg/allowedips.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/peer.h"
#include "wg/uapi.h"

#define OWN_PRIV "70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a"
#define OWN_PUB "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define PEER1 "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define PEER2 "0cc94cb65e74bb79a57fecc120ece88484da0178a653bc0ca07cee8a032bb552"
#define PSK "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"

/* A peer that was only created: no endpoint, no keepalive, nothing counted. */
#define FRESH "protocol_version=1\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\n" \
	      "tx_bytes=0\nrx_bytes=0\n"

static struct wg_device *dev;

static int setup(void **state)
{
	(void)state;
	dev = calloc(1, sizeof(*dev));
	if (!dev || device_setup(dev, false) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	device_close(dev);
	free(dev);
	return 0;
}

/* A session fed the len bytes of request, a few at a time (so lines arrive in pieces), its
 * replies read out in UAPI_OUTPUT_MIN slices; returns what it wrote and, in *done, how many
 * requests it answered. */
static char *talk_n(const char *request, size_t len, int *done)
{
	static struct uapi_session s;
	char *buf = NULL, slice[UAPI_OUTPUT_MIN];
	size_t size = 0, off = 0, n;
	FILE *out = open_memstream(&buf, &size);

	assert_non_null(out);
	uapi_session_start(&s, dev);
	while (s.phase != UAPI_CLOSED) {
		while (s.phase == UAPI_REPLY) {
			n = uapi_session_output(&s, slice, sizeof(slice));
			assert_true(n > 0 || s.phase != UAPI_REPLY);
			fwrite(slice, 1, n, out);
		}
		if (off == len)
			break;
		n = len - off < 7 ? len - off : 7;
		off += uapi_session_input(&s, request + off, n);
	}
	*done = (int)s.requests;
	uapi_session_end(&s);
	fclose(out);
	return buf;
}

static void expect(const char *request, const char *response, int requests)
{
	int done;
	char *got = talk_n(request, strlen(request), &done);

	assert_string_equal(got, response);
	assert_int_equal(done, requests);
	free(got);
}

static void unhex(uint8_t key[32], const char *hex)
{
	unsigned int i, b;

	for (i = 0; i < 32; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		key[i] = (uint8_t)b;
	}
}

static struct wg_peer *peer(const char *hex)
{
	uint8_t key[32];

	unhex(key, hex);
	return pubkey_table_find(&dev->peers_by_key, key);
}

static struct wg_peer *route(int family, const char *addr)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, addr, a), 1);
	return allowedips_lookup(&dev->allowedips, family, a);
}

static void get_on_empty_device(void **state)
{
	(void)state;
	expect("get=1\n\n", "errno=0\n\n", 1);
}

static void private_key_then_get(void **state)
{
	uint8_t pub[32];

	(void)state;
	expect("set=1\nprivate_key=" OWN_PRIV "\n\n", "errno=0\n\n", 1);
	unhex(pub, OWN_PUB);
	assert_true(dev->identity.has_identity);
	assert_memory_equal(dev->identity.public_key, pub, 32);
	/* listen_port 0 (not bound) and fwmark 0 are not printed. */
	expect("get=1\n\n", "private_key=" OWN_PRIV "\nerrno=0\n\n", 1);
	/* An all-zero key removes the identity. */
	expect("set=1\nprivate_key=" ZERO "\n\nget=1\n\n", "errno=0\n\nerrno=0\n\n", 2);
	assert_false(dev->identity.has_identity);
}

static void fwmark_set_and_cleared(void **state)
{
	(void)state;
	expect("set=1\nfwmark=51820\n\nget=1\n\n", "errno=0\n\nfwmark=51820\nerrno=0\n\n", 2);
	expect("set=1\nfwmark=0\n\nget=1\n\n", "errno=0\n\nerrno=0\n\n", 2);
	expect("set=1\nfwmark=7\n\nset=1\nfwmark=\n\nget=1\n\n",
	       "errno=0\n\nerrno=0\n\nerrno=0\n\n", 3);
}

static const char two_peers[] = "set=1\n"
				"private_key=" OWN_PRIV "\n"
				"public_key=" PEER1 "\n"
				"preshared_key=" PSK "\n"
				"endpoint=192.0.2.1:51820\n"
				"allowed_ip=10.0.0.2/32\n"
				"allowed_ip=10.0.1.7/24\n"
				"public_key=" PEER2 "\n"
				"protocol_version=1\n"
				"endpoint=[2001:db8::1]:51821\n"
				"persistent_keepalive_interval=25\n"
				"allowed_ip=fd00::2/128\n"
				"allowed_ip=0.0.0.0/0\n"
				"\n";

static void two_peers_full_config(void **state)
{
	(void)state;
	expect(two_peers, "errno=0\n\n", 1);
	expect("get=1\n\n",
	       "private_key=" OWN_PRIV "\n"
	       "public_key=" PEER1 "\n"
	       "preshared_key=" PSK "\n"
	       "protocol_version=1\n"
	       "endpoint=192.0.2.1:51820\n"
	       "last_handshake_time_sec=0\n"
	       "last_handshake_time_nsec=0\n"
	       "tx_bytes=0\n"
	       "rx_bytes=0\n"
	       "persistent_keepalive_interval=0\n"
	       "allowed_ip=10.0.0.2/32\n"
	       "allowed_ip=10.0.1.0/24\n"
	       "public_key=" PEER2 "\n"
	       "preshared_key=" ZERO "\n"
	       "protocol_version=1\n"
	       "endpoint=[2001:db8::1]:51821\n"
	       "last_handshake_time_sec=0\n"
	       "last_handshake_time_nsec=0\n"
	       "tx_bytes=0\n"
	       "rx_bytes=0\n"
	       "persistent_keepalive_interval=25\n"
	       "allowed_ip=fd00::2/128\n"
	       "allowed_ip=0.0.0.0/0\n"
	       "errno=0\n\n",
	       1);
	assert_int_equal(dev->peer_count, 2);
	assert_ptr_equal(route(AF_INET, "10.0.1.99"), peer(PEER1));
	assert_ptr_equal(route(AF_INET, "198.51.100.1"), peer(PEER2));
	assert_ptr_equal(route(AF_INET6, "fd00::2"), peer(PEER2));
	assert_null(route(AF_INET6, "fd00::3"));
	assert_int_equal(peer(PEER2)->persistent_keepalive_interval, 25);
}

/* adit-show=1: get's lines without the secrets, plus the drops of the device and of each
 * peer (zeros left out) and the device's state. The answer is written by hand from the
 * protocol described at the top of uapi.c. */
static void adit_show_without_secrets(void **state)
{
	char *before, *got;
	int done;

	(void)state;
	expect(two_peers, "errno=0\n\n", 1);
	before = talk_n("get=1\n\n", 7, &done);
	drops_count(&dev->drops, WG_DROP_MALFORMED, NULL, NULL);
	drops_count(&dev->drops, WG_DROP_MALFORMED, NULL, NULL);
	drops_count(&dev->drops, WG_DROP_REPLAY, peer(PEER2), NULL);
	dev->udp_stats.drops[IO_DROP_UDP_TRUNCATED] = 3;
	assert_true(crypto_aead_choose("openssl")); /* the one every machine has */
	expect("adit-show=1\n\n",
	       "own_public_key=" OWN_PUB "\n"
	       "under_load=false\n"
	       "data_crypto=openssl\n"
	       "drop_malformed=2\n"
	       "drop_replay=1\n"
	       "io_drop_udp_truncated=3\n"
	       "public_key=" PEER1 "\n"
	       "has_preshared_key=true\n"
	       "endpoint=192.0.2.1:51820\n"
	       "last_handshake_time_sec=0\n"
	       "last_handshake_time_nsec=0\n"
	       "tx_bytes=0\n"
	       "rx_bytes=0\n"
	       "persistent_keepalive_interval=0\n"
	       "path_mtu=0\n"
	       "path_mtu_how=not-yet\n"
	       "allowed_ip=10.0.0.2/32\n"
	       "allowed_ip=10.0.1.0/24\n"
	       "public_key=" PEER2 "\n"
	       "endpoint=[2001:db8::1]:51821\n"
	       "last_handshake_time_sec=0\n"
	       "last_handshake_time_nsec=0\n"
	       "tx_bytes=0\n"
	       "rx_bytes=0\n"
	       "persistent_keepalive_interval=25\n"
	       "path_mtu=0\n"
	       "path_mtu_how=not-yet\n"
	       "drop_replay=1\n"
	       "allowed_ip=fd00::2/128\n"
	       "allowed_ip=0.0.0.0/0\n"
	       "errno=0\n\n",
	       1);
	/* A body is refused as get's is; get=1 (checked in two_peers_full_config) is unchanged by
	 * the counters. */
	expect("adit-show=1\nx=1\n\n", "errno=-22\n\n", 1);
	got = talk_n("get=1\n\n", 7, &done);
	assert_string_equal(got, before);
	free(got);
	free(before);
}

static void scoped_ipv6_endpoint(void **state)
{
	char want[128];

	(void)state;
	expect("set=1\npublic_key=" PEER1 "\nendpoint=[fe80::1%3]:51820\n\n", "errno=0\n\n", 1);
	assert_int_equal(peer(PEER1)->endpoint.addr.in6.sin6_scope_id, 3);
	expect("get=1\n\n",
	       "public_key=" PEER1 "\npreshared_key=" ZERO "\nprotocol_version=1\n"
	       "endpoint=[fe80::1%3]:51820\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\n"
	       "tx_bytes=0\nrx_bytes=0\npersistent_keepalive_interval=0\nerrno=0\n\n",
	       1);
	/* wg sends the scope as getnameinfo writes it: an interface name. */
	expect("set=1\npublic_key=" PEER1 "\nendpoint=[fe80::2%lo]:1\n\n", "errno=0\n\n", 1);
	assert_int_equal(peer(PEER1)->endpoint.addr.in6.sin6_scope_id, if_nametoindex("lo"));
	snprintf(want, sizeof(want), "endpoint=[fe80::2%%%u]:1\n", if_nametoindex("lo"));
	{
		int done;
		char *got = talk_n("get=1\n\n", 7, &done);

		assert_non_null(strstr(got, want));
		free(got);
	}
}

static void replace_allowed_ips(void **state)
{
	(void)state;
	expect("set=1\npublic_key=" PEER1 "\nallowed_ip=10.0.0.2/32\nallowed_ip=10.0.3.0/24\n\n"
	       "set=1\npublic_key=" PEER1 "\nreplace_allowed_ips=true\nallowed_ip=10.9.0.0/16\n\n"
	       "get=1\n\n",
	       "errno=0\n\nerrno=0\n\n"
	       "public_key=" PEER1 "\npreshared_key=" ZERO "\n" FRESH
	       "persistent_keepalive_interval=0\nallowed_ip=10.9.0.0/16\nerrno=0\n\n",
	       3);
	assert_null(route(AF_INET, "10.0.0.2"));
	assert_ptr_equal(route(AF_INET, "10.9.1.1"), peer(PEER1));
}

static void remove_peer(void **state)
{
	(void)state;
	expect(two_peers, "errno=0\n\n", 1);
	/* What follows remove=true for that peer is checked but not applied. */
	expect("set=1\npublic_key=" PEER1 "\nremove=true\nallowed_ip=10.7.0.0/16\n\n",
	       "errno=0\n\n", 1);
	assert_null(peer(PEER1));
	assert_int_equal(dev->peer_count, 1);
	/* Only PEER2's 0.0.0.0/0 covers PEER1's old addresses now. */
	assert_ptr_equal(route(AF_INET, "10.0.0.2"), peer(PEER2));
	assert_ptr_equal(route(AF_INET, "10.0.1.1"), peer(PEER2));
	expect("get=1\n\n",
	       "private_key=" OWN_PRIV "\npublic_key=" PEER2 "\npreshared_key=" ZERO "\n"
	       "protocol_version=1\nendpoint=[2001:db8::1]:51821\nlast_handshake_time_sec=0\n"
	       "last_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n"
	       "persistent_keepalive_interval=25\nallowed_ip=fd00::2/128\nallowed_ip=0.0.0.0/0\n"
	       "errno=0\n\n",
	       1);
}

static void update_only(void **state)
{
	(void)state;
	expect("set=1\npublic_key=" PEER1 "\nupdate_only=true\nallowed_ip=10.0.0.1/32\n\n",
	       "errno=0\n\n", 1);
	assert_int_equal(dev->peer_count, 0);
	assert_null(peer(PEER1));
	assert_null(route(AF_INET, "10.0.0.1"));
	/* A peer that exists is updated. */
	expect("set=1\npublic_key=" PEER1 "\n\n"
	       "set=1\npublic_key=" PEER1 "\nupdate_only=true\npersistent_keepalive_interval=5\n\n",
	       "errno=0\n\nerrno=0\n\n", 2);
	assert_non_null(peer(PEER1));
	assert_int_equal(peer(PEER1)->persistent_keepalive_interval, 5);
}

static void replace_peers(void **state)
{
	(void)state;
	expect(two_peers, "errno=0\n\n", 1);
	expect("set=1\nreplace_peers=true\npublic_key=" PEER2 "\nallowed_ip=10.5.0.0/16\n\n"
	       "get=1\n\n",
	       "errno=0\n\n"
	       "private_key=" OWN_PRIV "\npublic_key=" PEER2 "\npreshared_key=" ZERO "\n" FRESH
	       "persistent_keepalive_interval=0\nallowed_ip=10.5.0.0/16\nerrno=0\n\n",
	       2);
	assert_int_equal(dev->peer_count, 1);
	assert_null(route(AF_INET, "10.0.0.2"));
	/* replace_peers with no peers after it empties the device. */
	expect("set=1\nreplace_peers=true\n\nget=1\n\n",
	       "errno=0\n\nprivate_key=" OWN_PRIV "\nerrno=0\n\n", 2);
	assert_int_equal(dev->peer_count, 0);
}

static void own_public_key_is_ignored(void **state)
{
	(void)state;
	expect("set=1\nprivate_key=" OWN_PRIV "\npublic_key=" OWN_PUB "\nallowed_ip=10.0.0.1/32\n"
	       "endpoint=192.0.2.9:9\n\n",
	       "errno=0\n\n", 1);
	assert_int_equal(dev->peer_count, 0);
	assert_null(route(AF_INET, "10.0.0.1"));
	/* ...but its lines are still checked. */
	expect("set=1\npublic_key=" OWN_PUB "\nallowed_ip=10.0.0.1/33\n\n", "errno=-22\n\n", 1);
}

/* A bad device line: EINVAL, nothing after it applied, and the connection still in step. */
static void bad_device_values(void **state)
{
	static const char *const bad[] = {
		("private_key=0" OWN_PUB), /* 65 digits */
		"private_key=8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6",
		"private_key=g520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"private_key=",
		"listen_port=70000",
		"listen_port=65536",
		"listen_port=-1",
		"listen_port=+5",
		"listen_port=",
		"listen_port=0x10",
		"fwmark=4294967296",
		"fwmark=99999999999999999999999",
		"fwmark= 1",
		"replace_peers=false",
		"replace_peers=",
		"protocol_version=1", /* a peer's key */
		"persistent_keepalive_interval=5",
		"frobnicate=1",
		"=",
	};
	char req[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		snprintf(req, sizeof(req), "set=1\n%s\nprivate_key=" OWN_PRIV "\n\nget=1\n\n",
			 bad[i]);
		expect(req, "errno=-22\n\nerrno=0\n\n", 2);
		assert_false(dev->identity.has_identity);
	}
}

/* A bad peer line: EINVAL, the allowed IP after it not applied, the connection in step. */
static void bad_peer_values(void **state)
{
	static const char *const bad[] = {
		("public_key=" PEER2 "0"),
		"public_key=xyz",
		("preshared_key=" PSK "ff"),
		"preshared_key=z00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"allowed_ip=10.0.0.0/33",
		"allowed_ip=fd00::/129",
		"allowed_ip=10.0.0.1",
		"allowed_ip=10.0.0.256/32",
		"allowed_ip=10.0.0.0/-1",
		"allowed_ip=10.0.0.0/ 8",
		"allowed_ip=10.0.0.0/",
		"allowed_ip=/8",
		"allowed_ip=fe80::1%lo/64",
		"endpoint=192.0.2.1:70000",
		"endpoint=192.0.2.1",
		"endpoint=192.0.2.1:",
		"endpoint=2001:db8::1:80",
		"endpoint=[2001:db8::1]80",
		"endpoint=[2001:db8::1:80",
		"endpoint=[192.0.2.1]:80",
		"endpoint=example.com:80",
		"endpoint=[fe80::1%]:80",
		"endpoint=[fe80::1%no-such-if0]:80",
		"endpoint=",
		"persistent_keepalive_interval=65536",
		"persistent_keepalive_interval=+5",
		"persistent_keepalive_interval=",
		"protocol_version=2",
		"protocol_version=0",
		"protocol_version=",
		"remove=1",
		"update_only=yes",
		"replace_allowed_ips=false",
		("private_key=" OWN_PRIV), /* a device key */
		"listen_port=1",
		"frobnicate=1",
	};
	char req[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int done;
		char *got;

		print_message("%s\n", bad[i]);
		snprintf(req, sizeof(req),
			 "set=1\npublic_key=" PEER1 "\n%s\nallowed_ip=10.0.0.1/32\n\nget=1\n\n", bad[i]);
		got = talk_n(req, strlen(req), &done);
		assert_int_equal(done, 2);
		assert_true(!strncmp(got, "errno=-22\n\n", 11));
		assert_true(strlen(got) > 20 && !strcmp(got + strlen(got) - 9, "errno=0\n\n"));
		free(got);
		assert_null(route(AF_INET, "10.0.0.1"));
		assert_false(dev->identity.has_identity);
	}
}

/* Lines that break the protocol itself answer EPROTO; the rest of the request is dropped. */
static void protocol_errors(void **state)
{
	static const char nul[] = "set=1\nprivate_key=" OWN_PRIV "\0\n\nget=1\n\n";
	char *req, *got;
	size_t n = 0;
	int done;

	(void)state;
	/* get carries nothing before its empty line. */
	expect("get=1\nprivate_key=" OWN_PRIV "\n\nget=1\n\n", "errno=-22\n\nerrno=0\n\n", 2);
	expect("set=1\nprivate_key\nprivate_key=" OWN_PRIV "\n\nget=1\n\n",
	       "errno=-71\n\nerrno=0\n\n", 2);
	got = talk_n(nul, sizeof(nul) - 1, &done);
	assert_string_equal(got, "errno=-71\n\nerrno=0\n\n");
	assert_int_equal(done, 2);
	free(got);

	/* A line past 4096 bytes. */
	req = malloc(6000);
	assert_non_null(req);
	n += (size_t)sprintf(req, "set=1\npublic_key=" PEER1 "\nallowed_ip=");
	memset(req + n, '1', 5000);
	n += 5000;
	strcpy(req + n, "\nallowed_ip=10.0.0.1/32\n\nget=1\n\n");
	got = talk_n(req, strlen(req), &done);
	assert_true(!strncmp(got, "errno=-71\n\n", 11));
	assert_int_equal(done, 2);
	assert_null(route(AF_INET, "10.0.0.1"));
	free(got);
	free(req);
}

/* An unknown operation or a request cut short ends the connection without an answer. */
static void broken_requests_end_the_connection(void **state)
{
	(void)state;
	expect("hello=1\n\nget=1\n\n", "", 0);
	expect("get=2\n\n", "", 0);
	expect("\nget=1\n\n", "", 0);
	expect("get=1\n", "", 0);
	expect("set=1\nprivate_key=" OWN_PRIV, "", 0);
	assert_false(dev->identity.has_identity);
	expect("get=1\n\nset=1\n", "errno=0\n\n", 1);
}

/* Calls the connection's watch as the loop would, until the server hangs up or n times. */
static void wake(struct ctlserver *srv, int n)
{
	for (int i = 0; i < n && srv->conn; i++)
		srv->conn_watch.ready(srv->conn_watch.ctx);
}

/* The server over a socket pair: requests one after another, answers in order, and the
 * connection closed when the client stops sending. */
static void serve_a_connection(void **state)
{
	static const char req[] = "set=1\nprivate_key=" OWN_PRIV "\n\nget=1\n\n";
	static const char want[] = "errno=0\n\nprivate_key=" OWN_PRIV "\nerrno=0\n\n";
	struct ctlserver srv;
	char buf[256];
	size_t got = 0;
	ssize_t n;
	int sv[2];

	(void)state;
	assert_int_equal(loop_init(&dev->loop), 0);
	assert_int_equal(uapi_server_start(&srv, dev, &dev->loop, -1), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], req, sizeof(req) - 1), (ssize_t)(sizeof(req) - 1));
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(ctlserver_attach(&srv, sv[1]), 0);
	wake(&srv, 10);
	assert_null(srv.conn);
	while ((n = read(sv[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	assert_string_equal(buf, want);
	close(sv[0]);
	ctlserver_stop(&srv);
}

/* A set the server cuts midway (its client went idle) is answered errno=-110, ETIMEDOUT
 * negated as every errno here, and the log can say how far it got; a session between two
 * requests has nothing to be told. */
static void set_cut_midway(void **state)
{
	static const char req[] = "set=1\nprivate_key=" OWN_PRIV "\npublic_key=" PEER1 "\n";
	static struct uapi_session s;
	char buf[UAPI_OUTPUT_MIN], where[160];

	(void)state;
	uapi_session_start(&s, dev);
	uapi_session_describe(&s, where, sizeof(where));
	assert_string_equal(where, "waiting for a request (0 answered)");
	assert_int_equal(uapi_session_cut(&s, buf, sizeof(buf)), 0);
	assert_int_equal(uapi_session_input(&s, req, sizeof(req) - 1), sizeof(req) - 1);
	uapi_session_describe(&s, where, sizeof(where));
	assert_string_equal(where, "in a set, 2 lines read, 1 peers");
	assert_int_equal(uapi_session_cut(&s, buf, sizeof(buf)), strlen("errno=-110\n\n"));
	assert_memory_equal(buf, "errno=-110\n\n", strlen("errno=-110\n\n"));
	assert_int_equal(s.phase, UAPI_CLOSED);
	assert_non_null(peer(PEER1)); /* what came before the cut stays applied */
	uapi_session_end(&s);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A dump bigger than the socket can hold, to a client that reads late: the server never
 * blocks, each wake-up sends a bounded slice, and the whole dump arrives intact. */
static void big_dump_in_slices(void **state)
{
	const unsigned int peers = 4000;
	struct ctlserver srv;
	uint8_t pub[32], a4[4] = { 10, 0, 0, 0 }, a6[16] = { 0xfd };
	size_t size = 0, cap = 16 << 20;
	char *all = malloc(cap);
	int sv[2], queued = 0, last, wakes = 0, max_slice = 0;
	ssize_t n;

	(void)state;
	assert_non_null(all);
	for (unsigned int i = 0; i < peers; i++) {
		struct wg_peer *p;

		memset(pub, 0x33, sizeof(pub));
		memcpy(pub, &i, sizeof(i));
		p = device_add_peer(dev, pub);
		assert_non_null(p);
		memcpy(a4 + 1, &i, 3);
		memcpy(a6 + 12, &i, 4);
		assert_int_equal(peer_add_allowed_ip(p, AF_INET, a4, 32), 0);
		assert_int_equal(peer_add_allowed_ip(p, AF_INET6, a6, 128), 0);
	}
	assert_int_equal(loop_init(&dev->loop), 0);
	assert_int_equal(uapi_server_start(&srv, dev, &dev->loop, -1), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "get=1\n\n", 7), 7);
	assert_int_equal(ctlserver_attach(&srv, sv[1]), 0);
	/* The server asked for a 1 MiB send buffer; a small one makes this dump (1.3 MB) far
	 * bigger than the socket holds without a test of 15,000 peers. */
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &(int){ 65536 }, sizeof(int)), 0);

	/* Unread, the reply stops at what the socket holds, a bounded slice per wake-up, and
	 * the calls return all the same. */
	do {
		last = queued;
		wake(&srv, 1);
		assert_int_equal(ioctl(sv[0], FIONREAD, &queued), 0);
		if (queued - last > max_slice)
			max_slice = queued - last;
		assert_true(++wakes < 1000);
	} while (queued > last);
	assert_non_null(srv.conn);
	assert_true(queued > 0 && queued < 1 << 20);
	for (;;) {
		n = recv(sv[0], all + size, cap - size, MSG_DONTWAIT);
		if (n > 0) {
			size += (size_t)n;
			if (size >= 9 && !memcmp(all + size - 9, "errno=0\n\n", 9))
				break;
			continue;
		}
		assert_true(++wakes < 10000);
		wake(&srv, 1);
		assert_int_equal(ioctl(sv[0], FIONREAD, &queued), 0);
		if (queued > max_slice)
			max_slice = queued;
	}
	assert_non_null(srv.conn); /* the connection stays for the next request */
	all[size] = '\0';
	assert_int_equal(count(all, "public_key="), peers);
	assert_int_equal(count(all, "allowed_ip=10."), peers);
	assert_int_equal(count(all, "allowed_ip=fd00::"), peers);
	assert_int_equal(count(all, "errno="), 1);
	/* One wake-up formats a few buffers' worth, far less than the whole 1.3 MB. */
	assert_true(max_slice <= 5 * 65536);
	print_message("dump of %u peers: %zu bytes, %d wake-ups, at most %d bytes per wake-up\n",
		      peers, size, wakes, max_slice);
	close(sv[0]);
	ctlserver_stop(&srv);
	free(all);
}

/* adit_probe_address, adit's own key (adit probe-address): an address names where a
 * peer's path-MTU probes go, auto goes back to its allowed IPs; anything else is refused,
 * and so is a key that names no peer (update_only: none is created). */
static void probe_address_set_and_refused(void **state)
{
	(void)state;
	expect(two_peers, "errno=0\n\n", 1);
	expect("set=1\npublic_key=" PEER1 "\nadit_probe_address=10.0.1.7\n\n", "errno=0\n\n", 1);
	assert_true(peer(PEER1)->pmtu.named);
	assert_int_equal(peer(PEER1)->pmtu.named_family, AF_INET);
	expect("set=1\npublic_key=" PEER1 "\nadit_probe_address=auto\n\n", "errno=0\n\n", 1);
	assert_false(peer(PEER1)->pmtu.named);
	expect("set=1\npublic_key=" PEER1 "\nadit_probe_address=10.0.1\n\n", "errno=-22\n\n", 1);
	expect("set=1\npublic_key=" PEER1 "\nadit_probe_address=\n\n", "errno=-22\n\n", 1);
	assert_false(peer(PEER1)->pmtu.named);
	expect("set=1\npublic_key=" ZERO "\nupdate_only=true\nadit_probe_address=10.0.1.7\n\n",
	       "errno=-2\n\n", 1);
	assert_null(peer(ZERO));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(get_on_empty_device, setup, teardown),
		cmocka_unit_test_setup_teardown(private_key_then_get, setup, teardown),
		cmocka_unit_test_setup_teardown(fwmark_set_and_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(two_peers_full_config, setup, teardown),
		cmocka_unit_test_setup_teardown(probe_address_set_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(adit_show_without_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(scoped_ipv6_endpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_allowed_ips, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(update_only, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(own_public_key_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_device_values, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_peer_values, setup, teardown),
		cmocka_unit_test_setup_teardown(protocol_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_requests_end_the_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(serve_a_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(set_cut_midway, setup, teardown),
		cmocka_unit_test_setup_teardown(big_dump_in_slices, setup, teardown),
	};

	if (!crypto_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
