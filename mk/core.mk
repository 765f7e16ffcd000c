# mk/core.mk - the graft core (src/graft/) on the host, for its unit tests,
# and the test programs built with graft-cc (tests/progs/).
# (Inside libc the same files are compiled by musl's own Makefile, with
# -D__GRAFT_IN_LIBC=1; graft_sys.h picks musl's internals then.)

CORE_SRCS := $(wildcard src/graft/*.c)
CORE_HOST_OBJS := $(patsubst src/graft/%.c,$(B)/obj/core-host/%.o,$(CORE_SRCS))
CORE_HOST_LIB := $(B)/obj/core-host/libgraftcore.a
CORE_UNIT := parse match fdtable graft afgraft uaccess log wrule
CORE_TEST_BINS := $(addprefix $(B)/tests/test_core_,$(CORE_UNIT))
CORE_CPPFLAGS = $(HOST_CPPFLAGS) -Isrc/graft

UNIT_TESTS += $(CORE_TEST_BINS)
E2E_TESTS += $(sort $(wildcard tests/e2e/core-*.sh)) $(sort $(wildcard tests/e2e/afgraft-*.sh))
MAN5 += man/graft.conf.5

$(B)/obj/core-host/%.o: src/graft/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(CORE_CPPFLAGS) -MMD -MP -c -o $@ $<

$(CORE_HOST_LIB): $(CORE_HOST_OBJS)
	rm -f $@
	ar rcs $@ $^

$(B)/obj/core-host/test_core_%.o: tests/unit/test_core_%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(CORE_CPPFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/test_core_%: $(B)/obj/core-host/test_core_%.o $(CORE_HOST_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(CORE_HOST_LIB) $(CMOCKA_LIBS) -lpthread

# The stand-in for the AF_GRAFT kernel module (tests/e2e/afgraft-kernel.sh).
TEST_PROGS += $(B)/tests/afgraft-kmod
$(B)/tests/afgraft-kmod: tests/helpers/afgraft-kmod.c include/graft.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_CPPFLAGS) -o $@ $<

# A stand-in for graftd's GRAFT_OP_RULES (tests/e2e/core-rules-broker.sh).
TEST_PROGS += $(B)/tests/graft-fake-rules
$(B)/tests/graft-fake-rules: tests/helpers/graft-fake-rules.c src/common/graft_proto.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_CPPFLAGS) -o $@ $<

# Test programs built with graft-cc against the patched libc.
CORE_PROGS := $(patsubst tests/progs/%.c,%,$(wildcard tests/progs/*.c))
CORE_PROG_BINS := $(addprefix $(B)/tests/progs/,$(CORE_PROGS))
TEST_PROGS += $(CORE_PROG_BINS)

$(B)/tests/progs/%: tests/progs/%.c $(SYSROOT)/lib/libc.a | toolchain
	@mkdir -p $(@D)
	$(GRAFT_CC) -O2 -Wall -o $@ $< -lpthread

.PHONY: core-unit core-progs
core-unit: $(CORE_TEST_BINS)
core-progs: $(CORE_PROG_BINS)

-include $(CORE_HOST_OBJS:.o=.d) $(B)/obj/core-host/test_core_*.d
