/* make bench-lanes: what the crypto lanes of --threads N give when cores are free. Seals
 * batches of 1420-byte packets (a full-MTU run from one super-packet) through the same pool
 * and cipher contexts the data path uses, with 1 to MAX lanes, and prints packets and Gbit/s
 * per second and the speed-up over one lane. On a machine whose cores are busy with other
 * work (make bench runs both tunnel ends, iperf3 and the kernel on the same cores), the
 * tunnel figures are what count; this says what the pool itself costs and scales to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/workers.h"
#include "wg/crypto.h"

#define PACKET 1420
#define BATCH 64
#define SECONDS 2.0

struct run {
	struct crypto_aead_ctx *ctx;
	uint8_t (*pkt)[PACKET + WG_TAG_LEN];
	uint64_t counter;
};

static void seal_one(void *arg, unsigned int i, unsigned int lane)
{
	struct run *r = arg;

	if (!crypto_aead_ctx_seal(r->ctx, lane, r->pkt[i], r->pkt[i], PACKET, r->counter + i))
		abort();
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Packets sealed per second with lanes lanes, batches of batch packets. */
static double rate(unsigned int lanes, unsigned int batch)
{
	static uint8_t pkt[BATCH][PACKET + WG_TAG_LEN];
	uint8_t key[WG_KEY_LEN] = { 1 };
	struct crypto_aead_ctx ctx;
	struct workers w;
	struct run r = { &ctx, pkt, 0 };
	double start, elapsed;
	uint64_t sealed = 0;

	if (!crypto_set_lanes(lanes) || workers_start(&w, lanes) < 0)
		exit(1);
	if (!crypto_aead_ctx_init(&ctx, key, true))
		exit(1);
	start = now();
	do {
		for (int i = 0; i < 100; i++) {
			workers_run(&w, seal_one, &r, batch, true);
			r.counter += batch;
			sealed += batch;
		}
		elapsed = now() - start;
	} while (elapsed < SECONDS);
	crypto_aead_ctx_free(&ctx);
	workers_stop(&w);
	return (double)sealed / elapsed;
}

int main(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int max = cores > 1 && cores < WORKERS_MAX ? (unsigned int)cores : 2;
	const unsigned int batches[] = { BATCH, 8 };
	double one;

	if (!crypto_init() || !crypto_aead_choose(getenv("ADIT_CRYPTO")))
		return 1;
	printf("sealing %d-byte packets on %ld cores, %.0f s each, with %s (%s)\n", PACKET, cores,
	       SECONDS, crypto_aead_backend(), crypto_aead_detail());
	for (unsigned int b = 0; b < 2; b++) {
		one = 0;
		for (unsigned int lanes = 1; lanes <= max; lanes++) {
			double pps = rate(lanes, batches[b]);

			if (lanes == 1)
				one = pps;
			printf("  batches of %2u, %u lane%s: %8.0f packets/s  %6.2f Gbit/s  %.2fx\n",
			       batches[b], lanes, lanes > 1 ? "s" : " ", pps, pps * PACKET * 8 / 1e9,
			       pps / one);
		}
	}
	return 0;
}
