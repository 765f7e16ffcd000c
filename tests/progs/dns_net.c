/* dns_net.c - the resolver's doors, from a namespace (tests/e2e/
 * core-dns.sh, bench/run.sh).  One result line on stdout:
 *
 *   gai NAME [addrconfig]  getaddrinfo(AF_UNSPEC, SOCK_STREAM), with
 *                          AI_ADDRCONFIG if asked: "gai N ADDR..." (the
 *                          addresses in the resolver's order) or
 *                          "gai-error CODE TEXT"
 *   ghbn NAME              gethostbyname: "ghbn N ADDR..." or "ghbn-error H"
 *   resq NAME              res_query(C_IN, T_A): "resq LEN ANCOUNT" or
 *                          "resq-error H"
 *   loop NAME N            N getaddrinfo(AF_INET) lookups of NAME:
 *                          "loop N ok" or "loop-error I CODE"
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void put(int af, const void *a)
{
	char h[INET6_ADDRSTRLEN];
	printf(" %s", inet_ntop(af, a, h, sizeof h) ? h : "?");
}

static int gai(const char *name, int flags)
{
	struct addrinfo hint = { .ai_socktype = SOCK_STREAM, .ai_flags = flags }, *r, *p;
	int e = getaddrinfo(name, "80", &hint, &r), n = 0;

	if (e) {
		printf("gai-error %d %s\n", e, gai_strerror(e));
		return 1;
	}
	for (p = r; p; p = p->ai_next) n++;
	printf("gai %d", n);
	for (p = r; p; p = p->ai_next)
		put(p->ai_family, p->ai_family == AF_INET
			? (void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
			: (void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr);
	printf("\n");
	freeaddrinfo(r);
	return 0;
}

static int ghbn(const char *name)
{
	struct hostent *h = gethostbyname(name);
	int n = 0;

	if (!h) {
		printf("ghbn-error %d\n", h_errno);
		return 1;
	}
	while (h->h_addr_list[n]) n++;
	printf("ghbn %d", n);
	for (n = 0; h->h_addr_list[n]; n++) put(h->h_addrtype, h->h_addr_list[n]);
	printf("\n");
	return 0;
}

static int resq(const char *name)
{
	unsigned char ans[4096];
	int l = res_query(name, 1 /* C_IN */, 1 /* T_A */, ans, sizeof ans);

	if (l < 0) {
		printf("resq-error %d\n", h_errno);
		return 1;
	}
	printf("resq %d %d\n", l, l >= 12 ? ans[6] << 8 | ans[7] : -1);
	return 0;
}

static int loop(const char *name, int n)
{
	struct addrinfo hint = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *r;
	int i, e;

	for (i = 0; i < n; i++) {
		if ((e = getaddrinfo(name, "80", &hint, &r))) {
			printf("loop-error %d %d\n", i, e);
			return 1;
		}
		freeaddrinfo(r);
	}
	printf("loop %d ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "gai"))
		return gai(argv[2], argc > 3 && !strcmp(argv[3], "addrconfig") ? AI_ADDRCONFIG : 0);
	if (argc == 3 && !strcmp(argv[1], "ghbn")) return ghbn(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "resq")) return resq(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "loop")) return loop(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: dns_net gai|ghbn|resq NAME | loop NAME N\n");
	return 2;
}
