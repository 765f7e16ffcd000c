/* usec.h - the clocks bench/spawn.c and bench/forkserve.c report in:
 * included by both, each a program of its own (no library to link). */
#ifndef BENCH_USEC_H
#define BENCH_USEC_H
#include <sys/time.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double tv_us(struct timeval tv)
{
	return tv.tv_sec * 1e6 + tv.tv_usec;
}
#endif
