#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"
#include "base/netns.h"
#include "io/tun.h"

/* The largest read: a virtio-net header and a 64 KB super-packet. */
#define SUPER_SIZE (OFFLOAD_VNET_HDR_LEN + 65535)

static void explain_open(int err)
{
	if (err == ENOENT || err == ENODEV)
		log_error("cannot open /dev/net/tun: %s (load the tun module with 'modprobe tun')",
			  strerror(err));
	else if (err == EACCES || err == EPERM)
		log_error("cannot open /dev/net/tun: %s (run as root or grant CAP_NET_ADMIN)",
			  strerror(err));
	else
		log_error("cannot open /dev/net/tun: %s", strerror(err));
}

/* Lab mode names its interface with -n and accepts templates; wg mode takes a plain name. */
static void explain_setiff(int err, const char *name, bool tap, bool template_ok)
{
	const char *kind = tap ? "TAP" : "TUN";
	const char *other = template_ok ? "choose another name with -n" : "choose another name";

	if (err == EPERM || err == EACCES)
		log_error("cannot create %s interface %s: %s (run as root or grant CAP_NET_ADMIN)",
			  kind, name, strerror(err));
	else if (err == EBUSY)
		log_error("cannot create %s interface %s: it exists and another program holds it "
			  "(stop that program, or %s)", kind, name, other);
	else if (err == EINVAL && template_ok)
		log_error("cannot create %s interface %s: an interface of that name exists and is "
			  "not a %s (%s, e.g. -n %s%%d)", kind, name, kind, other, tap ? "tap" : "tun");
	else if (err == EINVAL)
		log_error("cannot create %s interface %s: an interface of that name exists and is "
			  "not a %s (%s)", kind, name, kind, other);
	else
		log_error("cannot create %s interface %s: %s", kind, name, strerror(err));
}

/* Newer kernels segment UDP too; older ones refuse the whole set, so ask again without. */
static void set_offloads(struct tun *t)
{
	static const unsigned int wanted[] = {
		OFFLOAD_TUN_TCP | OFFLOAD_TUN_UDP,
		OFFLOAD_TUN_TCP,
		TUN_F_CSUM,
	};

	for (unsigned int i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		if (ioctl(t->fd, TUNSETOFFLOAD, wanted[i]) == 0) {
			t->offloads = wanted[i];
			return;
		}
	}
	t->offloads = 0;
}

static int alloc_super(struct tun *t)
{
	t->super = mmap(NULL, SUPER_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (t->super == MAP_FAILED) {
		t->super = NULL;
		log_error("cannot allocate the TUN's read buffer: %s", strerror(errno));
		return -ENOMEM;
	}
	return 0;
}

static int setup_offload(struct tun *t)
{
	int err = alloc_super(t);

	if (!err)
		set_offloads(t);
	return err;
}

int tun_open(struct tun *t, const char *name, bool tap, bool template_ok, bool offload)
{
	struct ifreq ifr = { 0 };
	int err;

	memset(t, 0, sizeof(*t));
	t->tap = tap;
	/* Offloads are for IP: a TAP carries Ethernet frames, left whole. */
	t->vnet = offload && !tap;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		err = errno;
		explain_open(err);
		return -err;
	}
	/* IFF_NO_PI: packets are bare IP (or Ethernet), as on the lab's wire. */
	ifr.ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (t->vnet ? IFF_VNET_HDR : 0);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		explain_setiff(err, name, tap, template_ok);
		goto err;
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = '\0';
	t->ifindex = if_nametoindex(t->name);
	if (!t->ifindex) {
		err = errno;
		log_error("cannot find the index of interface %s: %s", t->name, strerror(err));
		goto err;
	}
	if (t->vnet && (err = -setup_offload(t)) != 0)
		goto err;
	return 0;
err:
	close(t->fd);
	t->fd = -1;
	return -err;
}

void tun_attach(struct tun *t, int fd)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
}

int tun_attach_vnet(struct tun *t, int fd, unsigned int offloads)
{
	tun_attach(t, fd);
	t->vnet = true;
	t->offloads = offloads;
	return alloc_super(t);
}

void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->super)
		munmap(t->super, SUPER_SIZE);
	t->super = NULL;
}

const char *tun_offload_names(const struct tun *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", t->offloads & TUN_F_CSUM ? "csum" : "off",
		 t->offloads & TUN_F_TSO4 ? " tso4" : "", t->offloads & TUN_F_TSO6 ? " tso6" : "",
		 t->offloads & TUN_F_USO4 ? " uso4" : "", t->offloads & TUN_F_USO6 ? " uso6" : "");
	return buf;
}

/* One error policy for every TUN: these mean the interface is gone (deleted, or its
 * namespace removed); anything else on write is the kernel refusing one packet. */
static bool interface_gone(int err)
{
	return err == EBADFD || err == EIO || err == ENXIO || err == ENODEV;
}

static int read_error(int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return 0;
	return interface_gone(err) ? -ENODEV : -err;
}

/* A super-packet needs a buffer per segment; it waits when the batch lacks them, unless the
 * batch is empty (then it can never fit, and the split says so). */
static bool fits(const struct tun *t, unsigned int room)
{
	struct virtio_net_hdr h;
	size_t payload = t->super_len - OFFLOAD_VNET_HDR_LEN;
	unsigned int size;

	memcpy(&h, t->super, sizeof(h));
	size = le16toh(h.gso_size);
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE || !size)
		return room >= 1;
	return (payload + size - 1) / size <= room;
}

/* A super-packet with more segments than a whole batch holds (an MSS under about 256, on an
 * interface of tiny MTU) can never be split here, and TCP would send it again the same way:
 * drop it and have the kernel cut its packets itself from now on. */
static void stop_segmentation(struct tun *t)
{
	unsigned int keep = t->offloads & TUN_F_CSUM;

	if (!(t->offloads & ~keep) || ioctl(t->fd, TUNSETOFFLOAD, keep) < 0)
		return;
	t->offloads = keep;
	log_info("the TUN handed over more segments at once than a batch holds (MTU too small "
		 "for segmentation offload): the kernel segments from now on");
}

/* A super-packet just read, cut to its path's MTU when that is narrower. */
static void fit_path(struct tun *t)
{
	const uint8_t *pkt = t->super + OFFLOAD_VNET_HDR_LEN;
	size_t len = t->super_len - OFFLOAD_VNET_HDR_LEN;
	struct virtio_net_hdr h;
	unsigned int mtu;

	memcpy(&h, t->super, sizeof(h));
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return;
	mtu = t->seg_mtu(t->seg_ctx, pkt, len);
	if (mtu && offload_fit_mtu(&h, pkt, len, mtu))
		memcpy(t->super, &h, sizeof(h));
}

static int read_vnet(struct tun *t, uint8_t *const *bufs, size_t *lens, unsigned int max,
		     size_t cap)
{
	unsigned int n = 0;
	struct virtio_net_hdr h;
	ssize_t r;
	int k;

	while (n < max) {
		if (!t->pending) {
			r = read(t->fd, t->super, SUPER_SIZE);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return n ? (int)n : read_error(errno);
			t->stats.tun_reads++;
			if ((size_t)r < OFFLOAD_VNET_HDR_LEN) {
				io_drop(&t->stats, IO_DROP_TUN_MALFORMED, 1);
				continue;
			}
			t->super_len = (size_t)r;
			t->pending = true;
			if (t->seg_mtu)
				fit_path(t);
		}
		if (n && !fits(t, max - n))
			break;
		memcpy(&h, t->super, sizeof(h));
		k = offload_split(&h, t->super + OFFLOAD_VNET_HDR_LEN,
				  t->super_len - OFFLOAD_VNET_HDR_LEN, bufs + n, lens + n, max - n, cap);
		t->pending = false;
		if (k == -OFFLOAD_NO_ROOM && !n)
			stop_segmentation(t);
		if (k < 0)
			io_drop(&t->stats, IO_DROP_TUN_MALFORMED, 1);
		else
			n += (unsigned int)k;
	}
	return (int)n;
}

int tun_read_batch(struct tun *t, uint8_t *const *bufs, size_t *lens, unsigned int max,
		   size_t cap)
{
	unsigned int n = 0;
	ssize_t r;

	if (t->vnet)
		return read_vnet(t, bufs, lens, max, cap);
	while (n < max) {
		r = read(t->fd, bufs[n], cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return n ? (int)n : read_error(errno);
		t->stats.tun_reads++;
		lens[n++] = (size_t)r;
	}
	return (int)n;
}

/* How many packets a refused write held: a coalesced one counts each segment. */
static uint64_t packets_in(const uint8_t *frame, size_t len)
{
	struct virtio_net_hdr h;
	unsigned int size, head;

	memcpy(&h, frame, sizeof(h));
	size = le16toh(h.gso_size);
	head = le16toh(h.hdr_len);
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE || !size || len < OFFLOAD_VNET_HDR_LEN + head)
		return 1;
	return (len - OFFLOAD_VNET_HDR_LEN - head + size - 1) / size;
}

static int write_one(struct tun *t, const uint8_t *frame, size_t len)
{
	int err;

	t->stats.tun_writes++;
	if (write(t->fd, frame, len) >= 0)
		return 0;
	err = errno;
	if (interface_gone(err))
		return -ENODEV;
	io_drop(&t->stats, err == EAGAIN || err == ENOBUFS ? IO_DROP_TUN_FULL : IO_DROP_TUN_REFUSED,
		t->vnet ? packets_in(frame, len) : 1);
	return 0;
}

int tun_write_batch(struct tun *t, uint8_t *const *pkts, size_t *lens, unsigned int n,
		    size_t cap, bool authenticated)
{
	unsigned int keep[OFFLOAD_MAX_BATCH], chunk, k;
	int err;

	if (!t->vnet) {
		for (unsigned int i = 0; i < n; i++)
			if ((err = write_one(t, pkts[i], lens[i])) < 0)
				return err;
		return 0;
	}
	for (unsigned int off = 0; off < n; off += chunk) {
		chunk = n - off < OFFLOAD_MAX_BATCH ? n - off : OFFLOAD_MAX_BATCH;
		k = offload_coalesce(&t->gro, pkts + off, lens + off, chunk, cap,
				     (t->offloads & TUN_F_USO4) && (t->offloads & TUN_F_USO6),
				     authenticated, keep);
		for (unsigned int j = 0; j < k; j++) {
			unsigned int i = off + keep[j];

			err = write_one(t, pkts[i] - OFFLOAD_VNET_HDR_LEN,
					lens[i] + OFFLOAD_VNET_HDR_LEN);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

const char *tun_netns_name(const struct tun *t, char *buf, size_t size)
{
	int fd = t->fd >= 0 ? ioctl(t->fd, TUNGETDEVNETNS) : -1;

	if (fd < 0)
		return netns_name_self(buf, size);
	netns_name(fd, buf, size);
	close(fd);
	return buf;
}
