/* libFuzzer harness for the handshake state machine: devices A and B, each the other's peer,
 * and a wire between them that does what the input says. The input is a list of actions;
 * each is one byte (taken modulo the number of actions) and some take the next byte as an
 * argument:
 *   A or B sends a packet from its TUN (arg: its size), initiates a handshake (arg bit 0: as a
 *   retry), or sends a keepalive; A sets a persistent keepalive (arg: seconds, mod 30);
 *   the head datagram to A or to B is delivered, dropped, swapped with a later one (arg), or
 *   corrupted (arg: which wire, which bit); the last one delivered to A or B is delivered
 *   again; the clock moves on (arg: one of a dozen steps from 1 ms to 25 min) and the timers
 *   fire; either side is put under load or taken out of it (arg bits 0 and 1: A, B);
 *   everything is delivered until both fall quiet; or the wire heals (see below).
 * Every input starts from a fresh pair of peers, an hour of clock after the last input, so
 * what one input leaves behind (cookies, load, rate limits) has expired for the next.
 *
 * After every action:
 *   - keypairs of A and B that name each other's indices hold the same keys, both ways, and
 *     one of them is the initiator's; a keypair waiting in next is a responder's;
 *   - a packet that comes out of a TUN was put into the other's TUN, and comes out once, for
 *     all the replays.
 * Healing: with a perfect wire from now on (every datagram delivered at once, the clock moving
 * from one timer to the next), a packet A sends every REKEY_TIMEOUT reaches B within two
 * minutes -- whatever the input did before, under load or not. */
#include <arpa/inet.h>
#include <stdint.h>

#include "base/log.h"
#include "wg_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QUEUE_MAX 32
#define MSG_MAX 512	/* larger than anything either side sends here */
#define SENT_MAX 256	/* packets each side may send in one input */
#define HEAL_TIME 120000 /* ms */
#define QUIET_ROUNDS 100

struct wire_msg {
	size_t len;
	uint8_t data[MSG_MAX];
};

/* Datagrams on their way to one host, oldest first, and the last one it was given. */
struct wire {
	struct host *to, *from;
	unsigned int count;
	struct wire_msg m[QUEUE_MAX];
	struct wire_msg last;
};

/* The packets one host put into its TUN this input, and which came out at the other end. */
struct traffic {
	unsigned int sent;
	unsigned int arrived;
	bool delivered[SENT_MAX];
};

static struct host a, b;
static struct wire to_a = { .to = &a, .from = &b }, to_b = { .to = &b, .from = &a };
static struct traffic from_a, from_b;
static struct timespec wall_base;

/* The wall clock initiations carry follows the harness's clock too: otherwise two
 * initiations a few microseconds apart would share a timestamp and the second be refused. */
void __wrap_clock_wall(struct timespec *ts);
void __wrap_clock_wall(struct timespec *ts)
{
	uint64_t ns = (uint64_t)wall_base.tv_nsec + fuzz_now % 1000 * 1000000;

	ts->tv_sec = wall_base.tv_sec + (time_t)(fuzz_now / 1000) + (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

static void reset(void)
{
	device_remove_all_peers(&a.dev);
	device_remove_all_peers(&b.dev);
	fuzz_now += 3600 * 1000;
	a.dev.ratelimiter.force_under_load = b.dev.ratelimiter.force_under_load = false;
	host_peer(&a, &b, 32, 128);
	host_peer(&b, &a, 32, 128);
	host_drain(&a);
	host_drain(&b);
	to_a.count = to_b.count = 0;
	to_a.last.len = to_b.last.len = 0;
	memset(&from_a, 0, sizeof(from_a));
	memset(&from_b, 0, sizeof(from_b));
}

static void setup(void)
{
	log_level_from_env(); /* LOG_LEVEL=verbose says why each datagram was dropped */
	clock_gettime(CLOCK_REALTIME, &wall_base);
	host_up(&a, 0x41, 1);
	host_up(&b, 0x42, 2);
}

/* Moves what waits on w's host's socket onto the wire; a full wire loses the newcomer. */
static void collect(struct wire *w)
{
	static uint8_t buf[IO_BUF_SIZE];
	struct udp_endpoint from;
	size_t len;

	while ((len = wire_take(w->to, buf, sizeof(buf), &from)) > 0) {
		fuzz_check(len <= MSG_MAX);
		fuzz_check(ntohs(from.addr.in4.sin_port) == w->from->dev.listen_port);
		if (w->count == QUEUE_MAX)
			continue;
		w->m[w->count].len = len;
		memcpy(w->m[w->count++].data, buf, len);
	}
}

static void give(struct wire *w, const struct wire_msg *m)
{
	uint8_t *buf = io_pool_buf(&w->to->dev.pool, IO_BATCH) + IO_HEADROOM;
	struct udp_endpoint from = { 0 };

	if (!m->len)
		return;
	from.addr.in4.sin_family = AF_INET;
	from.addr.in4.sin_port = htons(w->from->dev.listen_port);
	from.addr.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(buf, m->data, m->len);
	receive_datagram(&w->to->dev, buf, m->len, &from, fuzz_now);
	receive_flush(&w->to->dev);
}

static void pop(struct wire *w, bool deliver)
{
	if (!w->count)
		return;
	w->last = w->m[0];
	memmove(w->m, w->m + 1, --w->count * sizeof(w->m[0]));
	if (deliver)
		give(w, &w->last);
}

static void swap(struct wire *w, uint8_t arg)
{
	struct wire_msg t;
	unsigned int i;

	if (w->count < 2)
		return;
	i = 1 + arg % (w->count - 1);
	t = w->m[0];
	w->m[0] = w->m[i];
	w->m[i] = t;
}

static void corrupt(uint8_t arg)
{
	struct wire *w = arg & 1 ? &to_a : &to_b;
	unsigned int bit = arg >> 1;

	if (w->count && bit / 8 < w->m[0].len)
		w->m[0].data[bit / 8] ^= (uint8_t)(1 << bit % 8);
}

/* A packet from h's side with h's next sequence number in its body. */
static void send_packet(struct host *h, struct traffic *t, uint8_t arg)
{
	uint8_t body[256 - 28] = { 0 };
	size_t len = 32 + arg % 192;

	if (t->sent == SENT_MAX)
		return;
	body[0] = h->ip;
	body[1] = (uint8_t)t->sent;
	body[2] = 0x5a;
	body[3] = (uint8_t)len;
	t->sent++;
	host_send_ip(h, body, len);
}

/* What came out of h's TUN must be a packet the other host sent, once. */
static void check_tun(struct host *h, struct traffic *t)
{
	uint8_t pkt[2048];
	ssize_t r;

	while ((r = read(h->tun, pkt, sizeof(pkt))) >= 0) {
		uint8_t sender = h->ip == 1 ? 2 : 1;

		fuzz_check(r >= 32 && pkt[0] == 0x45 && pkt[3] == (uint8_t)r && pkt[2] == 0);
		fuzz_check(pkt[15] == sender && pkt[19] == h->ip);
		fuzz_check(pkt[28] == sender && pkt[30] == 0x5a && pkt[31] == (uint8_t)r);
		fuzz_check(pkt[29] < t->sent && !t->delivered[pkt[29]]);
		t->delivered[pkt[29]] = true;
		t->arrived++;
	}
}

/* Whether x's sending key is y's receiving key: a probe sealed by one opens with the other.
 * The probe's counter is one traffic never reaches, and neither replay window is touched. */
static bool keys_match(struct noise_keypair *x, struct noise_keypair *y)
{
	static const uint8_t probe[16] = "adit key probe";
	uint8_t sealed[sizeof(probe) + WG_TAG_LEN], opened[sizeof(probe)];
	const uint64_t counter = UINT64_MAX - 1;

	fuzz_check(crypto_aead_ctx_seal(&x->send, 0, sealed, probe, sizeof(probe), counter));
	return crypto_aead_ctx_open(&y->recv, 0, opened, sealed, sizeof(sealed), counter) &&
	       !memcmp(opened, probe, sizeof(probe));
}

static void keypairs_of(struct host *h, struct noise_keypair *kp[3])
{
	kp[0] = h->peer->keypairs.current;
	kp[1] = h->peer->keypairs.previous;
	kp[2] = h->peer->keypairs.next;
	fuzz_check(!kp[2] || !kp[2]->is_initiator);
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			fuzz_check(!kp[i] || kp[i] != kp[j]);
}

static void check_sessions(void)
{
	struct noise_keypair *ka[3], *kb[3];

	keypairs_of(&a, ka);
	keypairs_of(&b, kb);
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			if (!ka[i] || !kb[j] || ka[i]->local_index != kb[j]->remote_index ||
			    ka[i]->remote_index != kb[j]->local_index)
				continue;
			fuzz_check(ka[i]->is_initiator != kb[j]->is_initiator);
			fuzz_check(keys_match(ka[i], kb[j]));
			fuzz_check(keys_match(kb[j], ka[i]));
		}
	}
}

static void after_action(void)
{
	collect(&to_a);
	collect(&to_b);
	check_tun(&a, &from_b);
	check_tun(&b, &from_a);
	check_sessions();
}

/* What the device's loop does for a peer whose deadline passed. */
static void act_on_peer(struct peer_timers *t, unsigned int action)
{
	send_timer_actions(peer_of_timers(t), action);
}

static void expire(struct wg_peer *peer)
{
	timers_fire(&peer->timers, fuzz_now, act_on_peer);
}

static void tick(uint64_t ms)
{
	fuzz_now += ms;
	expire(a.peer);
	expire(b.peer);
}

/* Delivers everything, both ways, until neither side has more to say. */
static void settle(void)
{
	for (int round = 0; round < QUIET_ROUNDS; round++) {
		after_action();
		if (!to_a.count && !to_b.count)
			return;
		while (to_a.count)
			pop(&to_a, true);
		while (to_b.count)
			pop(&to_b, true);
	}
	fuzz_check(!"both sides fall quiet on a perfect wire");
}

static uint64_t earliest(uint64_t x, uint64_t y)
{
	return !x || (y && y < x) ? y : x;
}

/* A perfect wire from now on: every datagram delivered at once, the clock moving from one
 * timer deadline to the next (so each side's jitter keeps their retries apart, as on a real
 * wire), a packet from A every REKEY_TIMEOUT + jitter. One of them must reach B. */
static void heal(void)
{
	const uint64_t every = WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX + 1;
	uint64_t end = fuzz_now + HEAL_TIME, next_send = fuzz_now;
	unsigned int before = from_a.arrived;

	while (fuzz_now < end) {
		uint64_t t;

		if (fuzz_now >= next_send) {
			if (from_a.sent == SENT_MAX)
				return;
			send_packet(&a, &from_a, 0);
			next_send = fuzz_now + every;
		}
		settle();
		if (from_a.arrived > before)
			return;
		t = earliest(earliest(timers_next(&a.peer->timers), timers_next(&b.peer->timers)), next_send);
		tick(t > fuzz_now ? t - fuzz_now : 1);
	}
	fuzz_check(!"a packet from A reaches B once the wire heals");
}

static void act(uint8_t op, uint8_t arg)
{
	static const uint64_t steps[] = { 1, 10, 21, 100, 1000, 5335, 10001, 15001, 120001,
					  180001, 540001, 25 * 60 * 1000 };

	switch (op) {
	case 0: send_packet(&a, &from_a, arg); break;
	case 1: send_packet(&b, &from_b, arg); break;
	case 2: send_handshake_initiation(a.peer, arg & 1); break;
	case 3: send_handshake_initiation(b.peer, arg & 1); break;
	case 4: pop(&to_b, true); break;
	case 5: pop(&to_a, true); break;
	case 6: pop(&to_b, false); break;
	case 7: pop(&to_a, false); break;
	case 8: give(&to_b, &to_b.last); break;
	case 9: give(&to_a, &to_a.last); break;
	case 10: swap(&to_b, arg); break;
	case 11: swap(&to_a, arg); break;
	case 12: tick(steps[arg % (sizeof(steps) / sizeof(steps[0]))]); break;
	case 13: corrupt(arg); break;
	case 14:
		a.dev.ratelimiter.force_under_load = arg & 1;
		b.dev.ratelimiter.force_under_load = arg & 2;
		break;
	case 15: settle(); break;
	case 16: heal(); break;
	case 17: send_keepalive(a.peer); break;
	case 18: send_keepalive(b.peer); break;
	case 19: /* as UAPI sets it */
		if (peer_set_persistent_keepalive(a.peer, arg % 30))
			send_keepalive(a.peer);
		break;
	}
	after_action();
}

/* Actions that read the byte after them as their argument. */
static bool takes_arg(uint8_t op)
{
	return op <= 3 || (op >= 10 && op <= 14) || op == 19;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	size_t i = 0;

	if (!ready) {
		setup();
		ready = true;
	}
	reset();
	while (i < size) {
		uint8_t op = data[i++] % 20, arg = 0;

		if (takes_arg(op) && i < size)
			arg = data[i++];
		act(op, arg);
	}
	return 0;
}
