# adit — build, test and demo. Every target installs missing Debian packages first.

CC      ?= cc
CFLAGS  ?= -O2 -g
# Expanded when used, after the deps target has installed pkg-config and the -dev packages.
MNL_CFLAGS = $(shell pkg-config --cflags libmnl libcrypto libsodium libcap-ng libpcap)
MNL_LIBS   = $(shell pkg-config --libs libmnl libcrypto libsodium libcap-ng libpcap)
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla -fno-strict-aliasing -Isrc $(MNL_CFLAGS)
LDLIBS  += $(MNL_LIBS)
BUILD   ?= build

SRC     := $(wildcard src/*.c src/io/*.c src/wg/*.c)
HDR     := $(wildcard src/*.h src/io/*.h src/wg/*.h)
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ  := $(LIBSRC:src/%.c=$(BUILD)/%.o)
UNITS   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps check unit netns demo clean clang-check asan fuzz bench bench-scale stress

all: deps adit

deps:
	@scripts/deps.sh build

adit: $(BUILD)/adit
	cp $< $@.new && mv -f $@.new $@  # a new inode: a running adit keeps its own

$(BUILD)/adit: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(HDR) | $(BUILD) deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The timer tests own the clock: calls to clock_now from other files go to theirs.
WRAP_test_timers := -Wl,--wrap=clock_now
$(BUILD)/unit/%: tests/unit/%.c $(LIBOBJ) $(HDR) | $(BUILD)
	@mkdir -p $(BUILD)/unit
	$(CC) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIBOBJ) $(LDLIBS) -lcmocka $(WRAP_$*)

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

# libFuzzer harnesses, one per parser of outside bytes; tests/run.sh fuzz runs each briefly.
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build/fuzz/%: tests/fuzz/%.c $(LIBSRC) $(HDR)
	@mkdir -p build/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Isrc \
		-o $@ $< $(LIBSRC) $(LDLIBS)

fuzz: $(FUZZERS)

check:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory adit unit asan fuzz
	@tests/run.sh

netns: adit
	@tests/run.sh netns

# The hostile-load tests at HOSTILE_SCALE=10 (10 million datagrams each, 120 s of handshake
# flood): minutes, not part of check.
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

# The control path at 1,000 to 100,000 peers beside wireguard-go; not part of check either.
bench-scale:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory adit
	@bench/scale.sh

clean:
	rm -rf build adit
