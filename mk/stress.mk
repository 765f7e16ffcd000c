# mk/stress.mk - graftd's adversaries, faults around a grafted server, the
# 10 000-connection load and the concurrency checks (docs/reliability.md).
# Included by the top Makefile after mk/graftd.mk and mk/core.mk.
# Together they take well under a minute, so they run in `make check` (and,
# against the sanitized graftd, in check-sanitize); `make check-stress` runs
# only them.  The program they graft, tests/progs/stress_net.c, is built
# by mk/core.mk like every program there.
STRESS_E2E	:= $(sort $(wildcard tests/e2e/adversary-*.sh tests/e2e/fault-*.sh \
		   tests/e2e/stress-*.sh))
STRESS_PROGS	:= $(B)/tests/graft-adversary

E2E_TESTS	+= $(STRESS_E2E)
TEST_PROGS	+= $(STRESS_PROGS)
check: $(STRESS_PROGS)

$(B)/obj/graftd-tests/graft-adversary.o: tests/helpers/graft-adversary.c
	@mkdir -p $(@D)
	$(HOST_CC) $(GRAFTD_CPPFLAGS) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/graft-adversary: $(B)/obj/graftd-tests/graft-adversary.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^

.PHONY: check-stress
check-stress: all $(TEST_PROGS)
	@GRAFT_TOP=$(TOP) GRAFT_BUILD=$(TOP)/$(B) GRAFT_BIN=$(TOP)/$(B)/bin \
	GRAFT_CC=$(TOP)/$(GRAFT_CC) GRAFT_TARGET=$(TARGET) \
		tests/run-tests.sh $(foreach t,$(STRESS_E2E),-e $(t))

-include $(B)/obj/graftd-tests/graft-adversary.d
