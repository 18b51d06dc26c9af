#!/usr/bin/env bash
# The deployable package (make lambda-package: examples/lambda/bootstrap.c) against the fake Lambda Runtime API
# (examples/lambda/fake_runtime_api.py) and a fake Datadog Extension (tests/fake_extension.py:
# lifecycle API, trace intake, DogStatsD and X-Ray UDP sockets), in three runs:
#   A. Extension mode with universal instrumentation: five invocations (HTTP with a context, an
#      error, records, a slow trace intake that must not hold the answer, one after it): for each,
#      start-invocation -> end-invocation -> traces delivered -> answer -> next invocation fetched,
#      the headers and bodies of the lifecycle requests, the custom metric datagrams byte for byte;
#   B. Extension mode without it, DD_MERGE_XRAY_TRACES on: a 6 MB SQS event whose `_datadog`
#      attribute is 200 KB gives the carrier's context; the X-Ray subsegment received on a local UDP
#      socket byte for byte;
#   C. Forwarder mode: stdout parsed back into spans and metrics (custom and enhanced).
#   D, E. A handler that runs past its deadline (1.5 s), the fake Runtime API playing the platform
#      (it kills the runtime at the deadline and starts a new one): in Forwarder mode the impending
#      timeout guard delivers the trace (aws.lambda with error.type "Impending Timeout", 100 ms
#      before the deadline, as datadog-lambda-python); with universal instrumentation no
#      end-invocation for the killed invocation (the Extension reports timeouts itself); in both
#      the next invocation is served by the new runtime.
# Expected values are written here from docs/lambda.md §11 and docs/delivery.md §4, §5.
# Last line: "lambda_extension: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BUILD_DIR:-$ROOT/build/tests}/lambda_extension
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
    echo "lambda_extension: $pass passed, $fail failed"
    exit 0
}
trap finish EXIT
if ! $PY -c 'import msgpack' 2>/dev/null; then echo "python3-msgpack missing (scripts/setup.sh)"; bad "python3-msgpack"; exit 0; fi
# The deployable package (make lambda-package): the runs below use the bootstrap unzipped from it.
if make -s lambda-package BUILD="$B/pkg" >"$B/build.log" 2>&1 && (cd "$B" && unzip -q -o pkg/lambda/function.zip) && [ -x "$B/bootstrap" ]; then
    ok "make lambda-package: function.zip with an executable bootstrap at its root"; else bad "make lambda-package"; cat "$B/build.log"; exit 0; fi
if [ "$(unzip -Z1 "$B/pkg/lambda/function.zip")" = bootstrap ]; then ok "the zip holds only bootstrap"; else bad "zip contents"; fi
: >"$B/datadog-agent"

# run NAME EVENTS_PY EXTENSION(0/1) [env...]: the fake Extension, the fake Runtime API, the bootstrap.
run() {
    local name=$1 events=$2 ext=$3; shift 3
    local d="$B/$name" n
    mkdir -p "$d"
    $PY - "$d/events.json" <<<"$events" || { bad "$name: events"; return; }
    n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$d/events.json")
    $PY tests/fake_extension.py --record "$d/ext.jsonl" --ready-file "$d/ext.ready" --slow-traces "${SLOW:-0}" --slow-seconds 6 2>"$d/ext.err" &
    EPID=$!; PIDS="$PIDS $EPID"
    $PY examples/lambda/fake_runtime_api.py --ready-file "$d/rt.ready" --events "$d/events.json" --results "$d/results.jsonl" \
        --record-next --exit-after "$n" --function-arn "arn:aws:lambda:us-east-1:123456789012:function:Demo-Function" 2>"$d/rt.err" &
    RPID=$!; PIDS="$PIDS $RPID"
    for _ in $(seq 1 200); do [ -s "$d/ext.ready" ] && [ -s "$d/rt.ready" ] && break; sleep 0.05; done
    read -r HTTP STATSD XRAY <"$d/ext.ready"
    echo "$HTTP $STATSD $XRAY" >"$d/ports"
    env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$d/rt.ready") AWS_LAMBDA_FUNCTION_NAME=Demo-Function \
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
        DD_LAMBDA_EXTENSION_PATH="$([ "$ext" = 1 ] && echo "$B/datadog-agent" || echo "$B/absent")" \
        DD_TRACE_AGENT_URL=http://127.0.0.1:$HTTP DD_LAMBDA_EXTENSION_URL=http://127.0.0.1:$HTTP \
        DD_DOGSTATSD_PORT=$STATSD AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:$XRAY DD_TRACE_AGENT_TIMEOUT=1 DD_SERVICE= DD_ENV= DD_COLD_START_TRACING=false \
        "$@" timeout 120 "$B/bootstrap" >"$d/stdout" 2>"$d/bootstrap.err"
    local rc=$?
    wait "$RPID" 2>/dev/null
    sleep 0.2 # the last datagrams
    kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null
    if [ $rc = 0 ]; then ok "$name: bootstrap ran $n invocations and exited cleanly"; else bad "$name: bootstrap exit status $rc"; tail -n 20 "$d/bootstrap.err"; fi
}
# run_platform NAME EVENTS_PY EXTENSION(0/1) [env...]: as run, but the fake Runtime API starts the
# bootstrap itself and restarts it after a timeout (--runtime).
run_platform() {
    local name=$1 events=$2 ext=$3; shift 3
    local d="$B/$name" n rc
    mkdir -p "$d"
    $PY - "$d/events.json" <<<"$events" || { bad "$name: events"; return; }
    n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$d/events.json")
    $PY tests/fake_extension.py --record "$d/ext.jsonl" --ready-file "$d/ext.ready" 2>"$d/ext.err" &
    EPID=$!; PIDS="$PIDS $EPID"
    for _ in $(seq 1 200); do [ -s "$d/ext.ready" ] && break; sleep 0.05; done
    read -r HTTP STATSD XRAY <"$d/ext.ready"
    env AWS_LAMBDA_FUNCTION_NAME=Demo-Function AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
        DD_LAMBDA_EXTENSION_PATH="$([ "$ext" = 1 ] && echo "$B/datadog-agent" || echo "$B/absent")" \
        DD_TRACE_AGENT_URL=http://127.0.0.1:$HTTP DD_LAMBDA_EXTENSION_URL=http://127.0.0.1:$HTTP \
        DD_DOGSTATSD_PORT=$STATSD DD_TRACE_AGENT_TIMEOUT=1 DD_SERVICE= DD_ENV= DD_COLD_START_TRACING=false "$@" \
        timeout 60 $PY examples/lambda/fake_runtime_api.py --events "$d/events.json" --results "$d/results.jsonl" \
        --record-next --exit-after "$n" --function-arn "arn:aws:lambda:us-east-1:123456789012:function:Demo-Function" \
        --runtime-out "$d/stdout" --runtime "$B/bootstrap" 2>"$d/bootstrap.err"
    rc=$?
    sleep 0.2
    kill "$EPID" 2>/dev/null; wait "$EPID" 2>/dev/null
    if [ $rc = 0 ]; then ok "$name: the platform served $n invocations"; else bad "$name: fake Runtime API exit status $rc"; tail -n 20 "$d/bootstrap.err"; fi
}
check() { # NAME PYTHON: the checks print "ok ..."/"FAIL ..." and a last line "checks: N passed, N failed"
    local d="$B/$1" p f
    $PY - "$d" >"$d/checks.log" 2>&1 <<<"$2"
    cat "$d/checks.log"
    p=$(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$d/checks.log")
    f=$(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$d/checks.log")
    if [ -z "$p" ]; then bad "$1: python checks did not finish"; else pass=$((pass + p)); fail=$((fail + f)); fi
}
COMMON='
import base64, json, os, re, sys
d = sys.argv[1]
def lines(name):
    p = os.path.join(d, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
results = lines("results.jsonl")
answers = [r for r in results if r["kind"] in ("response", "error")]
nexts = [r["time"] for r in results if r["kind"] == "next"]
ext = lines("ext.jsonl")
events = json.load(open(os.path.join(d, "events.json")))
passed = failed = 0
def check(name, cond, detail=""):
    global passed, failed
    if cond: passed += 1; print("ok   " + name)
    else: failed += 1; print("FAIL " + name + (": " + str(detail)[:600] if detail else ""))
def spans_of(rid):
    for r in ext:
        if r["kind"] == "traces":
            sp = [s for ch in r["payload"] for s in ch]
            if any(s.get("meta", {}).get("request_id") == rid for s in sp):
                return r, sp
    return None, []
def b64(s): return base64.b64encode(s.encode()).decode()
'
APIGW='{"resource": "/users", "path": "/users", "httpMethod": "GET",
 "headers": {"X-Datadog-Trace-Id": "1234567890", "X-Datadog-Parent-Id": "987654321", "X-Datadog-Sampling-Priority": "1",
             "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
 "multiValueHeaders": {}, "queryStringParameters": None, "pathParameters": None, "body": None, "isBase64Encoded": False,
 "requestContext": {"resourcePath": "/users", "httpMethod": "GET", "path": "/prod/users", "stage": "prod",
                    "domainName": "abc123.execute-api.us-east-1.amazonaws.com", "apiId": "abc123",
                    "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "requestTimeEpoch": int(time.time() * 1000) - 3,
                    "accountId": "123456789012", "identity": {"sourceIp": "127.0.0.1"}}}'

# --- A. Extension mode, universal instrumentation ---
SLOW=4 run ui "import json, sys, time
apigw = $APIGW
json.dump([{\"request_id\": \"a-1-http\", \"event\": apigw},
           {\"request_id\": \"a-2-fail\", \"event\": {\"fail\": True}},
           {\"request_id\": \"a-3-records\", \"event\": {\"Records\": [{\"a\": 1}, {\"b\": 2}]}},
           {\"request_id\": \"a-4-slow-intake\", \"event\": {\"hello\": \"slow\"}},
           {\"request_id\": \"a-5-after\", \"event\": {\"hello\": \"after\"}}], open(sys.argv[1], \"w\"))" 1 DD_UNIVERSAL_INSTRUMENTATION=true
check ui "$COMMON
rids = [e['request_id'] for e in events]
check('five answers in order', [a['request_id'] for a in answers] == rids and [a['kind'] for a in answers] ==
      ['response', 'error', 'response', 'response', 'response'], answers)
starts = {r['headers'].get('lambda-runtime-aws-request-id'): r for r in ext if r['kind'] == 'start'}
ends = {r['headers'].get('lambda-runtime-aws-request-id'): r for r in ext if r['kind'] == 'end'}
check('one start-invocation and one end-invocation per invocation, keyed by request id',
      sorted(starts) == sorted(rids) and sorted(ends) == sorted(rids), (sorted(starts), sorted(ends)))
check('no /lambda/flush', not any(r['kind'] == 'flush' for r in ext))
for i, (e, a) in enumerate(zip(events, answers)):
    rid = e['request_id']
    s, en = starts.get(rid), ends.get(rid)
    tr, sp = spans_of(rid)
    nxt = [t for t in nexts if t > a['time']]
    check(rid + ': start-invocation body is the raw event', s and s['body'] == json.dumps(e['event']), s and s['body'][:200])
    if rid == 'a-4-slow-intake':
        check(rid + ': the trace intake did not answer, the invocation was answered within the deadline',
              s and a['time'] - s['time'] < 4.5 and any(r['kind'] == 'slow' for r in ext), s and a['time'] - s['time'])
        check(rid + ': start -> end -> answer', s and en and s['time'] <= en['time'] <= a['time'])
        continue
    check(rid + ': start -> end -> traces -> answer -> next fetched',
          s and en and tr and s['time'] <= en['time'] <= tr['time'] <= a['time'] and (not nxt or a['time'] <= nxt[0]),
          (s and s['time'], en and en['time'], tr and tr['time'], a['time'], nxt[:1]))
    root = [x for x in sp if x['name'] == 'aws.lambda']
    check(rid + ': the root is aws.lambda with resource dd-tracer-serverless-span and request_id, no inferred span',
          len(root) == 1 and root[0]['resource'] == 'dd-tracer-serverless-span' and not any(x['name'].startswith('aws.') and x['name'] != 'aws.lambda' for x in sp),
          [(x['name'], x['resource']) for x in sp])
    if root and en:
        r = root[0]
        check(rid + ': end-invocation x-datadog-span-id = the root span id', en['headers'].get('x-datadog-span-id') == str(r['span_id']), (en['headers'], r['span_id']))
        if rid == 'a-1-http':
            check(rid + ': the root continues the context the Extension answered (trace 1234567890)', r['trace_id'] == 1234567890, r['trace_id'])
            check(rid + ': end-invocation carries no root context (the Extension has one)', 'x-datadog-trace-id' not in en['headers'], en['headers'])
            check(rid + ': end-invocation body is the response', json.loads(en['body']) == {'statusCode': 200, 'body': 'processed 0 record(s)'}, en['body'])
        else:
            check(rid + ': end-invocation carries the root context (trace id, parent id = root span id, priority)',
                  en['headers'].get('x-datadog-trace-id') == str(r['trace_id']) and en['headers'].get('x-datadog-parent-id') == str(r['span_id'])
                  and en['headers'].get('x-datadog-sampling-priority') == '1', en['headers'])
        if rid == 'a-2-fail':
            h = en['headers']
            check(rid + ': error headers, base64', h.get('x-datadog-invocation-error') == 'true'
                  and h.get('x-datadog-invocation-error-msg') == b64('the event asked the handler to fail')
                  and h.get('x-datadog-invocation-error-type') == b64('DemoError') and 'x-datadog-invocation-error-stack' not in h, h)
            check(rid + ': the root is an error', r['error'] == 1 and r['meta'].get('error.type') == 'DemoError', r)
            check(rid + ': end-invocation body {} for no response', en['body'] == '{}', en['body'])
        else:
            check(rid + ': no error header', 'x-datadog-invocation-error' not in en['headers'], en['headers'])
statsd = sorted(r['data'] for r in ext if r['kind'] == 'statsd')
check('DogStatsD datagrams byte for byte (no enhanced metric: the Extension makes them)', statsd == sorted([
      'demo.records:0|d|#source:api-gateway', 'demo.records:2|d|#source:unknown', 'demo.records:0|d|#source:unknown',
      'demo.records:0|d|#source:unknown']), statsd)
print('checks: %d passed, %d failed' % (passed, failed))"

# --- B. Extension mode, X-Ray merging, a 6 MB event with a 200 KB carrier ---
run big "import json, sys, time
now = int(time.time() * 1000)
carrier = {'x-datadog-trace-id': '4948377316357291421', 'x-datadog-parent-id': '6746998015037429512',
           'x-datadog-sampling-priority': '2', 'x-datadog-tags': '_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000',
           'x-filler': 'f' * 200000}
rec = {'messageId': '059f36b4-87a3-44ab-83d2-661975830a7d', 'receiptHandle': 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
       'body': 'b' * (6000000 - 220000), 'md5OfBody': 'e4e68fb7bd0e697a0ae8f1bb342846b3',
       'attributes': {'ApproximateReceiveCount': '1', 'SentTimestamp': str(now - 5), 'SenderId': 'AIDAIENQZJOLO23YVJ4VO',
                      'ApproximateFirstReceiveTimestamp': str(now - 4)},
       'messageAttributes': {'_datadog': {'stringValue': json.dumps(carrier), 'stringListValues': [], 'binaryListValues': [],
                                          'dataType': 'String'}},
       'eventSource': 'aws:sqs', 'eventSourceARN': 'arn:aws:sqs:us-east-1:123456789012:demo-queue', 'awsRegion': 'us-east-1'}
ev = {'Records': [rec]}
assert 5900000 < len(json.dumps(ev)) < 6291456
json.dump([{'request_id': 'b-1-big-sqs', 'event': ev,
            'trace_id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'}], open(sys.argv[1], 'w'))" 1 \
    DD_MERGE_XRAY_TRACES=true
check big "$COMMON
rid = 'b-1-big-sqs'
check('the 6 MB event was answered', [a['request_id'] for a in answers] == [rid] and answers[0]['kind'] == 'response'
      and json.loads(answers[0]['body']) == {'processed': 1}, answers)
tr, sp = spans_of(rid)
sqs = [x for x in sp if x['name'] == 'aws.sqs']
check('the 200 KB carrier gave the context: trace 4948377316357291421, _dd.p.tid, priority 2',
      sqs and all(x['trace_id'] == 4948377316357291421 for x in sp) and sqs[0]['meta'].get('_dd.p.tid') == '66bcb5eb00000000'
      and sqs[0]['metrics'].get('_sampling_priority_v1') == 2.0, [(x['name'], x['trace_id'], x['parent_id']) for x in sp])
check('no lifecycle request without universal instrumentation', not any(r['kind'] in ('start', 'end') for r in ext))
check('traces delivered before the answer', tr and tr['time'] <= answers[0]['time'])
print('checks: %d passed, %d failed' % (passed, failed))"

# --- B'. the X-Ray subsegments on a local UDP socket, byte for byte (a small event, its own run) ---
run xray "import json, sys, time
apigw = $APIGW
json.dump([{'request_id': 'x-1', 'event': apigw,
            'trace_id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'}], open(sys.argv[1], 'w'))" 1 \
    DD_MERGE_XRAY_TRACES=true
check xray "$COMMON
xr = [r['data'] for r in ext if r['kind'] == 'xray']
check('two X-Ray datagrams (trace at the start, lambda_function_tags after the handler)', len(xr) == 2, xr)
HEAD = '{\"format\": \"json\", \"version\": 1}\n'
def expect(dg, key, value):
    m = re.match(r'^' + re.escape(HEAD) + r'\{\"id\":\"([0-9a-f]{16})\",.*\"start_time\":([0-9.]+),\"end_time\":([0-9.]+),', dg)
    if not m: return None
    return (HEAD + '{\"id\":\"%s\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"parent_id\":\"53995c3f42cd8ad8\",'
            '\"name\":\"datadog-metadata\",\"start_time\":%s,\"end_time\":%s,\"type\":\"subsegment\",'
            '\"metadata\":{\"datadog\":{\"%s\":%s}}}') % (m.group(1), m.group(2), m.group(3), key, value)
if len(xr) == 2:
    w = expect(xr[0], 'trace', '{\"trace-id\":\"1234567890\",\"parent-id\":\"987654321\",\"sampling-priority\":\"1\"}')
    check('the trace subsegment byte for byte', xr[0] == w, (xr[0], w))
    check('the lambda_function_tags subsegment (same header and envelope)', xr[1].startswith(HEAD) and '\"lambda_function_tags\"' in xr[1]
          and expect(xr[1], 'lambda_function_tags', xr[1][xr[1].index('\"lambda_function_tags\":') + 23:-3]) == xr[1], xr[1])
print('checks: %d passed, %d failed' % (passed, failed))"

# --- C. Forwarder mode: stdout parsed back ---
run fwd "import json, sys, time
apigw = $APIGW
json.dump([{\"request_id\": \"c-1-http\", \"event\": apigw}, {\"request_id\": \"c-2-fail\", \"event\": {\"fail\": True}}],
          open(sys.argv[1], \"w\"))" 0
check fwd "$COMMON
out = open(os.path.join(d, 'stdout')).read()
ls = [json.loads(l) for l in out.splitlines()]
check('stdout is only JSON lines ending in a newline', out.endswith('\n') and all(isinstance(l, dict) for l in ls))
traces = [l for l in ls if 'traces' in l]
metrics = [l for l in ls if 'm' in l]
check('nothing sent to the Extension (there is none)', not ext, ext[:3])
spans = {}
for t in traces:
    check('a trace line: {\"traces\":[[span...]]} whose first span has a trace_id', isinstance(t['traces'][0], list) and t['traces'][0][0].get('trace_id'))
    for s in t['traces'][0]:
        spans.setdefault(s.get('meta', {}).get('request_id') or t['traces'][0][0].get('meta', {}).get('request_id'), []).append(s)
by_trace = {}
for t in traces:
    for s in t['traces'][0]: by_trace.setdefault(s['trace_id'], []).append(s)
c1 = [s for s in by_trace.get('00000000499602d2', [])]
check('c-1: the event context in hex: trace_id 00000000499602d2 (1234567890), aws.apigateway child of 000000003ade68b1',
      any(s['name'] == 'aws.lambda' and s['meta'].get('request_id') == 'c-1-http' for s in c1)
      and any(s['name'] == 'aws.apigateway' and s['parent_id'] == '000000003ade68b1' for s in c1), [(s['name'], s['trace_id'], s['parent_id']) for s in c1])
check('ids are 16 lower-case hex digits (32 for a 128-bit trace id)', all(re.fullmatch(r'[0-9a-f]{16}', s['span_id']) and re.fullmatch(r'[0-9a-f]{16}', s['parent_id'])
      and re.fullmatch(r'[0-9a-f]{16}|[0-9a-f]{32}', s['trace_id']) for t in traces for s in t['traces'][0]))
fail_l = [s for t in traces for s in t['traces'][0] if s['name'] == 'aws.lambda' and s['meta'].get('request_id') == 'c-2-fail']
check('c-2: aws.lambda is an error', fail_l and fail_l[0]['error'] == 1, fail_l)
VERSION = re.search(r'#define DDTRACE_VERSION_STRING .([0-9.]+).', open('dd_trace.h').read()).group(1)
tags = lambda cold: ['region:us-east-1', 'account_id:123456789012', 'functionname:demo-function', 'resource:Demo-Function',
                     'cold_start:' + cold, 'memorysize:512', 'datadog_lambda:v' + VERSION]
want = [('demo.records', 0, ['source:api-gateway']), ('aws.lambda.enhanced.invocations', 1, tags('true')),
        ('aws.lambda.enhanced.invocations', 1, tags('false')), ('aws.lambda.enhanced.errors', 1, tags('false'))]
got = [(m['m'], m['v'], m['t']) for m in metrics]
check('metric lines: the custom metric and the enhanced metrics, in order, with their tags', got == want, got)
check('metric lines have exactly the keys m, v, e, t in that order and e is now',
      all(list(m) == ['m', 'v', 'e', 't'] and abs(m['e'] - answers[0]['time']) < 60 for m in metrics), metrics[:1])
check('both invocations answered', [a['request_id'] for a in answers] == ['c-1-http', 'c-2-fail'], answers)
print('checks: %d passed, %d failed' % (passed, failed))"

# --- D. A timeout in Forwarder mode: the impending timeout guard, the runtime restarted ---
TIMEOUT_EVENTS="import json, sys
json.dump([{'request_id': 'PFX-1-before', 'event': {'hello': 'before'}},
           {'request_id': 'PFX-2-timeout', 'event': {'sleep_ms': 4000}, 'deadline_ms': 1500},
           {'request_id': 'PFX-3-after', 'event': {'Records': [{'a': 1}]}}], open(sys.argv[1], 'w'))"
TIMEOUT_COMMON="$COMMON
starts = [r for r in results if r['kind'] == 'runtime_start']
timeouts = [r for r in results if r['kind'] == 'timeout']
check('the first invocation answered, the second timed out, the third answered',
      [(r['kind'], r['request_id']) for r in results if r['kind'] in ('response', 'error', 'timeout')] ==
      [('response', PFX + '-1-before'), ('timeout', PFX + '-2-timeout'), ('response', PFX + '-3-after')], results)
check('the platform killed the runtime at the deadline and started a new one, which served the next invocation',
      len(starts) == 2 and len(timeouts) == 1 and starts[1]['time'] >= timeouts[0]['time'] and answers[-1]['time'] > starts[1]['time'], starts)
check('the new runtime asked for the next invocation (three or more fetches in all)', len(nexts) >= 3, nexts)
"
run_platform tmo_fwd "${TIMEOUT_EVENTS//PFX/d}" 0
check tmo_fwd "PFX = 'd'
$TIMEOUT_COMMON
out = open(os.path.join(d, 'stdout')).read()
ls = [json.loads(l) for l in out.splitlines() if l.strip()]
traces = [s for l in ls if 'traces' in l for s in l['traces'][0]]
lam = {s['meta'].get('request_id'): s for s in traces if s['name'] == 'aws.lambda'}
t2 = lam.get('d-2-timeout')
check('d-2: its trace was written before the kill: aws.lambda with error 1, error.type Impending Timeout, '
      'error.message Datadog detected an Impending Timeout', t2 and t2['error'] == 1 and t2['meta'].get('error.type') == 'Impending Timeout'
      and t2['meta'].get('error.message') == 'Datadog detected an Impending Timeout', t2)
check('d-2: the guard fired 100 ms before the 1.5 s deadline (aws.lambda lasted 1.2-1.5 s)', t2 and 1.2e9 <= t2['duration'] < 1.5e9,
      t2 and t2['duration'])
check('d-2: the handler span was finished and delivered with it, as the libraries finish the current span',
      t2 and any(s['name'] == 'demo.handler' and s['parent_id'] == t2['span_id'] for s in traces))
check('d-1 and d-3 traced normally, without error', all(lam.get(r) and lam[r]['error'] == 0 for r in ('d-1-before', 'd-3-after')), list(lam))
enh = [(l['m'], l['v']) for l in ls if 'm' in l and l['m'].startswith('aws.lambda.enhanced')]
check('enhanced metrics: an invocation for each of the three, no error (a timeout is not an error the library counts)',
      enh == [('aws.lambda.enhanced.invocations', 1)] * 3, enh)
print('checks: %d passed, %d failed' % (passed, failed))"

# --- E. A timeout with universal instrumentation: no end-invocation for the killed invocation ---
run_platform tmo_ui "${TIMEOUT_EVENTS//PFX/e}" 1 DD_UNIVERSAL_INSTRUMENTATION=true
check tmo_ui "PFX = 'e'
$TIMEOUT_COMMON
starts_ui = [r['headers'].get('lambda-runtime-aws-request-id') for r in ext if r['kind'] == 'start']
ends_ui = [r['headers'].get('lambda-runtime-aws-request-id') for r in ext if r['kind'] == 'end']
check('start-invocation for the three invocations', starts_ui == ['e-1-before', 'e-2-timeout', 'e-3-after'], starts_ui)
check('end-invocation for e-1 and e-3 only: none for the killed invocation (the Extension detects the timeout)',
      ends_ui == ['e-1-before', 'e-3-after'], ends_ui)
rids = lambda: sorted(set(s.get('meta', {}).get('request_id') for r in ext if r['kind'] == 'traces' for ch in r['payload'] for s in ch) - {None})
check('traces of e-1 and e-3 delivered, none of e-2 (its spans died with the runtime)', rids() == ['e-1-before', 'e-3-after'], rids())
print('checks: %d passed, %d failed' % (passed, failed))"
