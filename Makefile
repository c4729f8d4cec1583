# vigil - keeps watch over AI coding agents in tmux.
#
#   make            build ./vigil
#   make test       unit tests (cmocka) and end-to-end tests (bats, real tmux)
#   make check      the same suite built with AddressSanitizer and UBSan
#   make demo       a demo fleet of fake agents under the watchdog
#   make bench      the benchmarks in bench/
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install missing build dependencies (apt-get, as root)

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
LIB_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
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

.PHONY: chaos all build-tests deps test unit e2e check demo demo-stop bench install uninstall clean lint-man

all: $(VIGIL_BIN)

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
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
