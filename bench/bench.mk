# make bench: the benchmark table (bench/run.sh; BENCHMARKS.md explains it).
# make bench-smoke: the harness builds and its properties hold (seconds; bench/smoke.sh).
.PHONY: bench bench-smoke
bench:
	@BUILD=$(BUILD) bash bench/run.sh
bench-smoke:
	@BUILD_DIR=$(abspath $(BUILD))/tests bash bench/smoke.sh
