# make bench: the benchmark table of issue 9 (bench/run.sh; BENCHMARKS.md explains it).
.PHONY: bench
bench:
	@BUILD=$(BUILD) bash bench/run.sh
