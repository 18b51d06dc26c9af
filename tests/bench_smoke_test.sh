#!/usr/bin/env bash
# The benchmark harness builds (gcc and clang, -Werror) and its properties hold: every op runs,
# inject writes its 6 headers, and no op allocates in steady state (bench/smoke.sh).
cd "$(dirname "$0")/.." && exec bash bench/smoke.sh
