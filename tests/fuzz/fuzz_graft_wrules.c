/* fuzz_graft_wrules.c - a GRAFT_OP_RULES reply record as the libc side
 * decodes it for "rules broker" (src/graft/conf_wrule.c), added after the
 * rules of a fixed graft.conf, then the invariants of core_check.h (the
 * broker's rules rank after the file's) and of the decoder: all or
 * nothing, as many rules as 40-byte records, a reason for a refusal. */
#include "core_check.h"

static const char file[] =
	"rules broker\n"
	"ingress *:8000-8999 ep-file\n"
	"ingress 0.0.0.0:80 local\n"
	"egress 10.0.0.0/8 ep-file\n"
	"egress 192.168.0.0/16 local\n";

static struct graft_conf c;

static void
one(const uint8_t *data, size_t size, const char *text)
{
	struct graft_msg why;
	unsigned nin, neg;
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
