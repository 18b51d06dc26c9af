#!/usr/bin/env bash
# Runs tests/lambda_conformance.c over ../shared/conformance/lambda/ (relative to the repo root)
# when that folder exists; prints per-family counts, then "lambda_conformance: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
DIR=../shared/conformance/lambda
if [ ! -d "$DIR" ]; then
    echo "lambda_conformance: $DIR not found, skipped"
    echo "lambda_conformance: 0 passed, 0 failed"
    exit 0
fi
OUT=${BUILD_DIR:-/tmp}/lambda_conformance
if ! gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O1 -g -fsanitize=address,undefined \
        -fno-sanitize-recover=all -I. tests/lambda_conformance.c -o "$OUT" -lpthread -lm; then
    echo "lambda_conformance: 0 passed, 1 failed"
    exit 1
fi
"$OUT" "$DIR"
