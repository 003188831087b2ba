#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
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

/* Sends one request and reads until its acknowledgement (the kernel's errno comes back in
 * it) or, for a dump, its end; cb, if any, sees each answer on the way. (A dump is said by
 * the caller: NLM_F_DUMP's bits are NLM_F_EXCL's too, in a request that makes something.) */
static int ask(struct netcfg *nc, struct nlmsghdr *nlh, bool dump, mnl_cb_t cb, void *data)
{
	char buf[NL_BUF];
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
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
	return ask(nc, nlh, false, NULL, NULL);
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

/* ---- Reading where packets go ---- */

struct route_answer {
	struct netcfg_path *path;
	bool only_default; /* a dump: take the main table's default route, skip the rest */
	bool found;
};

static int metric_mtu(const struct nlattr *metrics, unsigned int *mtu)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, metrics)
		if (mnl_attr_get_type(a) == RTAX_MTU &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_answer *r = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const void *src = NULL;
	unsigned int oif = 0, mtu = 0;

	if (nlh->nlmsg_type != RTM_NEWROUTE || r->found ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*rtm))
		return MNL_CB_OK;
	if (r->only_default && (rtm->rtm_dst_len != 0 || rtm->rtm_table != RT_TABLE_MAIN ||
				rtm->rtm_type != RTN_UNICAST))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			oif = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_METRICS &&
			 mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			metric_mtu(a, &mtu);
		else if (mnl_attr_get_type(a) == RTA_PREFSRC &&
			 mnl_attr_get_payload_len(a) == addr_len(rtm->rtm_family))
			src = mnl_attr_get_payload(a);
	}
	if (!oif) /* a multipath default: no one device to size by */
		return MNL_CB_OK;
	r->path->ifindex = oif;
	r->path->has_src = src != NULL;
	if (src)
		memcpy(r->path->src, src, addr_len(rtm->rtm_family));
	r->path->route_mtu = mtu;
	r->found = true;
	return MNL_CB_OK;
}

static struct nlmsghdr *route_request(char *buf, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	return nlh;
}

/* `ip route get`: the route's interface and MTU, not yet the interface's name or MTU. */
static int lookup_route(struct netcfg *nc, int family, const void *addr,
			struct netcfg_path *path)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = route_request(buf, family);
	struct route_answer r = { .path = path };
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int err;

	memset(path, 0, sizeof(*path));
	rtm->rtm_dst_len = (unsigned char)(addr_len(family) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(family), addr);
	err = ask(nc, nlh, false, route_cb, &r);
	if (err < 0)
		return err;
	return r.found ? 0 : -ENETUNREACH;
}

int netcfg_route_oif(struct netcfg *nc, int family, const void *addr, unsigned int *oif)
{
	struct netcfg_path path;
	int err = lookup_route(nc, family, addr, &path);

	*oif = err < 0 ? 0 : path.ifindex;
	return err;
}

int netcfg_find_route(struct netcfg *nc, int family, const void *addr, struct netcfg_path *path)
{
	return lookup_route(nc, family, addr, path);
}

int netcfg_get_route(struct netcfg *nc, int family, const void *addr, struct netcfg_path *path)
{
	int err = lookup_route(nc, family, addr, path);

	return err < 0 ? err : netcfg_get_link(nc, path);
}

int netcfg_get_default_route(struct netcfg *nc, int family, struct netcfg_path *path)
{
	char buf[NL_BUF];
	struct route_answer r = { .path = path, .only_default = true };
	int err;

	memset(path, 0, sizeof(*path));
	err = ask(nc, route_request(buf, family), true, route_cb, &r);
	if (err < 0)
		return err;
	return r.found ? netcfg_get_link(nc, path) : -ENOENT;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct netcfg_path *path = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			path->link_mtu = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == IFLA_IFNAME &&
			 mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(path->ifname, sizeof(path->ifname), "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

int netcfg_get_link(struct netcfg *nc, struct netcfg_path *path)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)path->ifindex;
	path->link_mtu = 0;
	path->ifname[0] = '\0';
	return ask(nc, nlh, false, link_cb, path);
}
