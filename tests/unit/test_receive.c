/* wg mode's receive path when the socket answers with an error instead of datagrams: the
 * error is the network's word on an earlier datagram and the batch is empty. It was once
 * taken for a count, so the loop replayed the previous batch and read past its arrays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

/* A loopback port nobody listens on: bound, then closed. */
static uint16_t closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void refused_socket_is_an_empty_batch(void **state)
{
	struct wg_device *dev = test_malloc(sizeof(*dev));
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(closed_port()),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct pollfd p;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)state;
	memset(dev, 0, sizeof(*dev));
	assert_int_equal(device_setup(dev, false), 0);
	assert_int_equal(device_set_listen_port(dev, 0), 0);
	/* Connected, a UDP socket holds the ICMP port unreachable its datagram earns. */
	assert_int_equal(connect(dev->sock4.fd, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(send(dev->sock4.fd, "x", 1, 0), 1);
	p = (struct pollfd){ .fd = dev->sock4.fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_true(p.revents & POLLERR);

	assert_int_equal(receive_datagrams(dev, &dev->sock4), 0);
	assert_int_equal(dev->rx.count, 0);
	/* Reading the error cleared it, and the next receive finds an empty socket. */
	assert_int_equal(getsockopt(dev->sock4.fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	assert_int_equal(err, 0);
	assert_int_equal(receive_datagrams(dev, &dev->sock4), 0);
	device_close(dev);
	test_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_socket_is_an_empty_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
