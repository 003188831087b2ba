/* Command-line parsing of the lab commands: good input fills the options, bad input is
 * refused with exit status 2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "lab/opts.h"

#define PARSE(o, cmd, ...)                                                                  \
	({                                                                                  \
		char *argv_[] = { "cmd", __VA_ARGS__, NULL };                               \
		opts_parse(o, cmd, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_);     \
	})

static void client_full_command_line(void **state)
{
	struct lab_opts o;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&o.server.ss;
	const uint8_t addr[4] = { 192, 168, 53, 99 }, net[4] = { 192, 168, 60, 0 };

	(void)state;
	assert_true(PARSE(&o, CMD_CLIENT, "10.9.0.11:9090", "-n", "qiu%d", "-a",
			       "192.168.53.99/24", "-r", "192.168.60.0/24", "-r", "192.168.50.0/24",
			       "-p", "9090", "--mtu", "1400", "-q"));
	assert_string_equal(o.name, "qiu%d");
	assert_int_equal(o.naddrs, 1);
	assert_int_equal(o.addrs[0].family, AF_INET);
	assert_memory_equal(o.addrs[0].addr, addr, 4);
	assert_int_equal(o.addrs[0].plen, 24);
	assert_int_equal(o.nroutes, 2);
	assert_memory_equal(o.routes[0].addr, net, 4);
	assert_int_equal(o.local_port, 9090);
	assert_int_equal(o.mtu, 1400);
	assert_true(o.quiet);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 9090);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x0a09000b);
}

static void defaults(void **state)
{
	struct lab_opts o;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&o.listen.ss;
	const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

	(void)state;
	assert_true(PARSE(&o, CMD_SERVER, "-q"));
	assert_string_equal(o.name, "tun%d");
	assert_int_equal(ntohs(sin->sin_port), 9090);
	assert_int_equal(sin->sin_addr.s_addr, 0);
	assert_true(PARSE(&o, CMD_TUN, "--tap"));
	assert_string_equal(o.name, "tap%d");
	assert_memory_equal(o.mac, mac, 6);
	assert_int_equal(o.mtu, 0);
}

static void ipv6_values(void **state)
{
	struct lab_opts o;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&o.server.ss;

	(void)state;
	assert_true(PARSE(&o, CMD_CLIENT, "[fd00::11]:9091", "-a", "fd53::99/64", "-r",
			       "fd60::/64"));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 9091);
	assert_int_equal(o.addrs[0].family, AF_INET6);
	assert_int_equal(o.addrs[0].plen, 64);
	assert_int_equal(o.routes[0].plen, 64);
	assert_true(PARSE(&o, CMD_SERVER, "-l", "[::]:9090"));
	assert_int_equal(o.listen.ss.ss_family, AF_INET6);
	assert_true(PARSE(&o, CMD_SERVER, "-l", ":4000"));
	assert_int_equal(ntohs(((struct sockaddr_in *)&o.listen.ss)->sin_port), 4000);
}

static void mac_option(void **state)
{
	struct lab_opts o;
	const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	(void)state;
	assert_true(PARSE(&o, CMD_TUN, "--tap", "--reply", "--mac", "02:00:00:00:00:01"));
	assert_memory_equal(o.mac, mac, 6);
	assert_true(o.reply);
}

static void bad_values_exit_2(void **state)
{
	struct lab_opts o;

	(void)state;
	assert_false(PARSE(&o, CMD_TUN, "-a", "192.168.53.999/24"));
	assert_false(PARSE(&o, CMD_TUN, "-a", "192.168.53.99/33"));
	assert_false(PARSE(&o, CMD_TUN, "-a", "192.168.53.99/"));
	assert_false(PARSE(&o, CMD_TUN, "-a", "192.168.53.99/-1"));
	assert_false(PARSE(&o, CMD_TUN, "-r", "192.168.60.5/24"));
	assert_false(PARSE(&o, CMD_TUN, "-r", "fd60::1/64"));
	assert_false(PARSE(&o, CMD_TUN, "--mtu", "67"));
	assert_false(PARSE(&o, CMD_TUN, "--mtu", "65536"));
	assert_false(PARSE(&o, CMD_TUN, "--mtu", "1500x"));
	assert_false(PARSE(&o, CMD_TUN, "--mtu", "-1500"));
	assert_false(PARSE(&o, CMD_TUN, "--mac", "01:00:5e:00:00:01"));
	assert_false(PARSE(&o, CMD_TUN, "--mac", "aa:bb:cc:dd:ee"));
	assert_false(PARSE(&o, CMD_TUN, "--mac", "aa:bb:cc:dd:ee:ff:00"));
	assert_false(PARSE(&o, CMD_SERVER, "-l", "0.0.0.0"));
	assert_false(PARSE(&o, CMD_SERVER, "-l", "0.0.0.0:0"));
	assert_false(PARSE(&o, CMD_SERVER, "-l", "0.0.0.0:65536"));
	assert_false(PARSE(&o, CMD_SERVER, "-l", "fd00::1:9090"));
	assert_false(PARSE(&o, CMD_CLIENT, "10.9.0.11"));
	assert_false(PARSE(&o, CMD_CLIENT, "10.9.0.11:http"));
	assert_false(PARSE(&o, CMD_CLIENT, "10.9.0.11:9090", "-p", "0"));
}

static void interface_names(void **state)
{
	struct lab_opts o;

	(void)state;
	assert_true(PARSE(&o, CMD_TUN, "-n", "averylongname%d")); /* 15 characters */
	assert_false(PARSE(&o, CMD_TUN, "-n", "averylongname0%d"));
	assert_false(PARSE(&o, CMD_TUN, "-n", "tun%d%d"));
	assert_false(PARSE(&o, CMD_TUN, "-n", "tun%s"));
	assert_false(PARSE(&o, CMD_TUN, "-n", "tun 0"));
	assert_false(PARSE(&o, CMD_TUN, "-n", "a/b"));
	assert_false(PARSE(&o, CMD_TUN, "-n", ""));
	assert_null(addr_check_ifname("qiu%d"));
	assert_null(addr_check_ifname("tun0"));
	assert_non_null(addr_check_ifname(".."));
}

static void options_belong_to_their_command(void **state)
{
	struct lab_opts o;

	(void)state;
	assert_false(PARSE(&o, CMD_SERVER, "--reply"));
	assert_false(PARSE(&o, CMD_SERVER, "-p", "9090"));
	assert_false(PARSE(&o, CMD_CLIENT, "10.9.0.11:9090", "-l", "0.0.0.0:9090"));
	assert_false(PARSE(&o, CMD_TUN, "-l", "0.0.0.0:9090"));
	assert_false(PARSE(&o, CMD_TUN, "--bogus"));
	assert_false(PARSE(&o, CMD_TUN, "-a"));
	assert_false(PARSE(&o, CMD_TUN, "extra"));
	assert_false(PARSE(&o, CMD_CLIENT, "-q")); /* no server */
	assert_false(PARSE(&o, CMD_CLIENT, "10.9.0.11:9090", "10.9.0.12:9090"));
	assert_true(PARSE(&o, CMD_CLIENT, "--help"));
	assert_true(o.help);
}

static void trace_and_pcap(void **state)
{
	struct lab_opts o;

	(void)state;
	assert_true(PARSE(&o, CMD_SERVER, "-n", "tun%d"));
	assert_false(o.trace);
	assert_null(o.pcap);
	assert_true(PARSE(&o, CMD_CLIENT, "10.9.0.11:9090", "--trace", "--pcap", "/tmp/c.pcap"));
	assert_true(o.trace);
	assert_string_equal(o.pcap, "/tmp/c.pcap");
	assert_true(PARSE(&o, CMD_TUN, "--pcap=/tmp/t.pcap", "-q"));
	assert_string_equal(o.pcap, "/tmp/t.pcap");
	assert_true(o.quiet);
	/* -q silences the lines --trace asks for: one or the other. */
	assert_false(PARSE(&o, CMD_SERVER, "-q", "--trace"));
	assert_false(PARSE(&o, CMD_SERVER, "--pcap"));
	assert_false(PARSE(&o, CMD_SERVER, "--pcap="));
}

static void too_many_routes(void **state)
{
	char *argv[2 + 2 * (OPTS_MAX_ROUTES + 1)], nets[OPTS_MAX_ROUTES + 1][24];
	struct lab_opts o;
	int argc = 0;

	(void)state;
	argv[argc++] = "tun";
	for (int i = 0; i <= OPTS_MAX_ROUTES; i++) {
		snprintf(nets[i], sizeof(nets[i]), "10.%d.0.0/16", i);
		argv[argc++] = "-r";
		argv[argc++] = nets[i];
	}
	argv[argc] = NULL;
	assert_true(opts_parse(&o, CMD_TUN, argc - 2, argv));
	assert_int_equal(o.nroutes, OPTS_MAX_ROUTES);
	assert_false(opts_parse(&o, CMD_TUN, argc, argv));
}

/* The one number parser: digits only, up to max, and up to UINT64_MAX without wrapping. */
static void numbers(void **state)
{
	static const char *const bad[] = { "", "+1", "-1", " 1", "1 ", "0x10", "1e3", "1.0",
					   "18446744073709551616", "99999999999999999999" };
	uint64_t v = 7;

	(void)state;
	assert_true(addr_parse_uint("0", 10, &v) && v == 0);
	assert_true(addr_parse_uint("007", 10, &v) && v == 7);
	assert_true(addr_parse_uint("65535", 65535, &v) && v == 65535);
	assert_false(addr_parse_uint("65536", 65535, &v));
	assert_true(addr_parse_uint("18446744073709551615", UINT64_MAX, &v) && v == UINT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_false(addr_parse_uint(bad[i], UINT64_MAX, &v));
		assert_int_equal(v, 7); /* untouched */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_full_command_line),
		cmocka_unit_test(defaults),
		cmocka_unit_test(ipv6_values),
		cmocka_unit_test(mac_option),
		cmocka_unit_test(bad_values_exit_2),
		cmocka_unit_test(interface_names),
		cmocka_unit_test(options_belong_to_their_command),
		cmocka_unit_test(too_many_routes),
		cmocka_unit_test(trace_and_pcap),
		cmocka_unit_test(numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
