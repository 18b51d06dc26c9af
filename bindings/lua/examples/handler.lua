--[[ bindings/lua/examples/handler.lua - an OpenResty-style request handler traced with ddtrace.lua:
it continues the caller's trace, traces the request with a server span and two children (a cache
lookup and a call to another service, whose request carries the trace on), and sets the status.

Run it under plain LuaJIT with the driver (no nginx needed):
    make -C bindings/lua && DD_SERVICE=shop luajit bindings/lua/examples/driver.lua

In OpenResty (one tracer per worker process: create it after nginx forks its workers):
    init_worker_by_lua_block { TRACER = require("ddtrace").tracer{ service = "shop" } }
    content_by_lua_block {
        local req = { method = ngx.req.get_method(), uri = ngx.var.request_uri, host = ngx.var.host,
                      headers = ngx.req.get_headers() }
        local res = require("handler").handle(TRACER, req, function(out)
            -- e.g. lua-resty-http: httpc:request_uri("http://pricing.local" .. out.uri,
            --                                        { method = out.method, headers = out.headers })
        end)
        ngx.status = res.status
        ngx.say(res.body)
    }
The tracer's C worker thread delivers in the background: the handler never waits for the agent.
]]
local M = {}

-- req: { method, uri, host, headers }; upstream(out) performs the outgoing request
-- out = { method, uri, headers } and returns { status, body } (or raises an error).
-- Returns the response { status, headers, body }.
function M.handle(tracer, req, upstream)
    local path = req.uri:match("^[^?]*")
    local ctx = tracer:extract(req.headers) -- nil when the caller sent no trace: a new trace
    local span = tracer:start_span("http.request", { context = ctx, resource = req.method .. " " .. path })
    span:set_http_request("server", req.method, "http://" .. (req.host or "localhost") .. req.uri, req.headers)
    span:set_http_route(path)
    local res = { status = 200, headers = { ["content-type"] = "application/json" } }

    local trace -- the traceback where the error was raised (a message handler returns one value)
    local ok, err = xpcall(function()
        local cart = span:child("cart.lookup", { resource = "GET cart", type = "cache" })
        cart:set_tag("cache.backend", "shared_dict"):set_metric("cart.items", 3)
        cart:finish()

        local call = span:child("http.client.request", { resource = "POST /quote" })
        local out = { method = "POST", uri = "/quote", headers = { ["content-type"] = "application/json" } }
        call:set_http_request("client", out.method, "http://pricing.local" .. out.uri)
        call:inject(out.headers) -- the pricing service continues this trace
        local ok2, up = pcall(upstream, out)
        if not ok2 then
            call:set_error(up) -- recorded on the client span, then the request fails
            call:finish()
            error(up, 0)
        end
        call:set_http_status(up.status)
        call:finish()
        res.body = up.body
        res.status = up.status < 400 and 200 or 502
    end, function(e)
        trace = debug.traceback(tostring(e), 2)
        return e
    end)

    if not ok then
        res.status, res.body = 500, '{"error":"internal"}'
        span:set_error(err, trace)
    end
    span:set_http_status(res.status)
    span:finish()
    return res
end

return M
