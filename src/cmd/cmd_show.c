/* adit show [IFACE]: what wg show prints, and what only adit knows (drops by reason, the
 * under-load state, offloads; a lab server's clients). It asks the daemon over its socket:
 * wg mode's UAPI socket, /var/run/wireguard/IFACE.sock, with adit-show=1 (uapi.c), which
 * wireguard-go does not answer; lab mode's control socket, /var/run/adit/net-NETNS/IFACE.sock
 * (lab_control.c, ctlsock.h), with the same request. Both are root's alone. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/ctlsock.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "cmd/show.h"

#define REQUEST "adit-show=1\n\n"
/* A line of the answer is at most this long (the UAPI's own limit). */
#define LINE_MAX_LEN 4096
#define TIMEOUT_SEC 10

enum ask_result {
	ASK_OK,          /* printed */
	ASK_NO_SOCKET,   /* nothing there, or a socket nobody serves */
	ASK_UNREACHABLE, /* connect failed otherwise (*err says why: EACCES, not root) */
	ASK_NOT_ADIT,    /* the daemon hung up on adit-show: not adit's */
	ASK_FAILED,      /* the answer was broken; said */
};

static void usage(FILE *f)
{
	fputs("usage: adit show [IFACE]\n\n"
	      "Prints an adit interface as wg show does (keys, endpoints, allowed IPs, latest\n"
	      "handshakes, transfer), with what adit adds: the packets it dropped, by reason, for\n"
	      "the interface and each peer; whether it is under load; the offloads in use. For a\n"
	      "lab-mode server or client, its clients (or server) with their inner addresses and\n"
	      "counters. Without IFACE, every adit interface. Needs root.\n", f);
}

/* Whether the daemon at the other end of fd may be adit: false only when its process is
 * known (SO_PEERCRED, /proc/PID/comm) and is another program, whose name goes in who. Such a
 * daemon is not sent adit-show=1 at all: wireguard-go logs an error for every request it
 * does not know. A daemon in another PID namespace, or one /proc does not show, is asked. */
static bool maybe_adit(int fd, char *who, size_t size)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char path[64];
	FILE *f;
	bool got;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)cred.pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	got = fgets(who, (int)size, f) != NULL;
	fclose(f);
	if (!got)
		return true;
	who[strcspn(who, "\n")] = '\0';
	return strncmp(who, "adit", 4) == 0;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 once it has passed. */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Reads the answer a line at a time into s, all of it within TIMEOUT_SEC of the start: a
 * daemon that trickles its answer is cut off as one that is silent is. *lines counts the
 * lines taken before the last one read. Returns
 * show_parse_line's final result (1 for a whole answer), 0 when the daemon hung up before it
 * ended, -ETIMEDOUT, or -errno when reading failed. *daemons is set when the daemon itself
 * answered with an error (errno=N). */
static int read_answer(int fd, struct show_iface *s, size_t *lines, bool *daemons)
{
	static char buf[65536];
	char line[LINE_MAX_LEN + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec deadline;
	size_t len = 0;
	ssize_t n;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TIMEOUT_SEC;
	for (;;) {
		ret = poll(&pfd, 1, ms_left(&deadline));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n ? -errno : 0;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len == LINE_MAX_LEN || !buf[i])
					return -EPROTO;
				line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			*daemons = !strncmp(line, "errno=", 6);
			ret = show_parse_line(s, line);
			if (ret)
				return ret;
			(*lines)++; /* read whole and taken */
		}
	}
}

/* Why an answer could not be shown, for the user. */
static void say_failed(const char *path, int ret, size_t lines, bool daemons)
{
	if (ret == 0)
		log_error("%s: the daemon hung up in the middle of its answer (after %zu lines); "
			  "try again", path, lines);
	else if (ret == -ETIMEDOUT)
		log_error("%s: the daemon did not finish its answer within %d s (%zu lines "
			  "read); try again, and if it persists, look at the daemon's log", path,
			  TIMEOUT_SEC, lines);
	else if (ret == -EFBIG)
		log_error("%s: the daemon's answer goes on past %u lines, more than adit show "
			  "reads; is the daemon adit, and well?", path, SHOW_MAX_LINES);
	else if (ret == -EPROTO && !daemons)
		log_error("%s: line %zu of the daemon's answer is not what adit show reads (a "
			  "malformed value, or a line of more than %d bytes); is the daemon adit, "
			  "of the same version as this adit show?", path, lines + 1, LINE_MAX_LEN);
	else
		log_error("%s: %s: %s", path, daemons ? "the daemon answered with an error" :
			  "cannot read the daemon's answer", strerror(-ret));
}

/* Asks the daemon at path and prints its interface, after a blank line if *shown (wg show's
 * separator); a daemon that is not adit's is said only when the user named it. */
static enum ask_result ask(const char *path, const char *name, bool named, bool *shown,
			   int *err)
{
	struct show_iface s;
	char who[32];
	size_t lines = 0;
	bool daemons = false;
	int fd, ret;

	fd = ctlsock_connect(path, TIMEOUT_SEC);
	if (fd < 0) {
		*err = -fd;
		return -fd == ENOENT || -fd == ECONNREFUSED ? ASK_NO_SOCKET : ASK_UNREACHABLE;
	}
	if (!maybe_adit(fd, who, sizeof(who))) {
		close(fd);
		if (named)
			log_error("%s is not an adit interface: %s is served by %s ('wg show %s' "
				  "shows it)", name, path, who, name);
		return ASK_NOT_ADIT;
	}
	show_init(&s, name);
	if (send(fd, REQUEST, strlen(REQUEST), MSG_NOSIGNAL) != (ssize_t)strlen(REQUEST))
		ret = -errno;
	else
		ret = read_answer(fd, &s, &lines, &daemons);
	close(fd);
	if (ret == 0 && !lines) {
		show_free(&s);
		if (named)
			log_error("%s is not an adit interface: %s hung up on adit's request (is "
				  "it wireguard-go's? 'wg show %s' shows it)", name, path, name);
		return ASK_NOT_ADIT;
	}
	if (ret == 1) {
		if (*shown)
			putchar('\n');
		show_print(stdout, &s, time(NULL));
		*shown = true;
	} else {
		say_failed(path, ret, lines, daemons);
	}
	show_free(&s);
	return ret == 1 ? ASK_OK : ASK_FAILED;
}

/* Where sockets are: wg mode's, then lab mode's for this network namespace. */
static char lab_dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
static const char *dirs[] = { CTLSOCK_WG_DIR, lab_dir };
#define NDIRS (lab_dir[0] ? 2u : 1u)

static int show_one(const char *name)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool shown = false;
	int err = 0, wg_err = 0;

	for (size_t i = 0; i < NDIRS; i++) {
		if (!ctlsock_path(path, sizeof(path), dirs[i], name))
			return EXIT_USAGE;
		switch (ask(path, name, true, &shown, &err)) {
		case ASK_OK:
			return EXIT_OK;
		case ASK_NOT_ADIT:
		case ASK_FAILED:
			return EXIT_FAIL;
		case ASK_UNREACHABLE:
			log_error("cannot connect to %s: %s%s", path, strerror(err),
				  err == EACCES ? " (adit show needs root)" : "");
			return EXIT_FAIL;
		case ASK_NO_SOCKET:
			break;
		}
		if (i == 0)
			wg_err = err;
	}
	ctlsock_path(path, sizeof(path), dirs[0], name);
	log_error("cannot connect to %s: %s (is adit running for %s?)", path, strerror(wg_err),
		  name);
	return EXIT_FAIL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The interface names with a socket in dir, added to names. */
static void list_dir(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len;
	char **grown;

	if (!d)
		return;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len <= 5 || len - 5 >= IF_NAMESIZE || strcmp(e->d_name + len - 5, ".sock"))
			continue;
		e->d_name[len - 5] = '\0';
		/* A name that no interface can have is not asked (nor printed). */
		if (addr_check_ifname(e->d_name) || strchr(e->d_name, '%'))
			continue;
		grown = realloc(*names, (*n + 1) * sizeof(**names));
		if (!grown)
			break;
		*names = grown;
		(*names)[*n] = strdup(e->d_name);
		if ((*names)[*n])
			(*n)++;
	}
	closedir(d);
}

/* Every interface whose socket answers adit's request, by name; none is a failure (status 1),
 * said, as a script asking "is adit running here?" wants. */
static int show_all(void)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)], **names = NULL;
	size_t n = 0;
	bool shown = false;
	int ret = EXIT_OK, err;
	enum ask_result r;

	for (size_t i = 0; i < NDIRS; i++)
		list_dir(dirs[i], &names, &n);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		/* A name in both directories is asked in both, once. */
		for (size_t j = 0; j < NDIRS && (!i || strcmp(names[i], names[i - 1])); j++) {
			if (!ctlsock_path(path, sizeof(path), dirs[j], names[i]))
				continue;
			r = ask(path, names[i], false, &shown, &err);
			if (r == ASK_UNREACHABLE)
				log_error("cannot connect to %s: %s%s", path, strerror(err),
					  err == EACCES ? " (adit show needs root)" : "");
			if (r == ASK_UNREACHABLE || r == ASK_FAILED)
				ret = EXIT_FAIL;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!shown && ret == EXIT_OK) {
		log_error("no adit interface here: no adit daemon answers in %s or %s (start one: "
			  "adit tun, adit server, adit client or adit IFACE)", dirs[0],
			  NDIRS > 1 ? lab_dir : "/var/run/adit");
		ret = EXIT_FAIL;
	}
	return ret;
}

int cmd_show(int argc, char **argv)
{
	const char *name = NULL, *why;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-') {
			log_error("unknown option '%s' (usage: adit show [IFACE])", argv[i]);
			return EXIT_USAGE;
		}
		if (name) {
			log_error("unexpected argument '%s' (usage: adit show [IFACE])", argv[i]);
			return EXIT_USAGE;
		}
		name = argv[i];
	}
	if (!ctlsock_lab_dir(lab_dir, sizeof(lab_dir)))
		lab_dir[0] = '\0';
	if (!name)
		return show_all();
	why = addr_check_ifname(name);
	if (why || strchr(name, '%')) {
		log_error("invalid interface name '%s': %s", name, why ? why : "a plain name, please");
		return EXIT_USAGE;
	}
	return show_one(name);
}
