/* replay.c - a main() for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named (directories: on each
 * file inside).  `make check` runs it over tests/fuzz/corpus/TARGET and
 * tests/fuzz/regress/TARGET, so a fixed crash stays fixed on any host. */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static unsigned long nrun;

static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	nrun++;
	return 0;
}

static int
run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int i, n, rv = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((n = scandir(path, &names, NULL, alphasort)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path,
			    names[i]->d_name);
			if (run_path(sub) == -1)
				rv = -1;
		}
		free(names[i]);
	}
	free(names);
	return rv;
}

int
main(int argc, char *argv[])
{
	int i, rv = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i]) == -1)
			rv = 1;
	printf("replayed %lu inputs\n", nrun);
	return rv;
}
