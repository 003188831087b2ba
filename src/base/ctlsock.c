#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/ctlsock.h"
#include "base/log.h"

bool ctlsock_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n;

	if (!*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	n = snprintf(buf, size, "%s/%s.sock", dir, name);
	return n > 0 && (size_t)n < size;
}

/* mkdir -p dir, mode 0755. */
static int make_dir(const char *dir)
{
	char path[sizeof(((struct ctlsock *)0)->path)];
	char *p = path;

	snprintf(path, sizeof(path), "%s", dir);
	do {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			log_error("cannot create %s: %s; create it (mode 0755) or run as root", path,
				  strerror(errno));
			return -errno;
		}
		if (p)
			*p = '/';
	} while (p);
	return 0;
}

/* Anyone who can write to the directory can put their own socket where clients look for
 * ours: it must be root's (or ours), a real directory, and closed to group and others. */
static int check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		log_error("cannot use %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("refusing %s: it is not a directory (a symlink?); remove it", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		log_error("refusing %s: it belongs to uid %u; it must be root's (chown root %s)",
			  dir, (unsigned int)st.st_uid, dir);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_error("refusing %s: group or others may write to it (chmod 755 %s)", dir, dir);
		return -EPERM;
	}
	return 0;
}

static int bind_private(int fd, const struct sockaddr_un *sun)
{
	mode_t old = umask(077);
	int ret = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));

	umask(old);
	return ret;
}

/* A socket file nobody answers on is left by a process that died: remove it. One that answers
 * belongs to a live daemon, which must not lose its socket; so does one whose backlog is full
 * (a daemon stopped, or busy with a queue of clients), which a blocking connect would wait on
 * for as long as the daemon does. */
static int remove_stale(const struct sockaddr_un *sun, const char *name)
{
	struct stat st;
	int probe, ret;

	if (lstat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket; remove it", sun->sun_path);
		return -EEXIST;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0) {
		log_error("cannot create a UNIX socket: %s", strerror(errno));
		return -errno;
	}
	ret = connect(probe, (const struct sockaddr *)sun, sizeof(*sun));
	if (ret == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		log_error("%s is already served by another process (%s %s)", name, sun->sun_path,
			  ret == 0 ? "answers" : "is listening, its backlog full");
		ret = -EADDRINUSE;
	} else if (errno != ECONNREFUSED) {
		log_error("cannot check %s: %s; remove it if no daemon uses it", sun->sun_path,
			  strerror(errno));
		ret = -errno;
	} else if (unlink(sun->sun_path) < 0 && errno != ENOENT) {
		log_error("cannot remove the stale %s: %s", sun->sun_path, strerror(errno));
		ret = -errno;
	} else {
		ret = 0;
	}
	close(probe);
	return ret;
}

bool ctlsock_lab_dir(char *buf, size_t size)
{
	struct stat st;
	int n;

	if (stat("/proc/self/ns/net", &st) < 0)
		return false;
	n = snprintf(buf, size, "%s/net-%llu", CTLSOCK_LAB_DIR, (unsigned long long)st.st_ino);
	return n > 0 && (size_t)n < size;
}

/* The socket is bound and listening under a private name first, then linked to its real
 * name: a client never finds a socket at the real name that does not answer yet. wg(8) takes
 * such a socket for a dead daemon's and deletes it, so `wg show all` from a monitor, run
 * while adit starts, would otherwise leave the daemon running with no socket. The private
 * name does not end in .sock, so wg(8)'s scans of the directory skip it; it is the name
 * ss(8) and lsof print for the socket, since it is the one it was bound to. */
static int publish(struct ctlsock *c, int fd, struct sockaddr_un *sun, const char *name)
{
	struct sockaddr_un tmp = { .sun_family = AF_UNIX };
	const char *slash = strrchr(sun->sun_path, '/');
	int n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%.*s/.%s.%ld",
			 (int)(slash - sun->sun_path), sun->sun_path, name, (long)getpid());
	int linked, ret;

	if (n < 0 || (size_t)n >= sizeof(tmp.sun_path)) {
		log_error("cannot use %s: the path is too long", sun->sun_path);
		return -ENAMETOOLONG;
	}
	unlink(tmp.sun_path); /* left by a process of our PID that died here */
	if (bind_private(fd, &tmp) < 0 || listen(fd, 16) < 0) {
		log_error("cannot listen on %s: %s", tmp.sun_path, strerror(errno));
		ret = -errno;
		goto out;
	}
	linked = link(tmp.sun_path, sun->sun_path);
	if (linked < 0 && errno == EEXIST) {
		ret = remove_stale(sun, name);
		if (ret < 0)
			goto out;
		linked = link(tmp.sun_path, sun->sun_path);
	}
	if (linked < 0) {
		log_error("cannot create %s: %s", sun->sun_path, strerror(errno));
		ret = -errno;
		goto out;
	}
	/* Only root writes to the directory (check_dir): the name is still ours. */
	c->pin = open(sun->sun_path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (c->pin < 0) {
		log_error("cannot open %s: %s", sun->sun_path, strerror(errno));
		ret = -errno;
		unlink(sun->sun_path);
		goto out;
	}
	ret = 0;
out:
	unlink(tmp.sun_path);
	return ret;
}

int ctlsock_listen(struct ctlsock *c, const char *dir, const char *sub, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char full[sizeof(c->subdir)];
	int fd, err;

	c->pin = -1;
	c->subdir[0] = '\0';
	if (sub && snprintf(full, sizeof(full), "%s/%s", dir, sub) >= (int)sizeof(full)) {
		log_error("cannot use %s/%s: the path is too long", dir, sub);
		return -ENAMETOOLONG;
	}
	if ((err = make_dir(dir)) < 0 || (err = check_dir(dir)) < 0 ||
	    (sub && ((err = make_dir(full)) < 0 || (err = check_dir(full)) < 0)))
		return err;
	if (sub) {
		memcpy(c->subdir, full, sizeof(full));
		dir = c->subdir;
	}
	if (!ctlsock_path(sun.sun_path, sizeof(sun.sun_path), dir, name)) {
		log_error("'%s' is not a usable interface name for %s; use at most %d characters "
			  "and no '/'", name, dir, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	memcpy(c->path, sun.sun_path, sizeof(c->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error("cannot create a UNIX socket: %s", strerror(errno));
		return -errno;
	}
	err = publish(c, fd, &sun, name);
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

void ctlsock_unlink(struct ctlsock *c)
{
	struct stat ours, there;

	if (c->pin < 0)
		return;
	if (fstat(c->pin, &ours) == 0 && lstat(c->path, &there) == 0 && S_ISSOCK(there.st_mode) &&
	    there.st_dev == ours.st_dev && there.st_ino == ours.st_ino)
		unlink(c->path);
	close(c->pin);
	c->pin = -1;
	if (c->subdir[0])
		rmdir(c->subdir); /* fails, as it should, while another socket is in it */
}

int ctlsock_connect(const char *path, int timeout_sec)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_sec };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}
