# make bench: the benchmark table (bench/run.sh; BENCHMARKS.md explains it).
# make bench-smoke: the harness builds and its properties hold (seconds; bench/smoke.sh).
# make bench-throughput: delivery under a paced load, finish latency while the agent does not
#   answer (bench/throughput.sh; about a minute; THROUGHPUT_SECONDS=N per run, default 5).
# make bench-stats: instructions and bytes per trace with client-side stats off and on, for the
#   worst-case and a realistic 10-span trace (bench/stats.sh; about two minutes under valgrind).
# make bench-lambda: dd_lambda_extract of 6 MB events against one parse of them
#   (bench/lambda_extract.sh; about a minute).
.PHONY: bench bench-smoke bench-throughput bench-stats bench-lambda
bench:
	@BUILD=$(BUILD) bash bench/run.sh
bench-smoke:
	@BUILD_DIR=$(abspath $(BUILD))/tests bash bench/smoke.sh
bench-throughput:
	@BUILD=$(BUILD) bash bench/throughput.sh
bench-stats:
	@BUILD=$(BUILD) bash bench/stats.sh
bench-lambda:
	@BUILD=$(BUILD) bash bench/lambda_extract.sh
