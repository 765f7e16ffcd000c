/* test_cni_conf.c - graft-cni's network configuration (src/cni/conf.c), the
 * attach command built from it (cmd.c) and the ADD result (result.c):
 * good configs give the endpoints the spec says, bad ones the right CNI
 * error code and a message naming what is wrong; CNI 1.1's keys, the
 * network name, the records of "attachments network NAME" and GC's set
 * of valid attachments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd.h"
#include "conf.h"
#include "result.h"

#define HEAD	"{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"graft\""
#define PM(x)	HEAD ",\"runtimeConfig\":{\"portMappings\":[" x "]}}"

static struct cni_conf conf;
static struct cni_err err;

static void
good(const char *s)
{
	memset(&err, 0, sizeof(err));
	if (conf_parse(&conf, s, strlen(s), &err) != 0)
		fail_msg("%s: refused: %d %s", s, err.code, err.msg);
}

static void
bad(const char *s, int code, const char *why)
{
	memset(&err, 0, sizeof(err));
	if (conf_parse(&conf, s, strlen(s), &err) == 0) {
		conf_free(&conf);
		fail_msg("accepted: %s", s);
	}
	if (err.code != code || strstr(err.msg, why) == NULL)
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", s, err.code,
		    err.msg, code, why);
}

/* The attach record of the config s, words joined by spaces. */
static char *
attach(const char *s, char *buf, size_t sz)
{
	struct cmd c;
	size_t i;

	good(s);
	if (cni_cmd_attach(&c, &conf, "abc/eth0", "/run/netns/x", &err) != 0)
		fail_msg("%s: attach: %s", s, err.msg);
	assert_true(c.len < sz);
	memcpy(buf, c.rec, c.len);
	assert_int_equal(buf[c.len - 1], '\0');
	for (i = 0; i + 1 < c.len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	conf_free(&conf);
	return buf;
}

static void
test_minimal(void **state)
{
	(void)state;
	good(HEAD "}");
	assert_string_equal(conf.version, "1.0.0");
	assert_string_equal(conf.name, "net");
	assert_string_equal(conf.control, "/run/graftd/graftd.ctl");
	assert_string_equal(conf.hostip.text, "0.0.0.0");
	assert_int_equal(conf.nmap, 0);
	assert_int_equal(conf.negress, 0);
	assert_null(conf.prev);
	conf_free(&conf);
	good("{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"graft\","
	    "\"control\":\"/tmp/x.ctl\",\"hostIP\":\"::1\",\"capabilities\":"
	    "{\"portMappings\":true},\"args\":{},\"ipam\":{},\"dns\":{}}");
	assert_string_equal(conf.version, "0.3.1");
	assert_string_equal(conf.control, "/tmp/x.ctl");
	assert_string_equal(conf.hostip.text, "::1");
	conf_free(&conf);
	good("{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}");
	conf_free(&conf);
}

static void
test_bad_top(void **state)
{
	(void)state;
	bad("", CNI_E_DECODE, "not valid JSON");
	bad(HEAD "} x", CNI_E_DECODE, "trailing");
	bad(HEAD ",\"name\":\"x\"}", CNI_E_DECODE, "duplicate key");
	bad("[]", CNI_E_CONFIG, "not an object");
	bad("{\"name\":\"n\"}", CNI_E_CONFIG, "\"cniVersion\" is required");
	bad("{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", CNI_E_VERSION,
	    "\"0.2.0\" is not supported");
	bad("{\"cniVersion\":\"1.2.0\",\"name\":\"n\"}", CNI_E_VERSION,
	    "not supported (0.3.1, 0.4.0, 1.0.0, 1.1.0)");
	bad("{\"cniVersion\":\"1.1\",\"name\":\"n\"}", CNI_E_VERSION,
	    "not supported");
	bad("{\"cniVersion\":1,\"name\":\"n\"}", CNI_E_CONFIG,
	    "\"cniVersion\" must be a string, not number");
	bad("{\"cniVersion\":\"1.0.0\"}", CNI_E_CONFIG, "\"name\" is required");
	bad("{\"cniVersion\":\"1.0.0\",\"name\":\"\"}", CNI_E_CONFIG,
	    "\"name\" is required");
	bad(HEAD ",\"hostIp\":\"1.2.3.4\"}", CNI_E_FIELD,
	    "unknown key \"hostIp\"");
	bad(HEAD ",\"control\":\"run/graftd.ctl\"}", CNI_E_CONFIG,
	    "not an absolute path");
	bad(HEAD ",\"control\":\"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"}", CNI_E_CONFIG, "path longer than 107 bytes");
	bad(HEAD ",\"control\":7}", CNI_E_CONFIG, "\"control\" must be a "
	    "string");
	bad(HEAD ",\"hostIP\":\"1.2.3\"}", CNI_E_CONFIG, "not an IPv4 or IPv6");
	bad(HEAD ",\"hostIP\":\"localhost\"}", CNI_E_CONFIG, "not an IPv4");
	bad(HEAD ",\"runtimeConfig\":[]}", CNI_E_CONFIG,
	    "\"runtimeConfig\" must be an object");
	bad(HEAD ",\"capabilities\":true}", CNI_E_CONFIG, "\"capabilities\"");
}

static void
test_mappings(void **state)
{
	char buf[CTL_MAXREC];

	(void)state;
	good(PM("{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
	    "{\"hostPort\":53,\"containerPort\":53,\"protocol\":\"udp\","
	    "\"hostIP\":\"127.0.0.1\"},"
	    "{\"hostPort\":8443,\"containerPort\":443,\"hostIP\":\"\"},"
	    "{\"hostPort\":9000,\"containerPort\":9000,\"protocol\":\"TCP\","
	    "\"hostIP\":\"::\"}"));
	assert_int_equal(conf.nmap, 4);
	assert_int_equal(conf.map[0].hostport, 8080);
	assert_int_equal(conf.map[0].cport, 80);
	assert_false(conf.map[0].udp);
	assert_string_equal(conf.map[0].host.text, "0.0.0.0");
	assert_true(conf.map[1].udp);
	assert_string_equal(conf.map[1].host.text, "127.0.0.1");
	assert_string_equal(conf.map[2].host.text, "0.0.0.0");	/* "" */
	assert_string_equal(conf.map[3].host.text, "::");
	assert_int_equal(conf.map[3].host.family, AF_INET6);
	conf_free(&conf);

	/* the config's hostIP is the default of a mapping without one */
	good("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"hostIP\":\"10.0.0.1\","
	    "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":1,"
	    "\"containerPort\":65535}]}}");
	assert_string_equal(conf.map[0].host.text, "10.0.0.1");
	conf_free(&conf);

	if (CTL_MAXWORDS >= 6 + 2 * 14) {
		assert_string_equal(attach(PM("{\"hostPort\":8080,"
		    "\"containerPort\":80},{\"hostPort\":5353,\"containerPort\":"
		    "53,\"protocol\":\"udp\",\"hostIP\":\"::1\"}"), buf,
		    sizeof(buf)),
		    "attach abc/eth0 netns /run/netns/x network net "
		    "endpoint p0 type ipv4 addr 0.0.0.0 port 8080 direction "
		    "ingress proto tcp match *:80 "
		    "endpoint p1 type ipv6 addr ::1 port 5353 direction "
		    "ingress proto udp match *:53");
	} else
		print_message("skipped: the attach of two mappings (graftd's "
		    "CTL_MAXWORDS %d is from before attach)\n", CTL_MAXWORDS);
	assert_string_equal(attach(HEAD "}", buf, sizeof(buf)),
	    "attach abc/eth0 netns /run/netns/x network net");
}

static void
test_bad_mappings(void **state)
{
	(void)state;
	bad(PM("{\"hostPort\":0,\"containerPort\":80}"), CNI_E_CONFIG,
	    "portMappings[0]: \"hostPort\" must be a port number");
	bad(PM("{\"hostPort\":65536,\"containerPort\":80}"), CNI_E_CONFIG,
	    "\"hostPort\" must be a port");
	bad(PM("{\"hostPort\":-1,\"containerPort\":80}"), CNI_E_CONFIG,
	    "\"hostPort\"");
	bad(PM("{\"hostPort\":80.0,\"containerPort\":80}"), CNI_E_CONFIG,
	    "\"hostPort\"");
	bad(PM("{\"hostPort\":8e1,\"containerPort\":80}"), CNI_E_CONFIG,
	    "\"hostPort\"");
	bad(PM("{\"hostPort\":\"80\",\"containerPort\":80}"), CNI_E_CONFIG,
	    "\"hostPort\"");
	bad(PM("{\"containerPort\":80}"), CNI_E_CONFIG, "\"hostPort\"");
	bad(PM("{\"hostPort\":80}"), CNI_E_CONFIG, "\"containerPort\"");
	bad(PM("{\"hostPort\":80,\"containerPort\":0}"), CNI_E_CONFIG,
	    "\"containerPort\"");
	bad(PM("{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"sctp\"}"),
	    CNI_E_CONFIG, "protocol \"sctp\" is not supported");
	bad(PM("{\"hostPort\":80,\"containerPort\":80,\"protocol\":6}"),
	    CNI_E_CONFIG, "\"protocol\" must be a string");
	bad(PM("{\"hostPort\":80,\"containerPort\":80,\"hostIP\":\"1.2.3.4.5\"}"),
	    CNI_E_CONFIG, "portMappings[0]: \"hostIP\"");
	bad(PM("8080"), CNI_E_CONFIG, "portMappings[0]: is number");
	bad(HEAD ",\"runtimeConfig\":{\"portMappings\":{}}}", CNI_E_CONFIG,
	    "\"portMappings\" must be an array");

	/* duplicates: the same host port, or a wildcard over it */
	bad(PM("{\"hostPort\":80,\"containerPort\":80},"
	    "{\"hostPort\":80,\"containerPort\":81}"), CNI_E_CONFIG,
	    "portMappings[1]: host port 0.0.0.0 80/tcp is already mapped by "
	    "portMappings[0]");
	bad(PM("{\"hostPort\":80,\"containerPort\":80,\"hostIP\":\"127.0.0.1\"},"
	    "{\"hostPort\":80,\"containerPort\":81}"), CNI_E_CONFIG,
	    "already mapped");
	bad(PM("{\"hostPort\":80,\"containerPort\":80,\"hostIP\":\"::\"},"
	    "{\"hostPort\":80,\"containerPort\":81,\"hostIP\":\"0:0::1\"}"),
	    CNI_E_CONFIG, "host port ::1 80/tcp is already mapped");
	bad(PM("{\"hostPort\":80,\"containerPort\":80},"
	    "{\"hostPort\":81,\"containerPort\":80}"), CNI_E_CONFIG,
	    "container port 80/tcp is already mapped");
	/* not duplicates: other protocol, other family, other address */
	good(PM("{\"hostPort\":80,\"containerPort\":80},"
	    "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"udp\"}"));
	conf_free(&conf);
	good(PM("{\"hostPort\":80,\"containerPort\":80,\"hostIP\":\"127.0.0.1\"},"
	    "{\"hostPort\":80,\"containerPort\":81,\"hostIP\":\"127.0.0.2\"},"
	    "{\"hostPort\":80,\"containerPort\":82,\"hostIP\":\"::\"}"));
	conf_free(&conf);
}

static void
test_egress(void **state)
{
	char buf[CTL_MAXREC];

	(void)state;
	good(HEAD ",\"egress\":[{\"prefix\":\"0.0.0.0/0\",\"hostIP\":\"0.0.0.0\"},"
	    "{\"prefix\":\"::/0\"},{\"prefix\":\"[fd00::]/8\"},"
	    "{\"prefix\":\"10.1.2.3\"}]}");
	assert_int_equal(conf.negress, 4);
	assert_string_equal(conf.egress[0].host.text, "0.0.0.0");
	assert_string_equal(conf.egress[1].host.text, "::");	/* default */
	assert_string_equal(conf.egress[2].prefix, "[fd00::]/8");
	assert_string_equal(conf.egress[3].host.text, "0.0.0.0");
	conf_free(&conf);
	assert_string_equal(attach(HEAD ",\"egress\":[{\"prefix\":\"10.0.0.0/8\","
	    "\"hostIP\":\"127.0.0.1\"}]}", buf, sizeof(buf)),
	    "attach abc/eth0 netns /run/netns/x network net endpoint e0 type "
	    "ipv4 addr "
	    "127.0.0.1 port dynamic direction egress match 10.0.0.0/8");

	bad(HEAD ",\"egress\":{}}", CNI_E_CONFIG, "\"egress\" must be an array");
	bad(HEAD ",\"egress\":[{}]}", CNI_E_CONFIG,
	    "egress[0]: \"prefix\" is required");
	bad(HEAD ",\"egress\":[{\"prefix\":\"10.0.0.0/33\"}]}", CNI_E_CONFIG,
	    "not an address prefix");
	bad(HEAD ",\"egress\":[{\"prefix\":\"::/129\"}]}", CNI_E_CONFIG,
	    "not an address prefix");
	bad(HEAD ",\"egress\":[{\"prefix\":\"10.0.0.0/08\"}]}", CNI_E_CONFIG,
	    "not an address prefix");
	bad(HEAD ",\"egress\":[{\"prefix\":\"10.0.0.0/\"}]}", CNI_E_CONFIG,
	    "not an address prefix");
	bad(HEAD ",\"egress\":[{\"prefix\":\"[10.0.0.0]/8\"}]}", CNI_E_CONFIG,
	    "not an address prefix");
	bad(HEAD ",\"egress\":[{\"prefix\":\"10.0.0.0/8\",\"hostIP\":\"::\"}]}",
	    CNI_E_CONFIG, "egress[0]: \"hostIP\" :: is not of the family");
	bad(HEAD ",\"egress\":[\"0.0.0.0/0\"]}", CNI_E_CONFIG,
	    "egress[0]: is string, not an object");
}

/* 32 endpoints in all; one more is refused, naming the counts. */
static void
test_too_many(void **state)
{
	char *s;
	size_t n;
	int i;

	(void)state;
	s = malloc(8192);
	assert_non_null(s);
	n = (size_t)sprintf(s, HEAD ",\"egress\":[{\"prefix\":\"0.0.0.0/0\"},"
	    "{\"prefix\":\"::/0\"}],\"runtimeConfig\":{\"portMappings\":[");
	for (i = 0; i < 30; i++)
		n += (size_t)sprintf(s + n, "%s{\"hostPort\":%d,\"containerPort\""
		    ":%d}", i ? "," : "", 20000 + i, 80 + i);
	strcpy(s + n, "]}}");
	good(s);
	assert_int_equal(conf.nmap + conf.negress, CNI_MAXEP);
	conf_free(&conf);
	n += (size_t)sprintf(s + n, ",{\"hostPort\":30000,\"containerPort\":1}");
	strcpy(s + n, "]}}");
	bad(s, CNI_E_CONFIG, "too many endpoints: 31 port mappings and 2 "
	    "egress entries (at most 32 in all)");
	free(s);
}

static void
test_prev_result(void **state)
{
	struct jbuf b = { 0 };

	(void)state;
	good(HEAD ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":"
	    "[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"ips\":"
	    "[{\"address\":\"10.88.0.2/16\",\"gateway\":\"10.88.0.1\","
	    "\"interface\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],"
	    "\"dns\":{}}}");
	result_add(&b, &conf);
	assert_string_equal(b.buf, "{\"cniVersion\":\"1.0.0\",\"interfaces\":"
	    "[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"ips\":"
	    "[{\"address\":\"10.88.0.2/16\",\"gateway\":\"10.88.0.1\","
	    "\"interface\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],"
	    "\"dns\":{}}\n");
	jb_free(&b);
	conf_free(&conf);

	/* 0.4.0: the runtime gave it in 0.4.0 form, passed on as it is */
	good("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"prevResult\":"
	    "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"6\",\"address\":"
	    "\"fd00::2/64\"},{\"address\":\"10.0.0.2/24\"}]}}");
	result_add(&b, &conf);
	assert_string_equal(b.buf, "{\"cniVersion\":\"0.4.0\",\"ips\":"
	    "[{\"version\":\"6\",\"address\":\"fd00::2/64\"},{\"version\":\"4\","
	    "\"address\":\"10.0.0.2/24\"}]}\n");
	jb_free(&b);
	conf_free(&conf);

	/* into 1.0.0: no "version" */
	good(HEAD ",\"prevResult\":{\"cniVersion\":\"0.4.0\",\"ips\":"
	    "[{\"version\":\"4\",\"address\":\"10.0.0.2/24\"}]}}");
	result_add(&b, &conf);
	assert_string_equal(b.buf, "{\"cniVersion\":\"1.0.0\",\"ips\":"
	    "[{\"address\":\"10.0.0.2/24\"}]}\n");
	jb_free(&b);
	conf_free(&conf);

	/* standalone */
	good(HEAD "}");
	result_add(&b, &conf);
	assert_string_equal(b.buf, "{\"cniVersion\":\"1.0.0\",\"interfaces\":"
	    "[],\"ips\":[]}\n");
	jb_free(&b);
	conf_free(&conf);

	bad(HEAD ",\"prevResult\":[]}", CNI_E_CONFIG,
	    "\"prevResult\" must be an object");
	bad(HEAD ",\"prevResult\":{\"ips\":{}}}", CNI_E_CONFIG,
	    "prevResult: \"ips\" must be an array");
	bad(HEAD ",\"prevResult\":{\"ips\":[{}]}}", CNI_E_CONFIG,
	    "prevResult: ips[0]: \"address\" is required");
	bad(HEAD ",\"prevResult\":{\"interfaces\":[1]}}", CNI_E_CONFIG,
	    "prevResult: interfaces[0]: is number");
	bad(HEAD ",\"prevResult\":{\"cniVersion\":1}}", CNI_E_CONFIG,
	    "prevResult: \"cniVersion\" must be a string");
}

#define V11	"{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"graft\""
#define VA(x)	V11 ",\"cni.dev/valid-attachments\":" x "}"

/* CNI 1.1.0: the version, the conflist's keys libcni may pass on, GC's
 * valid attachments; each type-checked. */
static void
test_cni11(void **state)
{
	struct jbuf b = { 0 };
	struct cni_idset set;

	(void)state;
	good(V11 ",\"cniVersions\":[\"1.0.0\",\"1.1.0\"],\"disableCheck\":true,"
	    "\"disableGC\":false}");
	assert_string_equal(conf.version, "1.1.0");
	assert_null(conf.valid);
	result_add(&b, &conf);		/* 1.1.0's result is 1.0.0's */
	assert_string_equal(b.buf, "{\"cniVersion\":\"1.1.0\",\"interfaces\":"
	    "[],\"ips\":[]}\n");
	jb_free(&b);
	conf_free(&conf);
	good(V11 ",\"cniVersions\":[]}");
	conf_free(&conf);
	/* the keys are no version's own: a 1.0.0 config may have them */
	good(HEAD ",\"disableGC\":true,\"cni.dev/valid-attachments\":[]}");
	assert_non_null(conf.valid);
	assert_int_equal(conf.valid->n, 0);
	conf_free(&conf);

	/* into 1.1.0: no ip "version", as 1.0.0 */
	good(V11 ",\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":"
	    "[{\"version\":\"4\",\"address\":\"10.0.0.2/24\"}]}}");
	result_add(&b, &conf);
	assert_string_equal(b.buf, "{\"cniVersion\":\"1.1.0\",\"ips\":"
	    "[{\"address\":\"10.0.0.2/24\"}]}\n");
	jb_free(&b);
	conf_free(&conf);

	good(VA("[{\"containerID\":\"c2\",\"ifname\":\"eth0\"},"
	    "{\"containerID\":\"c1\",\"ifname\":\"net1\",\"other\":1},"
	    "{\"ifname\":\"eth0\",\"containerID\":\"c1\"},"
	    "{\"containerID\":\"c2\",\"ifname\":\"eth0\"}]"));
	assert_int_equal(conf.valid->n, 4);
	assert_int_equal(cni_validset(&set, &conf, &err), 0);
	assert_int_equal(set.n, 4);
	assert_true(cni_idset_has(&set, "c1/eth0"));
	assert_true(cni_idset_has(&set, "c1/net1"));
	assert_true(cni_idset_has(&set, "c2/eth0"));
	assert_false(cni_idset_has(&set, "c2/net1"));
	assert_false(cni_idset_has(&set, "c1"));
	assert_false(cni_idset_has(&set, "c1/eth"));
	assert_false(cni_idset_has(&set, "c1/eth00"));
	assert_false(cni_idset_has(&set, "C1/eth0"));
	cni_idset_free(&set);
	assert_int_equal(set.n, 0);
	conf_free(&conf);
	good(VA("[]"));
	assert_int_equal(cni_validset(&set, &conf, &err), 0);
	assert_int_equal(set.n, 0);
	assert_false(cni_idset_has(&set, "c1/eth0"));
	cni_idset_free(&set);
	conf_free(&conf);
	good(V11 "}");			/* none: an empty set */
	assert_int_equal(cni_validset(&set, &conf, &err), 0);
	assert_false(cni_idset_has(&set, "c1/eth0"));
	cni_idset_free(&set);
	conf_free(&conf);

	bad(V11 ",\"cniVersions\":\"1.1.0\"}", CNI_E_CONFIG,
	    "\"cniVersions\" must be an array, not string");
	bad(V11 ",\"cniVersions\":[\"1.0.0\",110]}", CNI_E_CONFIG,
	    "\"cniVersions\"[1] is number, not a string");
	bad(V11 ",\"disableCheck\":\"true\"}", CNI_E_CONFIG,
	    "\"disableCheck\" must be a boolean, not string");
	bad(V11 ",\"disableGC\":1}", CNI_E_CONFIG,
	    "\"disableGC\" must be a boolean, not number");
	bad(V11 ",\"disableGC\":null}", CNI_E_CONFIG,
	    "\"disableGC\" must be a boolean, not null");
	bad(VA("{}"), CNI_E_CONFIG, "\"cni.dev/valid-attachments\" must be "
	    "an array, not object");
	good(VA("null"));	/* libcni's empty list */
	assert_null(conf.valid);
	conf_free(&conf);
	bad(VA("[\"c1/eth0\"]"), CNI_E_CONFIG,
	    "\"cni.dev/valid-attachments\"[0]: is string, not an object");
	bad(VA("[{\"containerID\":\"c1\",\"ifname\":\"eth0\"},"
	    "{\"containerID\":1,\"ifname\":\"eth0\"}]"), CNI_E_CONFIG,
	    "\"cni.dev/valid-attachments\"[1]: \"containerID\" must be a "
	    "string, not number");
	bad(VA("[{\"containerID\":\"c1\",\"ifname\":[]}]"), CNI_E_CONFIG,
	    "[0]: \"ifname\" must be a string, not array");
	bad(VA("[{\"containerID\":\"c1\"}]"), CNI_E_CONFIG,
	    "[0]: \"ifname\" is required");
	bad(VA("[{\"ifname\":\"eth0\"}]"), CNI_E_CONFIG,
	    "[0]: \"containerID\" is required");
	bad(VA("[{\"containerID\":null,\"ifname\":\"eth0\"}]"), CNI_E_CONFIG,
	    "\"containerID\" must be a string, not null");
	/* the key with "/" escaped is the same key */
	good(V11 ",\"cni.dev\\/valid-attachments\":[{\"containerID\":\"c1\","
	    "\"ifname\":\"eth0\"}]}");
	assert_non_null(conf.valid);
	assert_int_equal(conf.valid->n, 1);
	conf_free(&conf);
	/* near misses of the keys are unknown keys */
	bad(V11 ",\"cni.dev/valid-attachment\":[]}", CNI_E_FIELD,
	    "unknown key \"cni.dev/valid-attachment\"");
	bad(V11 ",\"disablecheck\":true}", CNI_E_FIELD, "unknown key");
}

/* The network's name: the CNI spec's characters, at most 255 bytes. */
static void
test_name(void **state)
{
	static const char *const ok[] = { "a", "0", "net", "Net-1", "a_b.c-d",
	    "9.-_", "cni-podman0", "x..", NULL };
	static const char *const no[] = { "-a", "_a", ".a", "a b", "a/b",
	    "a:b", "a\\u00e9", "\\u00e9", "a\\t", "a,b", "a\\\\b", " a", "a ",
	    NULL };
	char s[400], name[300], buf[CTL_MAXREC];
	size_t i;

	(void)state;
	for (i = 0; ok[i]; i++) {
		snprintf(s, sizeof(s), "{\"cniVersion\":\"1.1.0\",\"name\":"
		    "\"%s\"}", ok[i]);
		good(s);
		assert_string_equal(conf.name, ok[i]);
		assert_true(cni_name_ok(conf.name));
		conf_free(&conf);
	}
	for (i = 0; no[i]; i++) {
		snprintf(s, sizeof(s), "{\"cniVersion\":\"1.0.0\",\"name\":"
		    "\"%s\"}", no[i]);
		good(s);		/* DEL and CHECK take it */
		memset(&err, 0, sizeof(err));
		assert_int_equal(conf_tag_name(&conf, &err), CNI_E_CONFIG);
		assert_non_null(strstr(err.msg, "is not a network name"));
		conf_free(&conf);
	}
	assert_false(cni_name_ok(""));
	assert_false(cni_name_ok("a\xc3\xa9"));
	memset(name, 'n', 255);
	name[255] = '\0';
	assert_true(cni_name_ok(name));
	snprintf(s, sizeof(s), "{\"cniVersion\":\"1.1.0\",\"name\":\"%s\"}",
	    name);
	good(s);
	conf_free(&conf);
	name[255] = 'n';
	name[256] = '\0';
	assert_false(cni_name_ok(name));
	snprintf(s, sizeof(s), "{\"cniVersion\":\"1.1.0\",\"name\":\"%s\"}",
	    name);
	good(s);
	assert_int_equal(conf_tag_name(&conf, &err), CNI_E_CONFIG);
	assert_non_null(strstr(err.msg, "at most 255 bytes"));
	conf_free(&conf);
	good("{\"cniVersion\":\"1.1.0\",\"name\":\"a b\"}");
	assert_int_equal(conf_tag_name(&conf, &err), CNI_E_CONFIG);
	assert_string_equal(err.msg,
	    "\"name\": \"a b\" is not a network name (an ASCII letter or digit, "
	    "then letters, digits, \"_\", \".\", \"-\"; at most 255 bytes)");
	conf_free(&conf);
	bad("{\"cniVersion\":\"1.1.0\",\"name\":7}", CNI_E_CONFIG,
	    "\"name\" must be a string");

	/* the name tags the attachment */
	assert_string_equal(attach("{\"cniVersion\":\"1.1.0\",\"name\":"
	    "\"Net-1.a_b\"}", buf, sizeof(buf)),
	    "attach abc/eth0 netns /run/netns/x network Net-1.a_b");
}

/* "attachments network NAME" and the lines it answers. */
static void
test_attachments(void **state)
{
	static const char *const no[] = {
		"",
		"c1/eth0",
		"c1/eth0 netns /run/netns/a endpoints 2",	/* no tag */
		"c1/eth0 netns /run/netns/a endpoints 2 network B",
		"c1/eth0 netns /run/netns/a endpoints 2 network AA",
		"c1/eth0 netns /run/netns/a endpoints 2 network A ",
		"c1/eth0 netns /run/netns/a endpoints 2  network A",
		"c1/eth0 netns /run/netns/a endpoints network A",
		"c1/eth0 netns /run/netns/a endpoints x network A",
		"c1/eth0 netns /run/netns/a endpoints 1000 network A",
		"c1/eth0 netns /run/netns/a endpoint 2 network A",
		"c1/eth0 netns /run/netns/aendpoints 2 network A",
		"c1/eth0 netns run/netns/a endpoints 2 network A",
		"c1/eth0 netns  endpoints 2 network A",
		"c1/eth0 netns endpoints 2 network A",
		"c1/eth0 net /run/netns/a endpoints 2 network A",
		" c1/eth0 netns /run/netns/a endpoints 2 network A",
		"c1/eth0  netns /run/netns/a endpoints 2 network A",
		"c1*eth0 netns /run/netns/a endpoints 2 network A",
		"c1/eth0\tnetns /run/netns/a endpoints 2 network A",
		"network A",
		NULL
	};
	char id[CNI_IDMAX + 1], line[600], buf[CTL_MAXREC];
	struct cmd c;
	size_t i;

	(void)state;
	cni_cmd_attachments(&c, "net-1");
	assert_int_equal(c.nwords, 3);
	assert_int_equal(c.len, sizeof("attachments\0network\0net-1"));
	assert_memory_equal(c.rec, "attachments\0network\0net-1", c.len);

	assert_int_equal(cni_att_record("c1/eth0 netns /run/netns/a endpoints 2 "
	    "network A", "A", id, sizeof(id)), 0);
	assert_string_equal(id, "c1/eth0");
	assert_int_equal(cni_att_record("x:y.z-_/9 netns /proc/12/ns/net "
	    "endpoints 0 network net.1", "net.1", id, sizeof(id)), 0);
	assert_string_equal(id, "x:y.z-_/9");
	/* a netns path with blanks, even words of the line in it */
	assert_int_equal(cni_att_record("c2/eth0 netns /run/my ns endpoints 3 "
	    "network A endpoints 1 network A", "A", id, sizeof(id)), 0);
	assert_string_equal(id, "c2/eth0");
	assert_int_equal(cni_att_record("c3/eth0 netns / endpoints 32 network "
	    "A", "A", id, sizeof(id)), 0);
	assert_string_equal(id, "c3/eth0");
	for (i = 0; no[i]; i++)
		if (cni_att_record(no[i], "A", id, sizeof(id)) != -1)
			fail_msg("taken: \"%s\"", no[i]);
	/* the ID: at most 255 bytes, and what id has room for */
	memset(line, 'i', 255);
	strcpy(line + 255, " netns /x endpoints 1 network A");
	assert_int_equal(cni_att_record(line, "A", id, sizeof(id)), 0);
	assert_int_equal(strlen(id), 255);
	assert_int_equal(cni_att_record(line, "A", id, 255), -1);
	memset(line, 'i', 256);
	strcpy(line + 256, " netns /x endpoints 1 network A");
	assert_int_equal(cni_att_record(line, "A", buf, sizeof(buf)), -1);
}

static void
test_env_words(void **state)
{
	char id[CNI_IDMAX + 1], longid[300];

	(void)state;
	assert_int_equal(cni_cmd_id(id, sizeof(id), "0123abcdef", "eth0", &err), 0);
	assert_string_equal(id, "0123abcdef/eth0");
	assert_int_equal(cni_cmd_id(id, sizeof(id), "a_b.c-d", "net1", &err), 0);
	assert_int_equal(cni_cmd_id(id, sizeof(id), "a/b", "eth0", &err), CNI_E_ENV);
	assert_non_null(strstr(err.msg, "CNI_CONTAINERID"));
	assert_int_equal(cni_cmd_id(id, sizeof(id), "a b", "eth0", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_id(id, sizeof(id), "abc", "eth 0", &err), CNI_E_ENV);
	assert_non_null(strstr(err.msg, "CNI_IFNAME"));
	assert_int_equal(cni_cmd_id(id, sizeof(id), "abc", "..", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_id(id, sizeof(id), "abc", "a234567890123456",
	    &err), CNI_E_ENV);
	memset(longid, 'a', 250);
	longid[250] = '\0';
	assert_int_equal(cni_cmd_id(id, sizeof(id), longid, "eth0", &err), 0);
	longid[251] = '\0';
	longid[250] = 'a';
	assert_int_equal(cni_cmd_id(id, sizeof(id), longid, "eth0", &err), CNI_E_ENV);
	assert_non_null(strstr(err.msg, "too long"));

	assert_int_equal(cni_cmd_netns("/run/netns/x", &err), 0);
	assert_int_equal(cni_cmd_netns("/proc/123/ns/net", &err), 0);
	assert_int_equal(cni_cmd_netns("run/netns/x", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/run//netns/x", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/run/netns/../x", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/run/./netns", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/run/netns/", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/", &err), CNI_E_ENV);
	assert_int_equal(cni_cmd_netns("/run/..x", &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_bad_top),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_bad_mappings),
		cmocka_unit_test(test_egress),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_prev_result),
		cmocka_unit_test(test_env_words),
		cmocka_unit_test(test_cni11),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_attachments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
