/* adit tun: lab tasks 2 and 9. A TUN or TAP interface whose every packet is printed on one
 * line, and, with --reply, pings (and on a TAP, ARP) answered as if a host stood behind it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/netns.h"
#include "base/loop.h"
#include "base/privs.h"
#include "cmd/commands.h"
#include "io/pool.h"
#include "lab/iface.h"
#include "lab/lab_control.h"
#include "lab/opts.h"
#include "lab/reasm.h"
#include "lab/responder.h"
#include "pkt/packet.h"
#include "pkt/trace.h"

struct tun_cmd {
	struct tun tun;
	const struct lab_opts *o;
	struct responder responder;
	enum link_type link;
	bool show; /* a line (unless -q) or a capture (--pcap) per packet */
	struct trace trace; /* --pcap: what is read, and the replies written */
	struct io_pool pool; /* IO_BATCH buffers for what is read, IO_BATCH for the replies */
	uint8_t *in[IO_BATCH], *out[IO_BATCH];
	size_t in_len[IO_BATCH], out_len[IO_BATCH];
	char line[512];
	uint64_t packets, replies; /* read from the interface; answers written back */
	struct reasm reasm;   /* fragmented echo requests (ping -s 3000), --reply on a TUN */
	uint8_t whole[REASM_MAX]; /* a datagram reassembled */
	struct lab_view view; /* what adit show is told */
	struct lab_control control;
};

#define ROOM (IO_BUF_SIZE - IO_HEADROOM)

static uint64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The reply to packet i, if there is one, joins the batch written back. A fragment of an IPv4
 * datagram is answered once its datagram is whole; the reply goes back whole, as the kernel
 * takes a packet written to a TUN whatever the MTU. */
static unsigned int answer(struct tun_cmd *c, unsigned int i, unsigned int n)
{
	const uint8_t *pkt = c->in[i];
	size_t len = c->in_len[i];

	if (c->link == LINK_IP && reasm_is_fragment(pkt, len)) {
		len = reasm_add(&c->reasm, pkt, len, now_sec(), c->whole, sizeof(c->whole));
		pkt = c->whole;
	}
	len = len ? responder_reply(&c->responder, pkt, len, c->link, c->out[n], ROOM) : 0;

	if (!len)
		return n;
	c->out_len[n] = len;
	if (!c->o->quiet) {
		packet_summary(c->out[n], len, c->link, c->line, sizeof(c->line));
		printf("  reply: %s\n", c->line);
	}
	trace_capture(&c->trace, c->out[n], len);
	return n + 1;
}

static void show(struct tun_cmd *c, unsigned int i)
{
	if (!c->o->quiet) {
		packet_summary(c->in[i], c->in_len[i], c->link, c->line, sizeof(c->line));
		puts(c->line);
	}
	trace_capture(&c->trace, c->in[i], c->in_len[i]);
}

static int read_failed(struct tun_cmd *c, int err)
{
	log_error("cannot read from %s: %s (was the interface deleted?)", c->tun.name,
		  strerror(err));
	return -err;
}

static int on_packets(void *ctx)
{
	struct tun_cmd *c = ctx;
	unsigned int replies = 0;
	int n, err;

	do {
		n = tun_read_batch(&c->tun, c->in, c->in_len, IO_BATCH, ROOM);
		if (n > 0)
			c->packets += (uint64_t)n;
		for (int i = 0; i < n; i++) {
			if (c->show)
				show(c, (unsigned int)i);
			if (c->o->reply)
				replies = answer(c, (unsigned int)i, replies);
		}
		err = tun_write_batch(&c->tun, c->out, c->out_len, replies, ROOM, false);
		c->replies += replies;
		replies = 0;
	} while (n > 0 && err == 0 && c->tun.pending);
	fflush(stdout);
	if (c->trace.on)
		trace_flush(&c->trace);
	if (n < 0)
		return read_failed(c, -n);
	return err < 0 ? read_failed(c, -err) : 0;
}

static void print_stats(const struct tun_cmd *c)
{
	if (c->o->reply)
		log_info("%s: %llu packets read, %llu replies written", c->tun.name,
			 (unsigned long long)c->packets, (unsigned long long)c->replies);
	else
		log_info("%s: %llu packets read", c->tun.name, (unsigned long long)c->packets);
	io_stats_log(c->tun.name, &c->tun.stats);
}

/* adit show finds this interface as it finds a lab server's: by its control socket. Without
 * one (not root, say: lab_control_start says so) the command runs all the same. */
static void serve_show(struct tun_cmd *c, struct loop *l, const struct privs_user *user)
{
	c->view = (struct lab_view){ .tun_only = true, .tap = c->o->tap, .tun = &c->tun };
	netns_name_self(c->view.netns, sizeof(c->view.netns));
	lab_control_start(&c->control, l, &c->view);
	/* Another user cannot remove the socket from root's /var/run/adit: a janitor will. */
	if (user->set && c->control.listen_fd >= 0)
		privs_start_janitor(&c->control.sock);
}

int cmd_tun(int argc, char **argv)
{
	static struct tun_cmd c; /* the batches: too big for the stack */
	struct loop_watch w = { .ready = on_packets, .ctx = &c };
	struct privs_user user = { 0 };
	struct lab_opts o;
	struct loop l;
	int ret;

	if (!opts_parse(&o, CMD_TUN, argc, argv))
		return EXIT_USAGE;
	if (o.help) {
		opts_usage(CMD_TUN, true);
		return EXIT_OK;
	}
	if (privs_find_user(&user, o.user) != 0) /* --user, or else ADIT_USER */
		return EXIT_USAGE;
	if (io_pool_init(&c.pool, 2 * IO_BATCH) < 0)
		return EXIT_FAIL;
	for (unsigned int i = 0; i < IO_BATCH; i++) {
		c.in[i] = io_pool_buf(&c.pool, i) + IO_HEADROOM;
		c.out[i] = io_pool_buf(&c.pool, IO_BATCH + i) + IO_HEADROOM;
	}
	c.o = &o;
	c.link = o.tap ? LINK_ETHER : LINK_IP;
	memcpy(c.responder.mac, o.mac, sizeof(o.mac));
	/* The capture file before anything is made, so a bad path changes nothing. */
	if (o.pcap && trace_open_pcap(&c.trace, o.pcap, c.link) < 0)
		return EXIT_FAIL;
	c.show = !o.quiet || c.trace.on;
	/* Signals first: a SIGTERM right after the name is printed still ends adit cleanly. */
	if (loop_init(&l) < 0) {
		trace_close(&c.trace);
		return EXIT_FAIL;
	}
	ret = iface_setup(&c.tun, &o) < 0 ? EXIT_FAIL : EXIT_OK;
	if (!ret)
		serve_show(&c, &l, &user);
	if (!ret && privs_keep_only(false, false, &user) < 0) {
		lab_control_stop(&c.control);
		tun_close(&c.tun);
		ret = EXIT_FAIL;
	}
	if (!ret) {
		printf("Interface Name: %s\n", c.tun.name);
		fflush(stdout);
		w.fd = c.tun.fd;
		ret = loop_add(&l, &w) < 0 || loop_run(&l) < 0 ? EXIT_FAIL : EXIT_OK;
		fflush(stdout);
		print_stats(&c);
		lab_control_stop(&c.control);
		tun_close(&c.tun);
	}
	loop_close(&l);
	io_pool_free(&c.pool);
	trace_close(&c.trace);
	return ret;
}
