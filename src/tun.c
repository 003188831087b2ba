#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

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

int tun_open(struct tun *t, const char *name, bool tap, bool template_ok)
{
	struct ifreq ifr = { 0 };
	int err;

	memset(t, 0, sizeof(*t));
	t->tap = tap;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		err = errno;
		explain_open(err);
		return -err;
	}
	/* IFF_NO_PI: packets are bare IP (or Ethernet), as on the lab's wire. */
	ifr.ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
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
	return 0;
err:
	close(t->fd);
	t->fd = -1;
	return -err;
}

void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
