#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "pkt/trace.h"

/* tcpdump's default: more than any packet or frame adit carries, so none is cut short. */
#define SNAPLEN 262144

void trace_lines(struct trace *t, enum link_type link)
{
	t->link = link;
	t->lines = true;
	t->on = true;
}

/* Opens path for the capture, as root may: a symbolic link (which a user who can write its
 * directory, /tmp, may have put there for root to follow), anything but a regular file (a
 * FIFO, a device) or a file of several links is refused before it is written; a regular
 * file is truncated only then. Returns the descriptor, or -1 with errno set (ELOOP, EINVAL
 * for what is not a plain regular file, as said). */
static int open_capture(const char *path)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) rather than hang. */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ELOOP) {
		log_error("the capture file '%s' is a symbolic link, which --pcap does not follow "
			  "(give it the path of a regular file, or remove the link)", path);
		return -1;
	}
	if (fd < 0 && errno != ENXIO)
		return -1;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		if (fd >= 0)
			close(fd);
		log_error("the capture file '%s' is not a regular file of one link (a FIFO, a "
			  "device, a hard link?), which --pcap refuses to write: give it another "
			  "path", path);
		errno = EINVAL;
		return -1;
	}
	if (fcntl(fd, F_SETFL, 0) < 0 || ftruncate(fd, 0) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int trace_open_pcap(struct trace *t, const char *path, enum link_type link)
{
	pcap_dumper_t *dumper = NULL;
	pcap_t *dead;
	FILE *f = NULL;
	int fd, err;

	dead = pcap_open_dead(link == LINK_ETHER ? DLT_EN10MB : DLT_RAW, SNAPLEN);
	if (!dead) {
		log_error("cannot start a capture for --pcap: out of memory");
		return -ENOMEM;
	}
	fd = open_capture(path);
	if (fd < 0 && (errno == ELOOP || errno == EINVAL)) {
		err = -errno;
		pcap_close(dead); /* said */
		return err;
	}
	if (fd < 0 || !(f = fdopen(fd, "wb")) || !(dumper = pcap_dump_fopen(dead, f))) {
		log_error("cannot write the capture file '%s': %s (give --pcap a path in a "
			  "directory that exists and that this user can write)", path,
			  fd < 0 || !f ? strerror(errno) : pcap_geterr(dead));
		err = fd < 0 || !f ? -errno : -EIO;
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		pcap_close(dead);
		return err;
	}
	t->dead = dead;
	t->dumper = dumper;
	t->path = path;
	t->link = link;
	t->on = true;
	trace_flush(t); /* the header, so the file reads as a capture at once */
	return t->dumper ? 0 : -EIO;
}

void trace_capture(struct trace *t, const uint8_t *pkt, size_t len)
{
	struct pcap_pkthdr h;

	if (!t->dumper)
		return;
	gettimeofday(&h.ts, NULL);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)t->dumper, &h, pkt);
}

size_t trace_format(const char *where, const uint8_t *pkt, size_t len, enum link_type link,
		    char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s: ", where);

	if (n < 0 || (size_t)n >= size)
		return n < 0 ? 0 : size - 1;
	return (size_t)n + packet_summary(pkt, len, link, buf + n, size - (size_t)n);
}

void trace_packet(struct trace *t, const char *where, const uint8_t *pkt, size_t len)
{
	char line[320];

	if (t->lines) {
		trace_format(where, pkt, len, t->link, line, sizeof(line));
		puts(line);
	}
	trace_capture(t, pkt, len);
}

static void stop_capture(struct trace *t)
{
	pcap_dump_close(t->dumper);
	pcap_close(t->dead);
	t->dumper = NULL;
	t->dead = NULL;
	t->path = NULL;
	t->on = t->lines;
}

void trace_flush(struct trace *t)
{
	if (t->lines)
		fflush(stdout);
	if (!t->dumper || pcap_dump_flush(t->dumper) == 0)
		return;
	log_error("cannot write the capture file '%s': %s; the capture stops here, the tunnel "
		  "carries on (free some space, or give --pcap another file next time)", t->path,
		  strerror(errno));
	stop_capture(t);
}

void trace_close(struct trace *t)
{
	if (t->dumper) {
		trace_flush(t);
		if (t->dumper)
			stop_capture(t);
	}
	t->on = false;
	t->lines = false;
}
