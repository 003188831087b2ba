/* The control sockets' life on disk: a socket appears at its name only once it listens (wg(8)
 * deletes a socket that refuses it), a stale one is replaced, a live one is left to its
 * daemon (even one too busy to accept), and at exit only our own inode is removed. listen() is wrapped to look at the
 * directory at the moment the socket starts to listen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/ctlsock.h"

int __real_listen(int fd, int backlog);
int __wrap_listen(int fd, int backlog);

static char dir[64];
static char path[96];
static int listens;
static bool path_existed_at_listen;

int __wrap_listen(int fd, int backlog)
{
	struct stat st;

	listens++;
	if (lstat(path, &st) == 0)
		path_existed_at_listen = true;
	return __real_listen(fd, backlog);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/adit-ctlsock.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wgt0.sock", dir);
	listens = 0;
	path_existed_at_listen = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* The names in dir, but . and .., one after the other. */
static void list_dir(char *buf, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	buf[0] = '\0';
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s ", e->d_name);
	closedir(d);
}

static int connect_to(const char *p)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ret;

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return ret < 0 ? -errno : 0;
}

/* A socket bound at path and then closed: what a daemon killed with SIGKILL leaves. */
static void leave_stale(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(connect_to(path), -ECONNREFUSED);
}

static void published_only_when_listening(void **state)
{
	struct ctlsock c;
	struct stat st;
	char names[256];
	int fd;

	(void)state;
	fd = ctlsock_listen(&c, dir, NULL, "wgt0");
	assert_true(fd >= 0);
	assert_int_equal(listens, 1);
	assert_false(path_existed_at_listen);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0); /* root's alone */
	assert_int_equal(connect_to(path), 0);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "wgt0.sock "); /* the private name is gone */
	ctlsock_unlink(&c);
	assert_int_equal(lstat(path, &st), -1);
	close(fd);
}

static void stale_socket_replaced(void **state)
{
	struct ctlsock c;
	int fd;

	(void)state;
	leave_stale();
	fd = ctlsock_listen(&c, dir, NULL, "wgt0");
	assert_true(fd >= 0);
	assert_int_equal(connect_to(path), 0);
	ctlsock_unlink(&c);
	close(fd);
}

static void live_socket_kept(void **state)
{
	struct ctlsock first, second;
	char names[256];
	int fd, fd2;

	(void)state;
	fd = ctlsock_listen(&first, dir, NULL, "wgt0");
	assert_true(fd >= 0);
	fd2 = ctlsock_listen(&second, dir, NULL, "wgt0");
	assert_int_equal(fd2, -EADDRINUSE);
	assert_int_equal(connect_to(path), 0); /* still the first daemon's */
	list_dir(names, sizeof(names));
	assert_string_equal(names, "wgt0.sock ");
	ctlsock_unlink(&second); /* never bound: removes nothing */
	assert_int_equal(connect_to(path), 0);
	ctlsock_unlink(&first);
	close(fd);
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A daemon that listens but does not accept (stopped, or busy) until its backlog is full: its
 * socket is live and kept, and the check does not wait on it (a blocking connect waited for
 * as long as the daemon did; here, until the alarm). */
static void busy_socket_kept(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: connect returns */
	struct ctlsock c;
	int busy, queued[64], n = 0, fd;

	(void)state;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	busy = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(busy, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(__real_listen(busy, 0), 0);
	for (; n < 64; n++) {
		queued[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(queued[n], (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			assert_int_equal(errno, EAGAIN);
			break;
		}
	}
	assert_true(n < 64); /* the backlog is full */
	alarmed = 0;
	sigaction(SIGALRM, &sa, NULL);
	alarm(2);
	fd = ctlsock_listen(&c, dir, NULL, "wgt0");
	alarm(0);
	assert_false(alarmed);
	assert_int_equal(fd, -EADDRINUSE);
	assert_int_equal(lstat(path, &(struct stat){ 0 }), 0); /* the busy daemon's, still there */
	for (int i = 0; i <= n; i++)
		close(queued[i]);
	close(busy);
}

static void another_socket_at_the_path_kept(void **state)
{
	struct ctlsock c;
	struct stat st;
	int fd;

	(void)state;
	fd = ctlsock_listen(&c, dir, NULL, "wgt0");
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	leave_stale(); /* another process's socket, another inode */
	ctlsock_unlink(&c);
	assert_int_equal(lstat(path, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(published_only_when_listening, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_socket_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(live_socket_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_socket_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(another_socket_at_the_path_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
