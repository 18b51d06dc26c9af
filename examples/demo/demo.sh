#!/usr/bin/env bash
# examples/demo/demo.sh BIN_DIR - the demo behind `make demo` (which builds BIN_DIR first).
#
# Starts, on 127.0.0.1 with free ports, each as its own process:
#   agent        examples/agent.c, the local stand-in for the Datadog Agent (skipped when
#                DD_TRACE_AGENT_URL is set: everything is then sent to that agent instead)
#   lambda       examples/lambda/bootstrap.c, a C custom runtime, on the fake Lambda Runtime API
#                examples/lambda/fake_runtime_api.py
#   queue        examples/demo/queue.c, an SQS stand-in that delivers to the Lambda function
#   host         examples/demo/host.c, an HTTP service that publishes to the queue
# then sends one request, GET /checkout?order=42, to the host. The host, the queue and the Lambda
# function each send their spans over HTTP to the agent, which prints the one connected trace.
# DEMO_RECORD=F makes the local agent append every payload it received to F (JSON lines; the test
# tests/demo_test.sh reads them). DEMO_TMP=D keeps the logs and ready files in D.
set -u
BIN=${1:?usage: demo.sh BIN_DIR}
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
if [ -n "${DEMO_TMP:-}" ]; then TMP=$DEMO_TMP; OWN_TMP=; else TMP=$(mktemp -d "${TMPDIR:-/tmp}/dd-demo.XXXXXX"); OWN_TMP=$TMP; fi
mkdir -p "$TMP"
rm -f "$TMP"/*.ready
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$OWN_TMP" ] && rm -rf "$OWN_TMP"
}
trap cleanup EXIT
die() { echo "demo: $*" >&2; for f in "$TMP"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done; exit 1; }
wait_ready() { # file pid what
    for _ in $(seq 1 200); do
        [ -s "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || die "$3 did not start"
        sleep 0.05
    done
    die "$3 did not become ready"
}
SPANS=6 # http.request, sqs.send (host); queue.deliver (queue); aws.sqs, aws.lambda, demo.handler (Lambda)

if [ -n "${DD_TRACE_AGENT_URL:-}" ]; then
    AGENT_URL=$DD_TRACE_AGENT_URL
    echo "demo: sending to the agent at $AGENT_URL"
else
    rec=()
    [ -n "${DEMO_RECORD:-}" ] && rec=(--record "$DEMO_RECORD")
    "$BIN/agent" --port 0 --ready-file "$TMP/agent.ready" --quiet --expect-spans $SPANS --timeout-ms 20000 "${rec[@]}" \
        >"$TMP/agent.out" 2>"$TMP/agent.log" &
    AGENT=$!; PIDS="$PIDS $AGENT"
    wait_ready "$TMP/agent.ready" $AGENT "the local agent"
    AGENT_URL=http://127.0.0.1:$(cat "$TMP/agent.ready")
fi

# Each process is its own service; the DD_* environment of the caller is kept otherwise.
"$PY" examples/lambda/fake_runtime_api.py --ready-file "$TMP/runtime.ready" --exit-after 1 --quiet \
    --function-arn arn:aws:lambda:us-east-1:123456789012:function:demo-function 2>"$TMP/runtime.log" &
RUNTIME=$!; PIDS="$PIDS $RUNTIME"
wait_ready "$TMP/runtime.ready" $RUNTIME "the fake Lambda Runtime API"
RUNTIME_API=127.0.0.1:$(cat "$TMP/runtime.ready")

# No cold-start span (aws.lambda.load): its presence would depend on how long the start took.
# The local agent plays the Datadog Lambda Extension: DD_LAMBDA_EXTENSION_PATH names a file that
# exists (the bootstrap itself), so the function delivers its traces to the agent (Extension mode)
# instead of writing them to stdout for the Forwarder.
DD_TRACE_AGENT_URL=$AGENT_URL DD_SERVICE= AWS_LAMBDA_RUNTIME_API=$RUNTIME_API AWS_LAMBDA_FUNCTION_NAME=demo-function \
    DD_LAMBDA_EXTENSION_PATH="$BIN/bootstrap" DD_COLD_START_TRACING=false "$BIN/bootstrap" 2>"$TMP/lambda.log" &
LAMBDA=$!; PIDS="$PIDS $LAMBDA"

DD_TRACE_AGENT_URL=$AGENT_URL DD_SERVICE=demo-queue \
    "$BIN/demo_queue" --lambda "http://$RUNTIME_API" --ready-file "$TMP/queue.ready" 2>"$TMP/queue.log" &
QUEUE=$!; PIDS="$PIDS $QUEUE"
wait_ready "$TMP/queue.ready" $QUEUE "the queue"

DD_TRACE_AGENT_URL=$AGENT_URL DD_SERVICE=demo-host \
    "$BIN/demo_host" --queue "http://127.0.0.1:$(cat "$TMP/queue.ready")" --ready-file "$TMP/host.ready" 2>"$TMP/host.log" &
HOST=$!; PIDS="$PIDS $HOST"
wait_ready "$TMP/host.ready" $HOST "the host"

URL="http://127.0.0.1:$(cat "$TMP/host.ready")/checkout?order=42"
echo "demo: GET $URL"
"$PY" -c 'import sys, urllib.request; sys.stdout.write("demo: host answered " + urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "$URL" ||
    die "the host did not answer"

# The Lambda function answers the Runtime API after its flush; the fake API then exits, and so
# does the bootstrap (its next long poll fails).
wait $HOST $QUEUE 2>/dev/null
for _ in $(seq 1 200); do kill -0 $RUNTIME 2>/dev/null || break; sleep 0.05; done
kill -0 $RUNTIME 2>/dev/null && die "the Lambda function did not answer its invocation"
wait $LAMBDA 2>/dev/null
cat "$TMP/host.log" "$TMP/queue.log"
grep '^bootstrap: invocation' "$TMP/lambda.log" | sed 's/^bootstrap: /lambda: /'

if [ -z "${AGENT:-}" ]; then
    echo "demo: spans sent to $AGENT_URL (host, queue and Lambda function)"
    exit 0
fi
wait $AGENT
rc=$?
echo "demo: the local agent received:"
cat "$TMP/agent.out"
[ $rc = 0 ] || die "the agent did not receive the $SPANS spans"
