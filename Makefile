# vigil - keeps watch over AI coding agents in tmux.
#
#   make            build ./vigil
#   make test       unit tests (cmocka) and end-to-end tests (bats, real tmux)
#   make check      the same suite built with AddressSanitizer and UBSan
#   make demo       a demo fleet of fake agents under the watchdog
#   make bench      the benchmarks in bench/
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install missing build dependencies (apt-get, as root)
#   make fuzz       the libFuzzer targets in fuzz/, FUZZ_SECONDS each (clang)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/vigil
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= gcc
BUILD ?= build/default
SAN ?=
PKGS = sqlite3 libcrypto libgit2 inih jansson libpcre2-8

WARN = -std=c11 -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE \
	-DVIGIL_DATADIR='"$(DATADIR)"' -Isrc -Iwatchdog -Itriage $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm

SRCS = $(sort $(wildcard src/*.c watchdog/*.c triage/*.c))
LIB_SRCS = $(filter-out src/main.c,$(SRCS))
LIB_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS)) $(BUILD)/gen/prompts-builtin.o
# The templates in prompts/, compiled in as the last place prompt_load looks.
PROMPTS = $(sort $(wildcard prompts/*.md))
HDRS = $(wildcard src/*.h watchdog/*.h triage/*.h)
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

Q = @
ifeq ($(V),1)
Q =
endif

ifeq ($(BUILD),build/default)
VIGIL_BIN = vigil
else
VIGIL_BIN = $(BUILD)/vigil
endif

.PHONY: chaos all build-tests deps test unit e2e check demo demo-stop bench install uninstall clean lint-man \
	fuzz fuzz-build fuzz-merge

all: $(VIGIL_BIN)

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# For every build dir (default, san, fuzz).
%/gen/prompts-builtin.c: $(PROMPTS) build-aux/embed.sh
	@mkdir -p $(dir $@)
	$(Q)build-aux/embed.sh $(PROMPTS) >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/prompts-builtin.o: $(BUILD)/gen/prompts-builtin.c src/prompts.h
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libvigil.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(VIGIL_BIN): $(BUILD)/src/main.o $(BUILD)/libvigil.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libvigil.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libvigil.a $(LDLIBS) -lcmocka

deps:
	@build-aux/deps.sh

unit: deps $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

e2e: deps $(VIGIL_BIN)
	@VIGIL=$(abspath $(VIGIL_BIN)) tests/run-e2e.sh

build-tests: $(VIGIL_BIN) $(UNIT_BINS)
	@:

# The build runs in a sub-make: pkg-config must be asked after deps ran.
test: deps
	@$(MAKE) --no-print-directory build-tests
	@status=0; \
	tests/run-unit.sh $(UNIT_BINS) || status=1; \
	VIGIL=$(abspath $(VIGIL_BIN)) tests/run-e2e.sh || status=1; \
	exit $$status

check: deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 test

demo: deps $(VIGIL_BIN)
	@VIGIL=$(abspath $(VIGIL_BIN)) tests/demo.sh

demo-stop:
	@VIGIL=$(abspath $(VIGIL_BIN)) tests/demo.sh stop

bench: $(VIGIL_BIN)
	@for b in bench/ls.sh bench/tick.sh bench/respawn.sh; do echo "== $$b"; \
		VIGIL=$(abspath $(VIGIL_BIN)) $$b || exit 1; done

# The chaos drill: make chaos (1000 faults), make chaos QUICK=1 (100, as CI).
chaos: $(VIGIL_BIN)
	@VIGIL=$(abspath $(VIGIL_BIN)) bench/chaos.sh $(if $(QUICK),--quick)

lint-man:
	mandoc -Tlint -Wwarning man/vigil.1 man/vigil.conf.5

# Fuzzing (fuzz/README): the library is built again with clang, libFuzzer's
# coverage and ASan+UBSan into build/fuzz/, and each target runs for
# FUZZ_SECONDS on its committed corpus fuzz/corpus/T/ plus a scratch one in
# fuzz/out/corpus/T/ (new inputs go there; `make fuzz-merge` keeps the ones
# that add coverage). A crash, leak, UB or timeout leaves its input in
# fuzz/out/T/ and makes `make fuzz` fail once every target has run.
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="verdict config"
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config duration resettime verdict normalise template
FUZZ_BUILD = build/fuzz
# clang warns of the SQL that store.c writes as adjacent literals on purpose.
FUZZ_CFLAGS = $(WARN) -Wno-string-concatenation -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -D_GNU_SOURCE \
	-DVIGIL_DATADIR='"$(DATADIR)"' -Isrc -Iwatchdog -Itriage $(PKG_CFLAGS)
FUZZ_OBJS = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRCS)) $(FUZZ_BUILD)/gen/prompts-builtin.o
FUZZ_BINS = $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
# Longest input per target: a config file, a duration, a few screen lines
# around a rate-limit message, a triage answer, a captured pane, a template.
FUZZ_MAXLEN_config = 4096
FUZZ_MAXLEN_duration = 64
FUZZ_MAXLEN_resettime = 1024
FUZZ_MAXLEN_verdict = 2048
FUZZ_MAXLEN_normalise = 8192
FUZZ_MAXLEN_template = 2048
# libFuzzer keeps its own stderr for reports; the config target's stderr
# (a warning line per unknown key) is closed.
FUZZ_OPTS_config = -close_fd_mask=2

$(FUZZ_BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/gen/prompts-builtin.o: $(FUZZ_BUILD)/gen/prompts-builtin.c src/prompts.h
	@echo "  CC      $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libvigil.a: $(FUZZ_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_BUILD)/libvigil.a
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libvigil.a \
		$(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@failed=; for t in $(FUZZ_TARGETS); do \
		case $$t in \
		config) max=$(FUZZ_MAXLEN_config) opts="$(FUZZ_OPTS_config)" ;; \
		duration) max=$(FUZZ_MAXLEN_duration) opts= ;; \
		resettime) max=$(FUZZ_MAXLEN_resettime) opts= ;; \
		verdict) max=$(FUZZ_MAXLEN_verdict) opts= ;; \
		normalise) max=$(FUZZ_MAXLEN_normalise) opts= ;; \
		template) max=$(FUZZ_MAXLEN_template) opts= ;; \
		*) max=4096 opts= ;; \
		esac; \
		[ ! -f fuzz/dict/$$t.dict ] || opts="$$opts -dict=fuzz/dict/$$t.dict"; \
		mkdir -p fuzz/out/$$t fuzz/out/corpus/$$t fuzz/corpus/$$t; \
		echo "== fuzz $$t: $(FUZZ_SECONDS)s, -max_len=$$max (log fuzz/out/$$t.log)"; \
		if $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$max \
			-timeout=10 -print_final_stats=1 -artifact_prefix=fuzz/out/$$t/ $$opts \
			fuzz/out/corpus/$$t fuzz/corpus/$$t >fuzz/out/$$t.log 2>&1; then \
			grep -E '^stat::number_of_executed_units' fuzz/out/$$t.log | \
				sed "s/^stat::number_of_executed_units: */   $$t: ok, /; s/\$$/ runs/"; \
		else \
			echo "   $$t: FAILED (status $$?); input in fuzz/out/$$t/:"; \
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' fuzz/out/$$t.log | head -5; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi; \
	echo "fuzz: $(words $(FUZZ_TARGETS)) targets, no crash"

# Minimise what the runs found into the committed corpora.
fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/out/corpus/$$t fuzz/corpus/$$t; \
		$(FUZZ_BUILD)/fuzz_$$t -merge=1 fuzz/corpus/$$t fuzz/out/corpus/$$t \
			>fuzz/out/$$t.merge.log 2>&1 || { echo "fuzz-merge: $$t failed"; exit 1; }; \
		echo "   $$t: $$(ls fuzz/corpus/$$t | wc -l) inputs"; \
	done

install: $(VIGIL_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/prompts \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/lib/systemd/user
	install -m 755 $(VIGIL_BIN) $(DESTDIR)$(BINDIR)/vigil
	for f in prompts/*; do [ ! -f "$$f" ] || install -m 644 "$$f" $(DESTDIR)$(DATADIR)/prompts/; done
	install -m 644 man/vigil.1 $(DESTDIR)$(MANDIR)/man1/vigil.1
	install -m 644 man/vigil.conf.5 $(DESTDIR)$(MANDIR)/man5/vigil.conf.5
	install -m 644 contrib/vigil.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vigil
	[ ! -f contrib/vigil.service ] || sed 's|@BINDIR@|$(BINDIR)|g' contrib/vigil.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/user/vigil.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vigil $(DESTDIR)$(MANDIR)/man1/vigil.1 \
		$(DESTDIR)$(MANDIR)/man5/vigil.conf.5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/vigil \
		$(DESTDIR)$(PREFIX)/lib/systemd/user/vigil.service
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build vigil
