#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "lab/opts.h"
#include "lab/responder.h"

#define LAB_PORT 9090

/* Which command accepts which option, one bit per command. */
#define T (1u << CMD_TUN)
#define S (1u << CMD_SERVER)
#define C (1u << CMD_CLIENT)

enum { OPT_TAP = 256, OPT_MTU, OPT_REPLY, OPT_MAC, OPT_NO_OFFLOAD, OPT_TRACE, OPT_PCAP, OPT_USER };

static const struct option long_opts[] = {
	{ "name", required_argument, NULL, 'n' },  { "tap", no_argument, NULL, OPT_TAP },
	{ "address", required_argument, NULL, 'a' }, { "route", required_argument, NULL, 'r' },
	{ "mtu", required_argument, NULL, OPT_MTU }, { "reply", no_argument, NULL, OPT_REPLY },
	{ "mac", required_argument, NULL, OPT_MAC }, { "quiet", no_argument, NULL, 'q' },
	{ "listen", required_argument, NULL, 'l' },  { "port", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },          { "no-offload", no_argument, NULL, OPT_NO_OFFLOAD },
	{ "trace", no_argument, NULL, OPT_TRACE },   { "pcap", required_argument, NULL, OPT_PCAP },
	{ "user", required_argument, NULL, OPT_USER },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	int opt;
	unsigned int cmds;
	const char *spelling;
} allowed[] = {
	{ 'n', T | S | C, "-n" },   { OPT_TAP, T | S | C, "--tap" }, { 'a', T | S | C, "-a" },
	{ 'r', T | S | C, "-r" },   { OPT_MTU, T | S | C, "--mtu" }, { OPT_REPLY, T, "--reply" },
	{ OPT_MAC, T, "--mac" },    { 'q', T | S | C, "-q" },        { 'l', S, "-l" },
	{ 'p', C, "-p" },           { 'h', T | S | C, "-h" },
	{ OPT_NO_OFFLOAD, T | S | C, "--no-offload" },
	{ OPT_TRACE, T | S | C, "--trace" }, { OPT_PCAP, T | S | C, "--pcap" },
	{ OPT_USER, T | S | C, "--user" },
};

static const char *const cmd_names[] = { "tun", "server", "client" };

static const char *const usages[] = {
	"usage: adit tun [-n NAME] [--tap] [-a ADDR/PLEN]... [-r NET/PLEN]... [--mtu N]\n"
	"                [--reply] [--mac MAC] [--no-offload] [-q|--trace] [--pcap FILE]\n"
	"                [--user NAME]\n",
	"usage: adit server [-l ADDR:PORT] [-n NAME] [--tap] [-a ADDR/PLEN]... [-r NET/PLEN]...\n"
	"                   [--mtu N] [--no-offload] [-q|--trace] [--pcap FILE] [--user NAME]\n",
	"usage: adit client SERVER:PORT [-p LOCALPORT] [-n NAME] [--tap] [-a ADDR/PLEN]...\n"
	"                   [-r NET/PLEN]... [--mtu N] [--no-offload] [-q|--trace] [--pcap FILE]\n"
	"                   [--user NAME]\n",
};

static const char option_help[] =
	"  -n NAME          interface name; %d is replaced by a number the kernel picks\n"
	"                   (default tun%d, or tap%d with --tap)\n"
	"  --tap            a TAP interface carrying Ethernet frames instead of a TUN\n"
	"  -a ADDR/PLEN     add an address to the interface (repeatable)\n"
	"  -r NET/PLEN      route a network through the interface (repeatable)\n"
	"  --mtu N          set the interface MTU (68-65535); server and client otherwise\n"
	"                   fit it to the path below them (1500 less 28 on the lab's links)\n"
	"  --no-offload     no TUN segmentation offloads, no UDP GSO/GRO (for debugging)\n"
	"  -q               no per-packet lines\n"
	"  --trace          the per-packet lines (the default; says so against a -q)\n"
	"  --pcap FILE      write every packet to and from the interface to FILE (pcap:\n"
	"                   raw IP on a TUN, Ethernet on a TAP), readable while adit runs\n"
	"  --user NAME      run as user NAME once the interface and the socket are open\n"
	"                   (without --user: as the user ADIT_USER names, if set)\n";

void opts_usage(enum lab_cmd cmd, bool full)
{
	FILE *f = full ? stdout : stderr;

	fputs(usages[cmd], f);
	if (!full) {
		fprintf(f, "Try 'adit %s --help' for more information.\n", cmd_names[cmd]);
		return;
	}
	fputs(option_help, f);
	if (cmd == CMD_TUN)
		fputs("  --reply          answer pings (TUN), and ARP and pings (TAP) on the interface\n"
		      "  --mac MAC        the MAC address --reply claims (default aa:bb:cc:dd:ee:ff)\n",
		      f);
	if (cmd == CMD_SERVER)
		fputs("  -l ADDR:PORT     UDP address to listen on (default 0.0.0.0:9090)\n", f);
	if (cmd == CMD_CLIENT)
		fputs("  -p LOCALPORT     UDP port to send from (default: any free port)\n", f);
	if (cmd != CMD_TUN)
		fputs("\nLab mode is plaintext: anyone on the path reads and can forge the packets.\n", f);
}

/* "adit: WHAT 'VALUE' (HINT)", then the short usage: every bad value is named. */
static bool usage_error(enum lab_cmd cmd, const char *what, const char *value, const char *hint)
{
	fprintf(stderr, "adit: %s", what);
	if (value)
		fprintf(stderr, " '%s'", value);
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	opts_usage(cmd, false);
	return false;
}

/* Why SERVER:PORT was refused: its shape, its port, or a name that does not resolve. */
static bool server_error(enum lab_cmd cmd, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	uint16_t port;

	if (!colon || colon == arg || (arg[0] != '[' && memchr(arg, ':', (size_t)(colon - arg))))
		return usage_error(cmd, "invalid server", arg,
				   "expected HOST:PORT or [ADDR6]:PORT, e.g. 10.9.0.11:9090");
	if (!addr_parse_port(colon + 1, &port))
		return usage_error(cmd, "invalid port in server", arg, "expected 1 to 65535, "
				   "e.g. 10.9.0.11:9090");
	return usage_error(cmd, "cannot resolve the server's name in", arg, "check the name, "
			   "or give the server's address, e.g. 10.9.0.11:9090");
}

static bool host_bits_clear(const struct prefix *p)
{
	unsigned int bytes = p->family == AF_INET ? 4 : 16;

	for (unsigned int bit = p->plen; bit < bytes * 8; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* Names the option as typed: "--mtu", "--tap=1" (up to the '='), or the letter of "-z". */
static bool bad_option(enum lab_cmd cmd, bool missing_value, const char *arg)
{
	char what[32];

	if (arg[0] == '-' && arg[1] == '-')
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(arg, "="), arg);
	else if (optopt > 0 && optopt < 256)
		snprintf(what, sizeof(what), "-%c", optopt);
	else
		snprintf(what, sizeof(what), "%s", arg);
	if (missing_value)
		return usage_error(cmd, "missing value for option", what, NULL);
	if (strchr(arg, '=') && arg[1] == '-')
		return usage_error(cmd, "option takes no value:", what, NULL);
	return usage_error(cmd, "unknown option", what, NULL);
}

static bool opt_allowed(int opt, enum lab_cmd cmd, const char **spelling)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i].opt == opt) {
			*spelling = allowed[i].spelling;
			return allowed[i].cmds & (1u << cmd);
		}
	}
	*spelling = "?";
	return false;
}

static void set_defaults(struct lab_opts *o, enum lab_cmd cmd)
{
	static const uint8_t mac[6] = RESPONDER_DEFAULT_MAC;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	memcpy(o->mac, mac, sizeof(mac));
	addr_parse_endpoint("0.0.0.0:9090", &o->listen, false);
}

static bool take_address(struct lab_opts *o, const char *arg)
{
	if (o->naddrs == OPTS_MAX_ADDRS)
		return usage_error(o->cmd, "too many addresses at", arg, "at most 8");
	if (!addr_parse_prefix(arg, &o->addrs[o->naddrs]))
		return usage_error(o->cmd, "invalid -a address", arg,
				   "expected ADDR/PLEN, e.g. 192.168.53.99/24");
	/* A bare address used to mean /32 silently: no route to the tunnel's network, and
	 * pings to its other hosts went nowhere. A user means a network; make them say it. */
	if (!strchr(arg, '/')) {
		char hint[2 * INET6_ADDRSTRLEN + 64];

		bool v4 = o->addrs[o->naddrs].family == AF_INET;

		snprintf(hint, sizeof(hint), "give a prefix length: %s/%u for its network (the lab's "
			 "are /24), %s/%u for the address alone", arg, v4 ? 24 : 64, arg,
			 v4 ? 32 : 128);
		return usage_error(o->cmd, "-a address without a prefix length", arg, hint);
	}
	o->naddrs++;
	return true;
}

static bool take_route(struct lab_opts *o, const char *arg)
{
	if (o->nroutes == OPTS_MAX_ROUTES)
		return usage_error(o->cmd, "too many routes at", arg, "at most 32");
	if (!addr_parse_prefix(arg, &o->routes[o->nroutes]))
		return usage_error(o->cmd, "invalid -r route", arg,
				   "expected NET/PLEN, e.g. 192.168.60.0/24");
	/* The kernel would refuse it with a bare EINVAL; say which address was meant. */
	if (!host_bits_clear(&o->routes[o->nroutes]))
		return usage_error(o->cmd, "host bits set in route", arg,
				   "give the network address, e.g. 192.168.60.0/24");
	o->nroutes++;
	return true;
}

static bool take_mtu(struct lab_opts *o, const char *arg)
{
	uint64_t v;

	if (!addr_parse_uint(arg, 65535, &v) || v < 68)
		return usage_error(o->cmd, "invalid MTU", arg, "expected 68 to 65535");
	o->mtu = (unsigned int)v;
	return true;
}

static bool take_option(struct lab_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'n':
		o->name = arg;
		return addr_check_ifname(arg) ? usage_error(o->cmd, "invalid interface name", arg,
							    addr_check_ifname(arg)) : true;
	case 'a':
		return take_address(o, arg);
	case 'r':
		return take_route(o, arg);
	case OPT_MTU:
		return take_mtu(o, arg);
	case OPT_MAC:
		return !addr_parse_mac(arg, o->mac) ?
			usage_error(o->cmd, "invalid MAC address", arg,
				    "expected six hex bytes like aa:bb:cc:dd:ee:ff, not multicast") : true;
	case 'l':
		return !addr_parse_endpoint(arg, &o->listen, false) ?
			usage_error(o->cmd, "invalid listen address", arg,
				    "expected ADDR:PORT, [ADDR6]:PORT or :PORT, e.g. 0.0.0.0:9090") : true;
	case 'p':
		return !addr_parse_port(arg, &o->local_port) ?
			usage_error(o->cmd, "invalid local port", arg, "expected 1 to 65535") : true;
	case OPT_TAP:
		o->tap = true;
		return true;
	case OPT_REPLY:
		o->reply = true;
		return true;
	case OPT_NO_OFFLOAD:
		o->no_offload = true;
		return true;
	case OPT_TRACE:
		o->trace = true;
		return true;
	case OPT_USER:
		o->user = arg;
		return *arg ? true : usage_error(o->cmd, "missing user for --user", NULL,
					      "e.g. --user nobody");
	case OPT_PCAP:
		o->pcap = arg;
		return *arg ? true : usage_error(o->cmd, "missing file for --pcap", NULL,
					      "e.g. --pcap /tmp/tun0.pcap");
	case 'q':
		o->quiet = true;
		return true;
	case 'h':
		o->help = true;
		return true;
	}
	return false;
}

static bool take_operands(struct lab_opts *o, int argc, char **argv)
{
	int n = argc - optind;

	if (o->cmd != CMD_CLIENT) {
		if (n > 0)
			return usage_error(o->cmd, "unexpected argument", argv[optind], NULL);
		return true;
	}
	if (n == 0)
		return usage_error(o->cmd, "missing SERVER:PORT", NULL,
				   "e.g. adit client 10.9.0.11:9090");
	if (n > 1)
		return usage_error(o->cmd, "unexpected argument", argv[optind + 1], NULL);
	if (!addr_parse_endpoint(argv[optind], &o->server, true))
		return server_error(o->cmd, argv[optind]);
	return true;
}

bool opts_parse(struct lab_opts *o, enum lab_cmd cmd, int argc, char **argv)
{
	const char *spelling;
	int c;

	set_defaults(o, cmd);
	optind = 0; /* GNU getopt: start over, also when called again (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:a:r:ql:p:h", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(cmd, c == ':', argv[optind - 1]);
		if (!opt_allowed(c, cmd, &spelling))
			return usage_error(cmd, "option not valid for this command:", spelling, NULL);
		if (!take_option(o, c, optarg))
			return false;
	}
	if (o->help)
		return true;
	if (o->trace && o->quiet)
		return usage_error(cmd, "-q and --trace contradict each other", NULL,
				   "-q silences the per-packet lines that --trace asks for");
	if (!o->name)
		o->name = o->tap ? "tap%d" : "tun%d";
	return take_operands(o, argc, argv);
}
