/* afgraft-client.c - an AF_GRAFT-native TCP client.
 *
 *   graft-cc -o afgraft-client examples/afgraft-client.c
 *   graftctl add default-source type ipv4 addr 0.0.0.0 port dynamic netns web
 *   ip netns exec web ./afgraft-client 192.0.2.10 80 [ENDPOINT]
 *
 * socket(AF_GRAFT) + connect(): an unbound AF_GRAFT socket talks from the
 * endpoint "default-source"; with ENDPOINT it binds that one first (its
 * name resolved by getaddrinfo with the AF_GRAFT hint). */
#include <arpa/inet.h>
#include <graft.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_gr me;
	socklen_t ml = sizeof me;
	char buf[512];
	ssize_t n;
	int fd;

	if (argc < 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: %s IPV4 PORT [ENDPOINT]\n", argv[0]);
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	if ((fd = socket(AF_GRAFT, SOCK_STREAM, 0)) < 0) { perror("socket"); return 1; }
	if (argc > 3) {
		struct addrinfo hints = { .ai_family = AF_GRAFT }, *ai;
		int e = getaddrinfo(argv[3], 0, &hints, &ai);
		if (e) { fprintf(stderr, "%s: %s\n", argv[3], gai_strerror(e)); return 1; }
		if (bind(fd, ai->ai_addr, ai->ai_addrlen)) { perror("bind"); return 1; }
		freeaddrinfo(ai);
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof dst)) { perror("connect"); return 1; }
	getsockname(fd, (struct sockaddr *)&me, &ml);
	fprintf(stderr, "connected from endpoint %.16s\n", me.sgr_epname);
	write(fd, "GET / HTTP/1.0\r\n\r\n", 18);
	while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
	close(fd);
	return 0;
}
