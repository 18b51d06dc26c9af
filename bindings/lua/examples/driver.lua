--[[ bindings/lua/examples/driver.lua - runs examples/handler.lua under plain LuaJIT, as nginx
would: two requests (one continuing a caller's Datadog trace, one whose upstream call fails) and
prints each status with the headers of the outgoing request.

    make -C bindings/lua
    DD_SERVICE=shop DD_TRACE_AGENT_URL=http://127.0.0.1:8126 luajit bindings/lua/examples/driver.lua
]]
local dir = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. dir .. "/../?.lua;" .. package.path
local dd = require("ddtrace")
local handler = require("handler")

local tracer = dd.tracer() -- every setting from the DD_* variables
local requests = {
    { method = "GET", uri = "/checkout?coupon=SPRING", host = "shop.local",
      headers = { ["x-datadog-trace-id"] = "1234567890123456789", ["x-datadog-parent-id"] = "987654321",
                  ["x-datadog-sampling-priority"] = "1", ["user-agent"] = "driver/1.0" } },
    { method = "GET", uri = "/checkout", host = "shop.local", headers = {}, fail = true },
}
for _, req in ipairs(requests) do
    local res = handler.handle(tracer, req, function(out)
        if req.fail then error("pricing.local: connection refused") end
        local names = {}
        for k in pairs(out.headers) do names[#names + 1] = k end
        table.sort(names)
        for _, k in ipairs(names) do print(("  outgoing %s: %s"):format(k, out.headers[k])) end
        return { status = 200, body = '{"total":42}' }
    end)
    print(("%s %s -> %d %s"):format(req.method, req.uri, res.status, res.body))
end
local ok, why = tracer:flush()
print("flush: " .. (ok and "ok" or why))
tracer:close()
