# mk/sanitize.mk - `make check-sanitize`: the graft core (as host-side unit
# tests), graftd, graftctl and the test helpers built with AddressSanitizer
# + UndefinedBehaviorSanitizer (LeakSanitizer included), then the unit
# tests, graftd's and the core's end-to-end tests and the adversary/fault
# tests run against them.  Any sanitizer report fails the run: reports are
# written to build/san/reports/ and printed.  Included by the top Makefile
# after mk/graftd.mk and mk/core.mk (it reuses GRAFTD_SRCS, GRAFTD_UNIT,
# CORE_UNIT and the e2e lists).  The programs built with graft-cc (static
# musl) are not instrumented: graftd and the core's unit tests are what runs
# sanitized.

SAN_CC		?= clang-14
SAN_B		:= $(B)/san
SAN_FLAGS	 = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		   -fno-sanitize-recover=all
SAN_CFLAGS	 = -std=gnu11 -Wall -Wextra $(SAN_FLAGS)
SAN_GRAFTD_O	:= $(SAN_B)/obj/graftd
SAN_CORE_O	:= $(SAN_B)/obj/core
SAN_TEST_O	:= $(SAN_B)/obj/tests

SAN_GRAFTD_OBJS	:= $(addprefix $(SAN_GRAFTD_O)/,$(GRAFTD_SRCS:.c=.o))
SAN_GRAFTD_LIB	:= $(SAN_GRAFTD_O)/libgraftd.a
SAN_CORE_OBJS	:= $(patsubst src/graft/%.c,$(SAN_CORE_O)/%.o,$(wildcard src/graft/*.c))
SAN_CORE_LIB	:= $(SAN_CORE_O)/libgraftcore.a
SAN_HELPERS	:= $(patsubst tests/helpers/%.c,%,$(wildcard tests/helpers/*.c))
SAN_PROGS	:= $(SAN_B)/bin/graftd $(SAN_B)/bin/graftctl \
		   $(SAN_B)/tests/graftd-oldpeer \
		   $(addprefix $(SAN_B)/tests/,$(SAN_HELPERS))
# (unit tests whose source exists: a fragment may list one still being written)
SAN_UNIT	:= $(addprefix $(SAN_B)/tests/,$(foreach u,$(GRAFTD_UNIT),\
		   $(if $(wildcard tests/unit/$(u).c),$(u)))) \
		   $(addprefix $(SAN_B)/tests/test_core_,$(foreach u,$(CORE_UNIT),\
		   $(if $(wildcard tests/unit/test_core_$(u).c),$(u))))
# e2e scripts run against the sanitized graftd (the fuzz replay is not one;
# the adversary, fault and stress scripts even before mk/stress.mk lists them)
SAN_E2E		 = $(filter-out tests/toolchain/% tests/fuzz/%,$(E2E_TESTS)) \
		   $(SAN_E2E_EXTRA)
SAN_E2E_EXTRA	 = $(filter-out $(E2E_TESTS),$(sort $(wildcard \
		   tests/e2e/adversary-*.sh tests/e2e/fault-*.sh tests/e2e/stress-*.sh)))
SAN_ENV		 = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$(TOP)/$(SAN_B)/reports/asan:log_exe_name=1 \
		   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(TOP)/$(SAN_B)/reports/ubsan:log_exe_name=1 \
		   LSAN_OPTIONS=report_objects=1

.PHONY: check-sanitize sanitize-build sanitize-deps

sanitize-deps:
	@FUZZ_CC=$(SAN_CC) tests/fuzz/deps.sh

$(SAN_GRAFTD_O)/%.o: src/graftd/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(GRAFTD_CPPFLAGS) -MMD -MP -c -o $@ $<

$(SAN_B)/obj/graftctl/%.o: src/graftctl/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(GRAFTD_CPPFLAGS) -MMD -MP -c -o $@ $<

$(SAN_CORE_O)/%.o: src/graft/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(CORE_CPPFLAGS) -MMD -MP -c -o $@ $<

$(SAN_TEST_O)/%.o: tests/unit/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(GRAFTD_CPPFLAGS) -Isrc/graft -MMD -MP -c -o $@ $<

$(SAN_TEST_O)/helper-%.o: tests/helpers/%.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(GRAFTD_CPPFLAGS) -MMD -MP -c -o $@ $<

# graftd without its main(), for the unit tests: the archive lets each test
# take what it needs (and the fake netns resolver replace nsid.o)
$(SAN_GRAFTD_LIB): $(filter-out %/graftd.o,$(SAN_GRAFTD_OBJS))
	@rm -f $@
	@ar rcs $@ $^

$(SAN_CORE_LIB): $(SAN_CORE_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(SAN_B)/bin/graftd: $(SAN_GRAFTD_OBJS)
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^

# graftd-oldpeer: see mk/graftd.mk
$(SAN_GRAFTD_O)/peer-oldpeer.o: src/graftd/peer.c | sanitize-deps
	@mkdir -p $(@D)
	@echo "  SANCC   $@"
	@$(SAN_CC) $(SAN_CFLAGS) $(GRAFTD_CPPFLAGS) -DGRAFTD_TEST_OLDPEER -MMD -MP -c -o $@ $<

$(SAN_B)/tests/graftd-oldpeer: $(filter-out %/peer.o,$(SAN_GRAFTD_OBJS)) \
    $(SAN_GRAFTD_O)/peer-oldpeer.o
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^

$(SAN_B)/bin/graftctl: $(SAN_B)/obj/graftctl/graftctl.o $(SAN_GRAFTD_O)/parse.o \
    $(SAN_GRAFTD_O)/attparse.o
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^

$(SAN_B)/tests/%: $(SAN_TEST_O)/helper-%.o
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^ -lpthread

$(SAN_B)/tests/test_graftd_%: $(SAN_TEST_O)/test_graftd_%.o \
    $(SAN_TEST_O)/test_graftd_nsstub.o $(SAN_GRAFTD_LIB)
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(SAN_B)/tests/test_core_%: $(SAN_TEST_O)/test_core_%.o $(SAN_CORE_LIB)
	@mkdir -p $(@D)
	@echo "  SANLD   $@"
	@$(SAN_CC) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS) -lpthread

# the graft-cc programs of the e2e tests are the ordinary build's
$(SAN_B)/tests/progs: | $(CORE_PROG_BINS)
	@mkdir -p $(@D)
	@ln -sfn $(TOP)/$(B)/tests/progs $@

sanitize-build: $(SAN_PROGS) $(SAN_UNIT)

check-sanitize: all $(TEST_PROGS) sanitize-build $(SAN_B)/tests/progs
	@rm -rf $(SAN_B)/reports && mkdir -p $(SAN_B)/reports
	@$(SAN_ENV) GRAFT_TOP=$(TOP) GRAFT_BUILD=$(TOP)/$(SAN_B) \
	GRAFT_BIN=$(TOP)/$(SAN_B)/bin GRAFT_CC=$(TOP)/$(GRAFT_CC) \
	GRAFT_TARGET=$(TARGET) GRAFT_SANITIZED=1 \
		tests/run-tests.sh $(foreach t,$(SAN_UNIT),-u $(t)) \
		$(foreach t,$(SAN_E2E),-e $(t)); rc=$$?; \
	if ls $(SAN_B)/reports | grep -q .; then \
		echo "== sanitizer reports ($(SAN_B)/reports):"; \
		for f in $(SAN_B)/reports/*; do echo "-- $$f"; head -60 "$$f"; done; \
		echo "check-sanitize: FAILED: sanitizer reports"; exit 1; \
	fi; \
	[ $$rc -eq 0 ] && echo "check-sanitize: no sanitizer report" || \
		{ echo "check-sanitize: FAILED"; exit 1; }

-include $(SAN_GRAFTD_OBJS:.o=.d) $(SAN_CORE_OBJS:.o=.d) $(wildcard $(SAN_TEST_O)/*.d)
