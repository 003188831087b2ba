/* The trace: capture files written through trace.c and read back with libpcap's own reader
 * (pcap_open_offline), their header checked byte by byte against the pcap format (magic
 * a1b2c3d4, version 2.4, LINKTYPE_RAW 101 or LINKTYPE_ETHERNET 1); packets built by scapy 2.5;
 * the trace line written by hand from the summary format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "pkt/trace.h"

/* IP(src="192.168.53.99", dst="192.168.53.1", id=0x1234, ttl=64)/ICMP(type=8, id=253,
 * seq=8)/bytes(range(56)) */
static const uint8_t icmp_echo_req[] = {
	0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x7c, 0xc0,
	0xc0, 0xa8, 0x35, 0x63, 0xc0, 0xa8, 0x35, 0x01, 0x08, 0x00, 0xff, 0xe7,
	0x00, 0xfd, 0x00, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
	0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* Ether(src="8e:25:f9:d6:45:98", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="8e:25:f9:d6:45:98",
 * psrc="192.168.53.99", pdst="192.168.53.1") */
static const uint8_t arp_who_has[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x8e, 0x25, 0xf9, 0xd6, 0x45, 0x98,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x8e, 0x25,
	0xf9, 0xd6, 0x45, 0x98, 0xc0, 0xa8, 0x35, 0x63, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc0, 0xa8, 0x35, 0x01,
};

static char path[64];

static int make_path(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/adit-test-trace.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_path(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The 24-byte global header, as the format defines it (little-endian on this machine). */
static void check_file_header(uint32_t linktype)
{
	uint8_t h[24];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	assert_int_equal(le32(h), 0xa1b2c3d4);
	assert_int_equal(h[4] | h[5] << 8, 2);
	assert_int_equal(h[6] | h[7] << 8, 4);
	assert_true(le32(h + 16) >= 65535); /* snaplen: no packet cut short */
	assert_int_equal(le32(h + 20), linktype);
}

/* One record read back: whole (caplen == len), its bytes, a timestamp of this run. */
static void expect_record(pcap_t *p, const uint8_t *pkt, size_t len, time_t since)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->caplen, len);
	assert_int_equal(h->len, len);
	assert_memory_equal(data, pkt, len);
	assert_true(h->ts.tv_sec >= since && h->ts.tv_sec <= time(NULL));
}

static void tun_packets_read_back(void **state)
{
	struct trace t = { 0 };
	char err[PCAP_ERRBUF_SIZE];
	uint8_t big[1400];
	time_t since = time(NULL);
	struct stat st;
	pcap_t *p;

	(void)state;
	memcpy(big, icmp_echo_req, sizeof(icmp_echo_req));
	memset(big + sizeof(icmp_echo_req), 0x5a, sizeof(big) - sizeof(icmp_echo_req));
	unlink(path); /* created by trace_open_pcap, with its own mode */
	umask(022);
	assert_int_equal(trace_open_pcap(&t, path, LINK_IP), 0);
	assert_true(t.on);
	assert_false(t.lines);
	/* The header is on disk at once: tcpdump -r works before the first packet. */
	check_file_header(101);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	trace_packet(&t, "tun ==> peer x", icmp_echo_req, sizeof(icmp_echo_req));
	trace_capture(&t, big, sizeof(big));
	trace_flush(&t);
	/* Flushed, not closed: a reader sees both records while adit runs. */
	p = pcap_open_offline(path, err);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_RAW);
	expect_record(p, icmp_echo_req, sizeof(icmp_echo_req), since);
	expect_record(p, big, sizeof(big), since);
	{
		struct pcap_pkthdr *h;
		const u_char *data;

		assert_int_equal(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK); /* no more */
	}
	pcap_close(p);
	trace_close(&t);
	assert_false(t.on);
}

static void tap_frames_are_ethernet(void **state)
{
	struct trace t = { 0 };
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	(void)state;
	assert_int_equal(trace_open_pcap(&t, path, LINK_ETHER), 0);
	trace_capture(&t, arp_who_has, sizeof(arp_who_has));
	trace_close(&t);
	check_file_header(1);
	p = pcap_open_offline(path, err);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	expect_record(p, arp_who_has, sizeof(arp_who_has), 0);
	pcap_close(p);
}

static void unwritable_path_fails(void **state)
{
	struct trace t = { 0 };
	enum log_level was = log_level;

	(void)state;
	log_level = LEVEL_SILENT;
	assert_true(trace_open_pcap(&t, "/nonexistent-adit-dir/x.pcap", LINK_IP) < 0);
	assert_true(trace_open_pcap(&t, "/tmp", LINK_IP) < 0); /* a directory */
	log_level = was;
	assert_false(t.on);
	assert_null(t.dumper);
	trace_close(&t); /* nothing to close: harmless */
}

/* root writing --pcap /tmp/x.pcap must not follow a link another user put there to a file
 * of root's, nor write into a FIFO or a second name of another file: each is refused, and
 * the file the link names is left as it was. */
static void links_and_non_files_refused(void **state)
{
	struct trace t = { 0 };
	enum log_level was = log_level;
	char lnk[80], other[80], fifo[80], buf[16] = "";
	FILE *f;

	(void)state;
	snprintf(lnk, sizeof(lnk), "%s.link", path);
	snprintf(other, sizeof(other), "%s.hard", path);
	snprintf(fifo, sizeof(fifo), "%s.fifo", path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("root's file\n", f);
	fclose(f);
	assert_int_equal(symlink(path, lnk), 0);
	assert_int_equal(link(path, other), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	log_level = LEVEL_SILENT;
	assert_true(trace_open_pcap(&t, lnk, LINK_IP) < 0);
	assert_int_equal(errno, ELOOP);
	assert_true(trace_open_pcap(&t, other, LINK_IP) < 0);
	assert_true(trace_open_pcap(&t, fifo, LINK_IP) < 0); /* no reader: no hang */
	log_level = was;
	assert_false(t.on);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "root's file\n");
	unlink(lnk);
	unlink(other);
	unlink(fifo);
}

static void line_is_where_then_summary(void **state)
{
	char buf[256];
	size_t n;

	(void)state;
	n = trace_format("tun ==> peer AbCd…wxYz", icmp_echo_req, sizeof(icmp_echo_req), LINK_IP,
			 buf, sizeof(buf));
	assert_string_equal(buf, "tun ==> peer AbCd…wxYz: IPv4 192.168.53.99 > 192.168.53.1 ICMP "
				 "echo-request id=253 seq=8 ttl=64 len=84");
	assert_int_equal(n, strlen(buf));
	/* Cut short, still terminated, never past the buffer. */
	n = trace_format("tun <== peer AbCd…wxYz", icmp_echo_req, sizeof(icmp_echo_req), LINK_IP,
			 buf, 12);
	assert_int_equal(n, 11);
	assert_string_equal(buf, "tun <== pee");
	n = trace_format("tun", arp_who_has, sizeof(arp_who_has), LINK_ETHER, buf, sizeof(buf));
	assert_string_equal(buf, "tun: Ether 8e:25:f9:d6:45:98 > ff:ff:ff:ff:ff:ff ARP who-has "
				 "192.168.53.1 tell 192.168.53.99");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tun_packets_read_back, make_path, remove_path),
		cmocka_unit_test_setup_teardown(tap_frames_are_ethernet, make_path, remove_path),
		cmocka_unit_test(unwritable_path_fails),
		cmocka_unit_test_setup_teardown(links_and_non_files_refused, make_path, remove_path),
		cmocka_unit_test(line_is_where_then_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
