#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/netcfg.h"

#define NL_BUF 8192 /* one request or acknowledgement; MNL_SOCKET_BUFFER_SIZE is not constant */

int netcfg_open(struct netcfg *nc)
{
	nc->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nc->nl)
		return -errno;
	if (mnl_socket_bind(nc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nc->nl);
		nc->nl = NULL;
		return -err;
	}
	nc->portid = mnl_socket_get_portid(nc->nl);
	nc->seq = (unsigned int)time(NULL);
	return 0;
}

void netcfg_close(struct netcfg *nc)
{
	if (nc->nl)
		mnl_socket_close(nc->nl);
	nc->nl = NULL;
}

/* Sends one request and waits for its acknowledgement: the kernel's errno comes back in it.
 * cb, if given, reads the answers that come before it. */
static int talk_cb(struct netcfg *nc, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUF];
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nc->seq;
	if (mnl_socket_sendto(nc->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nc->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nc->portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int talk(struct netcfg *nc, struct nlmsghdr *nlh)
{
	return talk_cb(nc, nlh, NULL, NULL);
}

int netcfg_set_link(struct netcfg *nc, unsigned int ifindex, unsigned int mtu, bool up)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return talk(nc, nlh);
}

static unsigned int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int netcfg_add_address(struct netcfg *nc, unsigned int ifindex, const struct prefix *p)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)p->family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/* No duplicate address detection: the address is ours the moment we add it. */
	if (p->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(p->family), p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(p->family), p->addr);
	return talk(nc, nlh);
}

int netcfg_add_route(struct netcfg *nc, unsigned int ifindex, const struct prefix *p)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)p->family;
	rtm->rtm_dst_len = p->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, addr_len(p->family), p->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return talk(nc, nlh);
}

/* The kernel's answer to RTM_GETROUTE: one RTM_NEWROUTE; RTA_OIF checked for its length. */
static int route_oif_cb(const struct nlmsghdr *nlh, void *data)
{
	unsigned int *oif = data;
	struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(attr) == RTA_OIF &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*oif = mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

int netcfg_route_oif(struct netcfg *nc, int family, const void *addr, unsigned int *oif)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	*oif = 0;
	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, addr_len(family), addr);
	return talk_cb(nc, nlh, route_oif_cb, oif);
}
