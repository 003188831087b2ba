/* Least privilege for a long-running adit: what it holds that an attacker would want (keys,
 * root's capabilities) is kept out of reach once setup is done. */
#ifndef ADIT_PRIVS_H
#define ADIT_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctlsock;

/* Before any key exists: no core dumps (they would carry the keys), and memory the process
 * makes later cannot be read by a non-root process of the same user. In case a core is made
 * all the same, its coredump_filter is 0: no mapping's contents go into it. */
void privs_no_dumps(void);
/* Marks memory holding keys so that a core dump, if one is ever made, leaves it out. addr
 * and len need not be page-aligned: the pages they span are marked. */
void privs_dont_dump(void *addr, size_t len);
/* --user NAME: the user adit runs as once its interface and sockets are open. */
struct privs_user {
	bool set;
	uid_t uid;
	gid_t gid;
	const char *name;
};
/* The environment variable that means --user NAME when --user is not given: wg-quick and
 * systemd cannot add arguments to the adit they start, but pass its environment on. */
#define PRIVS_USER_ENV "ADIT_USER"
/* Looks up name (--user NAME), or when name is NULL the user ADIT_USER names (unset or
 * empty: none, and u is left as it is), before anything is opened, so a typo stops adit at
 * once. Returns 0, or a negative errno (-ENOENT: no such user) after saying so and where
 * it was named. */
int privs_find_user(struct privs_user *u, const char *name);
/* After the TUN and the sockets are open: no new privileges (no setuid exec can give any),
 * and of root's capabilities only CAP_NET_ADMIN (net_admin: fwmark, forced socket buffers)
 * and CAP_NET_BIND_SERVICE (bind_service: a listen port below 1024 set at run time). With
 * user set, also user's uid and gid and no supplementary groups, the capabilities kept
 * across the change: root's uid owns files that no capability guards. Returns 0, or a
 * negative errno after saying why. */
int privs_keep_only(bool net_admin, bool bind_service, const struct privs_user *user);
/* Before a daemon gives up root's uid with --user: it could no longer remove its socket
 * from the root-owned directory it is in. A janitor process, forked now, waits until the
 * daemon has ended, however it ends (it holds a pipe's other end), removes sock if it is
 * still the daemon's (ctlsock_unlink), and exits. It keeps root's uid but no capability, no
 * descriptor but the pipe and the socket's pin, and takes no signal. Returns 0, or a
 * negative errno after saying why. */
int privs_start_janitor(struct ctlsock *sock);

#endif
