/* adit probe-address IFACE PEER ADDRESS|auto: where a wg interface's path-MTU probes to a
 * peer go (wg/pmtu.h). The prober picks the first /32 or /128 of the peer's allowed IPs by
 * itself; a peer that routes only subnets (a site behind a gateway) needs an address inside
 * the tunnel named, one that answers pings. Sent over the UAPI socket with the adit-only key
 * adit_probe_address, and update_only, so that a mistyped key adds no peer. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/ctlsock.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "wg/crypto.h"

#define TIMEOUT_SEC 10

static void usage(FILE *f)
{
	fputs("usage: adit probe-address IFACE PEER ADDRESS|auto\n\n"
	      "Sends the path-MTU probes of wg interface IFACE to PEER (its public key, base64)\n"
	      "to ADDRESS, an address of that peer inside the tunnel that answers pings; auto\n"
	      "goes back to the first /32 or /128 of its allowed IPs. adit show IFACE prints the\n"
	      "path MTU found. Needs root.\n", f);
}

/* The daemon's answer to a set: "errno=N" then an empty line. Returns N, or -1 when the
 * answer is not one. */
static int read_errno(int fd)
{
	char buf[64];
	size_t len = 0;
	ssize_t n;
	int value;

	while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\n\n"))
			break;
	}
	buf[len] = '\0';
	return sscanf(buf, "errno=%d", &value) == 1 ? value : -1;
}

/* Returns 0, or a negative errno after saying why. */
static int send_set(const char *path, const char *ifname, const char *key, const char *hex,
		    const char *addr)
{
	char req[256];
	int fd = ctlsock_connect(path, TIMEOUT_SEC), len, err;

	if (fd < 0) {
		log_error("cannot reach wg interface %s at %s: %s (is it up? adit show lists "
			  "the interfaces)", ifname, path, strerror(-fd));
		return fd;
	}
	len = snprintf(req, sizeof(req), "set=1\npublic_key=%s\nupdate_only=true\n"
		       "adit_probe_address=%s\n\n", hex, addr);
	if (write(fd, req, (size_t)len) != len) {
		err = -errno;
		log_error("cannot write to %s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	err = read_errno(fd);
	close(fd);
	if (err == 0)
		return 0;
	if (err == ENOENT || err == -ENOENT) {
		log_error("%s has no peer %s (wg show %s peers lists them)", ifname, key, ifname);
		return -ENOENT;
	}
	log_error("%s refused the probe address (errno=%d): only adit knows it, not "
		  "wireguard-go or the kernel module", ifname, err);
	return -EINVAL;
}

int cmd_probe_address(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN], addr[16];
	char hex[WG_KEY_HEX_LEN + 1], path[108];

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc != 4) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!ctlsock_path(path, sizeof(path), CTLSOCK_WG_DIR, argv[1])) {
		log_error("'%s' is no interface name (at most %d characters, no '/')", argv[1],
			  IF_NAMESIZE - 1);
		return EXIT_USAGE;
	}
	if (!crypto_key_from_base64(key, argv[2])) {
		log_error("'%s' is no public key (44 characters of base64, as wg show prints "
			  "them)", argv[2]);
		return EXIT_USAGE;
	}
	if (strcmp(argv[3], "auto") && inet_pton(AF_INET, argv[3], addr) != 1 &&
	    inet_pton(AF_INET6, argv[3], addr) != 1) {
		log_error("'%s' is no IPv4 or IPv6 address (or auto)", argv[3]);
		return EXIT_USAGE;
	}
	crypto_key_to_hex(hex, key);
	return send_set(path, argv[1], argv[2], hex, argv[3]) < 0 ? EXIT_FAIL : EXIT_OK;
}
