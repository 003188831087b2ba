/* The UAPI socket: /var/run/wireguard/IFACE.sock, made private to root, a stale one replaced,
 * and each connection served in turn through uapi_handle (uapi.c). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "wg/crypto.h"
#include "wg/device.h"
#include "wg/uapi.h"

#define UAPI_DIR "/var/run/wireguard"
#define UAPI_IO_TIMEOUT_S 1
/* A connection is served while the data path waits; however slowly a client trickles its
 * bytes, it has this long in all. */
#define UAPI_CONN_TIMEOUT_MS 10000
/* stdio buffers of a connection: a line of uapi.c's at least. */
#define UAPI_BUF 4096

static bool socket_path(char *buf, size_t size, const char *ifname)
{
	int n;

	if (!*ifname || strlen(ifname) >= IF_NAMESIZE || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return false;
	n = snprintf(buf, size, "%s/%s.sock", UAPI_DIR, ifname);
	return n > 0 && (size_t)n < size;
}

/* mkdir -p UAPI_DIR, mode 0755. */
static int make_dir(void)
{
	char path[] = UAPI_DIR;
	char *p = path;

	do {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			log_error("cannot create %s: %s; create it (mode 0755) or run as root", path,
				  strerror(errno));
			return -1;
		}
		if (p)
			*p = '/';
	} while (p);
	return 0;
}

/* The socket inode this process bound: at exit only it is removed, never one another
 * daemon has bound at the same path since. */
static dev_t bound_dev;
static ino_t bound_ino;

/* Anyone who can write to the directory can put their own socket where wg looks for ours:
 * it must be root's (or ours), a real directory, and closed to group and others. */
static int check_dir(void)
{
	struct stat st;

	if (lstat(UAPI_DIR, &st) < 0) {
		log_error("cannot use %s: %s", UAPI_DIR, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("refusing %s: it is not a directory (a symlink?); remove it", UAPI_DIR);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		log_error("refusing %s: it belongs to uid %u; it must be root's (chown root %s)",
			  UAPI_DIR, (unsigned int)st.st_uid, UAPI_DIR);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_error("refusing %s: group or others may write to it (chmod 755 %s)", UAPI_DIR,
			  UAPI_DIR);
		return -1;
	}
	return 0;
}

static void remember_inode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		bound_dev = st.st_dev;
		bound_ino = st.st_ino;
	}
}

static int bind_private(int fd, const struct sockaddr_un *sun)
{
	mode_t old = umask(077);
	int ret = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));

	umask(old);
	return ret;
}

/* A socket file nobody answers on is left by a process that died: remove it. One that answers
 * belongs to a live daemon, which must not lose its socket. */
static int remove_stale(const struct sockaddr_un *sun, const char *ifname)
{
	struct stat st;
	int probe, ret;

	if (lstat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket; remove it", sun->sun_path);
		return -1;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		log_error("cannot create a UNIX socket: %s", strerror(errno));
		return -1;
	}
	ret = connect(probe, (const struct sockaddr *)sun, sizeof(*sun));
	if (ret == 0) {
		log_error("%s is already served by another process (%s answers)", ifname,
			  sun->sun_path);
		ret = -1;
	} else if (errno != ECONNREFUSED) {
		log_error("cannot check %s: %s; remove it if no daemon uses it", sun->sun_path,
			  strerror(errno));
	} else if (unlink(sun->sun_path) < 0 && errno != ENOENT) {
		log_error("cannot remove the stale %s: %s", sun->sun_path, strerror(errno));
	} else {
		ret = 0;
	}
	close(probe);
	return ret;
}

int uapi_listen(const char *ifname)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (!socket_path(sun.sun_path, sizeof(sun.sun_path), ifname)) {
		log_error("'%s' is not a usable interface name for %s; use at most %d characters "
			  "and no '/'", ifname, UAPI_DIR, IF_NAMESIZE - 1);
		return -1;
	}
	if (make_dir() < 0 || check_dir() < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error("cannot create a UNIX socket: %s", strerror(errno));
		return -1;
	}
	if (bind_private(fd, &sun) < 0) {
		if (errno != EADDRINUSE || remove_stale(&sun, ifname) < 0)
			goto err_logged;
		if (bind_private(fd, &sun) < 0)
			goto err;
	}
	remember_inode(sun.sun_path);
	if (listen(fd, 16) < 0) {
		log_error("cannot listen on %s: %s", sun.sun_path, strerror(errno));
		uapi_unlink(ifname);
		goto err_logged;
	}
	return fd;
err:
	log_error("cannot listen on %s: %s", sun.sun_path, strerror(errno));
err_logged:
	close(fd);
	return -1;
}

void uapi_unlink(const char *ifname)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	struct stat st;

	if (!socket_path(path, sizeof(path), ifname) || lstat(path, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode) && st.st_dev == bound_dev && st.st_ino == bound_ino)
		unlink(path);
}

struct conn {
	int fd;
	uint64_t deadline; /* ms, monotonic */
};

static ssize_t conn_read(void *cookie, char *buf, size_t size)
{
	struct conn *c = cookie;
	ssize_t n;

	if (clock_now() >= c->deadline)
		return -1;
	do
		n = recv(c->fd, buf, size, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Writes with MSG_NOSIGNAL: a client gone away is an error here, never a SIGPIPE. */
static ssize_t conn_write(void *cookie, const char *buf, size_t size)
{
	int fd = ((struct conn *)cookie)->fd;
	size_t done = 0;
	ssize_t n;

	while (done < size) {
		n = send(fd, buf + done, size - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

void uapi_serve(struct wg_device *dev, int conn)
{
	struct timeval tv = { .tv_sec = UAPI_IO_TIMEOUT_S };
	struct conn c = { .fd = conn, .deadline = clock_now() + UAPI_CONN_TIMEOUT_MS };
	cookie_io_functions_t in_io = { .read = conn_read }, out_io = { .write = conn_write };
	/* Our own stdio buffers, so the keys that pass through them can be wiped. */
	char ibuf[UAPI_BUF], obuf[UAPI_BUF];
	FILE *in, *out = NULL;
	int flags;

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	flags = fcntl(conn, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK))
		fcntl(conn, F_SETFL, flags & ~O_NONBLOCK);
	in = fopencookie(&c, "r", in_io);
	if (!in) {
		close(conn);
		return;
	}
	out = fopencookie(&c, "w", out_io);
	if (out && !setvbuf(in, ibuf, _IOFBF, sizeof(ibuf)) &&
	    !setvbuf(out, obuf, _IOFBF, sizeof(obuf)))
		while (uapi_handle(dev, in, out) == 0)
			;
	if (out)
		fclose(out);
	fclose(in);
	close(conn);
	crypto_wipe(ibuf, sizeof(ibuf));
	crypto_wipe(obuf, sizeof(obuf));
}
