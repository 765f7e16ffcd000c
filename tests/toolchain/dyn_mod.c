/* dyn_mod.c - a module built with graft-cc -shared -fPIC and loaded by
 * dyn_prog with dlopen() (tests/toolchain/dynamic.sh).  Its socket calls
 * are the module's own: they reach the one libc.so of the process, so they
 * are grafted as the program's are.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int dyn_mod_greet(char *b, size_t n)
{
	return snprintf(b, n, "hello from the module, pid %d\n", (int)getpid());
}

/* a listening TCP socket on ADDR:PORT, or -1 */
int dyn_mod_listen(const char *a, int port)
{
	struct sockaddr_in s;
	int fd, one = 1;

	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	if (inet_pton(AF_INET, a, &s.sin_addr) != 1) return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (void *)&s, sizeof s) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}
