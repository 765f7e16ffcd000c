# mk/shared.mk - the patched musl as a shared library: libc.so (musl's
# dynamic loader and libc in one file) in the sysroot, and the drop-in an
# Alpine image copies over /lib to graft every dynamically linked program
# in it (docs/apps.md, "Alpine images").
#
#   make dropin     $(TB)/dropin/lib/ld-musl-ARCH.so.1 and its
#                   libc.musl-ARCH.so.1 link, and $(B)/graft-dropin-TARGET-
#                   muslV.tar.gz of the same (./configure --enable-shared:
#                   part of `make`)
#
# The objects are musl's own PIC ones (obj/**/*.lo) from the tree libc.a
# is built in, so both carry the same patches and core.  The soname is
# Alpine's, libc.musl-ARCH.so.1, which its binaries name in DT_NEEDED.
# Nothing is ever installed outside the build (musl's syslibdir is not
# used: we copy the file).

ldarch.x86_64-linux-musl := x86_64
ldarch.aarch64-linux-musl := aarch64
ldarch.arm-linux-musleabihf := armhf
ldarch.riscv64-linux-musl := riscv64
LDARCH = $(ldarch.$(TARGET))
LDSO_NAME = ld-musl-$(LDARCH).so.1
SONAME = libc.musl-$(LDARCH).so.1
DROPIN = $(TB)/dropin
DROPIN_TAR = $(B)/graft-dropin-$(TARGET)-musl$(MUSL_VERSION).tar.gz

$(MUSL_TREE)/lib/libc.so: $(SYSROOT)/lib/libc.a FORCE
	@echo "  MUSL    $(TARGET) libc.so"
	@$(MAKE) --no-print-directory -s -C $(MUSL_TREE) -f Makefile -f $(TOP)/mk/musl-deps.mk \
		LDFLAGS="-Wl,-soname,$(SONAME)" lib/libc.so >$(TB)/musl-shared.log 2>&1 || \
		{ tail -40 $(TB)/musl-shared.log; echo "libc.so build failed: $(TB)/musl-shared.log"; exit 1; }

# cmp: an unchanged libc.so keeps its copies' times (nothing downstream reruns)
$(SYSROOT)/lib/libc.so: $(MUSL_TREE)/lib/libc.so
	@cmp -s $< $@ || cp $< $@
	@ln -sfn libc.so $(SYSROOT)/lib/$(LDSO_NAME)

$(DROPIN)/lib/$(LDSO_NAME): $(MUSL_TREE)/lib/libc.so
	@mkdir -p $(@D)
	@cmp -s $< $@ || { cp $< $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@; }
	@ln -sfn $(LDSO_NAME) $(DROPIN)/lib/$(SONAME)

# root-owned, one fixed time: the same libc.so gives the same tarball
$(DROPIN_TAR): $(DROPIN)/lib/$(LDSO_NAME)
	@echo "  DROPIN  $@"
	@tar -C $(DROPIN) --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name \
		-czf $@.tmp lib && mv $@.tmp $@

.PHONY: dropin shared
shared: $(SYSROOT)/lib/libc.so
dropin: shared $(DROPIN_TAR)
ifeq ($(CONF_SHARED),yes)
all: dropin
endif
# tests/toolchain/shared.sh compares it with stock musl (make check);
# bench/run.sh's loader rows run it
check-build: dropin
# graft-cc's dynamic mode (tests/apps/postgresql-server.sh)
check-apps: shared
bench: dropin

# make install: the drop-in as a directory and its tarball, named after the
# target and the musl version an image must have for it
DROPIN_DEST = $(DEST)/share/graft/dropin/$(TARGET)-musl$(MUSL_VERSION)
.PHONY: install-dropin uninstall-dropin
install-dropin: dropin
	rm -rf $(DROPIN_DEST)
	mkdir -p $(DROPIN_DEST)
	cp -R $(DROPIN)/lib $(DROPIN_DEST)/lib
	cp $(DROPIN_TAR) $(DROPIN_DEST)/$(notdir $(DROPIN_TAR))
install: install-dropin
uninstall-dropin:
	rm -rf $(DROPIN_DEST)
	-rmdir $(DEST)/share/graft/dropin 2>/dev/null
uninstall: uninstall-dropin
