-- bindings/lua/test/test_example.lua - examples/driver.lua (the OpenResty-style handler) run as a
-- user runs it, against the capture agent: the traces arrive, decode, and connect.
local T = require("testlib")

local dir = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
local luajit = arg and arg[-1] or "luajit"

T.test("example: the handler's traces reach the agent, continue the caller, carry the trace on", function()
    T.capture("example")
    local p = assert(io.popen(("DD_TRACE_STARTUP_LOGS=false %s %s/../examples/driver.lua 2>&1"):format(luajit, dir)))
    local out = p:read("*a")
    local ok = p:close()
    T.ok(ok, "the driver exits 0:\n" .. out)
    T.ok(out:find("GET /checkout?coupon=SPRING -> 200", 1, true), "first request 200:\n" .. out)
    T.ok(out:find("GET /checkout -> 500", 1, true), "second request 500")
    T.ok(out:find("flush: ok", 1, true), "flush ok")
    local sent_parent = out:match("outgoing x%-datadog%-parent%-id: (%d+)")
    T.eq(out:match("outgoing x%-datadog%-trace%-id: (%d+)"), "1234567890123456789", "outgoing request continues the trace")

    local spans = T.spans("example")
    T.eq(#spans, 6, "two requests of three spans")
    local by_id = {}
    for _, s in ipairs(spans) do by_id[s.span_id] = s end
    local first, second
    for _, s in ipairs(spans) do
        if s.name == "http.request" then
            if s.parent_id == 987654321 then first = s else second = s end
        end
    end
    T.ok(first and second, "two server spans, one continuing the caller (parent 987654321)")
    T.eq(first.trace_id, "1234567890123456789", "the caller's trace id")
    T.eq(first.meta["span.kind"], "server", "server span")
    T.eq(first.meta["http.status_code"], "200", "status set")
    T.eq(first.meta["http.useragent"], "driver/1.0", "request headers read")
    T.eq(first.metrics._sampling_priority_v1, 1, "the caller's priority")
    for _, s in ipairs(spans) do
        if s.name ~= "http.request" then
            local parent = by_id[s.parent_id]
            T.ok(parent and parent.name == "http.request", s.name .. " is a child of a server span")
        end
    end
    local client = by_id[sent_parent]
    T.ok(client and client.name == "http.client.request" and client.parent_id == first.span_id,
         "the injected parent id is the first request's client span")
    T.eq(client.meta["span.kind"], "client", "client kind")
    T.eq(second.error, 1, "failed request: error")
    T.eq(second.meta["http.status_code"], "500", "failed request: 500")
    T.ok(second.meta["error.message"]:find("connection refused", 1, true), "error message")
    T.ok(second.meta["error.stack"]:find("stack traceback", 1, true), "error stack")
    T.ok(second.trace_id ~= first.trace_id, "no caller: a new trace")
end)
