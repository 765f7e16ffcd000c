# mk/cni.mk - graft-cni, the CNI plugin (src/cni/), its man page and its
# tests.  Included by the top Makefile, run from the top of the tree, after
# B, HOST_CC, HOST_CFLAGS, HOST_CPPFLAGS and CMOCKA_LIBS are defined.  The
# plugin runs on the host (the runtime runs it), so the host compiler
# builds it; `make install` puts it into $(CNIDIR) under the name "graft",
# the "type" of its network configuration.

CNIDIR		?= $(PREFIX)/lib/cni
CNI_O		:= $(B)/obj/cni
CNI_CPPFLAGS	 = $(HOST_CPPFLAGS) -Isrc/cni -Isrc/graftd
CNI_CC		 = $(HOST_CC) $(CNI_CPPFLAGS) $(HOST_CFLAGS) -MMD -MP

CNI_LIB_SRCS	:= json.c conf.c cmd.c result.c
CNI_SRCS	:= $(CNI_LIB_SRCS) ctlclient.c main.c
CNI_OBJS	:= $(addprefix $(CNI_O)/,$(CNI_SRCS:.c=.o))
CNI_LIB_OBJS	:= $(addprefix $(CNI_O)/,$(CNI_LIB_SRCS:.c=.o))
CNI_UNIT	:= test_cni_json test_cni_conf test_cni_ctl

all: $(B)/bin/graft-cni
UNIT_TESTS	+= $(addprefix $(B)/tests/,$(CNI_UNIT))
E2E_TESTS	+= tests/e2e/cni-driver.sh
MAN8		+= man/graft-cni.8

$(CNI_O)/%.o: src/cni/%.c
	@mkdir -p $(@D)
	$(CNI_CC) -c -o $@ $<

$(CNI_O)/test_cni_%.o: tests/unit/test_cni_%.c
	@mkdir -p $(@D)
	$(CNI_CC) -c -o $@ $<

$(B)/bin/graft-cni: $(CNI_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(CNI_OBJS)

$(B)/tests/test_cni_%: $(CNI_O)/test_cni_%.o $(CNI_LIB_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)
# the control socket client against a scripted graftd
$(B)/tests/test_cni_ctl: $(CNI_O)/ctlclient.o

# make check-sanitize (mk/sanitize.mk, included later: its variables are
# only read in recipes here) runs tests/e2e/cni-driver.sh with GRAFT_BIN
# its own bin/: graft-cni is built there with the sanitizers too
CNI_SAN		:= $(B)/san
CNI_SAN_OBJS	:= $(addprefix $(CNI_SAN)/obj/cni/,$(CNI_SRCS:.c=.o))
sanitize-build: $(CNI_SAN)/bin/graft-cni

$(CNI_SAN)/obj/cni/%.o: src/cni/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(CNI_CPPFLAGS) -MMD -MP -c -o $@ $<

$(CNI_SAN)/bin/graft-cni: $(CNI_SAN_OBJS)
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^

.PHONY: install-cni uninstall-cni
install: install-cni
uninstall: uninstall-cni
install-cni: $(B)/bin/graft-cni
	mkdir -p $(DESTDIR)$(CNIDIR)
	cp $(B)/bin/graft-cni $(DESTDIR)$(CNIDIR)/graft.tmp
	mv $(DESTDIR)$(CNIDIR)/graft.tmp $(DESTDIR)$(CNIDIR)/graft
uninstall-cni:
	rm -f $(DESTDIR)$(CNIDIR)/graft

-include $(CNI_OBJS:.o=.d) $(addprefix $(CNI_O)/,$(CNI_UNIT:=.d)) \
    $(wildcard $(CNI_SAN)/obj/cni/*.d)
