/* Names for network namespaces, as adit show prints them: the name 'ip netns' gave it (a
 * file in /run/netns bound to it), "the host's (init's)", else the kernel's "net:[INODE]". */
#ifndef ADIT_NETNS_H
#define ADIT_NETNS_H

#include <stddef.h>

/* The name of the namespace that nsfd (an open namespace file) is; buf is returned. */
const char *netns_name(int nsfd, char *buf, size_t size);
/* The same for this process's own namespace. */
const char *netns_name_self(char *buf, size_t size);

#endif
