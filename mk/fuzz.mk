# mk/fuzz.mk - libFuzzer targets for the parsers that read untrusted input
# (tests/fuzz/, docs/reliability.md).  Included by the top Makefile, run
# from the top of the tree, after B, HOST_CC, HOST_CFLAGS and
# HOST_CPPFLAGS are defined.
#
#   make fuzz               every target for FUZZ_TIME seconds (default 60)
#   make fuzz-TARGET        one of them
#   make fuzz FUZZ_TIME=10  a quick pass
#   make fuzz-merge         fold new inputs from build/fuzz/work into the
#                           kept seed corpora (tests/fuzz/corpus)
#   make fuzz-replay        the host-compiler replay of corpora and
#                           regression inputs that `make check` runs
#
# Each run first replays tests/fuzz/regress/TARGET (inputs that once
# crashed) and tests/fuzz/corpus/TARGET, then fuzzes; a crash fails the
# target and leaves the input in build/fuzz/artifacts/TARGET/.  clang and
# its sanitizer/fuzzer runtimes come from tests/fuzz/deps.sh (apt-get).

FUZZ_CC		?= clang-14
FUZZ_TIME	?= 60
FUZZ_JOBS	?= 1
FUZZ_B		:= $(B)/fuzz
FUZZ_DIR	:= tests/fuzz
FUZZ_TARGETS	:= graft_conf graft_env graft_wrules graftd_request \
		   graftd_config graftd_control cni_conf graftd_state
FUZZ_SAN	 = -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_FLAGS	 = -g -O1 -std=gnu11 $(HOST_CPPFLAGS) -Isrc/graft -Isrc/graftd \
		   -Isrc/cni -I$(FUZZ_DIR)

# sources of each target (besides tests/fuzz/fuzz_TARGET.c); the graft
# core comes as an archive of all of src/graft, like for its unit tests,
# so that the link takes what the parser needs today.
FUZZ_CORE_SRCS	:= $(wildcard src/graft/*.c)
FUZZ_CORE_OBJS	:= $(patsubst src/graft/%.c,$(FUZZ_B)/core/%.o,$(FUZZ_CORE_SRCS))
FUZZ_CORE_LIB	:= $(FUZZ_B)/core/libgraftcore.a
FUZZ_NSSTUB	:= tests/unit/test_graftd_nsstub.c
fuzz_srcs.graft_conf	 :=
fuzz_srcs.graft_env	 :=
fuzz_lib.graft_conf	 := core
fuzz_lib.graft_env	 := core
fuzz_srcs.graft_wrules	 :=
fuzz_lib.graft_wrules	 := core
fuzz_srcs.graftd_request := $(addprefix src/graftd/,request.c unixep.c reuse.c diag.c parse.c \
			    attparse.c table.c) $(FUZZ_NSSTUB) $(FUZZ_DIR)/stub_log.c
fuzz_srcs.graftd_config	 := $(addprefix src/graftd/,config.c parse.c attparse.c \
			    table.c) \
			    $(FUZZ_NSSTUB)
fuzz_srcs.graftd_control := $(addprefix src/graftd/,ctlcmd.c config.c parse.c \
			    attparse.c attach.c table.c state.c stateparse.c) $(FUZZ_NSSTUB) $(FUZZ_DIR)/stub_log.c \
			    $(FUZZ_DIR)/stub_share.c
fuzz_srcs.cni_conf	 := $(addprefix src/cni/,json.c conf.c cmd.c result.c)
fuzz_srcs.graftd_state	 := $(addprefix src/graftd/,stateparse.c parse.c \
			    attparse.c)
fuzz_maxlen.graft_conf	   := 8192
fuzz_maxlen.graft_env	   := 2048
fuzz_maxlen.graft_wrules   := 1600
fuzz_maxlen.graftd_request := 512
fuzz_maxlen.graftd_config  := 8192
fuzz_maxlen.graftd_control := 8192
fuzz_maxlen.cni_conf	   := 8192
fuzz_maxlen.graftd_state   := 65536

FUZZ_HDRS	:= $(wildcard $(FUZZ_DIR)/*.h src/graft/*.h src/graftd/*.h \
		   src/cni/*.h src/common/*.h)
FUZZ_BINS	:= $(addprefix $(FUZZ_B)/fuzz_,$(FUZZ_TARGETS))
FUZZ_REPLAY	:= $(addprefix $(FUZZ_B)/replay_,$(FUZZ_TARGETS))

# The replay binaries are cheap and need no clang: make check runs them.
TEST_PROGS	+= $(FUZZ_REPLAY)
E2E_TESTS	+= $(FUZZ_DIR)/regress.sh
check: $(FUZZ_REPLAY)

.PHONY: fuzz fuzz-build fuzz-deps fuzz-merge fuzz-replay \
	$(addprefix fuzz-,$(FUZZ_TARGETS))

fuzz-deps:
	@FUZZ_CC=$(FUZZ_CC) $(FUZZ_DIR)/deps.sh

# one pair of rules per target (no .SECONDEXPANSION: this file is included
# into the top Makefile, whose rules must not change meaning)
define fuzz_rules
$$(FUZZ_B)/fuzz_$(1): $$(FUZZ_DIR)/fuzz_$(1).c $$(fuzz_srcs.$(1)) $$(FUZZ_HDRS) \
    $$(if $$(fuzz_lib.$(1)),$$(FUZZ_CORE_LIB)) | fuzz-deps
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	@$$(FUZZ_CC) $$(FUZZ_FLAGS) $$(FUZZ_SAN) -o $$@ $$< $$(fuzz_srcs.$(1)) \
		$$(if $$(fuzz_lib.$(1)),$$(FUZZ_CORE_LIB) -lpthread)

$$(FUZZ_B)/replay_$(1): $$(FUZZ_DIR)/fuzz_$(1).c $$(FUZZ_DIR)/replay.c \
    $$(fuzz_srcs.$(1)) $$(FUZZ_HDRS) $$(if $$(fuzz_lib.$(1)),$$(CORE_HOST_LIB))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) $$(HOST_CPPFLAGS) -Isrc/graft -Isrc/graftd \
		-Isrc/cni -I$$(FUZZ_DIR) -o $$@ $$< $$(FUZZ_DIR)/replay.c $$(fuzz_srcs.$(1)) \
		$$(if $$(fuzz_lib.$(1)),$$(CORE_HOST_LIB) -lpthread)
endef
$(FUZZ_B)/core/%.o: src/graft/%.c $(FUZZ_HDRS) | fuzz-deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer -c -o $@ $<

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))
	@$(FUZZ_DIR)/summary.sh $(FUZZ_B) $(FUZZ_TARGETS)

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(FUZZ_B)/fuzz_%
	@FUZZ_TIME=$(FUZZ_TIME) FUZZ_JOBS=$(FUZZ_JOBS) \
	FUZZ_MAXLEN=$(fuzz_maxlen.$*) $(FUZZ_DIR)/run.sh $* $(FUZZ_B)

fuzz-merge: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		[ -d $(FUZZ_B)/work/$$t ] || continue; \
		echo "  MERGE   $$t"; \
		$(FUZZ_B)/fuzz_$$t -merge=1 -max_len=$(fuzz_maxlen.$$t) \
			$(FUZZ_DIR)/corpus/$$t $(FUZZ_B)/work/$$t \
			>$(FUZZ_B)/merge-$$t.log 2>&1 || exit 1; \
	done

fuzz-replay: $(FUZZ_REPLAY)
	@GRAFT_BUILD=$(TOP)/$(B) sh $(FUZZ_DIR)/regress.sh
