/* fuzz_graft_wrules.c - a GRAFT_OP_RULES reply record as the libc side
 * decodes it for "rules broker" (src/graft/conf_wrule.c), added after the
 * rules of a fixed graft.conf, then the invariants of core_check.h (the
 * broker's rules rank after the file's) and of the decoder: all or
 * nothing, as many rules as 40-byte records, a reason for a refusal,
 * each rule's protocol its record's (0 any, 6 tcp, 17 udp, else none). */
#include "core_check.h"

static const char file[] =
	"rules broker\n"
	"ingress *:8000-8999 ep-file\n"
	"ingress 0.0.0.0:80 local\n"
	"egress 10.0.0.0/8 ep-file\n"
	"egress 192.168.0.0/16 local\n";

static struct graft_conf c;

/* The broker rule of record k (line k + 1) holds the socket types its
 * proto byte says. */
static void
check_proto(const uint8_t *data, unsigned k)
{
	struct graft_wrule w;
	const struct graft_rule *r = 0;
	unsigned i;

	memcpy(&w, data + sizeof(struct graft_rep) + k * sizeof w, sizeof w);
	for (i = c.nin - c.nbin; i < c.nin; i++)
		if (c.in[i].line == k + 1) r = c.in + i;
	for (i = c.neg - c.nbeg; i < c.neg; i++)
		if (c.eg[i].line == k + 1) r = c.eg + i;
	FUZZ_CHECK(r != NULL);
	FUZZ_CHECK(r->type == (w.proto == 6 ? SOCK_STREAM :
	    w.proto == 17 ? SOCK_DGRAM : 0));
	FUZZ_CHECK(w.proto == 0 || w.proto == 6 || w.proto == 17);
}

static void
one(const uint8_t *data, size_t size, const char *text)
{
	struct graft_msg why;
	unsigned nin, neg, k;
	int n;

	__graft_conf_init(&c);
	FUZZ_CHECK(__graft_conf_parse(&c, "/etc/graft.conf", text, strlen(text)) == 0);
	nin = c.nin;
	neg = c.neg;
	why.n = 0;
	n = __graft_conf_wrules(&c, data, size, &why);
	FUZZ_CHECK(why.n < sizeof why.b);
	if (n < 0) {
		FUZZ_CHECK(why.n > 0);
		FUZZ_CHECK(c.nin == nin && c.neg == neg && !c.nbin && !c.nbeg);
	} else {
		FUZZ_CHECK(why.n == 0);
		FUZZ_CHECK(size >= sizeof(struct graft_rep));
		FUZZ_CHECK((unsigned)n * sizeof(struct graft_wrule) ==
		    size - sizeof(struct graft_rep));
		FUZZ_CHECK(c.nbin + c.nbeg == (unsigned)n);
		FUZZ_CHECK(c.nin == nin + c.nbin && c.neg == neg + c.nbeg);
		for (k = 0; k < (unsigned)n; k++)
			check_proto(data, k);
	}
	__graft_conf_finish(&c);
	check_conf(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, file);
	one(data, size, "rules broker\n");
	return 0;
}
