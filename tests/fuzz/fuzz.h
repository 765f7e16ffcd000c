/* fuzz.h - shared by the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput().  Built with clang
 * -fsanitize=fuzzer,address,undefined for `make fuzz`, and with the host
 * compiler plus replay.c (a main() that feeds files to it) for the
 * regression run of `make check`.  FUZZ_CHECK() aborts on a broken
 * invariant, so that the fuzzer reports it like a crash. */
#ifndef GRAFT_FUZZ_H
#define GRAFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A JSON text of printable ASCII (and newlines): quotes balanced outside
 * escapes, brackets nested. */
static inline void
check_json(const char *j, size_t n)
{
	int in = 0, depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(j[i] == '\n' || (j[i] >= 0x20 && j[i] < 0x7f));
		if (in && j[i] == '\\') {
			i++;
			continue;
		}
		if (j[i] == '"')
			in = !in;
		else if (!in && (j[i] == '{' || j[i] == '['))
			depth++;
		else if (!in && (j[i] == '}' || j[i] == ']'))
			FUZZ_CHECK(--depth >= 0);
	}
	FUZZ_CHECK(!in && depth == 0);
}

#endif
