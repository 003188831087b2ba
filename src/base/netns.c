#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/netns.h"

#define NETNS_RUN_DIR "/run/netns"

/* A name in /run/netns whose file is the namespace st describes. */
static bool named(const struct stat *st, char *buf, size_t size)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *e;
	struct stat other;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &other, 0) < 0)
			continue;
		if (other.st_dev == st->st_dev && other.st_ino == st->st_ino) {
			snprintf(buf, size, "%s", e->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

const char *netns_name(int nsfd, char *buf, size_t size)
{
	struct stat st;

	struct stat init;

	if (fstat(nsfd, &st) < 0)
		snprintf(buf, size, "unknown");
	else if (named(&st, buf, size))
		;
	else if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == st.st_ino &&
		 init.st_dev == st.st_dev)
		snprintf(buf, size, "the host's (init's)");
	else
		snprintf(buf, size, "net:[%llu]", (unsigned long long)st.st_ino);
	return buf;
}

const char *netns_name_self(char *buf, size_t size)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(buf, size, "unknown");
		return buf;
	}
	netns_name(fd, buf, size);
	close(fd);
	return buf;
}
