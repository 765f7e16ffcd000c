# mk/cross.mk - graft for the other targets, tested under qemu-user
# (docs/cross.md).  Included by the top Makefile after the per-target facts
# (TARGET, GNU, TB, SYSROOT, GRAFT_CC, qemu.TARGET) and mk/core.mk.
#
#   make check-cross        for each of CROSS_TARGETS: its toolchain, then
#                           the core's cmocka unit tests and the end-to-end
#                           tests, run with qemu-TARGET against the native
#                           graftd; ends with "N passed, N failed"
#   make cross-toolchains   only the toolchains (patched musl, sysroot,
#                           TARGET-graft-cc, CMake file) of CROSS_TARGETS
#   make cross-deps         install what is missing (cross gcc, kernel
#                           headers, qemu-user) with apt-get
#   make check-cross CROSS_TARGETS=arm-linux-musleabihf    one target
#   make check-cross CROSS_E2E=tests/e2e/core-graft.sh     fewer e2e tests
#
# The toolchain rules of the top Makefile are per TARGET, so each target is
# built by a make of its own (make TARGET=T ...); the rules below marked
# "per target" run in that make and use its TB, SYSROOT and GRAFT_CC.

CROSS_TARGETS ?= aarch64-linux-musl arm-linux-musleabihf riscv64-linux-musl
XB = $(TB)/cross
XHB = $(B)/tests/cross
CROSS_QEMU = $(qemu.$(TARGET))
# test_core_uaccess probes bad pointers: qemu-user faults on them before
# any system call can say EFAULT (docs/core.md), so it runs natively only
CROSS_CORE_UNIT = $(filter-out uaccess,$(CORE_UNIT))
CROSS_CORE_OBJS = $(patsubst src/graft/%.c,$(XB)/obj/%.o,$(CORE_SRCS))
CROSS_CFLAGS = $(HOST_CFLAGS) $(CORE_CPPFLAGS) -D_UINTPTR_T_DEFINED -I$(TB)/cmocka/include
CROSS_LAYOUT_HDRS = src/common/graft_proto.h include/graft.h
# The e2e tests of graft-cc programs that also run on each target (the
# stress tests are left to the native run: too slow under qemu).
CROSS_E2E ?= $(sort $(wildcard tests/e2e/core-*.sh tests/e2e/afgraft-*.sh))
# The targets graft-deps is tried on (zlib, OpenSSL: tests/cross/deps.sh;
# about 4 minutes each, the first time).
CROSS_DEPS_TARGETS ?= aarch64-linux-musl

.PHONY: check-cross cross-deps cross-toolchains cross-target cross-target-tests

cross-deps:
	@scripts/cross-deps $(CROSS_TARGETS)

# A musl tree prepared with another graft core (GRAFT_CORE=... for an
# experiment) is not rebuilt by the stamp: start it again.
cross-toolchains: cross-deps
	@for t in $(CROSS_TARGETS); do \
		tests/cross/fresh-tree.sh $(B)/$$t/musl $(GRAFT_CORE) && \
		$(MAKE) --no-print-directory TARGET=$$t toolchain || exit 1; \
	done

# Host side, built with the host's cc and libc like graftd: the layout
# printer, and abi_net and core_net as the host's clients and servers
# (plain programs: they need no graft-cc, so a tree configured for a
# cross target can run check-cross too).
$(XHB)/layout.c: tests/cross/gen-layout.sh $(CROSS_LAYOUT_HDRS)
	@mkdir -p $(@D)
	@tests/cross/gen-layout.sh $(CROSS_LAYOUT_HDRS) > $@

$(XHB)/layout: $(XHB)/layout.c
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $<

$(XHB)/abi_net: tests/cross/abi_net.c
	@mkdir -p $(@D)
	$(HOST_CC) -O2 -Wall -o $@ $<

$(XHB)/core_net: tests/progs/core_net.c
	@mkdir -p $(@D)
	$(HOST_CC) -O2 -Wall -o $@ $< -lpthread

check-cross: host cross-deps $(XHB)/layout $(XHB)/abi_net $(XHB)/core_net
	@for t in $(CROSS_TARGETS); do \
		tests/cross/fresh-tree.sh $(B)/$$t/musl $(GRAFT_CORE) && \
		$(MAKE) --no-print-directory TARGET=$$t cross-target || exit 1; \
	done
	@echo "SKIP: test_core_uaccess under qemu-user (bad pointers fault in qemu before any EFAULT; it runs in make check)"
	@GRAFT_TOP=$(TOP) GRAFT_BIN=$(TOP)/$(B)/bin GRAFT_XHB=$(TOP)/$(XHB) \
	GRAFT_XUNITS="$(addprefix test_core_,$(CROSS_CORE_UNIT))" GRAFT_XE2E="$(CROSS_E2E)" \
	GRAFT_XDEPS="$(CROSS_DEPS_TARGETS)" \
		tests/cross/check-cross.sh $(foreach t,$(CROSS_TARGETS),$(t):$(qemu.$(t)))

# --- per target (make TARGET=T cross-target) ---------------------------------
cross-target: toolchain
	@$(MAKE) --no-print-directory cross-target-tests

CROSS_UNIT_RUN = $(addprefix $(XB)/run/test_core_,$(CROSS_CORE_UNIT))
CROSS_PROGS = $(patsubst tests/progs/%.c,%,$(wildcard tests/progs/*.c))
cross-target-tests: $(CROSS_UNIT_RUN) $(XB)/layout $(XB)/abi_net \
	$(addprefix $(XB)/e2e/tests/progs/,$(CROSS_PROGS)) $(XB)/e2e/tests/graft-request \
	$(XB)/e2e/tests/graft-fake-rules

# graftd's raw client and the GRAFT_OP_RULES stand-in (host code, no libc
# of ours), as the e2e tests find them
$(XB)/e2e/tests/graft-request: $(B)/tests/graft-request
	@mkdir -p $(@D)
	@ln -sf $(TOP)/$< $@
$(XB)/e2e/tests/graft-fake-rules: $(B)/tests/graft-fake-rules
	@mkdir -p $(@D)
	@ln -sf $(TOP)/$< $@

$(TB)/cmocka/lib/libcmocka-static.a: tests/cross/build-cmocka.sh | $(B)/share/graft/cmake/$(TARGET).cmake $(SYSROOT)/.graft-headers
	@tests/cross/build-cmocka.sh $(TOP)/$(B)/share/graft/cmake/$(TARGET).cmake $(DL) $(TB)/cmocka

$(XB)/libc-unhooked.a $(XB)/unhooked.c: $(SYSROOT)/lib/libc.a tests/cross/unhook-libc.sh
	@mkdir -p $(XB)
	@tests/cross/unhook-libc.sh $(GNU)-nm $(GNU)-objcopy $(SYSROOT)/lib/libc.a \
		$(XB)/libc-unhooked.a $(XB)/unhooked.c

$(XB)/unhooked.o: $(XB)/unhooked.c
	@$(GRAFT_CC) -O2 -c -o $@ $<

# the pure core, built as mk/core.mk builds it for the host (not __GRAFT_IN_LIBC)
$(XB)/obj/%.o: src/graft/%.c $(SYSROOT)/.graft-headers
	@mkdir -p $(@D)
	@echo "  CC      $(TARGET) $<"
	@$(GRAFT_CC) $(HOST_CFLAGS) $(CORE_CPPFLAGS) -MMD -MP -c -o $@ $<

$(XB)/obj/test_core_%.o: tests/unit/test_core_%.c $(TB)/cmocka/lib/libcmocka-static.a
	@mkdir -p $(@D)
	@echo "  CC      $(TARGET) $<"
	@$(GRAFT_CC) $(CROSS_CFLAGS) -MMD -MP -c -o $@ $<

$(XB)/test_core_%: $(XB)/obj/test_core_%.o $(CROSS_CORE_OBJS) $(XB)/unhooked.o \
		$(XB)/libc-unhooked.a $(TB)/cmocka/lib/libcmocka-static.a
	@$(GRAFT_CC) -o $@ $< $(CROSS_CORE_OBJS) $(XB)/unhooked.o \
		$(TB)/cmocka/lib/libcmocka-static.a $(XB)/libc-unhooked.a -lpthread

# run-tests.sh runs a unit test as a program: a wrapper runs it with qemu
$(XB)/run/test_core_%: $(XB)/test_core_%
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' $(CROSS_QEMU) $(TOP)/$< > $@
	@chmod 755 $@

$(XB)/layout: $(XHB)/layout.c $(SYSROOT)/lib/libc.a
	@echo "  CC      $(TARGET) layout"
	@$(GRAFT_CC) -O2 -Wall -o $@ $<

$(XB)/abi_net: tests/cross/abi_net.c $(SYSROOT)/lib/libc.a
	@echo "  CC      $(TARGET) abi_net"
	@$(GRAFT_CC) -O2 -Wall -o $@ $<

# the programs of tests/e2e/core-*.sh, afgraft-*.sh (tests/progs/)
$(XB)/progs/%: tests/progs/%.c $(SYSROOT)/lib/libc.a
	@mkdir -p $(@D)
	@echo "  CC      $(TARGET) $<"
	@$(GRAFT_CC) -O2 -Wall -o $@ $< -lpthread

# Those tests run $GRAFT_BUILD/tests/progs/NAME when it is newer than its
# source: for a target, a wrapper that runs it with qemu
$(XB)/e2e/tests/progs/%: $(XB)/progs/%
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' $(CROSS_QEMU) $(TOP)/$< > $@
	@chmod 755 $@

ifneq ($(TARGET),$(CONF_TARGET))
-include $(wildcard $(XB)/obj/*.d)
endif
