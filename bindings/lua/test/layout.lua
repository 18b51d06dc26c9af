--[[ bindings/lua/test/layout.lua - the binding's struct layouts against the C compiler's.

    luajit layout.lua gen   CDEF CONSTS > probe.c     a C program printing sizeof, _Alignof and
                                                       offsetof of every field the cdef declares,
                                                       and the value of every macro in CONSTS
    luajit layout.lua check CDEF CONSTS PROBE_OUTPUT HEADER...   compares them with ffi.sizeof /
                                                       ffi.alignof / ffi.offsetof and CONSTS, and
                                                       the field lists with the headers' own

CONSTS holds "NAME VALUE" lines (ddtrace.lua's _CONST). CDEF holds the cdef text (ddtrace.lua's _CDEF, or a deliberately altered copy for the
negative check); it is declared in this fresh LuaJIT state. The header comparison catches a field
added in C where padding hides it from sizeof. Every mismatch is a FAIL line naming the structure,
the field and both values; last line "checks: N passed, N failed".
]]
local ffi = require("ffi")
local mode, cdef_file, consts_file, probe_out = arg[1], arg[2], arg[3], arg[4]

local function read(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

-- The field names of a struct body (declarations separated by ';'; "a, b" declares two).
local function field_names(body)
    local names = {}
    for decl in body:gmatch("([^;]+);") do
        decl = decl:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
        if decl ~= "" then
            local fp = decl:match("%(%s*%*%s*([%w_]+)%s*%)")
            if fp then
                names[#names + 1] = fp
            else
                decl = decl:gsub("%b[]", "")
                local first = true
                for part in decl:gmatch("[^,]+") do
                    local name = first and part:match("([%w_]+)%s*$") or part:match("^%s*%**%s*([%w_]+)")
                    names[#names + 1] = name
                    first = false
                end
            end
        end
    end
    return names
end

-- Every "typedef struct NAME { ... } NAME;" of a text, in order: { {name=, fields={...}} }.
local function structs(text)
    text = text:gsub("/%*.-%*/", " ")
    local out = {}
    for name, body, name2 in text:gmatch("typedef%s+struct%s+([%w_]+)%s*(%b{})%s*([%w_]+)%s*;") do
        if name == name2 then out[#out + 1] = { name = name, fields = field_names(body:sub(2, -2)) } end
    end
    return out
end

local cdef = read(cdef_file)
local list = structs(cdef)
local consts = {}
for name, value in read(consts_file):gmatch("([%w_]+) (%-?%d+)") do consts[#consts + 1] = { name, tonumber(value) } end

if mode == "gen" then
    local o = { "#include <stddef.h>", "#include <stdio.h>", '#include "dd_sender.h"', "int main(void) {" }
    for _, s in ipairs(list) do
        o[#o + 1] = ('    printf("%s %%lu %%lu\\n", (unsigned long)sizeof(%s), (unsigned long)_Alignof(%s));')
            :format(s.name, s.name, s.name)
        for _, f in ipairs(s.fields) do
            o[#o + 1] = ('    printf("%s.%s %%lu\\n", (unsigned long)offsetof(%s, %s));'):format(s.name, f, s.name, f)
        end
    end
    for _, k in ipairs(consts) do
        o[#o + 1] = ('    printf("const.%s %%ld\\n", (long)(%s));'):format(k[1], k[1])
    end
    o[#o + 1] = "    return 0;"
    o[#o + 1] = "}"
    io.write(table.concat(o, "\n"), "\n")
    os.exit(0)
end

assert(mode == "check", "usage: layout.lua gen|check CDEF CONSTS [PROBE_OUTPUT HEADER...]")
ffi.cdef(cdef)
local c = {}
for line in io.lines(probe_out) do
    local k, a, b = line:match("^(%S+) (%-?%d+) ?(%d*)$")
    if k then c[k] = { tonumber(a), tonumber(b) } end
end
local headers = {}
for i = 5, #arg do headers[#headers + 1] = read(arg[i]) end
local declared = {}
for _, s in ipairs(structs(table.concat(headers, "\n"))) do declared[s.name] = s.fields end

local pass, fail = 0, 0
local function result(ok, what, problems)
    if ok then
        pass = pass + 1
        print("ok   " .. what)
    else
        fail = fail + 1
        print("FAIL " .. what)
        for _, p in ipairs(problems) do print("     " .. p) end
    end
end

for _, s in ipairs(list) do
    local problems = {}
    local got = c[s.name]
    if not got then
        problems[#problems + 1] = "the C probe printed nothing for it"
    else
        local size, align = ffi.sizeof(s.name), ffi.alignof(s.name)
        if size ~= got[1] then problems[#problems + 1] = ("sizeof: C %d, LuaJIT %d"):format(got[1], size) end
        if align ~= got[2] then problems[#problems + 1] = ("alignof: C %d, LuaJIT %d"):format(got[2], align) end
        for _, f in ipairs(s.fields) do
            local off = ffi.offsetof(s.name, f)
            local co = c[s.name .. "." .. f]
            if not co or co[1] ~= off then
                problems[#problems + 1] = ("offsetof %s: C %s, LuaJIT %s"):format(f, co and co[1] or "?", tostring(off))
            end
        end
    end
    local want = declared[s.name]
    if not want then
        problems[#problems + 1] = "no typedef struct " .. s.name .. " in the headers"
    elseif table.concat(want, ",") ~= table.concat(s.fields, ",") then
        problems[#problems + 1] = "fields differ from the header's: C {" .. table.concat(want, ", ") .. "}, cdef {"
            .. table.concat(s.fields, ", ") .. "}"
    end
    result(#problems == 0, ("layout of %s (%d bytes, %d fields) matches C"):format(s.name, got and got[1] or 0, #s.fields),
        problems)
end
for _, k in ipairs(consts) do
    local want = c["const." .. k[1]]
    result(want ~= nil and k[2] == want[1], ("constant %s: C %s, ddtrace.lua %d"):format(k[1], want and want[1] or "?", k[2]), {})
end
if fail > 0 then
    print("LAYOUT MISMATCH: bindings/lua/ddtrace.lua's cdef no longer matches the C headers; update M._CDEF "
          .. "(and COUNTER_NAMES follow dd_counters automatically)")
end
print(("checks: %d passed, %d failed"):format(pass, fail))
