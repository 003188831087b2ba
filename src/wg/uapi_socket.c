/* The UAPI socket: /var/run/wireguard/IFACE.sock, made private to root by ctlsock.c, and each
 * connection served by ctlserver.c through a uapi_session (uapi.c). */
#include <string.h>

#include "base/ctlsock.h"
#include "base/secmem.h"
#include "wg/crypto.h"
#include "wg/uapi.h"

_Static_assert(CTLSERVER_CHUNK >= UAPI_OUTPUT_MIN, "output gets the room a session needs");

static struct ctlsock uapi_sock = { .pin = -1 };

int uapi_listen(const char *ifname)
{
	return ctlsock_listen(&uapi_sock, CTLSOCK_WG_DIR, NULL, ifname);
}

struct ctlsock *uapi_ctlsock(void)
{
	return &uapi_sock;
}

void uapi_unlink(const char *ifname)
{
	char path[sizeof(uapi_sock.path)];

	if (ctlsock_path(path, sizeof(path), CTLSOCK_WG_DIR, ifname) &&
	    !strcmp(path, uapi_sock.path))
		ctlsock_unlink(&uapi_sock);
}

/* ---- A uapi_session as the server's session ---- */

/* A session's line holds a set's keys as they come: out of core dumps, as the server's
 * buffers are. */
static void *start(void *dev)
{
	struct uapi_session *s = secmem_map(sizeof(*s));

	if (s)
		uapi_session_start(s, dev);
	return s;
}

static size_t input(void *s, const char *buf, size_t len)
{
	return uapi_session_input(s, buf, len);
}

static size_t output(void *s, char *buf, size_t cap)
{
	return uapi_session_output(s, buf, cap);
}

static enum ctlserver_want want(const void *session)
{
	const struct uapi_session *s = session;

	if (s->phase == UAPI_REPLY)
		return CTLSERVER_OUTPUT;
	return s->phase == UAPI_CLOSED ? CTLSERVER_CLOSE : CTLSERVER_INPUT;
}

static void describe(const void *s, char *buf, size_t size)
{
	uapi_session_describe(s, buf, size);
}

static size_t cut(void *s, char *buf, size_t cap)
{
	return uapi_session_cut(s, buf, cap);
}

static void end(void *s)
{
	uapi_session_end(s);
	crypto_wipe(s, sizeof(struct uapi_session));
	secmem_unmap(s, sizeof(struct uapi_session));
}

static const struct ctlserver_ops uapi_ops = {
	.name = "UAPI", .start = start, .input = input, .output = output, .want = want,
	.describe = describe, .cut = cut, .end = end,
};

int uapi_server_start(struct ctlserver *srv, struct wg_device *dev, struct loop *loop,
		      int listen_fd)
{
	return ctlserver_start(srv, loop, listen_fd, &uapi_ops, dev);
}
