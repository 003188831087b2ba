#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

/* coredump_filter (man 5 core) says which kinds of mapping a core carries: bits 0-3 anonymous
 * and file-backed, private and shared; 4 ELF headers; 5-6 huge pages; 7-8 DAX. With none set,
 * a core made anyway (by gcore, or after something made the process dumpable again) has
 * registers but no memory, so none of the memory that libraries allocate for us (OpenSSL's
 * cipher contexts hold the expanded session keys) and none of our stack. The pools of secmem
 * are marked as well: gdb can be told to ignore the filter, not to dump what is marked. */
static void dump_no_mapping(void)
{
	int fd = open("/proc/self/coredump_filter", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "0", 1) != 1)
		log_verbose("cannot clear /proc/self/coredump_filter (%s); a core would still "
			    "leave out the memory marked as holding keys", strerror(errno));
	if (fd >= 0)
		close(fd);
}

void privs_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
	dump_no_mapping();
}

void privs_dont_dump(void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	uintptr_t end = ((uintptr_t)addr + len + page - 1) & ~(page - 1);

	madvise((void *)start, end - start, MADV_DONTDUMP);
}

int privs_keep_only(bool net_admin, bool bind_service)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* Without capabilities to give up (an unprivileged adit on a TUN made for it), there is
	 * nothing to drop. */
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if ((net_admin && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				       CAP_NET_ADMIN) < 0) ||
	    (bind_service && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
					  CAP_NET_BIND_SERVICE) < 0) ||
	    capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_error("cannot drop capabilities (libcap-ng failed); refusing to run with all "
			  "of root's");
		return -1;
	}
	return 0;
}
