# dd-trace-c. The two commands of the README:
#   make demo    a connected trace across host -> queue -> Lambda, printed by a local agent
#   make test    every check; ends with "N passed, N failed"
CC ?= cc
BUILD ?= build
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
STRICT = -Wall -Wextra -Wpedantic -Werror

.PHONY: all test setup fuzz clean

# Targets of the examples (demo, shared, install, examples) live beside them.
-include examples/examples.mk
-include bench/bench.mk
-include tests/hardening.mk

all: test

setup:
	@bash scripts/setup.sh

test: setup
	@BUILD=$(BUILD) bash tests/run.sh

# Runs every libFuzzer harness for FUZZ_SECONDS each, growing fuzz/corpus/<target>/.
fuzz: setup
	@mkdir -p $(BUILD)/fuzz
	@set -e; for src in fuzz/fuzz_*.c; do \
	    t=$$(basename $$src .c); t=$${t#fuzz_}; \
	    clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. $$src -o $(BUILD)/fuzz/$$t -lpthread -lm; \
	    mkdir -p fuzz/corpus/$$t; dict=; [ -f fuzz/dict/$$t.dict ] && dict=-dict=fuzz/dict/$$t.dict; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	    $(BUILD)/fuzz/$$t $$dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 fuzz/corpus/$$t 2>&1 | tail -n 12; \
	done

clean:
	rm -rf $(BUILD)
