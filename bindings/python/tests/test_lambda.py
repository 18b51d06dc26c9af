"""AWS Lambda handler wrapping (Forwarder mode: lines captured through `write`)."""
import json

import pytest

from ddtrace_c.aws_lambda import LambdaTracer

ARN = "arn:aws:lambda:us-east-2:123456789012:function:orders"
SQS_EVENT = {"Records": [{
    "messageId": "m1", "body": "hello", "eventSource": "aws:sqs",
    "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:orders-queue", "awsRegion": "us-east-2",
    "attributes": {"SentTimestamp": "1545082649183"},
    "messageAttributes": {"_datadog": {"dataType": "String", "stringValue": json.dumps(
        {"x-datadog-trace-id": "4418409826184321432", "x-datadog-parent-id": "1188425113374012001",
         "x-datadog-sampling-priority": "1"})}}}]}


class Context:
    aws_request_id = "req-1"
    invoked_function_arn = ARN
    client_context = None


@pytest.fixture
def lam(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
    lines = []
    lt = LambdaTracer(mode="forwarder", write=lines.append)
    yield lt, lines
    lt.close()


def spans_of(lines):
    out = []
    for line in lines:
        obj = json.loads(line)
        if "traces" in obj:
            out += [s for trace in obj["traces"] for s in trace]
    return {s["name"]: s for s in out}


def test_invocation_spans_continue_the_queue_message(lam):
    lt, lines = lam

    @lt.wrap
    def handler(event, context):
        with lt.tracer.trace("handler.work") as w:
            w.set_tag("records", len(event["Records"]))
        return {"ok": True}

    assert handler(SQS_EVENT, Context()) == {"ok": True}
    assert lt.last_status == 0 and lt.mode_name == "forwarder"
    s = spans_of(lines)
    root, sqs, work = s["aws.lambda"], s["aws.sqs"], s["handler.work"]
    assert int(root["trace_id"], 16) == 4418409826184321432 == int(sqs["trace_id"], 16)
    assert int(sqs["parent_id"], 16) == 1188425113374012001 and root["parent_id"] == sqs["span_id"]
    assert work["parent_id"] == root["span_id"]
    assert root["meta"]["request_id"] == "req-1" and root["meta"]["function_trigger.event_source"] == "sqs"
    assert root["meta"]["cold_start"] == "true" and root["meta"]["functionname"] == "orders"


def test_a_failed_invocation_records_the_exception_and_reraises(lam):
    lt, lines = lam

    @lt.wrap
    def handler(event, context):
        raise RuntimeError("no stock")

    with pytest.raises(RuntimeError):
        handler({}, Context())
    root = spans_of(lines)["aws.lambda"]
    assert root["error"] == 1 and root["meta"]["error.type"] == "builtins.RuntimeError"
    assert root["meta"]["error.message"] == "no stock" and "RuntimeError: no stock" in root["meta"]["error.stack"]
    assert lt.tracer.current_span() is None


def test_custom_metric_as_a_forwarder_line(lam):
    lt, lines = lam
    assert lt.metric("orders.placed", 2, tags={"shop": "eu"}, timestamp=0) == 0
    m = [json.loads(x) for x in lines if '"m":' in x]
    assert m and m[0]["m"] == "orders.placed" and m[0]["v"] == 2 and "shop:eu" in m[0]["t"]


def test_extension_mode_delivers_to_the_agent_and_metrics_to_dogstatsd(monkeypatch, tmp_path, agent):
    import socket
    ext = tmp_path / "datadog-agent"
    ext.write_text("")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(2)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
    monkeypatch.setenv("DD_TRACE_AGENT_URL", agent.url)
    monkeypatch.setenv("DD_DOGSTATSD_PORT", str(udp.getsockname()[1]))
    lt = LambdaTracer(extension_path=str(ext))
    try:
        assert lt.mode_name == "extension" and lt.mode == 1

        @lt.wrap
        def handler(event, context):
            lt.metric("orders.placed", 1, ["shop:eu"])
            return {"statusCode": 201}
        handler({"httpMethod": "GET"}, Context())
        names = sorted(s["name"] for s in agent.spans())  # flushed before the invocation returned
        assert "aws.lambda" in names
        assert udp.recv(2048).decode().startswith("orders.placed:1|d|#shop:eu")
    finally:
        lt.close()
        udp.close()
