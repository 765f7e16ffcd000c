/* fuzz_graft_env.c - the original converter's variables
 * (src/graft/conf_env.c): GRAFT_INGRESS_CONVERT="ADDR:PORT=EP ..." and
 * GRAFT_EGRESS_CONVERT="PREFIX/LEN=EP ...".  The first input byte picks
 * what runs (bit 0: ingress first, bit 1: also the other variable, bit 2:
 * a graft.conf with a rule first, as conf_load.c does); the rest up to
 * the first NUL is the value (an environment string cannot hold a NUL),
 * the part after it, if any, the other variable's value. */
#include "core_check.h"

static struct graft_conf c;
static const char base[] = "ingress 0.0.0.0:80 ep-http\n"
    "egress 10.0.0.0/8 ep-out\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v1, *v2;
	const char *var1, *var2;
	size_t n1;

	if (size < 1 || size > 65536)
		return 0;
	if ((v1 = malloc(size)) == NULL)
		return 0;
	memcpy(v1, data + 1, size - 1);
	v1[size - 1] = '\0';
	n1 = strlen(v1);
	v2 = n1 + 1 < size ? v1 + n1 + 1 : v1 + n1;
	var1 = (data[0] & 1) ? "GRAFT_INGRESS_CONVERT" : "GRAFT_EGRESS_CONVERT";
	var2 = (data[0] & 1) ? "GRAFT_EGRESS_CONVERT" : "GRAFT_INGRESS_CONVERT";
	__graft_conf_init(&c);
	if (data[0] & 4)
		__graft_conf_parse(&c, "/etc/graft.conf", base, sizeof base - 1);
	__graft_conf_env(&c, var1, v1);
	if (data[0] & 2)
		__graft_conf_env(&c, var2, v2);
	__graft_conf_finish(&c);
	check_conf(&c);
	free(v1);
	return 0;
}
