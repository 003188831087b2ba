#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/ctlsock.h"
#include "base/log.h"
#include "base/privs.h"

/* coredump_filter (man 5 core) says which kinds of mapping a core carries: bits 0-3 anonymous
 * and file-backed, private and shared; 4 ELF headers; 5-6 huge pages; 7-8 DAX. With none set,
 * a core made anyway (by gcore, or after something made the process dumpable again) has
 * registers but no memory, so none of the memory that libraries allocate for us (OpenSSL's
 * cipher contexts hold the expanded session keys) and none of our stack. The pools of secmem
 * are marked as well: gdb can be told to ignore the filter, not to dump what is marked. */
static void dump_no_mapping(void)
{
	int fd = open("/proc/self/coredump_filter", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "0", 1) != 1)
		log_verbose("cannot clear /proc/self/coredump_filter (%s); a core would still "
			    "leave out the memory marked as holding keys", strerror(errno));
	if (fd >= 0)
		close(fd);
}

void privs_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
	dump_no_mapping();
}

void privs_dont_dump(void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	uintptr_t end = ((uintptr_t)addr + len + page - 1) & ~(page - 1);

	madvise((void *)start, end - start, MADV_DONTDUMP);
}

int privs_find_user(struct privs_user *u, const char *name)
{
	const char *env = getenv(PRIVS_USER_ENV);
	struct passwd *pw;

	if (!name && env && *env)
		name = env;
	else
		env = NULL;
	if (!name)
		return 0;
	errno = 0;
	pw = getpwnam(name);
	if (!pw && env) {
		log_error(PRIVS_USER_ENV "=%s: %s; create the user ('useradd --system "
			  "--no-create-home --shell /usr/sbin/nologin %s', which make install "
			  "does for adit), or unset " PRIVS_USER_ENV, name,
			  errno ? strerror(errno) : "no such user", name);
		return errno ? -errno : -ENOENT;
	}
	if (!pw) {
		log_error("--user %s: %s", name,
			  errno ? strerror(errno) : "no such user (see getent passwd)");
		return errno ? -errno : -ENOENT;
	}
	*u = (struct privs_user){ .set = true, .uid = pw->pw_uid, .gid = pw->pw_gid,
				  .name = name };
	return 0;
}

int privs_keep_only(bool net_admin, bool bind_service, const struct privs_user *user)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	/* Without capabilities to give up (an unprivileged adit on a TUN made for it), there is
	 * nothing to drop, and no other user to become. */
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE) {
		if (user && user->set) {
			log_error("--user %s needs root (or CAP_SETUID and CAP_SETGID)", user->name);
			return -EPERM;
		}
		return 0;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if ((net_admin && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				       CAP_NET_ADMIN) < 0) ||
	    (bind_service && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
					  CAP_NET_BIND_SERVICE) < 0))
		goto fail;
	if (!user || !user->set) {
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			goto fail;
		return 0;
	}
	/* Sets the gid, drops the supplementary groups, then the uid, and keeps the
	 * capabilities chosen above through the change. */
	if (capng_change_id((int)user->uid, (int)user->gid,
			    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) < 0) {
		log_error("cannot become user %s (uid %u, gid %u): it takes CAP_SETUID, CAP_SETGID "
			  "and CAP_SETPCAP (a systemd unit's CapabilityBoundingSet= must keep "
			  "them); refusing to go on as root", user->name, (unsigned int)user->uid,
			  (unsigned int)user->gid);
		return -EPERM;
	}
	return 0;
fail:
	log_error("cannot drop capabilities (libcap-ng failed); refusing to run with all of "
		  "root's");
	return -EPERM;
}

/* Closes every descriptor but a and b (either may be -1). */
static void close_all_but(int a, int b)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a };
	unsigned int from = 0;

	for (int i = 0; i < 2; i++) {
		if (keep[i] < 0)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* The janitor's life: nothing of the daemon's but the pipe and the pin, no capability, no
 * signal; read until the daemon's end closes, clean up, exit. */
static __attribute__((noreturn)) void janitor(int pipe_fd, struct ctlsock *sock)
{
	sigset_t all;
	ssize_t n;
	char byte;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	close_all_but(pipe_fd, sock->pin);
	prctl(PR_SET_NAME, "adit-janitor", 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	capng_clear(CAPNG_SELECT_BOTH);
	capng_apply(CAPNG_SELECT_BOTH);
	do
		n = read(pipe_fd, &byte, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	ctlsock_unlink(sock);
	_exit(0);
}

int privs_start_janitor(struct ctlsock *sock)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		log_error("cannot start the process that removes the socket at exit: %s",
			  strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		close(fds[1]);
		janitor(fds[0], sock);
	}
	close(fds[0]);
	/* fds[1] stays open, unused, for the daemon's life: its closing is the signal. */
	return 0;
}
