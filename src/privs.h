/* Least privilege for a long-running adit: what it holds that an attacker would want (keys,
 * root's capabilities) is kept out of reach once setup is done. */
#ifndef ADIT_PRIVS_H
#define ADIT_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/* Before any key exists: no core dumps (they would carry the keys), and memory the process
 * makes later cannot be read by a non-root process of the same user. In case a core is made
 * all the same, its coredump_filter is 0: no mapping's contents go into it. */
void privs_no_dumps(void);
/* Marks memory holding keys so that a core dump, if one is ever made, leaves it out. addr
 * and len need not be page-aligned: the pages they span are marked. */
void privs_dont_dump(void *addr, size_t len);
/* After the TUN and the sockets are open: no new privileges (no setuid exec can give any),
 * and of root's capabilities only CAP_NET_ADMIN (net_admin: fwmark, forced socket buffers)
 * and CAP_NET_BIND_SERVICE (bind_service: a listen port below 1024 set at run time).
 * Returns 0, or -1 after saying why. */
int privs_keep_only(bool net_admin, bool bind_service);

#endif
