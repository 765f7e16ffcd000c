/* dyn_prog.c - a program linked with graft-cc -dynamic
 * (tests/toolchain/dynamic.sh).  It loads MODULE (dyn_mod.c) with dlopen():
 *
 *   dyn_prog MODULE                  print the module's greeting
 *   dyn_prog MODULE serve ADDR PORT  the module listens on ADDR:PORT; print
 *                                    "ready ADDR:PORT" (getsockname), accept
 *                                    one client and send it the greeting
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int (*greet)(char *, size_t), (*lsn)(const char *, int);
	struct sockaddr_in s;
	socklen_t l = sizeof s;
	char b[128], h[INET_ADDRSTRLEN];
	void *m;
	int fd, c;

	if (argc != 2 && argc != 5) {
		fprintf(stderr, "usage: dyn_prog MODULE [serve ADDR PORT]\n");
		return 2;
	}
	m = dlopen(argv[1], RTLD_NOW);
	if (!m) {
		fprintf(stderr, "dyn_prog: dlopen: %s\n", dlerror());
		return 1;
	}
	greet = (int (*)(char *, size_t))dlsym(m, "dyn_mod_greet");
	lsn = (int (*)(const char *, int))dlsym(m, "dyn_mod_listen");
	if (!greet || !lsn) {
		fprintf(stderr, "dyn_prog: dlsym: %s\n", dlerror());
		return 1;
	}
	greet(b, sizeof b);
	if (argc == 2) {
		fputs(b, stdout);
		return 0;
	}
	fd = lsn(argv[3], atoi(argv[4]));
	if (fd < 0 || getsockname(fd, (void *)&s, &l)) {
		fprintf(stderr, "dyn_prog: listen: %s\n", strerror(errno));
		return 1;
	}
	inet_ntop(AF_INET, &s.sin_addr, h, sizeof h);
	printf("ready %s:%d\n", h, ntohs(s.sin_port));
	fflush(stdout);
	c = accept(fd, 0, 0);
	if (c < 0 || write(c, b, strlen(b)) < 0) {
		fprintf(stderr, "dyn_prog: accept: %s\n", strerror(errno));
		return 1;
	}
	close(c);
	return 0;
}
