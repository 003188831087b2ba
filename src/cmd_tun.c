/* adit tun: lab tasks 2 and 9. A TUN or TAP interface whose every packet is printed on one
 * line, and, with --reply, pings (and on a TAP, ARP) answered as if a host stood behind it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "iface.h"
#include "log.h"
#include "loop.h"
#include "opts.h"
#include "packet.h"
#include "responder.h"

struct tun_cmd {
	struct tun tun;
	const struct lab_opts *o;
	struct responder responder;
	enum link_type link;
	uint8_t in[PACKET_BUF_SIZE];
	uint8_t out[PACKET_BUF_SIZE];
	char line[512];
};

static void answer(struct tun_cmd *c, const uint8_t *pkt, size_t len)
{
	size_t n = responder_reply(&c->responder, pkt, len, c->link, c->out, sizeof(c->out));

	if (!n)
		return;
	if (write(c->tun.fd, c->out, n) < 0) {
		log_error("cannot write a reply to %s: %s", c->tun.name, strerror(errno));
		return;
	}
	if (!c->o->quiet) {
		packet_summary(c->out, n, c->link, c->line, sizeof(c->line));
		printf("  reply: %s\n", c->line);
	}
}

static int on_packets(void *ctx)
{
	struct tun_cmd *c = ctx;
	ssize_t len;

	for (int i = 0; i < LOOP_BATCH; i++) {
		len = read(c->tun.fd, c->in, sizeof(c->in));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (len < 0) {
			int err = errno;

			log_error("cannot read from %s: %s (was the interface deleted?)", c->tun.name,
				  strerror(err));
			return -err;
		}
		if (!c->o->quiet) {
			packet_summary(c->in, (size_t)len, c->link, c->line, sizeof(c->line));
			puts(c->line);
		}
		if (c->o->reply)
			answer(c, c->in, (size_t)len);
	}
	fflush(stdout);
	return 0;
}

int cmd_tun(int argc, char **argv)
{
	static struct tun_cmd c; /* packet buffers: too big for the stack, allocated once */
	struct loop_watch w = { .ready = on_packets, .ctx = &c };
	struct lab_opts o;
	struct loop l;
	int ret = opts_parse(&o, CMD_TUN, argc, argv);

	if (ret)
		return ret;
	if (o.help) {
		opts_usage(CMD_TUN, true);
		return EXIT_OK;
	}
	c.o = &o;
	c.link = o.tap ? LINK_ETHER : LINK_IP;
	memcpy(c.responder.mac, o.mac, sizeof(o.mac));
	/* Signals first: a SIGTERM right after the name is printed still ends adit cleanly. */
	if (loop_init(&l) < 0)
		return EXIT_FAIL;
	ret = iface_setup(&c.tun, &o);
	if (!ret) {
		printf("Interface Name: %s\n", c.tun.name);
		fflush(stdout);
		w.fd = c.tun.fd;
		ret = loop_add(&l, &w) < 0 || loop_run(&l) < 0 ? EXIT_FAIL : EXIT_OK;
		tun_close(&c.tun);
	}
	loop_close(&l);
	return ret;
}
