/* adit [-f] IFACE: wg mode, invoked as wireguard-go is, so wg-quick can start it. The
 * interface and the UAPI socket exist before the command returns; then, unless -f, the
 * daemon carries on in the background. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "opts.h"
#include "wg/device.h"

static void usage(FILE *f)
{
	fputs("usage: adit [-f|--foreground] IFACE\n\n"
	      "Creates the TUN interface IFACE and serves the WireGuard protocol on it, configured\n"
	      "with wg(8) through /var/run/wireguard/IFACE.sock, as wireguard-go does:\n"
	      "  adit wg0 && wg setconf wg0 wg0.conf && ip link set wg0 up\n"
	      "or WG_QUICK_USERSPACE_IMPLEMENTATION=adit wg-quick up wg0.\n\n"
	      "  -f, --foreground  stay in the foreground and log to stderr\n", f);
}

/* The parent returns once the child holds everything; the child leaves the terminal. */
static int daemonize(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		log_error("cannot start in the background: %m (use -f to stay in the foreground)");
		return -1;
	}
	if (pid > 0)
		_exit(EXIT_OK);
	setsid();
	if (chdir("/") < 0)
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	return 0;
}

int cmd_wg(int argc, char **argv)
{
	static struct wg_device dev; /* large: the batches live here */
	const char *ifname = NULL, *why;
	bool foreground = false;
	int ret;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--foreground")) {
			foreground = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!ifname && argv[i][0] != '-') {
			ifname = argv[i];
		} else {
			log_error("unexpected argument '%s' (usage: adit [-f] IFACE)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!ifname) {
		usage(stderr);
		return EXIT_USAGE;
	}
	why = opts_check_ifname(ifname);
	if (!why && strchr(ifname, '%'))
		why = "wg mode takes a plain name, since wg finds it by that name";
	if (why) {
		log_error("invalid interface name '%s': %s", ifname, why);
		return EXIT_USAGE;
	}
	ret = device_init(&dev, ifname);
	if (ret == EXIT_OK) {
		log_info("%s: WireGuard on UDP port %u, configure with wg(8)", dev.tun.name,
			 dev.listen_port);
		if (!foreground && daemonize() < 0)
			ret = EXIT_FAIL;
		else
			ret = device_run(&dev);
	}
	device_close(&dev);
	return ret;
}
