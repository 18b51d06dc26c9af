--[[ bindings/lua/test/xlang_scenario.lua - the cross-language scenario (tests/xlang/SCENARIO.md)
played through the LuaJIT binding; tests/xlang_test.sh compares its payload with the C one's.

    DD_SERVICE=xlang DD_ENV=test DD_VERSION=1.0 DD_TRACE_AGENT_URL=http://127.0.0.1:PORT \
        luajit bindings/lua/test/xlang_scenario.lua

Exits 0 when every in-script check held and the flush succeeded. ]]
local dir = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/../?.lua;" .. package.path
local dd = require("ddtrace")

local failures = 0
local function check(cond, what)
    if not cond then
        io.stderr:write("xlang_scenario.lua: FAIL " .. what .. "\n")
        failures = failures + 1
    end
end

local tracer = dd.tracer()

-- 1. extract
local incoming = tracer:extract({
    ["x-datadog-trace-id"] = "1234567890123456789", ["x-datadog-parent-id"] = "987654321",
    ["x-datadog-sampling-priority"] = "2", ["x-datadog-origin"] = "synthetics",
    ["x-datadog-tags"] = "_dd.p.dm=-4",
})
check(incoming and incoming:trace_id_low() == "1234567890123456789", "extract the incoming headers")

-- 2. the server span, with an error from a Lua error and its traceback
local server = tracer:start_span("http.request", { context = incoming, resource = "GET /checkout", type = "web",
                                                   kind = "server" })
server:set_tags({ ["http.method"] = "GET", ["http.url"] = "http://shop.local/checkout", ["customer.tier"] = "gold" })
server:set_metric("cart.items", 3)
server:set_http_status(500)
local trace
local ok, err = xpcall(function() error({ type = "ValueError", message = "boom" }) end,
                       function(e) trace = debug.traceback("ValueError: boom", 2); return e end)
check(not ok, "the error was raised")
server:set_error(err, trace)

-- 3. the child
local db = server:child("db.query", { resource = "SELECT * FROM carts", type = "sql" })
db:set_tag("db.system", "postgresql"):set_metric("db.rows", 7)

-- 4. inject into a fresh table: checked, not sent
local h = db:inject({}) or {}
check(h["x-datadog-trace-id"] == "1234567890123456789", "inject: x-datadog-trace-id")
check((h.traceparent or ""):match("^00%-0000000000000000112210f47de98115%-") ~= nil,
      "inject: traceparent with the same trace id")
db:finish()

-- 5. the queue hop
local send = server:child("sqs.send", { kind = "producer", resource = "orders" })
local attribute = send:inject_datadog()
check(attribute and attribute:find('"x-datadog-trace-id":"1234567890123456789"', 1, true), "_datadog JSON")
send:finish()
local queued = tracer:extract_datadog(attribute or "")
check(queued ~= nil, "extract the _datadog JSON")
local recv = tracer:start_span("sqs.receive", { context = queued, kind = "consumer", resource = "orders" })
check(recv:add_link(queued, { ["link.kind"] = "queue" }) == true, "span link added")
recv:finish()

-- 6. finish, flush, close
server:finish()
local flushed, why = tracer:flush()
check(flushed, "flush reaches the agent: " .. tostring(why))
tracer:close()
os.exit(failures == 0 and 0 or 1, true)
