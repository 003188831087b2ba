# adit — build, test and demo. Every target installs missing Debian packages first.

CC      ?= cc
CFLAGS  ?= -O2 -g
# Expanded when used, after the deps target has installed pkg-config and the -dev packages.
MNL_CFLAGS = $(shell pkg-config --cflags libmnl libcrypto libsodium libcap-ng libpcap)
MNL_LIBS   = $(shell pkg-config --libs libmnl libcrypto libsodium libcap-ng libpcap)
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -fno-strict-aliasing -Isrc $(MNL_CFLAGS)
LDLIBS  += $(MNL_LIBS) -pthread
# intel-ipsec-mb (x86 only; deps.sh installs it there) gives the data path its faster AEAD
# backend (src/wg/aead_ipsecmb.c). Without its header the backend compiles to stubs and adit
# uses OpenSSL's. Looked for when used, after deps has had its chance to install it.
IPSEC_MB = $(if $(wildcard /usr/include/intel-ipsec-mb.h),1)
override CFLAGS += $(if $(IPSEC_MB),-DADIT_IPSEC_MB)
LDLIBS  += $(if $(IPSEC_MB),-lIPSec_MB)
BUILD   ?= build

# The folders of src/ are layers (tests/check_layers.sh); everything but main.c is the library
# that adit, the unit tests and bench/lanes link.
SRC     := $(wildcard src/*.c src/*/*.c)
HDR     := $(wildcard src/*/*.h)
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ  := $(LIBSRC:src/%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libadit.a
UNITS   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
# Each object, test and bench program depends on the headers it includes, as the compiler
# lists them (-MMD) in a .d file beside it; -MP: a header since removed breaks no build.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@

# The version: git describe where there is git (v0.2.0, v0.2.0-3-gHASH, -dirty; the leading v
# dropped), the VERSION file where there is none, and VERSION-gHASH where no tag is (a bare
# hash has no dot).
ADIT_VERSION := $(shell v=$$(git describe --tags --always --dirty 2>/dev/null | sed 's/^v//'); \
	case "$$v" in ([0-9]*.*) echo "$$v" ;; ('') cat VERSION ;; (*) echo "$$(cat VERSION)-g$$v" ;; esac)
DEFS_main := -DADIT_VERSION='"$(ADIT_VERSION)"'

.PHONY: all deps check check-repeat unit netns demo clean clang-check asan fuzzers fuzz bench bench-scale bench-threads stress man install uninstall

# make install: PREFIX and DESTDIR as usual. bin, not sbin: genkey, pubkey and genpsk are for
# every user (wg, which they mirror, is in /usr/bin too), and wg-quick finds adit through PATH
# (/usr/local/bin is in systemd's and every login's; /usr/local/sbin is in root's only).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system as from /lib/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system
DROPIN  := wg-quick@.service.d
# systemd-sysusers reads /usr/local/lib/sysusers.d as /usr/lib/sysusers.d: the user adit.
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# The units run adit as this system user (ADIT_USER=adit). Installing to the real root
# (DESTDIR empty) creates it now if it is missing; CREATE_USER=no leaves that to
# systemd-sysusers (at boot) or to you.
CREATE_USER ?= $(if $(DESTDIR),no,yes)
INSTALLED := $(BINDIR)/adit $(MANDIR)/man8/adit.8 $(UNITDIR)/adit@.service \
             $(UNITDIR)/$(DROPIN)/adit.conf $(SYSUSERSDIR)/adit.conf

all: deps adit

deps:
	@scripts/deps.sh build

adit: $(BUILD)/adit
	cp $< $@.new && mv -f $@.new $@  # a new inode: a running adit keeps its own

$(BUILD)/adit: $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD) deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEFS_$*) $(DEPFLAGS) -c -o $@ $<

# Built once, linked by adit, the unit tests and bench/lanes (each takes the objects it uses).
$(LIB): $(LIBOBJ)
	rm -f $@ && $(AR) rcs $@ $^

# main.o is rebuilt when the version changes, and only then: the file is rewritten only when
# its contents would change.
$(BUILD)/main.o: $(BUILD)/version
$(BUILD)/version: FORCE | $(BUILD)
	@[ "$$(cat $@ 2>/dev/null)" = '$(ADIT_VERSION)' ] || echo '$(ADIT_VERSION)' > $@

-include $(OBJ:=.d) $(UNITS:=.d) $(BUILD)/bench/lanes.d

# The timer tests own the clock: calls to clock_now from other files go to theirs.
WRAP_test_timers := -Wl,--wrap=clock_now
# The control socket tests look at the directory when the socket starts to listen.
WRAP_test_ctlsock := -Wl,--wrap=listen
# The show tests count reallocations: reading a long list must not make one per entry.
WRAP_test_show := -Wl,--wrap=realloc
$(BUILD)/unit/%: tests/unit/%.c $(LIB) | $(BUILD)
	@mkdir -p $(BUILD)/unit
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(DEPFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka $(WRAP_$*)

$(BUILD):
	@mkdir -p $(BUILD)

unit: $(UNITS)

# The compiler check builds everything again with clang: warnings are errors under both.
clang-check:
	@$(MAKE) --no-print-directory -s BUILD=build/clang CC=clang build/clang/adit $(UNITS:$(BUILD)/%=build/clang/%)

# AddressSanitizer and UBSan over adit and the unit tests; tests/run.sh asan runs them.
SANITIZE := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	@$(MAKE) --no-print-directory -s BUILD=build/asan CFLAGS="$(SANITIZE)" LDFLAGS="$(SANITIZE)" \
		build/asan/adit $(UNITS:$(BUILD)/%=build/asan/%)

# libFuzzer harnesses, one per parser of outside bytes. make fuzzers builds them (make check
# then runs each for FUZZ_SECONDS); make fuzz runs each until FUZZ_RUNS executions (10^7:
# minutes for the parsers, hours for the harnesses with two live devices).
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# The harnesses with two live devices own the clock, as the timer tests do.
WRAP_fuzz_wg_data := -Wl,--wrap=clock_now
WRAP_fuzz_wg_handshake := -Wl,--wrap=clock_now,--wrap=clock_wall
# The send queue's harness is the kernel: its sendmmsg and sendmsg take what the input says.
WRAP_fuzz_udp_tx := -Wl,--wrap=sendmmsg,--wrap=sendmsg
# The library is compiled once for all of them (fuzzer-no-link: instrumented for coverage,
# without libFuzzer's main), and each harness links what it uses from it.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc $(MNL_CFLAGS) \
	$(if $(IPSEC_MB),-DADIT_IPSEC_MB)
FUZZ_OBJ := $(LIBSRC:src/%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: src/%.c | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<
build/fuzz/libadit.a: $(FUZZ_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libadit.a $(wildcard tests/fuzz/*.h)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(DEPFLAGS) -o $@ $< build/fuzz/libadit.a $(LDLIBS) \
		$(WRAP_fuzz_$*)
-include $(FUZZ_OBJ:=.d) $(FUZZERS:=.d)

fuzzers: $(FUZZERS)

FUZZ_RUNS ?= 10000000
fuzz:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory fuzzers
	@FUZZ_RUNS=$(FUZZ_RUNS) tests/run.sh fuzz

# The builds take every core; so do the tests that run side by side (tests/run.sh).
JOBS ?= $(shell nproc)
check:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory -j$(JOBS) adit man unit asan fuzzers
	@tests/run.sh

# The whole suite N times, to find what one run hides; LOAD=1 keeps both cores busy meanwhile.
N ?= 5
check-repeat:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory -j$(JOBS) adit man unit asan fuzzers
	@tests/repeat.sh $(N) $(if $(filter 1,$(LOAD)),--load)

netns: adit
	@tests/run.sh netns

# The hostile-load tests at HOSTILE_SCALE=10 (10 million datagrams each, 120 s of handshake
# flood) and a million-peer wg setconf: minutes, not part of check.
stress:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory adit
	@tests/run.sh stress

demo:
	@scripts/deps.sh demo
	@$(MAKE) --no-print-directory adit
	@lab/lab.sh demo

# Throughput and latency beside the other userspace VPNs; not part of check (bench/README.md).
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory adit
	@bench/run.sh

# The control path at 1,000 to 1,000,000 peers beside wireguard-go; not part of check either.
bench-scale:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory adit
	@bench/scale.sh

# The crypto lanes of --threads N alone, on free cores (bench/lanes.c); and what the kernel
# would give run-to-completion threads, one TUN queue and one socket each (bench/multiqueue.py).
bench-threads: $(BUILD)/bench/lanes
	@$(BUILD)/bench/lanes
	@bench/multiqueue.py

$(BUILD)/bench/lanes: bench/lanes.c $(LIB) | $(BUILD)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(DEPFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The man page, from scdoc source; deps.sh man installs scdoc (and fails loudly without root).
man: $(BUILD)/adit.8

$(BUILD)/adit.8: doc/adit.8.scd | $(BUILD)
	@scripts/deps.sh man
	scdoc < $< > $@.new && mv -f $@.new $@

# The unit files name adit by its installed path. Rebuilt every time: BINDIR may differ.
$(BUILD)/adit@.service $(BUILD)/wg-quick-adit.conf: $(BUILD)/%: systemd/%.in FORCE | $(BUILD)
	sed 's|@BINDIR@|$(BINDIR)|g' $< > $@.new && mv -f $@.new $@

FORCE:

install: $(BUILD)/adit $(BUILD)/adit.8 $(BUILD)/adit@.service $(BUILD)/wg-quick-adit.conf
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)/$(DROPIN)
	install -m 755 $(BUILD)/adit $(DESTDIR)$(BINDIR)/adit
	install -m 644 $(BUILD)/adit.8 $(DESTDIR)$(MANDIR)/man8/adit.8
	install -m 644 $(BUILD)/adit@.service $(DESTDIR)$(UNITDIR)/adit@.service
	install -m 644 $(BUILD)/wg-quick-adit.conf $(DESTDIR)$(UNITDIR)/$(DROPIN)/adit.conf
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 644 systemd/adit.sysusers $(DESTDIR)$(SYSUSERSDIR)/adit.conf
	[ "$(CREATE_USER)" != yes ] || getent passwd adit >/dev/null || \
		useradd --system --user-group --no-create-home --home-dir / \
			--shell /usr/sbin/nologin --comment "adit userspace VPN daemon" adit

# Exactly what install put there; the drop-in directory too, if nothing else is in it. The user
# adit stays (files elsewhere may be its): userdel adit removes it.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	[ ! -d $(DESTDIR)$(UNITDIR)/$(DROPIN) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(UNITDIR)/$(DROPIN)

clean:
	rm -rf build adit
