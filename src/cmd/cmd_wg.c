/* adit [-f] IFACE: wg mode, invoked as wireguard-go is, so wg-quick can start it. The
 * interface and the UAPI socket exist before the command returns; then, unless -f, the
 * daemon carries on in the background. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/log.h"
#include "base/privs.h"
#include "cmd/commands.h"
#include "pkt/trace.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/uapi.h"

static void usage(FILE *f)
{
	fputs("usage: adit [wg] [-f|--foreground] [-v|-q] [--no-offload] [--no-pmtu] [--threads N]\n"
	      "                [--user NAME] [--trace] [--pcap FILE] IFACE\n\n"
	      "Creates the TUN interface IFACE and serves the WireGuard protocol on it, configured\n"
	      "with wg(8) through /var/run/wireguard/IFACE.sock, as wireguard-go does:\n"
	      "  adit wg0 && wg setconf wg0 wg0.conf && ip link set wg0 up\n"
	      "or WG_QUICK_USERSPACE_IMPLEMENTATION=adit wg-quick up wg0.\n\n"
	      "  -f, --foreground  stay in the foreground and log to stderr (else to syslog)\n"
	      "  -v, --verbose     also say why each dropped packet was dropped (rate-limited)\n"
	      "  -q, --quiet       errors only (LOG_LEVEL=verbose|error|silent sets it too)\n"
	      "      --no-offload  no TUN segmentation offloads, no UDP GSO/GRO (for debugging)\n"
	      "      --no-pmtu     do not probe each peer's path MTU (nor clamp TCP's MSS to it)\n"
	      "      --threads N   seal and open packets on N threads (1, the default, to 16)\n"
	      "      --user NAME   run as user NAME once the interface and sockets are open\n"
	      "                    (without --user: as the user ADIT_USER names, if set)\n"
	      "      --trace       a line per inner packet on stdout, with its peer; implies -f\n"
	      "      --pcap FILE   write every inner packet, both ways, to FILE (pcap, raw IP)\n", f);
}

/* A background daemon forks before anything exists: epoll does not report, in a child, the
 * signalfd its parent registered, so a loop made before the fork would never see SIGTERM. The
 * parent waits on a pipe for one byte, the child's exit status once the interface and the
 * UAPI socket exist (or why they do not), and exits with it: `adit wg0` returns when wg can
 * configure wg0, and its status says whether it can. Errors before then still reach the
 * terminal, since the child keeps stderr until it is ready. */
static int fork_daemon(int *ready_fd)
{
	int fds[2], status = EXIT_FAIL;
	unsigned char byte;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		log_error("cannot start in the background: %m (use -f to stay in the foreground)");
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &byte, 1) == 1)
			status = byte;
		_exit(status);
	}
	close(fds[0]);
	*ready_fd = fds[1];
	setsid();
	return chdir("/") < 0 ? -1 : 0;
}

/* Where there is no syslog socket (/dev/log, as in many containers), the daemon keeps the
 * stderr it was started with when LOG_LEVEL asks for a log, as wireguard-go does (so
 * LOG_LEVEL=verbose wg-quick up shows it on the terminal); without LOG_LEVEL it lets go of
 * the caller's stderr, which a caller reading it to its end would wait on, and says first
 * that its log goes nowhere and how to keep it. Returns whether stderr is kept. */
static bool keep_stderr(void)
{
	const char *level = getenv("LOG_LEVEL");

	if (log_to_syslog())
		return false;
	if (level && *level && log_level != LEVEL_SILENT) {
		log_info("no syslog socket (/dev/log): the daemon logs to this standard error "
			 "(LOG_LEVEL=%s)", level);
		return true;
	}
	log_warn("no syslog socket (/dev/log): the daemon's log goes nowhere; set "
		 "LOG_LEVEL=verbose (or error) to keep it on this standard error, as "
		 "wireguard-go does, or run adit -f");
	return false;
}

/* The child is ready (status 0) or has failed: the parent exits with status, and the child
 * leaves the terminal. Its log goes to syslog, or where keep_stderr says. */
static void tell_parent(int *ready_fd, int status)
{
	unsigned char byte = (unsigned char)status;
	bool keep = false;
	int null;

	if (*ready_fd < 0)
		return;
	if (status == EXIT_OK) {
		keep = keep_stderr();
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			if (!keep)
				dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
	}
	/* A parent already gone is not told; the daemon carries on all the same. */
	if (write(*ready_fd, &byte, 1) < 0)
		log_warn("cannot tell the starting command that %s is ready: %m", "the daemon");
	close(*ready_fd);
	*ready_fd = -1;
}

/* Before the fork: a path that cannot be written fails here, on the terminal, and a
 * relative one means the caller's directory (the daemon moves to /). */
static int open_trace(struct trace *t, bool lines, const char *pcap)
{
	if (lines)
		trace_lines(t, LINK_IP);
	return pcap ? trace_open_pcap(t, pcap, LINK_IP) : 0;
}

/* The UAPI socket, through which wg configures the device: served in the device's loop. */
struct uapi {
	struct ctlserver server;
	int fd;
};

static int uapi_start(struct uapi *u, struct wg_device *dev)
{
	int fd = uapi_listen(dev->tun.name);

	if (fd < 0)
		return fd;
	u->fd = fd;
	return uapi_server_start(&u->server, dev, &dev->loop, fd);
}

static void uapi_stop(struct uapi *u, const char *ifname)
{
	ctlserver_stop(&u->server);
	if (u->fd < 0)
		return;
	uapi_unlink(ifname); /* first: the bound socket still holds the inode */
	close(u->fd);
	u->fd = -1;
}

/* Invoked as "adit NAME -a ...", a user more likely meant a command than an interface. */
static void unknown_option(const char *argv0, const char *ifname, const char *opt)
{
	if (ifname && strcmp(argv0, "wg"))
		log_error("unknown option '%s': '%s' was taken as a WireGuard interface name "
			  "(see 'adit --help' for the commands, 'adit wg --help' for wg mode)",
			  opt, ifname);
	else
		log_error("unknown option '%s' (see 'adit wg --help')", opt);
}

void cmd_wg_version(void)
{
	/* As a daemon started now would choose: ADIT_CRYPTO, else the self-tests' verdict. */
	if (!crypto_init() || !crypto_aead_choose(getenv("ADIT_CRYPTO"))) {
		printf("wg data crypto: none usable (see above)\n");
		return;
	}
	printf("wg data crypto: %s (%s)\n", crypto_aead_backend(), crypto_aead_detail());
}

#define TEXT(x) #x
#define TEXT_OF(x) TEXT(x) /* a macro's value as a string */

/* wg mode's command line, as a table: each option once, with what its value must be. */
struct wg_opts {
	const char *ifname, *pcap, *user;
	bool foreground, offload, pmtu, lines, help;
	unsigned int threads;
};

enum wg_opt { OPT_FOREGROUND, OPT_VERBOSE, OPT_QUIET, OPT_NO_OFFLOAD, OPT_NO_PMTU, OPT_THREADS,
	      OPT_USER, OPT_TRACE, OPT_PCAP, OPT_HELP };

static const struct {
	const char *letter, *name; /* "-f", "--foreground"; letter may be NULL */
	enum wg_opt opt;
	const char *needs; /* NULL: no value; else what it needs, for the error */
} wg_options[] = {
	{ "-f", "--foreground", OPT_FOREGROUND, NULL },
	{ "-v", "--verbose", OPT_VERBOSE, NULL },
	{ "-q", "--quiet", OPT_QUIET, NULL },
	{ NULL, "--no-offload", OPT_NO_OFFLOAD, NULL },
	{ NULL, "--no-pmtu", OPT_NO_PMTU, NULL },
	{ NULL, "--threads", OPT_THREADS, "a number from 1 to " TEXT_OF(WORKERS_MAX) " (e.g. --threads 2)" },
	{ NULL, "--user", OPT_USER, "a user name (e.g. --user nobody)" },
	{ NULL, "--trace", OPT_TRACE, NULL },
	{ NULL, "--pcap", OPT_PCAP, "a file (e.g. --pcap /tmp/wg0.pcap)" },
	{ "-h", "--help", OPT_HELP, NULL },
};

/* The table's entry for arg ("-f", "--pcap", or "--pcap=FILE" with *value set), or -1. */
static int find_option(const char *arg, const char **value)
{
	size_t n;

	*value = NULL;
	for (size_t i = 0; i < sizeof(wg_options) / sizeof(wg_options[0]); i++) {
		n = strlen(wg_options[i].name);
		if ((wg_options[i].letter && !strcmp(arg, wg_options[i].letter)) ||
		    !strcmp(arg, wg_options[i].name))
			return (int)i;
		if (wg_options[i].needs && !strncmp(arg, wg_options[i].name, n) && arg[n] == '=') {
			*value = arg + n + 1;
			return (int)i;
		}
	}
	return -1;
}

static bool take_option(struct wg_opts *o, enum wg_opt opt, const char *value)
{
	uint64_t n;

	switch (opt) {
	case OPT_FOREGROUND: o->foreground = true; break;
	case OPT_VERBOSE: log_level = LEVEL_VERBOSE; break;
	case OPT_QUIET: log_level = LEVEL_ERRORS; break;
	case OPT_NO_OFFLOAD: o->offload = false; break;
	case OPT_NO_PMTU: o->pmtu = false; break;
	case OPT_USER: o->user = value; break;
	/* The lines go to stdout, which a daemon has given up. */
	case OPT_TRACE: o->lines = o->foreground = true; break;
	case OPT_PCAP: o->pcap = value; break;
	case OPT_HELP: o->help = true; break;
	case OPT_THREADS:
		if (!addr_parse_uint(value, WORKERS_MAX, &n) || n < 1)
			return false;
		o->threads = (unsigned int)n;
		break;
	}
	return true;
}

/* Returns 0, or EXIT_USAGE after naming what is wrong. */
static int parse_options(struct wg_opts *o, int argc, char **argv)
{
	const char *value;
	int i, k;

	*o = (struct wg_opts){ .offload = true, .pmtu = true, .threads = 1 };
	for (i = 1; i < argc; i++) { /* argv[0]: "adit", or "wg" */
		if (argv[i][0] != '-') {
			if (o->ifname) {
				log_error("unexpected argument '%s' (usage: adit [wg] [-f] [-v|-q] "
					  "[--no-offload] [--no-pmtu] [--threads N] [--user NAME] "
					  "[--trace] [--pcap FILE] IFACE)", argv[i]);
				return EXIT_USAGE;
			}
			o->ifname = argv[i];
			continue;
		}
		k = find_option(argv[i], &value);
		if (k < 0) {
			unknown_option(argv[0], o->ifname, argv[i]);
			return EXIT_USAGE;
		}
		if (wg_options[k].needs && !value)
			value = i + 1 < argc ? argv[++i] : NULL;
		if (wg_options[k].needs && (!value || !*value || !take_option(o, wg_options[k].opt,
									      value))) {
			log_error("%s needs %s", wg_options[k].name, wg_options[k].needs);
			return EXIT_USAGE;
		}
		if (!wg_options[k].needs)
			take_option(o, wg_options[k].opt, NULL);
	}
	return 0;
}

int cmd_wg(int argc, char **argv)
{
	/* Large (the batches live here) and page-aligned, so that its pages, which hold our
	 * private key, can be kept out of core dumps. */
	static struct wg_device dev __attribute__((aligned(4096)));
	static struct uapi uapi = { .fd = -1 };
	struct trace trace = { 0 };
	struct privs_user user = { 0 };
	struct wg_opts o;
	const char *why;
	int err, ready_fd = -1;

	if (parse_options(&o, argc, argv) != 0)
		return EXIT_USAGE;
	if (o.help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!o.ifname) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (privs_find_user(&user, o.user) != 0) /* --user, or else ADIT_USER */
		return EXIT_USAGE;
	why = addr_check_ifname(o.ifname);
	if (!why && strchr(o.ifname, '%'))
		why = "wg mode takes a plain name, since wg finds it by that name";
	if (why) {
		log_error("invalid interface name '%s': %s", o.ifname, why);
		return EXIT_USAGE;
	}
	privs_no_dumps();
	privs_dont_dump(&dev, sizeof(dev));
	/* Whatever the caller left open (a terminal, a pipe wg-quick reads) is not a daemon's. */
	if (!o.foreground)
		close_range(STDERR_FILENO + 1, ~0U, 0);
	if (open_trace(&trace, o.lines, o.pcap) < 0)
		return EXIT_FAIL;
	if (!o.foreground && fork_daemon(&ready_fd) < 0) {
		trace_close(&trace);
		return EXIT_FAIL;
	}
	/* Each step says why it failed; the status says only whether one did. */
	err = device_setup(&dev, o.offload);
	dev.trace = trace; /* the device's from now on: device_close closes it */
	dev.pmtu_off = !o.pmtu;
	if (!err)
		err = device_start(&dev, o.ifname);
	if (!err)
		err = uapi_start(&uapi, &dev);
	/* Another user cannot remove the socket from root's /var/run/wireguard: a janitor will. */
	if (!err && user.set)
		err = privs_start_janitor(uapi_ctlsock());
	/* From here on, wg may set a fwmark (CAP_NET_ADMIN) or a port below 1024. */
	if (!err)
		err = privs_keep_only(true, true, &user);
	/* After the drop: capabilities are a thread's own, and helpers inherit the reduced set. */
	if (!err)
		err = device_start_threads(&dev, o.threads);
	if (!err)
		/* The port bound so far is a placeholder the kernel picked; printing it read as
		 * a bug next to a config's ListenPort. wg show shows the port once one is set. */
		log_info("%s: WireGuard ready, configure with wg(8) (no listen port set yet)",
			 dev.tun.name);
	tell_parent(&ready_fd, err ? EXIT_FAIL : EXIT_OK);
	if (!err)
		err = device_run(&dev);
	uapi_stop(&uapi, dev.tun.name);
	device_close(&dev);
	return err ? EXIT_FAIL : EXIT_OK;
}
