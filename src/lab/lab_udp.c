#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "io/udp.h"
#include "lab/lab_udp.h"

static void explain_bind(int err, const char *where, const char *flag)
{
	if (err == EADDRINUSE)
		log_error("cannot use UDP %s: %s (another program holds the port, perhaps another "
			  "adit or the lab's tun_server.py; stop it or choose another port with %s)",
			  where, strerror(err), flag);
	else if (err == EADDRNOTAVAIL)
		log_error("cannot use UDP %s: %s (that address is not on this host; see 'ip addr')",
			  where, strerror(err));
	else if (err == EACCES)
		log_error("cannot use UDP %s: %s (ports below 1024 need root or "
			  "CAP_NET_BIND_SERVICE)", where, strerror(err));
	else
		log_error("cannot use UDP %s: %s", where, strerror(err));
}

static int lab_socket(int family)
{
	int fd = udp_socket(family, UDP_FRAGMENT, 0);

	if (fd < 0)
		log_error("cannot create a UDP socket: %s", strerror(-fd));
	return fd;
}

int lab_udp_listen(const struct endpoint_addr *local)
{
	char where[80];
	int fd = lab_socket(local->ss.ss_family);

	if (fd < 0)
		return fd;
	if (bind(fd, (const struct sockaddr *)&local->ss, local->len) < 0) {
		int err = errno;

		explain_bind(err, addr_format_endpoint(&local->ss, where, sizeof(where)), "-l");
		close(fd);
		return -err;
	}
	return fd;
}

static int bind_port(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t len = sizeof(struct sockaddr_in);

	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	}
	return bind(fd, (struct sockaddr *)&ss, len);
}

int lab_udp_connect(const struct endpoint_addr *server, uint16_t local_port)
{
	char where[80];
	int fd = lab_socket(server->ss.ss_family), err;

	if (fd < 0)
		return fd;
	if (local_port && bind_port(fd, server->ss.ss_family, local_port) < 0) {
		err = errno;
		snprintf(where, sizeof(where), "port %u", local_port);
		explain_bind(err, where, "-p");
		goto err;
	}
	if (connect(fd, (const struct sockaddr *)&server->ss, server->len) < 0) {
		err = errno;
		log_error("cannot reach server %s: %s (check the address and this host's routes)",
			  addr_format_endpoint(&server->ss, where, sizeof(where)), strerror(err));
		goto err;
	}
	return fd;
err:
	close(fd);
	return -err;
}
