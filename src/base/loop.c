#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/log.h"
#include "base/loop.h"

static struct loop_watch signal_watch; /* marks the signalfd among epoll events */

int loop_init(struct loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &signal_watch };
	sigset_t set;

	l->timeout = NULL;
	l->timeout_ctx = NULL;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0 || l->epfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0) {
		int err = -errno;

		log_error("cannot set up the event loop: %s", strerror(-err));
		loop_close(l);
		return err;
	}
	return 0;
}

int loop_add(struct loop *l, struct loop_watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0) {
		log_error("cannot watch file descriptor %d: %s", w->fd, strerror(errno));
		return -errno;
	}
	return 0;
}

void loop_watch_events(struct loop *l, struct loop_watch *w, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = w };

	epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_del(struct loop *l, struct loop_watch *w)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

static int take_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	if (read(l->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

int loop_run(struct loop *l)
{
	struct epoll_event events[8];
	int n, ret;

	for (;;) {
		n = epoll_wait(l->epfd, events, 8, l->timeout ? l->timeout(l->timeout_ctx) : -1);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			log_error("epoll_wait failed: %s", strerror(err));
			return -err;
		}
		for (int i = 0; i < n; i++) {
			struct loop_watch *w = events[i].data.ptr;

			if (w == &signal_watch) {
				ret = take_signal(l);
				if (ret)
					return ret;
				continue;
			}
			ret = w->ready(w->ctx);
			if (ret < 0)
				return ret;
		}
	}
}

void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	l->epfd = l->sigfd = -1;
}
