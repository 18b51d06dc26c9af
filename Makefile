# dd-trace-c.
#   make         the library (shared and static) and the examples under $(BUILD); runs no test and
#                installs nothing
#   make demo    a connected trace across host -> queue -> Lambda, printed by a local agent
#   make test    every check; ends with "N passed, N failed" (its setup step names, or as root
#                installs, the Debian packages the tests need)
#   make install PREFIX=/usr/local [LIBDIR=...] [INCLUDEDIR=...] [DESTDIR=...]
CC ?= cc
BUILD ?= build
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
STRICT = -Wall -Wextra -Wpedantic -Werror

.PHONY: all test setup fuzz clean

# Targets of the examples (demo, shared, install, examples) live beside them.
-include examples/examples.mk
-include bench/bench.mk
-include tests/hardening.mk

all: lib examples

setup:
	@bash scripts/setup.sh

test: setup
	@BUILD=$(BUILD) bash tests/run.sh

# Runs every libFuzzer harness (or those named in FUZZ_TARGETS, e.g. FUZZ_TARGETS=msgpack) for
# FUZZ_SECONDS each, growing fuzz/corpus/<target>/.
fuzz: setup
	@mkdir -p $(BUILD)/fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
	    src=fuzz/fuzz_$$t.c; \
	    clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. $$src -o $(BUILD)/fuzz/$$t -lpthread -lm; \
	    mkdir -p fuzz/corpus/$$t; dict=; [ -f fuzz/dict/$$t.dict ] && dict=-dict=fuzz/dict/$$t.dict; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	    if ! $(BUILD)/fuzz/$$t $$dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzz/$$t- fuzz/corpus/$$t >$(BUILD)/fuzz/$$t.log 2>&1; then \
	        tail -n 40 $(BUILD)/fuzz/$$t.log; echo "fuzz: finding in $$t (see $(BUILD)/fuzz/$$t-*)"; exit 1; fi; \
	    grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' $(BUILD)/fuzz/$$t.log; \
	done

clean:
	rm -rf $(BUILD)
