/* test_core_parse.c - graft.conf and the converter variables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "graft_conf.h"

static struct graft_conf c;

static int parse(const char *text)
{
	__graft_conf_init(&c);
	int r = __graft_conf_parse(&c, "/etc/graft.conf", text, strlen(text));
	__graft_conf_finish(&c);
	return r;
}

static void expect_error(const char *text, const char *msg)
{
	assert_int_equal(parse(text), -1);
	assert_int_equal(c.state, GRAFT_CONF_BROKEN);
	assert_string_equal(c.err, msg);
}

static void ip4(const struct graft_ip *ip, const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	assert_int_equal(ip->family, AF_INET);
	assert_memory_equal(ip->a, &a, 4);
}

static void ip6(const struct graft_ip *ip, const char *s)
{
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	assert_int_equal(ip->family, AF_INET6);
	assert_memory_equal(ip->a, &a, 16);
}

static void t_empty(void **s)
{
	(void)s;
	assert_int_equal(parse(""), 0);
	assert_int_equal(c.state, GRAFT_CONF_INACTIVE);
	assert_string_equal(c.broker, "/run/graft/graftd.sock");
	assert_int_equal(parse("# only a comment\n\n   \t\n"), 0);
	assert_int_equal(c.state, GRAFT_CONF_INACTIVE);
}

static void t_keywords(void **s)
{
	(void)s;
	assert_int_equal(parse(
		"broker /tmp/g.sock   # trailing comment\n"
		"ingress 0.0.0.0:80 ep-http\n"
		"ingress [::]:8000-8999 ep-in6\r\n"
		"ingress 127.0.0.1:9000 local\n"
		"egress 0.0.0.0/0 ep-out4\n"
		"egress\t10.1.2.3/8\tep-ten\n"
		"egress ::/0 ep-out6\n"
		"egress [fd00::]/8 ep-fd\n"
		"egress ::ffff:192.168.0.0/112 ep-mapped\n"
		"egress 127.0.0.0/8 local\n"
		"host db.internal 10.0.0.5 fd00::5\n"
		"verbose\n"
		"fallback local\n"), 0);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
	assert_string_equal(c.broker, "/tmp/g.sock");
	assert_int_equal(c.nin, 3);
	ip4(&c.in[0].ip, "0.0.0.0");
	assert_int_equal(c.in[0].lo, 80);
	assert_int_equal(c.in[0].hi, 80);
	assert_string_equal(c.in[0].ep, "ep-http");
	assert_int_equal(c.in[0].line, 2);
	ip6(&c.in[1].ip, "::");
	assert_int_equal(c.in[1].lo, 8000);
	assert_int_equal(c.in[1].hi, 8999);
	assert_string_equal(c.in[1].ep, "ep-in6");
	assert_int_equal(c.in[2].local, 1);
	assert_int_equal(c.neg, 6);
	assert_int_equal(c.eg[0].plen, 0);
	ip4(&c.eg[1].ip, "10.0.0.0");	/* host bits cleared */
	assert_int_equal(c.eg[1].plen, 8);
	ip6(&c.eg[2].ip, "::");
	ip6(&c.eg[3].ip, "fd00::");
	assert_int_equal(c.eg[3].plen, 8);
	ip4(&c.eg[4].ip, "192.168.0.0");	/* v4-mapped becomes IPv4 */
	assert_int_equal(c.eg[4].plen, 16);
	assert_int_equal(c.eg[5].local, 1);
	assert_int_equal(c.nhost, 1);
	assert_string_equal(c.host[0].name, "db.internal");
	assert_int_equal(c.host[0].n, 2);
	ip4(&c.host[0].addr[0], "10.0.0.5");
	ip6(&c.host[0].addr[1], "fd00::5");
	assert_int_equal(c.verbose, 1);
	assert_int_equal(c.fallback, 1);
	assert_int_equal(parse("fallback none\nhost a 1.2.3.4\n"), 0);
	assert_int_equal(c.fallback, 0);
	assert_int_equal(c.egress_batch, 8);	/* the default */
	assert_int_equal(parse("egress-batch 0\nhost a 1.2.3.4\n"), 0);
	assert_int_equal(c.egress_batch, 0);
	assert_int_equal(parse("egress-batch 16\nhost a 1.2.3.4\n"), 0);
	assert_int_equal(c.egress_batch, 16);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
	/* last line without a newline */
	assert_int_equal(parse("ingress 1.2.3.4:1 e"), 0);
	assert_int_equal(c.nin, 1);
	/* a 16-character endpoint name is the maximum */
	assert_int_equal(parse("ingress 1.2.3.4:1 abcdefghijklmnop"), 0);
	assert_string_equal(c.in[0].ep, "abcdefghijklmnop");
}

static void t_errors(void **s)
{
	(void)s;
	expect_error("\n\nfoo bar\n", "graft: /etc/graft.conf:3: unknown keyword 'foo'");
	expect_error("ingress 0.0.0.0:80\n", "graft: /etc/graft.conf:1: 'ingress' needs ADDR:PORT and an endpoint");
	expect_error("ingress 0.0.0.0:80 a b\n", "graft: /etc/graft.conf:1: 'ingress' needs ADDR:PORT and an endpoint");
	expect_error("egress 10.0.0.0/8\n", "graft: /etc/graft.conf:1: 'egress' needs PREFIX/LEN and an endpoint");
	expect_error("ingress 300.0.0.1:80 e\n", "graft: /etc/graft.conf:1: bad address '300.0.0.1:80'");
	expect_error("ingress 0.0.0.0 e\n", "graft: /etc/graft.conf:1: missing :PORT in '0.0.0.0'");
	expect_error("ingress 0.0.0.0:65536 e\n", "graft: /etc/graft.conf:1: bad port '0.0.0.0:65536'");
	expect_error("ingress 0.0.0.0:8x e\n", "graft: /etc/graft.conf:1: bad port '0.0.0.0:8x'");
	expect_error("ingress 0.0.0.0:90-80 e\n", "graft: /etc/graft.conf:1: empty port range '0.0.0.0:90-80'");
	expect_error("ingress 0.0.0.0:80- e\n", "graft: /etc/graft.conf:1: bad port range '0.0.0.0:80-'");
	expect_error("ingress :::80 e\n", "graft: /etc/graft.conf:1: IPv6 address needs [brackets] in ':::80'");
	expect_error("ingress [1.2.3.4]:80 e\n", "graft: /etc/graft.conf:1: bad address '[1.2.3.4]:80'");
	expect_error("ingress [::1]80 e\n", "graft: /etc/graft.conf:1: bad address:port '[::1]80'");
	expect_error("egress 10.0.0.0/33 e\n", "graft: /etc/graft.conf:1: bad prefix length '10.0.0.0/33'");
	expect_error("egress 10.0.0.0/ e\n", "graft: /etc/graft.conf:1: bad prefix length '10.0.0.0/'");
	expect_error("egress ::ffff:1.0.0.0/64 e\n", "graft: /etc/graft.conf:1: bad prefix length '::ffff:1.0.0.0/64'");
	expect_error("egress foo/8 e\n", "graft: /etc/graft.conf:1: bad prefix 'foo/8'");
	expect_error("egress 10.0.0.0/8 abcdefghijklmnopq\n",
		"graft: /etc/graft.conf:1: endpoint name longer than 16 characters: 'abcdefghijklmnopq'");
	expect_error("ingress 0.0.0.0:80-85 a\ningress 0.0.0.0:70-80 b\n",
		"graft: /etc/graft.conf:2: overlaps the ingress rule of /etc/graft.conf:1");
	expect_error("ingress 0.0.0.0:80 a\n\ningress 0.0.0.0:80 b\n",
		"graft: /etc/graft.conf:3: overlaps the ingress rule of /etc/graft.conf:1");
	assert_int_equal(parse("ingress 0.0.0.0:80 a\ningress 0.0.0.0:70-90 b\ningress 1.2.3.4:80 c\n"), 0);
	expect_error("egress 10.0.0.0/8 a\negress 10.9.0.0/8 b\n",
		"graft: /etc/graft.conf:2: same prefix as the egress rule of /etc/graft.conf:1");
	expect_error("host\n", "graft: /etc/graft.conf:1: 'host' needs a name and at least one address");
	expect_error("host db\n", "graft: /etc/graft.conf:1: 'host' needs a name and at least one address");
	expect_error("host d/b 1.2.3.4\n", "graft: /etc/graft.conf:1: bad host name 'd/b'");
	expect_error("host db 1.2.3.x\n", "graft: /etc/graft.conf:1: bad address '1.2.3.x'");
	expect_error("host db 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9.9.9.9\n",
		"graft: /etc/graft.conf:1: too many addresses for host (at most 8): 'db'");
	expect_error("host db 1.1.1.1\nhost DB 2.2.2.2\n",
		"graft: /etc/graft.conf:2: host already named on line 1: 'DB'");
	expect_error("broker run/g.sock\n", "graft: /etc/graft.conf:1: broker path must be absolute: 'run/g.sock'");
	expect_error("broker\n", "graft: /etc/graft.conf:1: 'broker' needs one path");
	expect_error("verbose 1\n", "graft: /etc/graft.conf:1: 'verbose' takes no argument");
	expect_error("fallback maybe\n", "graft: /etc/graft.conf:1: 'fallback' needs 'local' or 'none'");
	expect_error("\negress-batch 17\n", "graft: /etc/graft.conf:2: 'egress-batch' needs a number from 0 to 16");
	expect_error("egress-batch\n", "graft: /etc/graft.conf:1: 'egress-batch' needs a number from 0 to 16");
	expect_error("egress-batch -1\n", "graft: /etc/graft.conf:1: 'egress-batch' needs a number from 0 to 16");
	expect_error("egress-batch 8 9\n", "graft: /etc/graft.conf:1: 'egress-batch' needs a number from 0 to 16");
	expect_error("egress-batch 1x\n", "graft: /etc/graft.conf:1: 'egress-batch' needs a number from 0 to 16");
	expect_error("# ok\nhost a 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9 10 11\n",
		"graft: /etc/graft.conf:2: too many words");
	/* only the first problem is reported */
	expect_error("bad1\nbad2\n", "graft: /etc/graft.conf:1: unknown keyword 'bad1'");
}

static void t_limits(void **s)
{
	char buf[8192], *p = buf;
	int i;
	(void)s;
	memset(buf, 'x', 2000);
	memcpy(buf, "# ", 2);
	buf[2000] = 0;
	expect_error(buf, "graft: /etc/graft.conf:1: line longer than 1023 bytes");
	for (i = 0; i < 65; i++)
		p += sprintf(p, "ingress 0.0.0.0:%d e\n", 1000 + i);
	expect_error(buf, "graft: /etc/graft.conf:65: too many ingress rules (at most 64)");
	assert_int_equal(parse("ingress 0.0.0.0:1 e\n\0more\n") , 0);
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_parse(&c, "/f", "ingress 0.0.0.0:1 e\n\0\n", 22), -1);
	assert_string_equal(c.err, "graft: /f:2: NUL byte in line");
	char path[200];
	memset(path, 'a', sizeof path);
	memcpy(path, "broker /", 8);
	path[sizeof path - 1] = 0;
	char want[300];
	snprintf(want, sizeof want, "graft: /etc/graft.conf:1: broker path longer than 107 bytes: '%s'", path + 7);
	expect_error(path, want);
}

static void t_env(void **s)
{
	(void)s;
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT",
		"0.0.0.0:80=ep-http  ::1:8080=ep6 [::]:9000-9010=ep9"), 0);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_EGRESS_CONVERT",
		"0.0.0.0/0=ep-out 2001:db8::/32=ep-v6"), 0);
	__graft_conf_finish(&c);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
	assert_int_equal(c.nin, 3);
	ip4(&c.in[0].ip, "0.0.0.0");
	assert_int_equal(c.in[0].lo, 80);
	assert_string_equal(c.in[0].ep, "ep-http");
	ip6(&c.in[1].ip, "::1");
	assert_int_equal(c.in[1].lo, 8080);
	assert_int_equal(c.in[2].hi, 9010);
	assert_int_equal(c.in[2].src, GRAFT_SRC_ENV_IN);
	assert_int_equal(c.in[2].line, 3);
	assert_int_equal(c.neg, 2);
	ip6(&c.eg[1].ip, "2001:db8::");
	assert_int_equal(c.eg[1].plen, 32);

	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT", "0.0.0.0:80=a 0.0.0.0:81"), -1);
	assert_string_equal(c.err, "graft: GRAFT_INGRESS_CONVERT item 2: missing =ENDPOINT in '0.0.0.0:81'");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_EGRESS_CONVERT", "10.0.0.0/99=a"), -1);
	assert_string_equal(c.err, "graft: GRAFT_EGRESS_CONVERT item 1: bad prefix length '10.0.0.0/99'");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT", "1.2.3.4:80="), -1);
	assert_string_equal(c.err, "graft: GRAFT_INGRESS_CONVERT item 1: missing endpoint ''");
	/* file and variable together: an overlap names both */
	assert_int_equal(parse("ingress 0.0.0.0:80 a\n"), 0);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT", "0.0.0.0:80=b"), -1);
	assert_string_equal(c.err, "graft: GRAFT_INGRESS_CONVERT item 1: overlaps the ingress rule of /etc/graft.conf:1");
}

/* "*:PORT": both wildcards in one rule, in the file and the variable */
static void t_star(void **s)
{
	(void)s;
	assert_int_equal(parse("ingress *:80 ep-web\ningress *:9000-9010 ep9 view host\n"
		"ingress 0.0.0.0:80 ep4\ningress [::]:80 ep6\ningress *:0 eph\n"), 0);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
	assert_int_equal(c.nin, 5);
	assert_int_equal(c.in[0].ip.family, AF_UNSPEC);
	assert_int_equal(c.in[0].lo, 80);
	assert_int_equal(c.in[0].hi, 80);
	assert_string_equal(c.in[0].ep, "ep-web");
	assert_int_equal(c.in[1].ip.family, AF_UNSPEC);
	assert_int_equal(c.in[1].lo, 9000);
	assert_int_equal(c.in[1].hi, 9010);
	/* port 0 is a rule for port-0 binds, as for any address */
	assert_int_equal(c.in[4].ip.family, AF_UNSPEC);
	assert_int_equal(c.in[4].lo, 0);
	expect_error("ingress *: e\n", "graft: /etc/graft.conf:1: bad port '*:'");
	expect_error("ingress * e\n", "graft: /etc/graft.conf:1: missing :PORT in '*'");
	expect_error("ingress **:1 e\n", "graft: /etc/graft.conf:1: bad address '**:1'");
	expect_error("ingress *:1-0 e\n", "graft: /etc/graft.conf:1: empty port range '*:1-0'");
	expect_error("ingress *:1- e\n", "graft: /etc/graft.conf:1: bad port range '*:1-'");
	expect_error("ingress *:65536 e\n", "graft: /etc/graft.conf:1: bad port '*:65536'");
	expect_error("ingress *:80:81 e\n", "graft: /etc/graft.conf:1: bad port '*:80:81'");
	expect_error("ingress [*]:80 e\n", "graft: /etc/graft.conf:1: bad address '[*]:80'");
	expect_error("ingress *.0:80 e\n", "graft: /etc/graft.conf:1: bad address '*.0:80'");
	expect_error("ingress :80 e\n", "graft: /etc/graft.conf:1: bad address ':80'");
	expect_error("egress * e\n", "graft: /etc/graft.conf:1: bad prefix '*'");
	expect_error("egress *:80 e\n", "graft: /etc/graft.conf:1: bad prefix '*:80'");
	expect_error("host db *\n", "graft: /etc/graft.conf:1: bad address '*'");
	/* two "*" rules overlap as two rules of one address do */
	expect_error("ingress *:80-85 a\ningress *:85-90 b\n",
		"graft: /etc/graft.conf:2: overlaps the ingress rule of /etc/graft.conf:1");
	expect_error("ingress *:80 a\ningress *:80 b\n",
		"graft: /etc/graft.conf:2: overlaps the ingress rule of /etc/graft.conf:1");
	assert_int_equal(parse("ingress *:80-90 a\ningress *:85 b\n"), 0);

	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT",
		"*:80=ep-web *:9000-9010=ep9"), 0);
	__graft_conf_finish(&c);
	assert_int_equal(c.nin, 2);
	assert_int_equal(c.in[0].ip.family, AF_UNSPEC);
	assert_int_equal(c.in[1].hi, 9010);
	assert_string_equal(c.in[1].ep, "ep9");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT", "*:=a"), -1);
	assert_string_equal(c.err, "graft: GRAFT_INGRESS_CONVERT item 1: bad port '*:'");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_INGRESS_CONVERT", "**:1=a"), -1);
	assert_string_equal(c.err, "graft: GRAFT_INGRESS_CONVERT item 1: bad address '**:1'");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_EGRESS_CONVERT", "*=a"), -1);
	assert_string_equal(c.err, "graft: GRAFT_EGRESS_CONVERT item 1: bad prefix '*'");
}

static void t_error_open(void **s)
{
	(void)s;
	__graft_conf_init(&c);
	c.file = "/nope/graft.conf";
	__graft_conf_error(&c, GRAFT_SRC_FILE, 0, "No such file or directory", 0);
	assert_string_equal(c.err, "graft: /nope/graft.conf: No such file or directory");
}

static int parse_secure(const char *text)
{
	__graft_conf_init(&c);
	c.secure = 1;
	return __graft_conf_parse(&c, "/etc/graft.conf", text, strlen(text));
}

/* AT_SECURE: the message names file:line and the problem, never the bytes */
static void t_secure(void **s)
{
	(void)s;
	assert_int_equal(parse_secure("root:$6$secret:19000:0:99999:7:::\n"), -1);
	assert_string_equal(c.err, "graft: /etc/graft.conf:1: unknown keyword");
	assert_int_equal(parse_secure("# c\nbroker run/secret\n"), -1);
	assert_string_equal(c.err, "graft: /etc/graft.conf:2: broker path must be absolute");
	assert_int_equal(parse_secure("host db 1.1.1.1\nhost DB 2.2.2.2\n"), -1);
	assert_string_equal(c.err, "graft: /etc/graft.conf:2: host already named on line 1");
	assert_int_equal(parse_secure("egress 10.0.0.0/8 abcdefghijklmnopq\n"), -1);
	assert_string_equal(c.err, "graft: /etc/graft.conf:1: endpoint name longer than 16 characters");
	assert_int_equal(parse_secure("ingress 0.0.0.0:90-80 e\n"), -1);
	assert_string_equal(c.err, "graft: /etc/graft.conf:1: empty port range");
}

/* what is quoted, and the file's name, is printable ASCII only */
static void t_sanitised(void **s)
{
	(void)s;
	expect_error("\x1b]0;x\x07\x1b[2J\x9b" "1m\n",
		"graft: /etc/graft.conf:1: unknown keyword '?]0;x?" "?[2J?1m'");
	__graft_conf_init(&c);
	c.file = "/tmp/a\nb\x1b[31m";
	__graft_conf_error(&c, GRAFT_SRC_FILE, 0, "not a regular file", 0);
	assert_string_equal(c.err, "graft: /tmp/a?b?[31m: not a regular file");
	__graft_conf_init(&c);
	assert_int_equal(__graft_conf_env(&c, "GRAFT_EGRESS_CONVERT", "10.0.0.0/8=e\x7f\x01"), -1);
	assert_string_equal(c.err, "graft: GRAFT_EGRESS_CONVERT item 1: bad endpoint name 'e?" "?'");
}

/* "view": global and per ingress rule; nview counts the rules it covers */
static void t_view(void **s)
{
	(void)s;
	assert_int_equal(parse("ingress 0.0.0.0:80 ep\ningress 0.0.0.0:81 local\n"), 0);
	assert_int_equal(c.view, GRAFT_VIEW_PROGRAM);
	assert_int_equal(c.nview, 1);
	assert_int_equal(parse("ingress 0.0.0.0:80 ep\nview host\n"), 0);
	assert_int_equal(c.view, GRAFT_VIEW_HOST);
	assert_int_equal(c.nview, 0);
	assert_int_equal(parse("view host\ningress 0.0.0.0:80 ep view program\n"
		"ingress 0.0.0.0:81 ep view host\ningress 0.0.0.0:82 ep\n"), 0);
	assert_int_equal(c.in[0].view, GRAFT_VIEW_PROGRAM);
	assert_int_equal(c.in[1].view, GRAFT_VIEW_HOST);
	assert_int_equal(c.in[2].view, GRAFT_VIEW_DEFAULT);
	assert_int_equal(c.nview, 1);
	expect_error("view\n", "graft: /etc/graft.conf:1: 'view' needs 'program' or 'host'");
	expect_error("view truthful\n", "graft: /etc/graft.conf:1: 'view' needs 'program' or 'host'");
	expect_error("ingress 0.0.0.0:80 ep view\n",
		"graft: /etc/graft.conf:1: 'ingress' needs ADDR:PORT and an endpoint");
	expect_error("ingress 0.0.0.0:80 ep view both\n",
		"graft: /etc/graft.conf:1: 'view' needs 'program' or 'host'");
	expect_error("ingress 0.0.0.0:80 ep look host\n",
		"graft: /etc/graft.conf:1: unknown ingress option 'look'");
	expect_error("egress 10.0.0.0/8 ep view host\n",
		"graft: /etc/graft.conf:1: 'egress' needs PREFIX/LEN and an endpoint");
}

/* "dns ENDPOINT|local": one line; the resolver's queries, nothing else */
static void t_dns(void **s)
{
	struct graft_ip ns;
	(void)s;
	assert_int_equal(parse("dns ep-dns\n"), 0);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);	/* a dns line alone */
	assert_int_equal(c.ndns, 1);
	assert_string_equal(c.dns.ep, "ep-dns");
	assert_int_equal(c.dns.local, 0);
	assert_int_equal(c.dns.src, GRAFT_SRC_DNS);
	assert_int_equal(c.dns.line, 1);
	assert_int_equal(c.nin + c.neg, 0);
	memset(&ns, 0, sizeof ns);
	ns.family = AF_INET;
	ns.a[0] = 127, ns.a[3] = 53;
	/* every nameserver, loopback included */
	assert_ptr_equal(__graft_match_dns(&c, &ns, SOCK_DGRAM), &c.dns);
	assert_int_equal(parse("egress 0.0.0.0/0 ep\n\ndns local\n"), 0);
	assert_int_equal(c.dns.local, 1);
	assert_int_equal(c.dns.line, 3);
	assert_ptr_equal(__graft_match_dns(&c, &ns, SOCK_DGRAM), &c.dns);	/* over the rules */
	/* no dns line: the egress rules, builtins included */
	assert_int_equal(parse("egress 0.0.0.0/0 ep\n"), 0);
	assert_int_equal(c.ndns, 0);
	assert_int_equal(__graft_match_dns(&c, &ns, SOCK_DGRAM)->local, 1);	/* 127/8 */
	ns.a[0] = 10;
	assert_string_equal(__graft_match_dns(&c, &ns, SOCK_DGRAM)->ep, "ep");
	expect_error("dns\n", "graft: /etc/graft.conf:1: 'dns' needs an endpoint or 'local'");
	expect_error("dns a b\n", "graft: /etc/graft.conf:1: 'dns' needs an endpoint or 'local'");
	expect_error("dns a\ndns b\n", "graft: /etc/graft.conf:2: 'dns' given twice");
	expect_error("dns abcdefghijklmnopq\n",
		"graft: /etc/graft.conf:1: endpoint name longer than 16 characters: 'abcdefghijklmnopq'");
}

/* "rules broker": one word, one line; the rules come at load */
static void t_rules(void **s)
{
	(void)s;
	assert_int_equal(parse("rules broker\n"), 0);
	assert_int_equal(c.rules, 1);
	/* no rule yet: inactive until the broker's come (conf_load.c) */
	assert_int_equal(c.state, GRAFT_CONF_INACTIVE);
	assert_int_equal(c.nin + c.neg + c.nbin + c.nbeg, 0);
	assert_int_equal(parse("broker /tmp/b.sock\n# x\n  rules\tbroker   # cni\ningress *:80 local\n"), 0);
	assert_int_equal(c.rules, 3);
	assert_int_equal(c.state, GRAFT_CONF_ACTIVE);
	expect_error("rules\n", "graft: /etc/graft.conf:1: 'rules' needs 'broker'");
	expect_error("rules file\n", "graft: /etc/graft.conf:1: 'rules' needs 'broker'");
	expect_error("rules Broker\n", "graft: /etc/graft.conf:1: 'rules' needs 'broker'");
	expect_error("\nrules broker broker\n", "graft: /etc/graft.conf:2: 'rules' needs 'broker'");
	expect_error("rules broker\nverbose\nrules broker\n", "graft: /etc/graft.conf:3: 'rules' given twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_empty),
		cmocka_unit_test(t_keywords),
		cmocka_unit_test(t_errors),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_env),
		cmocka_unit_test(t_star),
		cmocka_unit_test(t_error_open),
		cmocka_unit_test(t_secure),
		cmocka_unit_test(t_sanitised),
		cmocka_unit_test(t_view),
		cmocka_unit_test(t_dns),
		cmocka_unit_test(t_rules),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
