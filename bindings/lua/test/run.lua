--[[ bindings/lua/test/run.lua - runs test files written with testlib.lua.

    luajit bindings/lua/test/run.lua bindings/lua/test/test_binding.lua ...

Each file registers tests with T.test when it is loaded; a file that fails to load counts as a
failed test. Prints "ok"/"FAIL" per test and "N passed, N failed"; exits 1 when one failed. ]]
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. dir .. "/../?.lua;" .. dir .. "/../examples/?.lua;" .. package.path
local T = require("testlib")
for i = 1, #arg do
    local ok, err = pcall(dofile, arg[i])
    if not ok then
        T.test("load " .. arg[i], function() error(err, 0) end)
    end
end
-- os.exit(code, true) closes the Lua state first, so tracers left open are finalised.
os.exit(T.run() and 0 or 1, true)
