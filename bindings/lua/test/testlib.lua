--[[ bindings/lua/test/testlib.lua - a minimal assert-based test runner, and the helpers the
binding's tests share (a JSON reader for the capture agent's records, a sleep).

    local T = require("testlib")
    T.test("name", function() T.eq(1 + 1, 2, "sum") end)
    T.run()        -- prints "ok   name" / "FAIL name: why" and "N passed, N failed"
]]
local ffi = require("ffi")
local T = { tests = {} }

function T.test(name, fn) T.tests[#T.tests + 1] = { name, fn } end

local function fmt(v)
    if type(v) == "string" then return string.format("%q", v) end
    return tostring(v)
end

function T.ok(cond, what)
    if not cond then error("assertion failed: " .. tostring(what or "?"), 2) end
    return cond
end

function T.eq(got, want, what)
    if got ~= want then
        error(("%s: got %s, want %s"):format(tostring(what or "value"), fmt(got), fmt(want)), 2)
    end
end

function T.run()
    local pass, fail = 0, 0
    for _, t in ipairs(T.tests) do
        local ok, err = xpcall(t[2], debug.traceback)
        if ok then
            pass = pass + 1
            print("ok   " .. t[1])
        else
            fail = fail + 1
            print("FAIL " .. t[1] .. ": " .. tostring(err))
        end
    end
    print(("%d passed, %d failed"):format(pass, fail))
    return fail == 0
end

-- A small JSON reader for the capture agent's own output (trusted input): objects, arrays,
-- strings (with the escapes Python's json writes), numbers, true/false/null. Integers of more
-- than 9 digits stay strings (ids do not fit a double, and Lua prints big numbers in %.14g):
-- compare them with span:span_id().
function T.json(s)
    local i = 1
    local value
    local function ws() i = s:find("[^ \t\r\n]", i) or #s + 1 end
    local function str()
        local out, j = {}, i + 1
        while true do
            local c = s:sub(j, j)
            if c == '"' then break end
            if c == "\\" then
                local e = s:sub(j + 1, j + 1)
                if e == "u" then
                    local cp = tonumber(s:sub(j + 2, j + 5), 16)
                    j = j + 6
                    if cp >= 0xD800 and cp < 0xDC00 and s:sub(j, j + 1) == "\\u" then
                        cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(s:sub(j + 2, j + 5), 16) - 0xDC00)
                        j = j + 6
                    end
                    if cp < 0x80 then out[#out + 1] = string.char(cp)
                    elseif cp < 0x800 then out[#out + 1] = string.char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64)
                    elseif cp < 0x10000 then
                        out[#out + 1] = string.char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
                    else
                        out[#out + 1] = string.char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
                                                    0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
                    end
                else
                    out[#out + 1] = ({ n = "\n", t = "\t", r = "\r", b = "\b", f = "\f" })[e] or e
                    j = j + 2
                end
            else
                out[#out + 1] = c
                j = j + 1
            end
        end
        i = j + 1
        return table.concat(out)
    end
    function value()
        ws()
        local c = s:sub(i, i)
        if c == "{" then
            local o = {}
            i = i + 1
            ws()
            if s:sub(i, i) == "}" then i = i + 1 return o end
            while true do
                ws()
                local k = str()
                ws()
                i = i + 1 -- ':'
                o[k] = value()
                ws()
                local d = s:sub(i, i)
                i = i + 1
                if d == "}" then return o end
            end
        elseif c == "[" then
            local a = {}
            i = i + 1
            ws()
            if s:sub(i, i) == "]" then i = i + 1 return a end
            while true do
                a[#a + 1] = value()
                ws()
                local d = s:sub(i, i)
                i = i + 1
                if d == "]" then return a end
            end
        elseif c == '"' then
            return str()
        elseif s:sub(i, i + 3) == "true" then i = i + 4 return true
        elseif s:sub(i, i + 4) == "false" then i = i + 5 return false
        elseif s:sub(i, i + 3) == "null" then i = i + 4 return nil
        end
        local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
        i = i + #num
        if num:match("^-?%d+$") and #num > 9 then return num end
        return tonumber(num)
    end
    return value()
end

-- The capture agent (tests/xlang/capture_agent.py) started by the test script: CAPTURE_DIR; a
-- second run against the same agent sets CAPTURE_PREFIX so that its records stay apart.
T.capture_dir = os.getenv("CAPTURE_DIR")
local prefix = os.getenv("CAPTURE_PREFIX") or ""

-- Names the file the agent's next requests go to (DIR/<tag>.jsonl).
function T.capture(tag)
    local f = assert(io.open(T.capture_dir .. "/current", "w"))
    f:write(prefix .. tag)
    f:close()
end

-- Every span the agent received under `tag`, flattened: a list, and a table by name.
function T.spans(tag)
    local list, by_name = {}, {}
    local f = io.open(T.capture_dir .. "/" .. prefix .. tag .. ".jsonl")
    if not f then return list, by_name end
    for line in f:lines() do
        local rec = T.json(line)
        for _, chunk in ipairs(rec.payload or {}) do
            for _, sp in ipairs(chunk) do
                list[#list + 1] = sp
                by_name[sp.name] = sp
            end
        end
    end
    f:close()
    return list, by_name
end

pcall(ffi.cdef, "int usleep(unsigned int usec);")
function T.sleep(seconds) ffi.C.usleep(math.floor(seconds * 1e6)) end

return T
