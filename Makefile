# graft - top-level Makefile.
#
#   make            patched musl + graft-cc for the configured target,
#                   graftd and graftctl for this host
#   make check      build what the tests need and run them all
#                   (MUSL_VERSION=V: on another supported musl, built in
#                   build/musl-V; make check-musl-versions: on each)
#                   (make check-build: only build it, to run one test
#                   alone as README.md shows)
#   make check-alpine   a real Alpine root's own programs on the drop-in
#                   loader, chroot, runc and qemu-aarch64 (mk/alpine.mk)
#   make demo       build everything and run the demo
#   make deps       zlib, OpenSSL, PCRE2, libevent into the sysroot
#                   (graft-deps; DEPS="zlib openssl" for fewer)
#   make install    into $(DESTDIR)$(PREFIX)
#
# ./configure writes config.mk; when it is missing, make runs ./configure.

-include config.mk

config.mk: configure musl-patches/VERSIONS
	./configure $(CONFIGURE_ARGS)

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

TOP := $(CURDIR)
B := build
DL := build/dl

# --- musl version ----------------------------------------------------------
# ./configure picked CONF_MUSL_VERSION (its source MUSL_SRC, patch set
# MUSL_PATCHSET).  MUSL_VERSION=V on the command line builds and tests on
# another version of musl-patches/VERSIONS, everything under build/musl-V,
# its source fetched into build/dl with the pinned sha256.
MUSL_VERSIONS := $(shell sed 's/\#.*//' musl-patches/VERSIONS | awk 'NF {print $$1}')
MUSL_VERSION ?= $(CONF_MUSL_VERSION)
ifneq ($(CONF_MUSL_VERSION),)
ifneq ($(MUSL_VERSION),$(CONF_MUSL_VERSION))
ifeq ($(filter $(MUSL_VERSION),$(MUSL_VERSIONS)),)
$(error unsupported MUSL_VERSION '$(MUSL_VERSION)' (one of: $(MUSL_VERSIONS)))
endif
B := build/musl-$(MUSL_VERSION)
MUSL_SRC := $(TOP)/$(DL)/musl_$(MUSL_VERSION).orig.tar.gz
MUSL_PATCHSET := $(shell sed 's/\#.*//' musl-patches/VERSIONS | awk '$$1 == "$(MUSL_VERSION)" {print $$3}')
MUSL_FETCH := $(MUSL_SRC)
endif
endif
TARGET ?= $(CONF_TARGET)

# --- per-target facts ------------------------------------------------------
gnu.x86_64-linux-musl := x86_64-linux-gnu
gnu.aarch64-linux-musl := aarch64-linux-gnu
gnu.arm-linux-musleabihf := arm-linux-gnueabihf
gnu.riscv64-linux-musl := riscv64-linux-gnu
qemu.aarch64-linux-musl := qemu-aarch64
qemu.arm-linux-musleabihf := qemu-arm
qemu.riscv64-linux-musl := qemu-riscv64
GNU = $(gnu.$(TARGET))
ifneq ($(CONF_TARGET),)
ifeq ($(GNU),)
$(error unsupported TARGET '$(TARGET)' (one of: x86_64-linux-musl aarch64-linux-musl arm-linux-musleabihf riscv64-linux-musl))
endif
endif
ifeq ($(TARGET),$(CONF_TARGET))
TARGET_CC = $(CONF_CC)
else
TARGET_CC = $(GNU)-gcc
endif
ifeq ($(TARGET),$(CONF_NATIVE_TARGET))
KINC = /usr/include
KASM = /usr/include/$(GNU)/asm
MUSL_CROSS =
else
KINC = /usr/$(GNU)/include
KASM = /usr/$(GNU)/include/asm
MUSL_CROSS = CROSS_COMPILE=$(GNU)-
endif

TB = $(B)/$(TARGET)
MUSL_TREE = $(TB)/musl
SYSROOT = $(TB)/sysroot
GRAFT_CC = $(B)/bin/$(TARGET)-graft-cc

# --- host programs and tests (the fragments in mk/ append to these) ----------
HOST_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra
HOST_CPPFLAGS = -Isrc/common -Iinclude -D_GNU_SOURCE
CMOCKA_LIBS = -lcmocka
HOST_PROGS =
TEST_PROGS =
UNIT_TESTS =
E2E_TESTS =
MAN1 = man/graft-cc.1 man/graft-deps.1
MAN5 =
MAN8 =

-include mk/graftd.mk
-include mk/cni.mk
-include mk/core.mk
-include mk/apps.mk
-include mk/cross.mk
-include mk/fuzz.mk
-include mk/sanitize.mk
-include mk/stress.mk
-include mk/shared.mk
-include mk/alpine.mk
E2E_TESTS += tests/toolchain/toolchain.sh tests/toolchain/shared.sh tests/toolchain/dynamic.sh tests/toolchain/rebuild.sh tests/apps/repro/epoll-before-connect.sh \
	tests/e2e/demo.sh tests/e2e/k8s-manifests.sh

# --- musl: unpack, patch, configure, build, install into the sysroot --------
PATCHES = $(sort $(wildcard musl-patches/$(MUSL_PATCHSET)/*.patch))
MUSL_STAMP = $(MUSL_TREE)/.graft-prepared
# The graft core compiled into libc (another directory only for experiments).
GRAFT_CORE = $(TOP)/src/graft
# Our hooks are compiled with musl's flags; the includes let src/graft reach
# the protocol and public headers.  -MMD makes header edits rebuild; -MF
# names the file after the object ($@ is left for musl's make to expand),
# as x.o and x.lo (libc.so's) would both write x.d and lose each other's.
MUSL_CFLAGS = -D__GRAFT_IN_LIBC=1 -I$(TOP)/src/common -I$(TOP)/include -MMD -MP -MF \$$@.d

# (another MUSL_VERSION: fetched, or its sha256 checked, first)
$(MUSL_STAMP): $(wildcard $(MUSL_SRC)) $(PATCHES) scripts/prepare-musl config.mk $(TB)/musl.flags
	$(if $(MUSL_FETCH),@scripts/fetch-musl-source $(MUSL_VERSION) $(TOP)/$(DL))
	@scripts/prepare-musl "$(MUSL_SRC)" $(MUSL_TREE) $(GRAFT_CORE) $(PATCHES)

# musl's objects do not depend on its config.mak: new flags need a new tree
$(TB)/musl.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(TARGET_CC) $(MUSL_CFLAGS)' | cmp -s - $@ || echo '$(TARGET_CC) $(MUSL_CFLAGS)' > $@

$(MUSL_TREE)/config.mak: $(MUSL_STAMP)
	@cd $(MUSL_TREE) && ./configure --prefix=$(TOP)/$(SYSROOT) \
		--disable-shared --disable-wrapper \
		CC="$(TARGET_CC)" $(MUSL_CROSS) CFLAGS="$(MUSL_CFLAGS)" >configure.log 2>&1 || \
		{ cat configure.log; exit 1; }

# musl's own make decides what is stale; mk/musl-deps.mk adds header deps.
# DESTDIR= : a `make install DESTDIR=...` must not reach musl's install.
$(SYSROOT)/lib/libc.a: $(MUSL_TREE)/config.mak FORCE
	@echo "  MUSL    $(TARGET)"
	@$(MAKE) --no-print-directory -s -C $(MUSL_TREE) -f Makefile -f $(TOP)/mk/musl-deps.mk \
		DESTDIR= install-libs install-headers >$(TB)/musl-build.log 2>&1 || \
		{ tail -40 $(TB)/musl-build.log; echo "musl build failed: $(TB)/musl-build.log"; exit 1; }
	@grep -A3 '^src/graft/.*\(warning\|error\)' $(TB)/musl-build.log || true

KDIRS = linux asm-generic drm misc mtd rdma sound video xen
# include/compat: headers musl leaves out that servers include (written
# for graft; into the sysroot only, never on the host build's path)
COMPAT_HEADERS = include/compat/sys/cdefs.h include/compat/sys/queue.h \
	include/compat/sys/tree.h
$(SYSROOT)/.graft-headers: $(SYSROOT)/lib/libc.a include/graft.h $(COMPAT_HEADERS)
	@echo "  HEADERS $(SYSROOT)/include"
	@for d in $(KDIRS); do \
		if [ -d $(KINC)/$$d ] && [ ! -e $(SYSROOT)/include/$$d ]; then \
			ln -sfn $(KINC)/$$d $(SYSROOT)/include/$$d; fi; done
	@ln -sfn $(KASM) $(SYSROOT)/include/asm
	@cp include/graft.h $(SYSROOT)/include/graft.h
	@cp $(COMPAT_HEADERS) $(SYSROOT)/include/sys/
	@touch $@

# --- graft-cc and friends ----------------------------------------------------
# make-wrapper TEMPLATE OUT SYSROOT_RELATIVE_TO_OUT
$(GRAFT_CC): graft-cc.in scripts/make-graft-cc config.mk
	@echo "  GEN     $@"
	@scripts/make-graft-cc graft-cc.in $@ ../$(TARGET)/sysroot $(TARGET) "$(TARGET_CC)"

$(B)/bin/$(TARGET)-pkg-config: scripts/pkg-config.in
	@echo "  GEN     $@"
	@mkdir -p $(@D)
	@sed -e 's|@TARGET@|$(TARGET)|g' -e 's|@SYSROOT_REL@|../$(TARGET)/sysroot|g' $< > $@
	@chmod 755 $@
	@ln -sfn $(@F) $@-dynamic

$(B)/share/graft/cmake/$(TARGET)-rules.cmake: scripts/static-rules.cmake
	@mkdir -p $(@D)
	@cp $< $@

$(B)/share/graft/cmake/$(TARGET).cmake: scripts/toolchain.cmake.in
	@echo "  GEN     $@"
	@mkdir -p $(@D)
	@sed -e 's|@TARGET@|$(TARGET)|g' -e 's|@GNU@|$(GNU)|g' \
	    -e 's|@BINDIR_REL@|../../../bin|g' -e 's|@SYSROOT_REL@|../../../$(TARGET)/sysroot|g' $< > $@

$(B)/bin/graft-cc: $(GRAFT_CC)
	@ln -sf $(TARGET)-graft-cc $@
	@ln -sf $(TARGET)-graft-cc $@-dynamic

$(B)/bin/graft-deps: scripts/graft-deps
	@echo "  GEN     $@"
	@mkdir -p $(@D)
	@cp $< $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

TOOLCHAIN = $(SYSROOT)/.graft-headers $(GRAFT_CC) $(B)/bin/$(TARGET)-pkg-config \
	$(B)/share/graft/cmake/$(TARGET).cmake $(B)/share/graft/cmake/$(TARGET)-rules.cmake \
	$(B)/bin/graft-deps

.PHONY: all toolchain libc host deps check check-build check-apps check-cross demo install uninstall clean distclean FORCE
FORCE:

toolchain: $(TOOLCHAIN)
ifeq ($(TARGET),$(CONF_TARGET))
toolchain: $(B)/bin/graft-cc
endif
libc: $(SYSROOT)/lib/libc.a
host: $(HOST_PROGS)
all: toolchain host

# --- libraries into the sysroot (docs/deps.md) ----------------------------------
# make deps [DEPS="zlib openssl"] [TARGET=aarch64-linux-musl]: graft-deps
# builds them from Debian's sources; downloads are kept in build/dl/deps
# (make clean keeps them), the builds go to build/TARGET/deps.
DEPS ?= all
deps: toolchain
	@$(B)/bin/graft-deps --target $(TARGET) --cache $(TOP)/$(DL)/deps \
		--work $(TOP)/$(TB)/deps $(DEPS)

# --- tests ------------------------------------------------------------------
# check-build: what the tests need, without running them (to run one alone)
check-build: all $(TEST_PROGS) $(UNIT_TESTS)
check: check-build
	@GRAFT_TOP=$(TOP) GRAFT_BUILD=$(TOP)/$(B) GRAFT_BIN=$(TOP)/$(B)/bin \
	GRAFT_CC=$(TOP)/$(GRAFT_CC) GRAFT_TARGET=$(TARGET) \
		tests/run-tests.sh $(foreach t,$(UNIT_TESTS),-u $(t)) $(foreach t,$(E2E_TESTS),-e $(t))

demo: all
	@examples/demo.sh

# the core suites (make check) on each supported musl version (CHECK_MUSL:
# fewer); a version whose source cannot be downloaded is skipped, saying so
.PHONY: check-musl-versions
CHECK_MUSL ?= $(MUSL_VERSIONS)
check-musl-versions:
	@for v in $(CHECK_MUSL); do \
		scripts/fetch-musl-source $$v $(DL); rc=$$?; \
		if [ $$rc = 3 ]; then echo "SKIP: make check MUSL_VERSION=$$v (its source could not be downloaded)"; continue; fi; \
		[ $$rc = 0 ] || exit 1; \
		echo "== make check MUSL_VERSION=$$v"; \
		$(MAKE) --no-print-directory MUSL_VERSION=$$v check || exit 1; done

# --- install ----------------------------------------------------------------
DEST = $(DESTDIR)$(PREFIX)
# docker's path (no CNI): the OCI hook and the runc wrapper, where
# docs/containers.md and examples/oci/hooks.d expect them with PREFIX=/usr/local
OCI_TOOLS = examples/oci/graft-oci-hook examples/oci/graft-runc
GRAFT_LIBDIR = $(DEST)/lib/graft/$(TARGET)
install: all
	mkdir -p $(DEST)/bin $(DEST)/sbin $(GRAFT_LIBDIR) $(DEST)/share/graft/cmake \
		$(DEST)/libexec/graft \
		$(DEST)/share/man/man1 $(DEST)/share/man/man5 $(DEST)/share/man/man8
	cp -R $(SYSROOT)/. $(GRAFT_LIBDIR)/
	rm -f $(GRAFT_LIBDIR)/.graft-headers
	scripts/make-graft-cc graft-cc.in $(DEST)/bin/$(TARGET)-graft-cc \
		../lib/graft/$(TARGET) $(TARGET) "$(TARGET_CC)"
	ln -sf $(TARGET)-graft-cc $(DEST)/bin/graft-cc
	ln -sf $(TARGET)-graft-cc $(DEST)/bin/graft-cc-dynamic
	cp scripts/graft-deps $(DEST)/bin/graft-deps
	cp $(OCI_TOOLS) $(DEST)/libexec/graft/
	sed -e 's|@TARGET@|$(TARGET)|g' -e 's|@SYSROOT_REL@|../lib/graft/$(TARGET)|g' \
		scripts/pkg-config.in > $(DEST)/bin/$(TARGET)-pkg-config
	chmod 755 $(DEST)/bin/$(TARGET)-pkg-config
	ln -sf $(TARGET)-pkg-config $(DEST)/bin/$(TARGET)-pkg-config-dynamic
	sed -e 's|@TARGET@|$(TARGET)|g' -e 's|@GNU@|$(GNU)|g' \
	    -e 's|@BINDIR_REL@|../../../bin|g' -e 's|@SYSROOT_REL@|../../../lib/graft/$(TARGET)|g' \
		scripts/toolchain.cmake.in > $(DEST)/share/graft/cmake/$(TARGET).cmake
	cp scripts/static-rules.cmake $(DEST)/share/graft/cmake/$(TARGET)-rules.cmake
	$(if $(HOST_PROGS),cp $(HOST_PROGS) $(DEST)/sbin/)
	cp $(MAN1) $(DEST)/share/man/man1/
	$(if $(MAN5),cp $(MAN5) $(DEST)/share/man/man5/)
	$(if $(MAN8),cp $(MAN8) $(DEST)/share/man/man8/)

uninstall:
	rm -rf $(GRAFT_LIBDIR)
	rm -f $(DEST)/bin/graft-cc $(DEST)/bin/$(TARGET)-graft-cc $(DEST)/bin/$(TARGET)-graft-cc.specs \
		$(DEST)/bin/graft-cc-dynamic $(DEST)/bin/$(TARGET)-graft-cc-dynamic \
		$(DEST)/bin/$(TARGET)-graft-ld \
		$(DEST)/bin/graft-deps \
		$(addprefix $(DEST)/libexec/graft/,$(notdir $(OCI_TOOLS))) \
		$(DEST)/bin/$(TARGET)-pkg-config $(DEST)/bin/$(TARGET)-pkg-config-dynamic \
		$(DEST)/share/graft/cmake/$(TARGET).cmake $(DEST)/share/graft/cmake/$(TARGET)-rules.cmake \
		$(addprefix $(DEST)/sbin/,$(notdir $(HOST_PROGS))) \
		$(addprefix $(DEST)/share/man/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DEST)/share/man/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DEST)/share/man/man8/,$(notdir $(MAN8)))

clean:
	rm -rf $(filter-out $(DL),$(wildcard $(B)/*))

distclean:
	rm -rf $(B) config.mk

# --- benchmarks ---------------------------------------------------------------
# bench/run.sh (as root) needs graft-cc, graftd and graftctl (all), and
# iperf3 and nginx built with graft-cc in build/apps: it builds those with
# tests/apps/build-app.sh (once; then only when graft's libc changed) and
# installs the tools it lacks (wrk, valgrind, gnuplot, musl-gcc, iptables)
# with apt-get.  BENCH_ARGS: -r RUNS (3) -t SECONDS (3) -w WORKLOAD,... (all).
.PHONY: bench
bench: all
	@bench/run.sh $(BENCH_ARGS)
