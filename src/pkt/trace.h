/* Tracing: what crosses the tunnel, seen from the inside. --trace prints a line per inner
 * packet on stdout (the summary packet.c writes, after a direction and a peer); --pcap FILE
 * writes every inner packet, both ways, to FILE in pcap format through libpcap (LINKTYPE_RAW
 * for a TUN's IP packets, LINKTYPE_ETHERNET for a TAP's frames), flushed once per batch so
 * that `tcpdump -r FILE` sees them while adit runs.
 *
 * Packets are traced where they are single packets: after a TUN read has cut super-packets
 * into MTU-sized ones, and before a TUN write coalesces them; the trace never sees a
 * super-packet. The data path tests `on` once per batch or per packet, and nothing else when
 * tracing is off. Nothing here allocates after trace_open_pcap. */
#ifndef ADIT_TRACE_H
#define ADIT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt/packet.h"

struct pcap;
struct pcap_dumper;

struct trace {
	bool on;    /* lines or a capture: what the data path tests */
	bool lines; /* --trace: a line per packet on stdout */
	enum link_type link;
	const char *path; /* --pcap FILE, while it is being written */
	struct pcap *dead;
	struct pcap_dumper *dumper;
};

/* Lines on stdout from now on, summarising packets of that link type. */
void trace_lines(struct trace *t, enum link_type link);
/* Creates (or truncates) path, mode 0600 since it holds the tunnel's plaintext, and writes
 * the pcap header to it; a file of TUN packets (LINK_IP) or TAP frames (LINK_ETHER). Call it
 * before privileges are dropped. A symbolic link at path is not followed, and anything but
 * a regular file of one link is not written: both are refused. Returns 0, or a negative
 * errno after saying what failed. */
int trace_open_pcap(struct trace *t, const char *path, enum link_type link);
/* One inner packet: its line "WHERE: SUMMARY" when lines are on, its record in the capture
 * when there is one. where says the direction and the peer ("tun ==> peer AbCd…wxYz"). */
void trace_packet(struct trace *t, const char *where, const uint8_t *pkt, size_t len);
/* Only the capture: lab mode prints lines of its own. */
void trace_capture(struct trace *t, const uint8_t *pkt, size_t len);
/* Once per batch: the lines and the capture reach their files. A capture that cannot be
 * written (disk full) is said once and stops; the tunnel carries on. */
void trace_flush(struct trace *t);
void trace_close(struct trace *t);

/* The line trace_packet prints, without newline, into buf (always NUL-terminated). */
size_t trace_format(const char *where, const uint8_t *pkt, size_t len, enum link_type link,
		    char *buf, size_t size);

#endif
