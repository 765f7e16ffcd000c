# mk/alpine.mk - `make check-alpine`: a real Alpine minirootfs (its own,
# unmodified busybox, apk, libssl) with graft's drop-in loader (make dropin,
# mk/shared.mk), as root: chroot and runc in network namespaces with only
# lo, against graftd; the aarch64 root under qemu-user.  See docs/apps.md,
# "make check-alpine".
#
#   make check-alpine                      the tests/alpine/*.sh scripts
#   make check-alpine GRAFT_ALPINE=DIR     the minirootfs tarballs
#                                          (alpine-minirootfs-V-ARCH.tar.gz)
#                                          from DIR (default ../shared/alpine)
#   make check-alpine ALPINE_CROSS=        without the aarch64 drop-in
#
# The tarballs are not part of the tree: without them each test prints a
# SKIP naming the variable.  The drop-in of each target of ALPINE_CROSS is
# built (with its toolchain, as make TARGET=T would) when its Debian cross
# gcc is installed; without it, the aarch64 test skips, saying why.

GRAFT_ALPINE ?= $(TOP)/../shared/alpine
ALPINE_TESTS := $(filter-out tests/alpine/deps.sh,$(sort $(wildcard tests/alpine/*.sh)))
ALPINE_CROSS ?= aarch64-linux-musl

.PHONY: check-alpine alpine-cross-dropins alpine-deps
alpine-deps:
	@tests/alpine/deps.sh
	@$(if $(filter-out $(TARGET),$(ALPINE_CROSS)),scripts/cross-deps $(filter-out $(TARGET),$(ALPINE_CROSS)) || true)

alpine-cross-dropins: alpine-deps
	@$(foreach t,$(filter-out $(TARGET),$(ALPINE_CROSS)), \
	if command -v $(gnu.$(t))-gcc >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory TARGET=$(t) toolchain dropin || exit 1; \
	else \
		echo "check-alpine: $(gnu.$(t))-gcc is not installed: no $(t) drop-in (make cross-deps CROSS_TARGETS=$(t))"; \
	fi;) true

check-alpine: all dropin alpine-deps alpine-cross-dropins
	@GRAFT_TOP=$(TOP) GRAFT_BUILD=$(TOP)/$(B) GRAFT_BIN=$(TOP)/$(B)/bin \
	GRAFT_CC=$(TOP)/$(GRAFT_CC) GRAFT_TARGET=$(TARGET) GRAFT_ALPINE=$(GRAFT_ALPINE) \
		tests/run-tests.sh $(foreach t,$(ALPINE_TESTS),-e $(t))
