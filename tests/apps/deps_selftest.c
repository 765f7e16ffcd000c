/* deps_selftest - exercise the libraries graft-deps installs, linked
 * statically with graft-cc: a zlib round trip, SHA-256 known answers, a
 * TLS 1.3 handshake between two in-memory endpoints with a certificate made
 * here, a PCRE2 match (JIT where built), a libevent loop with a timer and a
 * socketpair.  Build with -DWITH_ZLIB -DWITH_OPENSSL -DWITH_PCRE2
 * -DWITH_LIBEVENT (any subset).  Prints one line per check, exits 1 on the
 * first failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails;
#define CHECK(what, cond) do { \
	if (cond) printf("ok   %s\n", what); \
	else { printf("FAIL %s\n", what); fails++; } } while (0)

#ifdef WITH_ZLIB
#include <zlib.h>
static void t_zlib(void)
{
	static unsigned char in[64 * 1024], z[70 * 1024], out[64 * 1024];
	uLongf zn = sizeof z, on = sizeof out;
	size_t i;

	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i % 251 ^ i / 1024);
	CHECK("zlib: compress", compress2(z, &zn, in, sizeof in, 9) == Z_OK && zn < sizeof in / 4);
	CHECK("zlib: uncompress gives the input back",
	      uncompress(out, &on, z, zn) == Z_OK && on == sizeof in && !memcmp(in, out, on));
	CHECK("zlib: crc32 of \"123456789\" is cbf43926",
	      crc32(0, (const Bytef *)"123456789", 9) == 0xcbf43926UL);
}
#endif

#ifdef WITH_OPENSSL
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static int hexeq(const unsigned char *d, size_t n, const char *hex)
{
	char buf[2 * EVP_MAX_MD_SIZE + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", d[i]);
	return !strcmp(buf, hex);
}

static X509 *selfsigned(EVP_PKEY *k)
{
	X509 *x = X509_new();
	X509_NAME *nm;

	if (!x)
		return 0;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"graft.test", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	if (!X509_sign(x, k, EVP_sha256())) {
		X509_free(x);
		return 0;
	}
	return x;
}

/* Drive both handshakes over a BIO pair until both are done. */
static int handshake(SSL *c, SSL *s)
{
	int i, dc = 0, ds = 0, r;

	for (i = 0; i < 100 && !(dc && ds); i++) {
		if (!dc) {
			r = SSL_do_handshake(c);
			if (r == 1) dc = 1;
			else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ) return 0;
		}
		if (!ds) {
			r = SSL_do_handshake(s);
			if (r == 1) ds = 1;
			else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ) return 0;
		}
	}
	return dc && ds;
}

static void t_openssl(void)
{
	unsigned char md[SHA256_DIGEST_LENGTH], buf[16];
	EVP_PKEY *k;
	X509 *x;
	SSL_CTX *sc, *cc;
	SSL *s, *c;
	BIO *bc, *bs;
	int ok;

	SHA256((const unsigned char *)"abc", 3, md);
	CHECK("openssl: SHA-256(\"abc\")", hexeq(md, sizeof md,
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK("openssl: version 3", OPENSSL_VERSION_MAJOR == 3 && OpenSSL_version_num() >> 28 == 3);
	k = EVP_EC_gen("P-256");
	x = k ? selfsigned(k) : 0;
	CHECK("openssl: P-256 key and self-signed certificate", x != 0);
	if (!x)
		return;
	sc = SSL_CTX_new(TLS_server_method());
	cc = SSL_CTX_new(TLS_client_method());
	ok = sc && cc && SSL_CTX_use_certificate(sc, x) == 1 && SSL_CTX_use_PrivateKey(sc, k) == 1 &&
	     X509_STORE_add_cert(SSL_CTX_get_cert_store(cc), x) == 1;
	CHECK("openssl: contexts", ok);
	if (!ok)
		return;
	SSL_CTX_set_verify(cc, SSL_VERIFY_PEER, 0);
	s = SSL_new(sc);
	c = SSL_new(cc);
	BIO_new_bio_pair(&bc, 0, &bs, 0);
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	SSL_set_tlsext_host_name(c, "graft.test");
	SSL_set1_host(c, "graft.test");
	CHECK("openssl: TLS handshake in memory, certificate verified", handshake(c, s) &&
	      SSL_get_verify_result(c) == X509_V_OK);
	CHECK("openssl: TLS 1.3 negotiated", SSL_version(c) == TLS1_3_VERSION);
	ok = SSL_write(c, "ping", 4) == 4 && SSL_read(s, buf, sizeof buf) == 4 && !memcmp(buf, "ping", 4);
	CHECK("openssl: application data crosses", ok);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cc);
	SSL_CTX_free(sc);
	X509_free(x);
	EVP_PKEY_free(k);
}
#endif

#ifdef WITH_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
static void t_pcre2(void)
{
	int err, rc;
	PCRE2_SIZE off, *ov;
	uint32_t jit = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)"^/img/(\\w+)\\.(png|jpe?g)$",
				       PCRE2_ZERO_TERMINATED, 0, &err, &off, 0);
	pcre2_match_data *md;

	CHECK("pcre2: compile", re != 0);
	if (!re)
		return;
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	if (jit)
		CHECK("pcre2: JIT compile", pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0);
	md = pcre2_match_data_create_from_pattern(re, 0);
	rc = pcre2_match(re, (PCRE2_SPTR)"/img/cat.jpeg", PCRE2_ZERO_TERMINATED, 0, 0, md, 0);
	ov = pcre2_get_ovector_pointer(md);
	CHECK("pcre2: match with captures", rc == 3 && ov[2] == 5 && ov[3] == 8);
	CHECK("pcre2: no match", pcre2_match(re, (PCRE2_SPTR)"/img/cat.gif",
	      PCRE2_ZERO_TERMINATED, 0, 0, md, 0) == PCRE2_ERROR_NOMATCH);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
}
#endif

#ifdef WITH_LIBEVENT
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>
static int got_read, got_timer;
static void on_read(evutil_socket_t fd, short what, void *arg)
{
	char b[8];
	(void)what;
	if (read(fd, b, sizeof b) == 3 && !memcmp(b, "abc", 3))
		got_read = 1;
	event_base_loopexit(arg, 0);
}
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	got_timer = 1;
	if (write(*(int *)arg, "abc", 3) != 3)
		got_timer = 0;
}
static void t_libevent(void)
{
	struct event_base *b = event_base_new();
	struct timeval tv = { 0, 10000 };
	struct event *r, *t;
	int sv[2];

	CHECK("libevent: event_base_new", b != 0);
	if (!b || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	r = event_new(b, sv[0], EV_READ, on_read, b);
	t = evtimer_new(b, on_timer, &sv[1]);
	event_add(r, 0);
	evtimer_add(t, &tv);
	event_base_dispatch(b);
	CHECK("libevent: timer then read event fire", got_timer && got_read);
	printf("     libevent %s, backend %s\n", event_get_version(), event_base_get_method(b));
	event_free(r);
	event_free(t);
	event_base_free(b);
	close(sv[0]);
	close(sv[1]);
}
#endif

int main(void)
{
#ifdef WITH_ZLIB
	t_zlib();
#endif
#ifdef WITH_OPENSSL
	t_openssl();
#endif
#ifdef WITH_PCRE2
	t_pcre2();
#endif
#ifdef WITH_LIBEVENT
	t_libevent();
#endif
	return fails ? 1 : 0;
}
