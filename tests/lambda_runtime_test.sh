#!/usr/bin/env bash
# The C custom runtime examples/lambda/bootstrap.c (built with ASan+UBSan) against the fake Lambda
# Runtime API examples/lambda/fake_runtime_api.py and the local agent examples/agent.c. Five
# invocations with hand-written events (SQS with a `_datadog` attribute, API Gateway REST with
# x-datadog headers, a failing handler, an X-Ray-only invocation, a direct invocation with a client
# context); Python then checks the Runtime API answers and every span the agent received against
# the ids written in the events. Last line: "lambda_runtime: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/lambda_runtime
rm -rf "$B"
mkdir -p "$B"
PY=/usr/bin/python3
pass=0
fail=0
PIDS=""
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    echo "lambda_runtime: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
STRICT="-Wall -Wextra -Wpedantic -Werror"

# --- build ---
if gcc -std=c99 $STRICT -O2 -I. examples/lambda/bootstrap.c -o "$B/bootstrap.gcc" -lpthread -lm 2>"$B/build.log"; then
    ok "bootstrap builds (gcc, strict)"; else bad "bootstrap builds (gcc)"; cat "$B/build.log"; fi
if clang -std=c11 $STRICT -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I. \
    examples/lambda/bootstrap.c -o "$B/bootstrap" -lpthread -lm 2>>"$B/build.log"; then
    ok "bootstrap builds (clang, asan+ubsan)"; else bad "bootstrap builds (clang asan)"; cat "$B/build.log"; exit 0; fi
if gcc -std=c99 $STRICT -O1 -g -I. examples/agent.c -o "$B/agent" -lpthread 2>>"$B/build.log"; then
    ok "agent builds"; else bad "agent builds"; cat "$B/build.log"; exit 0; fi

# --- the invocations (ids written by hand; timestamps are now, so the inferred span is short) ---
$PY - "$B/events.json" <<'EOF'
import json, sys, time
now = int(time.time() * 1000)
carrier = {"x-datadog-trace-id": "4948377316357291421", "x-datadog-parent-id": "6746998015037429512",
           "x-datadog-sampling-priority": "2", "x-datadog-tags": "_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000"}
sqs = {"Records": [{
    "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    "body": "order 42", "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(now - 5), "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                   "ApproximateFirstReceiveTimestamp": str(now - 4)},
    "messageAttributes": {"_datadog": {"stringValue": json.dumps(carrier), "stringListValues": [],
                                       "binaryListValues": [], "dataType": "String"}},
    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:demo-queue",
    "awsRegion": "us-east-1"}]}
apigw = {"resource": "/users", "path": "/users", "httpMethod": "GET",
         "headers": {"X-Datadog-Trace-Id": "1234567890", "X-Datadog-Parent-Id": "987654321",
                     "X-Datadog-Sampling-Priority": "1", "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
         "multiValueHeaders": {}, "queryStringParameters": None, "pathParameters": None, "body": None,
         "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/users", "httpMethod": "GET", "path": "/prod/users", "stage": "prod",
                            "domainName": "abc123.execute-api.us-east-1.amazonaws.com", "apiId": "abc123",
                            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "requestTimeEpoch": now - 3,
                            "accountId": "123456789012", "identity": {"sourceIp": "127.0.0.1"}}}
events = [
    {"request_id": "req-1-sqs", "event": sqs},
    {"request_id": "req-2-apigw", "event": apigw},
    {"request_id": "req-3-fail", "event": {"fail": True}},
    {"request_id": "req-4-xray", "event": {"hello": "world"},
     "trace_id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
    {"request_id": "req-5-client-context", "event": {"direct": 1},
     "client_context": {"custom": {"x-datadog-trace-id": "555", "x-datadog-parent-id": "666",
                                   "x-datadog-sampling-priority": "1"}}},
]
json.dump(events, open(sys.argv[1], "w"))
EOF

# --- run: agent, fake Runtime API, bootstrap ---
"$B/agent" --port 0 --ready-file "$B/agent.ready" --record "$B/agent.jsonl" >"$B/agent.out" 2>"$B/agent.err" &
APID=$!; PIDS="$PIDS $APID"
$PY examples/lambda/fake_runtime_api.py --ready-file "$B/rt.ready" --events "$B/events.json" --results "$B/results.jsonl" \
    --exit-after 5 --function-arn "arn:aws:lambda:us-east-1:123456789012:function:Demo-Function:prod" 2>"$B/rt.err" &
RPID=$!; PIDS="$PIDS $RPID"
for _ in $(seq 1 100); do [ -s "$B/agent.ready" ] && [ -s "$B/rt.ready" ] && break; sleep 0.05; done
: >"$B/datadog-agent" # Extension mode (the Extension's file), the example agent as trace intake
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$B/rt.ready") AWS_LAMBDA_FUNCTION_NAME=Demo-Function \
    DD_LAMBDA_EXTENSION_PATH="$B/datadog-agent" DD_DOGSTATSD_PORT=9 \
    DD_TRACE_AGENT_URL=http://127.0.0.1:$(cat "$B/agent.ready") DD_SERVICE= DD_ENV= DD_TRACE_SAMPLE_RATE= DD_COLD_START_TRACING=false \
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    timeout 60 "$B/bootstrap" 2>"$B/bootstrap.err"
rc=$?
wait "$RPID" 2>/dev/null
if [ $rc = 0 ]; then ok "bootstrap ran every invocation and exited cleanly when the Runtime API went away"; else bad "bootstrap exit status $rc"; tail -n 30 "$B/bootstrap.err"; fi
if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$B/bootstrap.err"; then bad "sanitizer report"; grep -A5 'ERROR\|runtime error' "$B/bootstrap.err" | head -30; else ok "no sanitizer report"; fi
kill "$APID" 2>/dev/null; wait "$APID" 2>/dev/null

# --- the checks ---
$PY - "$B" >"$B/checks.log" 2>&1 <<'EOF'
import json, os, sys
d = sys.argv[1]
results = [json.loads(l) for l in open(os.path.join(d, "results.jsonl"))]
recs = [json.loads(l) for l in open(os.path.join(d, "agent.jsonl"))]
passed = failed = 0
def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1; print("ok   " + name)
    else:
        failed += 1; print("FAIL " + name + (": " + str(detail) if detail else ""))

# Runtime API answers, in order.
want = [("response", "req-1-sqs", {"processed": 1}),
        ("response", "req-2-apigw", {"statusCode": 200, "body": "processed 0 record(s)"}),
        ("error", "req-3-fail", {"errorMessage": "the event asked the handler to fail", "errorType": "DemoError", "stackTrace": []}),
        ("response", "req-4-xray", {"processed": 0}),
        ("response", "req-5-client-context", {"processed": 0})]
check("five answers", len(results) == 5, results)
for (kind, rid, body), got in zip(want, results):
    check("answer %s is a %s with the expected body" % (rid, kind),
          got["kind"] == kind and got["request_id"] == rid and json.loads(got["body"]) == body, got)
check("error answer carries Lambda-Runtime-Function-Error-Type", results[2]["error_type"] == "DemoError", results[2])

# One flush per invocation, each before its answer.
check("the agent accepted one payload per invocation", len(recs) == 5 and all(r["status"] == 200 for r in recs),
      [r["status"] for r in recs])
by_rid = {}
for r in recs:
    spans = [s for chunk in r["payload"] for s in chunk]
    lam = [s for s in spans if s["name"] == "aws.lambda"]
    if len(lam) == 1:
        by_rid[lam[0]["meta"].get("request_id")] = (r, spans)
check("each payload holds one aws.lambda span, keyed by request_id", sorted(by_rid) == sorted(w[1] for w in want), sorted(by_rid))
for got in results:
    r = by_rid.get(got["request_id"])
    check("%s flushed before its answer" % got["request_id"], r is not None and r[0]["time"] <= got["time"],
          (r and r[0]["time"], got["time"]))
for r in recs:
    h = r["headers"]
    check("payload headers (content type, trace count, lang)",
          h.get("content-type") == "application/msgpack" and h.get("x-datadog-trace-count") == str(len(r["payload"]))
          and h.get("datadog-meta-lang") == "c", h)

def spans_of(rid):
    return by_rid.get(rid, (None, []))[1]
def one(spans, name):
    m = [s for s in spans if s["name"] == name]
    return m[0] if len(m) == 1 else None

# 1. SQS: aws.sqs (inferred, child of the producer) -> aws.lambda -> demo.handler, one trace.
sp = spans_of("req-1-sqs")
sqs, lam, work = one(sp, "aws.sqs"), one(sp, "aws.lambda"), one(sp, "demo.handler")
check("sqs: three spans aws.sqs, aws.lambda, demo.handler", len(sp) == 3 and sqs and lam and work, [s["name"] for s in sp])
if sqs and lam and work:
    check("sqs: every span in trace 4948377316357291421", all(s["trace_id"] == 4948377316357291421 for s in sp))
    check("sqs: aws.sqs is the child of the producer span 6746998015037429512", sqs["parent_id"] == 6746998015037429512, sqs["parent_id"])
    check("sqs: aws.lambda is the child of aws.sqs", lam["parent_id"] == sqs["span_id"])
    check("sqs: demo.handler is the child of aws.lambda", work["parent_id"] == lam["span_id"])
    check("sqs: priority 2 from the carrier on the chunk root", sqs["metrics"].get("_sampling_priority_v1") == 2.0, sqs["metrics"])
    check("sqs: _dd.p.tid from x-datadog-tags", sqs["meta"].get("_dd.p.tid") == "66bcb5eb00000000", sqs["meta"])
    check("sqs: inferred span service/resource = queue name, async",
          sqs["service"] == "demo-queue" and sqs["resource"] == "demo-queue"
          and sqs["meta"].get("_inferred_span.synchronicity") == "async" and sqs["metrics"].get("_dd._inferred_span") == 1.0,
          (sqs["service"], sqs["resource"], sqs["meta"]))
    check("sqs: async inferred span ends when aws.lambda starts", sqs["start"] + sqs["duration"] == lam["start"],
          (sqs["start"], sqs["duration"], lam["start"]))
    m = lam["meta"]
    check("aws.lambda fields: type serverless, resource and service Demo-Function (docs/lambda.md §7: the function name)",
          lam["type"] == "serverless" and lam["resource"] == "Demo-Function" and lam["service"] == "Demo-Function",
          (lam["type"], lam["resource"], lam["service"]))
    check("aws.lambda tags: function_arn lower-cased without qualifier, function_version = qualifier",
          m.get("function_arn") == "arn:aws:lambda:us-east-1:123456789012:function:demo-function"
          and m.get("function_version") == "prod", m)
    check("aws.lambda tags: cold_start true on the first invocation, request_id, functionname, resource_names",
          m.get("cold_start") == "true" and m.get("request_id") == "req-1-sqs" and m.get("functionname") == "demo-function"
          and m.get("resource_names") == "Demo-Function", m)
    check("aws.lambda tags: trigger sqs and the queue ARN, span.kind server, _dd.origin lambda",
          m.get("function_trigger.event_source") == "sqs"
          and m.get("function_trigger.event_source_arn") == "arn:aws:sqs:us-east-1:123456789012:demo-queue"
          and m.get("span.kind") == "server" and m.get("_dd.origin") == "lambda", m)
    check("demo.handler counted one record", work["metrics"].get("records") == 1.0, work["metrics"])

# 2. API Gateway: the HTTP headers' context, an HTTP answer.
sp = spans_of("req-2-apigw")
lam = one(sp, "aws.lambda")
check("apigw: every span in trace 1234567890", sp and all(s["trace_id"] == 1234567890 for s in sp), [(s["name"], s["trace_id"]) for s in sp])
roots = [s for s in sp if s["parent_id"] == 987654321]
check("apigw: the local root is the child of 987654321", len(roots) == 1, [(s["name"], s["parent_id"]) for s in sp])
check("apigw: trigger api-gateway, http.status_code 200, cold_start false",
      lam and lam["meta"].get("function_trigger.event_source") == "api-gateway" and lam["meta"].get("http.status_code") == "200"
      and lam["meta"].get("cold_start") == "false", lam and lam["meta"])

# 3. A failing handler: error spans.
sp = spans_of("req-3-fail")
lam, work = one(sp, "aws.lambda"), one(sp, "demo.handler")
check("fail: aws.lambda and demo.handler marked as errors with the message",
      lam and work and lam["error"] == 1 and work["error"] == 1
      and lam["meta"].get("error.message") == "the event asked the handler to fail"
      and lam["meta"].get("error.type") == "DemoError", lam)
check("fail: a new trace (no parent)", lam and lam["parent_id"] == 0, lam and lam["parent_id"])

# 4. X-Ray only, merging off: a new Datadog trace (docs/lambda.md §6.5).
sp = spans_of("req-4-xray")
lam = one(sp, "aws.lambda")
check("xray: aws.lambda starts a new trace", lam and lam["parent_id"] == 0 and len(sp) == 2, lam)

# 5. Client context of a direct invocation.
sp = spans_of("req-5-client-context")
lam = one(sp, "aws.lambda")
check("client context: aws.lambda continues trace 555 under parent 666",
      lam and lam["trace_id"] == 555 and lam["parent_id"] == 666, lam and (lam["trace_id"], lam["parent_id"]))
print("checks: %d passed, %d failed" % (passed, failed))
EOF
cat "$B/checks.log"
p=$(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$B/checks.log")
f=$(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$B/checks.log")
if [ -z "$p" ]; then bad "python checks did not finish"; else pass=$((pass + p)); fail=$((fail + f)); fi
if grep -q '^\* demo-queue \[c\] aws.sqs' "$B/agent.out" && grep -q '^  `- Demo-Function \[c\] aws.lambda' "$B/agent.out"; then
    ok "agent printed the SQS invocation as a tree"; else bad "agent tree"; cat "$B/agent.out"; fi
