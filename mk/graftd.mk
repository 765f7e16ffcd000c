# mk/graftd.mk - graftd, graftctl (src/graftd/, src/graftctl/) and their tests.
# Included by the top Makefile, run from the top of the tree; it defines
# B, HOST_CC, HOST_CFLAGS, HOST_CPPFLAGS and CMOCKA_LIBS before this.

GRAFTD_O	:= $(B)/obj/graftd
GRAFTCTL_O	:= $(B)/obj/graftctl
GRAFTD_TEST_O	:= $(B)/obj/graftd-tests
GRAFTD_CPPFLAGS	 = $(HOST_CPPFLAGS) -Isrc/graftd -D_GNU_SOURCE
GRAFTD_CC	 = $(HOST_CC) $(GRAFTD_CPPFLAGS) $(HOST_CFLAGS) -MMD -MP

GRAFTD_SRCS	:= graftd.c client.c control.c log.c parse.c nsid.c table.c request.c unixep.c \
		   ports.c reuse.c diag.c peer.c config.c ctlcmd.c priv.c listen.c \
		   share.c attach.c attparse.c state.c stateparse.c
GRAFTD_OBJS	:= $(addprefix $(GRAFTD_O)/,$(GRAFTD_SRCS:.c=.o))
GRAFTCTL_OBJS	:= $(GRAFTCTL_O)/graftctl.o $(GRAFTD_O)/parse.o \
		   $(GRAFTD_O)/attparse.o

GRAFTD_UNIT	:= test_graftd_request test_graftd_table test_graftd_control \
		   test_graftd_reasons test_graftd_state
GRAFTD_E2E	:= tests/e2e/graftd-requests.sh tests/e2e/graftd-control.sh \
		   tests/e2e/graftd-attach.sh tests/e2e/graftd-state.sh

HOST_PROGS	+= $(B)/bin/graftd $(B)/bin/graftctl
TEST_PROGS	+= $(B)/tests/graft-request
UNIT_TESTS	+= $(addprefix $(B)/tests/,$(GRAFTD_UNIT))
E2E_TESTS	+= $(GRAFTD_E2E)
MAN8		+= man/graftd.8 man/graftctl.8

$(GRAFTD_O)/%.o: src/graftd/%.c
	@mkdir -p $(@D)
	$(GRAFTD_CC) -c -o $@ $<

$(GRAFTCTL_O)/%.o: src/graftctl/%.c
	@mkdir -p $(@D)
	$(GRAFTD_CC) -c -o $@ $<

$(GRAFTD_TEST_O)/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(GRAFTD_CC) -c -o $@ $<

$(GRAFTD_TEST_O)/graft-request.o: tests/helpers/graft-request.c
	@mkdir -p $(@D)
	$(GRAFTD_CC) -c -o $@ $<

$(B)/bin/graftd: $(GRAFTD_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(GRAFTD_OBJS)

$(B)/bin/graftctl: $(GRAFTCTL_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(GRAFTCTL_OBJS)

# graftd identifying peers as on kernels before SO_PEERPIDFD (6.5), for
# graftd-requests.sh: the production binary requires it where it exists.
GRAFTD_OLDPEER_OBJS := $(filter-out $(GRAFTD_O)/peer.o,$(GRAFTD_OBJS)) \
		   $(GRAFTD_TEST_O)/peer-oldpeer.o
TEST_PROGS	+= $(B)/tests/graftd-oldpeer

$(GRAFTD_TEST_O)/peer-oldpeer.o: src/graftd/peer.c
	@mkdir -p $(@D)
	$(GRAFTD_CC) -DGRAFTD_TEST_OLDPEER -c -o $@ $<

$(B)/tests/graftd-oldpeer: $(GRAFTD_OLDPEER_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(GRAFTD_OLDPEER_OBJS)

$(B)/tests/graft-request: $(GRAFTD_TEST_O)/graft-request.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^

# Unit tests link the pure parts of graftd (the table test brings its own
# netns resolver, so it runs without namespaces).
$(B)/tests/test_graftd_request: $(GRAFTD_TEST_O)/test_graftd_request.o \
    $(GRAFTD_O)/request.o $(GRAFTD_O)/unixep.o $(GRAFTD_O)/reuse.o \
    $(GRAFTD_O)/diag.o $(GRAFTD_O)/parse.o $(GRAFTD_O)/attparse.o \
    $(GRAFTD_O)/log.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/test_graftd_table: $(GRAFTD_TEST_O)/test_graftd_table.o \
    $(GRAFTD_TEST_O)/test_graftd_nsstub.o $(GRAFTD_O)/table.o $(GRAFTD_O)/config.o $(GRAFTD_O)/parse.o \
    $(GRAFTD_O)/attparse.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/test_graftd_control: $(GRAFTD_TEST_O)/test_graftd_control.o \
    $(GRAFTD_TEST_O)/test_graftd_nsstub.o $(GRAFTD_O)/ctlcmd.o $(GRAFTD_O)/table.o $(GRAFTD_O)/parse.o \
    $(GRAFTD_O)/config.o $(GRAFTD_O)/log.o $(GRAFTD_O)/attach.o $(GRAFTD_O)/attparse.o \
    $(GRAFTD_O)/state.o $(GRAFTD_O)/stateparse.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/test_graftd_state: $(GRAFTD_TEST_O)/test_graftd_state.o \
    $(GRAFTD_TEST_O)/test_graftd_nsstub.o $(GRAFTD_O)/state.o \
    $(GRAFTD_O)/stateparse.o $(GRAFTD_O)/ctlcmd.o $(GRAFTD_O)/table.o \
    $(GRAFTD_O)/parse.o $(GRAFTD_O)/config.o $(GRAFTD_O)/log.o \
    $(GRAFTD_O)/attach.o $(GRAFTD_O)/attparse.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# reads graft_proto.h as text: every GRAFT_R_* has its line in
# graft_reasons.h
$(GRAFTD_TEST_O)/test_graftd_reasons.o: GRAFTD_CPPFLAGS += \
    -DPROTO_H='"$(CURDIR)/src/common/graft_proto.h"'

$(B)/tests/test_graftd_reasons: $(GRAFTD_TEST_O)/test_graftd_reasons.o
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

-include $(GRAFTD_OBJS:.o=.d) $(GRAFTCTL_O)/graftctl.d \
    $(addprefix $(GRAFTD_TEST_O)/,$(GRAFTD_UNIT:=.d) graft-request.d \
    test_graftd_nsstub.d peer-oldpeer.d)
