--[[ bindings/lua/ddtrace.lua - dd-trace-c for LuaJIT (and OpenResty), over the FFI.

    local dd = require("ddtrace")            -- loads libddtrace_lua.so (make -C bindings/lua)
    local tracer = dd.tracer{ service = "checkout" }   -- unset options: the DD_* variables
    local ctx = tracer:extract(request_headers)         -- a Context, or nil
    local span = tracer:start_span("http.request", { context = ctx, resource = "GET /cart",
                                                     type = "web", kind = "server" })
    local db = span:child("db.query", { resource = "SELECT 1", type = "sql" })
    db:set_tag("db.system", "postgresql"):set_metric("db.rows", 7):finish()
    local outgoing = span:inject()             -- { ["x-datadog-trace-id"] = "...", traceparent = ... }
    span:finish()
    tracer:close()                             -- flushes, stops the worker, frees; idempotent

Delivery: the library's own HTTP sender (dd_sender.h) on a C worker thread owned by the tracer:
nothing in Lua ever waits for the network and no Lua code runs on another thread (so no Lua
transport, log hook or clock hook exists: LuaJIT cannot be called from a foreign thread).
Memory: the C side copies every string it keeps; the Lua strings handed to a call are held by the
call's locals until it returns. A span is finished once (later calls do nothing), a span of a
closed tracer does nothing, a tracer is closed once (close() or its finaliser). Structures below
mirror the C headers; tests/lua_binding_test.sh checks every size and offset against the C
compiler and the structures C writes into are allocated with spare room (a longer C layout
cannot overrun them). See bindings/lua/README.md.
]]
local ffi = require("ffi")
local bit = require("bit")

local M = { _VERSION = "0.2.0", DDTRACE_VERSION = 200 }

-- The C declarations this binding uses, copied from the headers (same order, same types).
M._CDEF = [[
typedef struct dd_allocator {
    void *(*alloc_fn)(void *user, size_t size);
    void (*free_fn)(void *user, void *ptr, size_t size);
    void *user;
} dd_allocator;
typedef void (*dd_log_fn)(void *user, int level, const char *msg, size_t len);
typedef struct dd_trace_id {
    uint64_t hi;
    uint64_t lo;
} dd_trace_id;
typedef struct dd_span_link {
    dd_trace_id trace_id;
    uint64_t span_id;
    int32_t flags;
    char tracestate[513];
    char reason[32];
    char context_headers[16];
} dd_span_link;
typedef struct dd_baggage {
    uint32_t n;
    uint32_t len;
    uint16_t key_len[64];
    uint16_t value_len[64];
    char data[16384];
} dd_baggage;
typedef struct dd_trace_context {
    dd_trace_id trace_id;
    uint64_t parent_id;
    int32_t sampling_priority;
    uint32_t origin_len;
    char origin[65];
    uint32_t ptags_len;
    char ptags[513];
    uint32_t tracestate_len;
    char tracestate[513];
    uint32_t dd_member_extra_len;
    char dd_member_extra[129];
    int32_t has_w3c_parent;
    uint64_t w3c_parent_id;
    char propagation_error[65];
    uint32_t n_links;
    dd_span_link links[4];
    uint32_t dropped;
    char last_parent_id[17];
    int32_t style;
    uint32_t ptags_lost;
    dd_baggage baggage;
} dd_trace_context;
typedef struct dd_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} dd_header;
typedef struct dd_headers {
    dd_header *items;
    size_t n;
    size_t cap;
    char *buf;
    size_t buf_len;
    size_t buf_cap;
} dd_headers;
typedef struct dd_http_request {
    const char *method;
    const char *path;
    const dd_header *headers;
    size_t n_headers;
    const uint8_t *body;
    size_t body_len;
    int64_t timeout_ms;
} dd_http_request;
typedef struct dd_http_response {
    int status;
    const char *body;
    size_t body_len;
    int64_t retry_after_ms;
} dd_http_response;
typedef int (*dd_transport_fn)(void *user, const dd_http_request *req, dd_http_response *resp);
typedef struct dd_sampling_rule dd_sampling_rule;
typedef struct dd_sampling_config {
    const char *rules_json;
    double sample_rate;
    int sample_rate_set;
    double rate_limit;
    int rate_limit_set;
    const char *span_rules_json;
    int drop_rejected_traces;
    const dd_sampling_rule *rules;
    size_t n_rules;
    const dd_sampling_rule *span_rules;
    size_t n_span_rules;
} dd_sampling_config;
typedef struct dd_tracer_config {
    size_t size;
    const char *service;
    const char *env;
    const char *version;
    const char *tags;
    int enabled;
    int trace_id_128;
    int debug;
    int startup_logs;
    int partial_flush;
    int partial_flush_min_spans;
    int report_hostname;
    const char *hostname;
    const char *language;
    const char *language_version;
    const char *cgroup_path;
    uint32_t max_spans_per_segment;
    uint32_t max_tag_bytes;
    uint32_t max_open_segments;
    uint64_t max_buffer_bytes;
    uint64_t flush_bytes;
    uint64_t max_request_bytes;
    int64_t flush_interval_ms;
    int background_flush;
    int send_retries;
    dd_sampling_config sampling;
    dd_allocator allocator;
    int64_t (*wall_ns_fn)(void *user);
    int64_t (*mono_ns_fn)(void *user);
    uint64_t (*random_fn)(void *user);
    const char *(*getenv_fn)(void *user, const char *name);
    dd_log_fn log_fn;
    dd_transport_fn transport_fn;
    void *hook_user;
    int delivery;
    int64_t request_timeout_ms;
    int64_t shutdown_timeout_ms;
    void *transport_user;
    void *log_user;
    void (*transport_free_fn)(void *transport_user);
    const char *propagation_style;
    const char *propagation_style_extract;
    const char *propagation_style_inject;
    const char *propagation_behavior_extract;
    int32_t baggage_max_items;
    int32_t baggage_max_bytes;
    const char *baggage_tag_keys;
    int logs_injection;
    int log_128bit;
    const char *obfuscation_query_string_regexp;
    const char *http_server_error_statuses;
    const char *http_client_error_statuses;
    const char *header_tags;
    int http_client_tag_query_string;
    int client_ip_enabled;
    const char *client_ip_header;
    const char *peer_service_mapping;
    const char *service_mapping;
    void *clock_user;
    void *random_user;
    void *getenv_user;
    int stats_computation;
} dd_tracer_config;
typedef struct dd_counters {
    uint64_t spans_started;
    uint64_t spans_finished;
    uint64_t spans_dropped_limit;
    uint64_t segments_dropped_limit;
    uint64_t tags_dropped;
    uint64_t chunks_encoded;
    uint64_t spans_encoded;
    uint64_t chunks_dropped_buffer;
    uint64_t spans_dropped_buffer;
    uint64_t partial_flushes;
    uint64_t requests_sent;
    uint64_t requests_failed;
    uint64_t requests_retried;
    uint64_t chunks_sent;
    uint64_t chunks_dropped_send;
    uint64_t spans_dropped_send;
    uint64_t bytes_sent;
    uint64_t responses_invalid;
    uint64_t flushes;
    uint64_t spans_dropped_sampling;
    uint64_t chunks_dropped_sampling;
    uint64_t spans_sent;
    uint64_t requests_unconfirmed;
    uint64_t chunks_unconfirmed;
    uint64_t spans_unconfirmed;
    uint64_t requests_deferred;
    uint64_t spans_dropped_shutdown;
    uint64_t spans_open;
    uint64_t spans_pending;
    uint64_t stale_handle_calls;
    uint64_t stats_spans;
    uint64_t stats_spans_overflow;
    uint64_t stats_spans_dropped;
    uint64_t stats_payloads_sent;
    uint64_t stats_payloads_failed;
    uint64_t stats_bytes_sent;
    uint64_t chunks_dropped_p0;
    uint64_t spans_dropped_p0;
} dd_counters;
typedef struct dd_tracer dd_tracer;
typedef struct dd_span dd_span;
typedef struct dd_span_options {
    size_t size;
    const dd_span *parent;
    const dd_trace_context *context;
    const char *name; size_t name_len;
    const char *service; size_t service_len;
    const char *resource; size_t resource_len;
    const char *type; size_t type_len;
    int64_t start_ns;
    dd_trace_id trace_id;
    uint64_t span_id;
} dd_span_options;
typedef struct dd_sender dd_sender;
typedef struct dd_sender_options {
    size_t size;
    const char *url;
    int64_t timeout_ms;
    size_t max_response_bytes;
    const char *(*getenv_fn)(void *user, const char *name);
    void *getenv_user;
    dd_log_fn log_fn;
    void *log_user;
    const char *socket_path;
} dd_sender_options;

const char *dd_status_str(int status);
int dd_version(void);
size_t dd_u64_to_dec(uint64_t v, char out[21]);
size_t dd_trace_id_to_hex32(const dd_trace_id *id, char out[33]);
void dd_headers_init(dd_headers *h, dd_header *items, size_t cap, char *buf, size_t buf_cap);

void dd_tracer_config_init(dd_tracer_config *cfg);
dd_tracer *dd_tracer_new(const dd_tracer_config *cfg);
void dd_tracer_free(dd_tracer *t);
int dd_tracer_flush(dd_tracer *t);
void dd_tracer_counters(const dd_tracer *t, dd_counters *out);
const char *dd_tracer_service(const dd_tracer *t);
const char *dd_tracer_env(const dd_tracer *t);
const char *dd_tracer_version(const dd_tracer *t);

dd_span *dd_span_start(dd_tracer *t, const dd_span_options *opts);
dd_span *dd_span_start_child_n(dd_span *parent, const char *name, size_t name_len);
void dd_span_finish(dd_span *s);
void dd_span_finish_at(dd_span *s, int64_t end_ns);
void dd_span_set_name_n(dd_span *s, const char *name, size_t len);
void dd_span_set_service_n(dd_span *s, const char *service, size_t len);
void dd_span_set_resource_n(dd_span *s, const char *resource, size_t len);
void dd_span_set_type_n(dd_span *s, const char *type, size_t len);
void dd_span_set_tag_n(dd_span *s, const char *key, size_t key_len, const char *value, size_t value_len);
void dd_span_set_metric_n(dd_span *s, const char *key, size_t key_len, double value);
void dd_span_set_error(dd_span *s, int error);
void dd_span_set_error_info_n(dd_span *s, const char *type, size_t type_len, const char *message,
                              size_t message_len, const char *stack, size_t stack_len);
void dd_span_set_kind_n(dd_span *s, const char *kind, size_t len);
void dd_span_set_origin_n(dd_span *s, const char *origin, size_t len);
void dd_span_set_measured(dd_span *s, int measured);
void dd_span_set_priority(dd_span *s, int priority);
int dd_span_get_tag(const dd_span *s, const char *key, size_t key_len, const char **value, size_t *value_len);
int dd_span_get_metric(const dd_span *s, const char *key, size_t key_len, double *value);
void dd_span_set_http_request(dd_span *s, int kind, const char *method, const char *url,
                              const dd_header *headers, size_t n_headers);
void dd_span_set_http_route(dd_span *s, const char *route);
void dd_span_set_http_response(dd_span *s, int status, const dd_header *headers, size_t n_headers);
int dd_span_add_link(dd_span *s, const dd_span_link *link);
int dd_span_add_link_attrs(dd_span *s, const dd_span_link *link, const dd_header *attrs, size_t n_attrs);
void dd_span_trace_id(const dd_span *s, dd_trace_id *out);
uint64_t dd_span_id(const dd_span *s);
uint64_t dd_span_parent_id(const dd_span *s);
int dd_span_inject_headers(dd_span *s, dd_headers *headers);
size_t dd_span_inject_datadog_json(dd_span *s, char *out, size_t cap);
int dd_tracer_extract_headers(const dd_tracer *t, const dd_header *headers, size_t n, dd_trace_context *out);
int dd_tracer_extract_datadog_json(const dd_tracer *t, const char *json, size_t len, dd_trace_context *out);
size_t dd_span_log_correlation(const dd_span *s, int json, char *out, size_t cap);

void dd_sender_options_init(dd_sender_options *opts);
dd_sender *dd_sender_new(const dd_sender_options *opts);
void dd_sender_attach(dd_tracer_config *cfg, dd_sender *s);
const char *dd_sender_url(const dd_sender *s);
]]
-- A second require under another name must not declare the types twice.
if not pcall(ffi.typeof, "dd_tracer_config") then ffi.cdef(M._CDEF) end
pcall(ffi.cdef, "void *dlopen(const char *file, int mode);") -- for M.load's pin; may exist already

-- Constants of the headers.
M.OK = 0
M.PRIORITY_USER_REJECT, M.PRIORITY_AUTO_REJECT, M.PRIORITY_AUTO_KEEP, M.PRIORITY_USER_KEEP = -1, 0, 1, 2
local DD_ON, DD_OFF = 1, 2
local PRIORITY_UNSET = -128
local DELIVERY = { background = 1, sync = 2, manual = 3 }
local HTTP_KIND = { server = 1, client = 2 }
-- The C macros these numbers mirror (tests/lua_binding_test.sh compares them with the compiler's).
M._CONST = { DDTRACE_VERSION = M.DDTRACE_VERSION, DD_ON = DD_ON, DD_OFF = DD_OFF,
             DD_PRIORITY_UNSET = PRIORITY_UNSET, DD_DELIVERY_BACKGROUND = DELIVERY.background,
             DD_DELIVERY_SYNC = DELIVERY.sync, DD_DELIVERY_MANUAL = DELIVERY.manual,
             DD_HTTP_SERVER = HTTP_KIND.server, DD_HTTP_CLIENT = HTTP_KIND.client,
             DD_PRIORITY_USER_REJECT = M.PRIORITY_USER_REJECT, DD_PRIORITY_USER_KEEP = M.PRIORITY_USER_KEEP,
             DD_ERR_STATE = -14 }
-- Spare bytes after every structure the C side writes into: a newer, longer C layout then
-- writes into spare room instead of past the allocation (the layout test reports the mismatch).
local SLACK = 4096

local C            -- the loaded library (ffi.load), nil until M.load succeeds
local load_error   -- why the automatic load failed, for the first call that needs the library

local function here()
    local src = debug.getinfo(1, "S").source
    return src:sub(1, 1) == "@" and (src:sub(2):match("^(.*)/[^/]*$") or ".") or "."
end

-- Loads the library (path; default: $DDTRACE_LUA_LIB, else libddtrace_lua.so beside this file,
-- else the system's libddtrace.so from `make install`) and checks that it was built from the
-- headers this file mirrors. Returns the module; raises an error when it cannot.
function M.load(path)
    if C then return M end
    local candidates = { path }
    if not path then
        local env = os.getenv("DDTRACE_LUA_LIB")
        candidates = (env and env ~= "") and { env } or { here() .. "/libddtrace_lua.so", "ddtrace" }
    end
    local errs = {}
    for _, p in ipairs(candidates) do
        do
            local ok, lib = pcall(ffi.load, p)
            if ok then
                local v = lib.dd_version()
                if v ~= M.DDTRACE_VERSION then
                    error(("ddtrace: %s is version %d, this binding mirrors %d"):format(p, v, M.DDTRACE_VERSION), 2)
                end
                -- Pin the library: the tracer's worker thread runs its code until dd_tracer_free
                -- returns, which may be after LuaJIT unloads what it loaded (at lua_close).
                -- RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE (glibc); harmless where unsupported.
                local pin = p:find("/", 1, true) and p or ("lib" .. p .. ".so")
                pcall(function() return ffi.C.dlopen(pin, 0x0002 + 0x0004 + 0x1000) end)
                C, M.library_path = lib, p
                return M
            end
            errs[#errs + 1] = tostring(lib)
        end
    end
    error("ddtrace: cannot load the library (build it: make -C bindings/lua, or set DDTRACE_LUA_LIB): "
          .. table.concat(errs, "; "), 2)
end

local function need_lib()
    if not C then
        local ok, err = pcall(M.load)
        if not ok then error(load_error or err, 3) end
    end
end

-- Scratch buffers, allocated once per Lua state (LuaJIT runs one thread per state, and no
-- C call of this module yields, so a buffer is never used by two calls at once).
local ID_BUF = ffi.new("char[33]")
local TID = ffi.new("dd_trace_id")
local INJ_ITEMS_N = 32
local INJ_ITEMS = ffi.new("dd_header[?]", INJ_ITEMS_N)
local INJ_BUF_N = 40000 -- baggage may reach 16 KiB (DD_BAGGAGE_BYTES_MAX) besides the others
local INJ_BUF = ffi.new("char[?]", INJ_BUF_N)
local INJ_HEADERS = ffi.new("dd_headers")
local JSON_BUF_N = 4096
local JSON_BUF = ffi.new("char[?]", JSON_BUF_N)
local LINK = ffi.new("dd_span_link")
local HDR_N = 64
local HDR = ffi.new("dd_header[?]", HDR_N)
local OUT_STR = ffi.new("const char *[1]")
local OUT_LEN = ffi.new("size_t[1]")
local OUT_NUM = ffi.new("double[1]")
local LOG_BUF = ffi.new("char[512]")

local function status_str(rc)
    return ffi.string(C.dd_status_str(rc))
end
M.status_str = function(rc) need_lib(); return status_str(rc) end

local function u64_dec(v)
    local n = C.dd_u64_to_dec(v, ID_BUF)
    return ffi.string(ID_BUF, n)
end

-- A Lua table of headers ({name = value} or {name = {value, value}} for repeated fields) as a
-- dd_header array. `keep` receives every string the array points to: the caller holds it until
-- the C call returns. Returns the array and its length.
local function header_array(headers, keep)
    local n = 0
    for k, v in pairs(headers) do
        if type(v) == "table" then n = n + #v else n = n + 1 end
    end
    local arr = HDR
    if n > HDR_N then arr = ffi.new("dd_header[?]", n); keep[#keep + 1] = arr end
    local i = 0
    for k, v in pairs(headers) do
        k = tostring(k)
        keep[#keep + 1] = k
        local vals = type(v) == "table" and v or { v }
        for _, x in ipairs(vals) do
            x = tostring(x)
            keep[#keep + 1] = x
            arr[i].name, arr[i].name_len, arr[i].value, arr[i].value_len = k, #k, x, #x
            i = i + 1
        end
    end
    return arr, i
end

-- Errors: a Lua error value as (type, message). A table may carry `type` (or `name`) and
-- `message` (or `msg`); a string is a plain Lua error, type "error" (its "file:line:" position
-- stays in the message); anything else is converted with tostring.
function M.error_info(err)
    if type(err) == "table" then
        local mt = getmetatable(err)
        local t = err.type or err.name or (mt and mt.__name) or "error"
        local m = err.message or err.msg
        if m == nil then
            m = (mt and mt.__tostring) and tostring(err) or ""
        end
        return tostring(t), tostring(m)
    end
    if err == nil then return "error", "" end
    return "error", tostring(err)
end

------------------------------------------------------------------------------------------------
-- Context: an extracted trace context (a dd_trace_context).
------------------------------------------------------------------------------------------------
local Context = {}
Context.__index = Context

local function new_context()
    -- uint64_t cells: 8-byte alignment, as the structure needs; SLACK bytes of spare room.
    local cells = math.ceil((ffi.sizeof("dd_trace_context") + SLACK) / 8)
    local mem = ffi.new("uint64_t[?]", cells)
    return setmetatable({ c = ffi.cast("dd_trace_context *", mem), _mem = mem }, Context)
end

-- 32 lowercase hex digits of the 128-bit trace id.
function Context:trace_id()
    return ffi.string(ID_BUF, C.dd_trace_id_to_hex32(self.c.trace_id, ID_BUF))
end
-- The low 64 bits in decimal (the x-datadog-trace-id value).
function Context:trace_id_low() return u64_dec(self.c.trace_id.lo) end
function Context:parent_id() return u64_dec(self.c.parent_id) end
-- The sampling priority, nil when the carrier gave none.
function Context:sampling_priority()
    local p = self.c.sampling_priority
    if p == PRIORITY_UNSET then return nil end
    return p
end
function Context:origin() return ffi.string(self.c.origin, self.c.origin_len) end
-- The propagated _dd.p.* tags as "k=v,k=v".
function Context:tags() return ffi.string(self.c.ptags, self.c.ptags_len) end

------------------------------------------------------------------------------------------------
-- Span
------------------------------------------------------------------------------------------------
local Span = {}
Span.__index = Span

-- The live handle, or nil when the span is finished, was refused (disabled tracer, a limit), or
-- its tracer is closed: then every method does nothing.
local function live(self)
    local s = self.s
    if s == nil or self.tracer.t == nil then return nil end
    return s
end

local function new_span(tracer, handle)
    if handle == nil then handle = nil end -- NULL cdata becomes nil: the span is a no-op
    return setmetatable({ s = handle, tracer = tracer }, Span)
end

function Span:set_tag(key, value)
    local s = live(self)
    if s == nil or value == nil then return self end
    key, value = tostring(key), tostring(value)
    C.dd_span_set_tag_n(s, key, #key, value, #value)
    return self
end

function Span:set_tags(t)
    for k, v in pairs(t) do self:set_tag(k, v) end
    return self
end

-- A numeric tag (metrics). A value that is not a number raises an error.
function Span:set_metric(key, value)
    local s = live(self)
    if s == nil then return self end
    local v = tonumber(value)
    if v == nil then error("ddtrace: set_metric needs a number, got " .. type(value), 2) end
    key = tostring(key)
    C.dd_span_set_metric_n(s, key, #key, v)
    return self
end

function Span:set_metrics(t)
    for k, v in pairs(t) do self:set_metric(k, v) end
    return self
end

-- The string value of a tag set on this open span, or nil.
function Span:get_tag(key)
    local s = live(self)
    if s == nil then return nil end
    key = tostring(key)
    if C.dd_span_get_tag(s, key, #key, OUT_STR, OUT_LEN) ~= 0 then return nil end
    return ffi.string(OUT_STR[0], OUT_LEN[0])
end

function Span:get_metric(key)
    local s = live(self)
    if s == nil then return nil end
    key = tostring(key)
    if C.dd_span_get_metric(s, key, #key, OUT_NUM) ~= 0 then return nil end
    return OUT_NUM[0]
end

local function setter(cfn)
    return function(self, value)
        local s = live(self)
        if s == nil or value == nil then return self end
        value = tostring(value)
        C[cfn](s, value, #value)
        return self
    end
end
Span.set_name = setter("dd_span_set_name_n")
Span.set_service = setter("dd_span_set_service_n")
Span.set_resource = setter("dd_span_set_resource_n")
Span.set_type = setter("dd_span_set_type_n")
-- "server", "client", "producer", "consumer" or "internal"
Span.set_kind = setter("dd_span_set_kind_n")
Span.set_origin = setter("dd_span_set_origin_n")

function Span:set_measured(on)
    local s = live(self)
    if s ~= nil then C.dd_span_set_measured(s, on == false and 0 or 1) end
    return self
end

-- dd.PRIORITY_USER_KEEP (2) or dd.PRIORITY_USER_REJECT (-1) for the whole trace.
function Span:set_priority(p)
    local s = live(self)
    if s ~= nil then C.dd_span_set_priority(s, p) end
    return self
end

-- Records a Lua error: error.type and error.message from `err` (see dd.error_info), error.stack
-- from `stack` (a debug.traceback() text; nil: the caller's traceback now; false: none), and
-- the error flag.
function Span:set_error(err, stack)
    local s = live(self)
    if s == nil then return self end
    local t, m = M.error_info(err)
    if stack == nil then stack = debug.traceback("", 2):gsub("^\n", "") end
    if stack then
        stack = tostring(stack)
        C.dd_span_set_error_info_n(s, t, #t, m, #m, stack, #stack)
    else
        C.dd_span_set_error_info_n(s, t, #t, m, #m, nil, 0)
    end
    return self
end

-- Sets (true / nil) or clears (false) the error flag alone.
function Span:set_error_flag(on)
    local s = live(self)
    if s ~= nil then C.dd_span_set_error(s, on == false and 0 or 1) end
    return self
end

-- HTTP spans (docs/http.md §2): kind "server" or "client"; headers a Lua table (optional):
-- span.kind, type, http.method, http.url (query obfuscated), http.useragent, header tags.
function Span:set_http_request(kind, method, url, headers)
    local s = live(self)
    if s == nil then return self end
    local k = HTTP_KIND[kind]
    if not k then error("ddtrace: set_http_request kind must be 'server' or 'client'", 2) end
    local keep, arr, n = {}, nil, 0
    if headers then arr, n = header_array(headers, keep) end
    C.dd_span_set_http_request(s, k, tostring(method), tostring(url), arr, n)
    return self
end

function Span:set_http_route(route)
    local s = live(self)
    if s ~= nil and route ~= nil then C.dd_span_set_http_route(s, tostring(route)) end
    return self
end

-- http.status_code (a string tag) and the error flag for the configured error statuses
-- (server spans: 500-599 by default); response headers (optional) for header tags.
function Span:set_http_status(status, headers)
    local s = live(self)
    if s == nil then return self end
    local keep, arr, n = {}, nil, 0
    if headers then arr, n = header_array(headers, keep) end
    C.dd_span_set_http_response(s, tonumber(status) or 0, arr, n)
    return self
end

-- A span link to a Context (its trace and parent span; flags: the context's sampling decision)
-- or to a Span. attributes: a table of strings (`reason` < 32 bytes and `context_headers` < 16
-- bytes go into dd_span_link's own fields, the others through dd_span_add_link_attrs, at most 32).
-- Returns true, or nil and the reason.
function Span:add_link(target, attributes)
    local s = live(self)
    if s == nil then return nil, "span finished" end
    ffi.fill(LINK, ffi.sizeof(LINK))
    local mt = getmetatable(target)
    if mt == Context then
        local c = target.c
        LINK.trace_id = c.trace_id
        LINK.span_id = c.parent_id
        local sampled = (c.sampling_priority ~= PRIORITY_UNSET and c.sampling_priority > 0) and 1 or 0
        LINK.flags = bit.bor(sampled, 0x80000000)
    elseif mt == Span then
        local ts = live(target)
        if ts == nil then return nil, "linked span is finished" end
        C.dd_span_trace_id(ts, LINK.trace_id)
        LINK.span_id = C.dd_span_id(ts)
    else
        error("ddtrace: add_link needs a Context or a Span", 2)
    end
    local extra = {}
    for k, v in pairs(attributes or {}) do
        v = tostring(v)
        if k == "reason" and #v < 32 then
            ffi.copy(LINK.reason, v)
        elseif k == "context_headers" and #v < 16 then
            ffi.copy(LINK.context_headers, v)
        elseif k == "reason" or k == "context_headers" then
            error("ddtrace: span link " .. k .. " too long (reason < 32 bytes, context_headers < 16)", 2)
        else
            extra[tostring(k)] = v
        end
    end
    local keep = {}
    local arr, n = header_array(extra, keep)
    local rc = C.dd_span_add_link_attrs(s, LINK, arr, n)
    if rc ~= 0 then return nil, status_str(rc) end
    return true
end

function Span:trace_id()
    local s = live(self)
    if s == nil then return nil end
    C.dd_span_trace_id(s, TID)
    return ffi.string(ID_BUF, C.dd_trace_id_to_hex32(TID, ID_BUF))
end

function Span:trace_id_low()
    local s = live(self)
    if s == nil then return nil end
    C.dd_span_trace_id(s, TID)
    return u64_dec(TID.lo)
end

function Span:span_id()
    local s = live(self)
    return s ~= nil and u64_dec(C.dd_span_id(s)) or nil
end

function Span:parent_id()
    local s = live(self)
    return s ~= nil and u64_dec(C.dd_span_parent_id(s)) or nil
end

-- The headers that continue this span's trace elsewhere, with the configured styles (default
-- datadog, tracecontext, baggage): added to `out` (a new table when nil), which is returned.
-- Makes and locks the trace's sampling decision. nil and the reason on failure.
function Span:inject(out)
    local s = live(self)
    if s == nil then return nil, "span finished" end
    C.dd_headers_init(INJ_HEADERS, INJ_ITEMS, INJ_ITEMS_N, INJ_BUF, INJ_BUF_N)
    local rc = C.dd_span_inject_headers(s, INJ_HEADERS)
    if rc ~= 0 then return nil, status_str(rc) end
    out = out or {}
    for i = 0, tonumber(INJ_HEADERS.n) - 1 do
        local h = INJ_ITEMS[i]
        out[ffi.string(h.name, h.name_len)] = ffi.string(h.value, h.value_len)
    end
    return out
end

-- The `_datadog` JSON object of queue messages (SQS/SNS attribute, EventBridge detail, ...).
function Span:inject_datadog()
    local s = live(self)
    if s == nil then return nil, "span finished" end
    local n = tonumber(C.dd_span_inject_datadog_json(s, JSON_BUF, JSON_BUF_N))
    if n == 0 then return nil, "injection failed" end
    if n < JSON_BUF_N then return ffi.string(JSON_BUF, n) end
    local big = ffi.new("char[?]", n + 1) -- a long baggage header: once more, with room
    n = tonumber(C.dd_span_inject_datadog_json(s, big, n + 1))
    if n == 0 then return nil, "injection failed" end
    return ffi.string(big, n)
end

-- Log correlation fields: "dd.trace_id=... dd.span_id=... dd.service=..." (json: members to
-- splice into a JSON object).
function Span:log_correlation(json)
    local s = live(self)
    if s == nil then return "" end
    local n = tonumber(C.dd_span_log_correlation(s, json and 1 or 0, LOG_BUF, 512))
    if n < 512 then return ffi.string(LOG_BUF, n) end
    local big = ffi.new("char[?]", n + 1)
    n = tonumber(C.dd_span_log_correlation(s, json and 1 or 0, big, n + 1))
    return ffi.string(big, n)
end

-- A child span (same options as tracer:start_span, parent = this span).
function Span:child(name, opts)
    opts = opts or {}
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.parent = self
    return self.tracer:start_span(name, o)
end

-- Ends the span (now, or at end_ns: wall clock ns since the epoch, an int64 cdata or a number).
-- Returns true the first time, false afterwards (a span is finished once).
function Span:finish(end_ns)
    local s = live(self)
    self.s = nil
    if s == nil then return false end
    if end_ns then C.dd_span_finish_at(s, end_ns) else C.dd_span_finish(s) end
    return true
end

function Span:is_finished() return live(self) == nil end

-- Runs fn(span, ...) protected: a Lua error is recorded on the span (type, message and
-- debug.traceback), the span is finished, and the error raised again. Returns fn's results.
function Span:run(fn, ...)
    local tb
    local function handler(e)
        tb = debug.traceback(tostring(type(e) == "table" and (e.message or e.msg) or e), 2)
        return e
    end
    local res = { xpcall(fn, handler, self, ...) }
    if not res[1] then
        self:set_error(res[2], tb)
        self:finish()
        error(res[2], 0)
    end
    self:finish()
    return unpack(res, 2, table.maxn(res))
end

------------------------------------------------------------------------------------------------
-- Tracer
------------------------------------------------------------------------------------------------
local Tracer = {}
Tracer.__index = Tracer

local STRING_OPTIONS = {
    "service", "env", "version", "hostname", "language", "language_version", "cgroup_path",
    "propagation_style", "propagation_style_extract", "propagation_style_inject",
    "propagation_behavior_extract", "baggage_tag_keys", "obfuscation_query_string_regexp",
    "http_server_error_statuses", "http_client_error_statuses", "header_tags", "client_ip_header",
    "peer_service_mapping", "service_mapping",
}
local FLAG_OPTIONS = { -- true / false beat the DD_* variable; nil leaves it to the variable
    "enabled", "trace_id_128", "debug", "startup_logs", "partial_flush", "report_hostname",
    "logs_injection", "log_128bit", "http_client_tag_query_string", "client_ip_enabled",
}
local NUMBER_OPTIONS = {
    "partial_flush_min_spans", "max_spans_per_segment", "max_tag_bytes", "max_open_segments",
    "max_buffer_bytes", "flush_bytes", "max_request_bytes", "flush_interval_ms", "send_retries",
    "request_timeout_ms", "shutdown_timeout_ms", "baggage_max_items", "baggage_max_bytes",
}
local KNOWN = { tags = true, delivery = true, sample_rate = true, rate_limit = true, sampling_rules = true,
                span_sampling_rules = true, drop_rejected_traces = true, agent_url = true }
for _, list in ipairs({ STRING_OPTIONS, FLAG_OPTIONS, NUMBER_OPTIONS }) do
    for _, k in ipairs(list) do KNOWN[k] = true end
end

-- The counter names, in the order of dd_counters (read from the declaration above).
local COUNTER_NAMES = {}
for name in M._CDEF:match("typedef struct dd_counters {(.-)}"):gmatch("uint64_t%s+([%w_]+);") do
    COUNTER_NAMES[#COUNTER_NAMES + 1] = name
end

-- A tracer from a table of options (every key optional; unset ones come from the DD_* variables
-- in C, read once now, else the defaults):
--   service, env, version, hostname, ... (strings: the dd_tracer_config fields of the same name)
--   tags             "k:v,k:v" or a table {k = v}                                 (DD_TAGS)
--   enabled, debug, startup_logs, partial_flush, report_hostname, trace_id_128, logs_injection,
--   log_128bit, client_ip_enabled, http_client_tag_query_string: booleans
--   flush_interval_ms, shutdown_timeout_ms, request_timeout_ms, send_retries, max_*: numbers
--   delivery         "background" (default), "sync" or "manual"
--   sample_rate, rate_limit, sampling_rules (JSON), span_sampling_rules (JSON), drop_rejected_traces
--   agent_url        "http://host:port" or "unix:///path" (default DD_TRACE_AGENT_URL,
--                    DD_AGENT_HOST/DD_TRACE_AGENT_PORT, the socket, localhost:8126)
--   language         default "lua"; language_version default the LuaJIT version
-- Raises an error on an unknown option or when the tracer cannot be made.
function M.tracer(opts)
    need_lib()
    opts = opts or {}
    for k in pairs(opts) do
        if not KNOWN[k] then error("ddtrace: unknown tracer option " .. tostring(k), 2) end
    end
    local keep = {} -- every string the config points to, until dd_tracer_new has copied them
    local cfg = ffi.new("dd_tracer_config")
    C.dd_tracer_config_init(cfg)
    local function str(field, v)
        v = tostring(v)
        keep[#keep + 1] = v
        cfg[field] = v
    end
    for _, k in ipairs(STRING_OPTIONS) do
        if opts[k] ~= nil then str(k, opts[k]) end
    end
    if opts.language == nil then str("language", "lua") end
    if opts.language_version == nil then
        str("language_version", (jit and jit.version or _VERSION):match("[%d][%w%.%-]*") or "")
    end
    if type(opts.tags) == "table" then
        local parts = {}
        for k, v in pairs(opts.tags) do parts[#parts + 1] = tostring(k) .. ":" .. tostring(v) end
        table.sort(parts)
        str("tags", table.concat(parts, ","))
    elseif opts.tags ~= nil then
        str("tags", opts.tags)
    end
    for _, k in ipairs(FLAG_OPTIONS) do
        if opts[k] ~= nil then cfg[k] = opts[k] and DD_ON or DD_OFF end
    end
    for _, k in ipairs(NUMBER_OPTIONS) do
        if opts[k] ~= nil then
            local v = tonumber(opts[k])
            if v == nil then error("ddtrace: option " .. k .. " needs a number", 2) end
            cfg[k] = v
        end
    end
    if opts.delivery ~= nil then
        cfg.delivery = DELIVERY[opts.delivery] or error("ddtrace: delivery must be background, sync or manual", 2)
    end
    if opts.sample_rate ~= nil then cfg.sampling.sample_rate, cfg.sampling.sample_rate_set = opts.sample_rate, 1 end
    if opts.rate_limit ~= nil then cfg.sampling.rate_limit, cfg.sampling.rate_limit_set = opts.rate_limit, 1 end
    if opts.sampling_rules ~= nil then
        keep[#keep + 1] = tostring(opts.sampling_rules)
        cfg.sampling.rules_json = keep[#keep]
    end
    if opts.span_sampling_rules ~= nil then
        keep[#keep + 1] = tostring(opts.span_sampling_rules)
        cfg.sampling.span_rules_json = keep[#keep]
    end
    if opts.drop_rejected_traces then cfg.sampling.drop_rejected_traces = 1 end

    -- The native sender, owned by the tracer from dd_sender_attach on (freed by dd_tracer_free).
    local so = ffi.new("dd_sender_options")
    C.dd_sender_options_init(so)
    if opts.agent_url ~= nil then
        keep[#keep + 1] = tostring(opts.agent_url)
        so.url = keep[#keep]
    end
    local sender = C.dd_sender_new(so)
    if sender == nil then error("ddtrace: dd_sender_new failed (agent_url unusable?)", 2) end
    local url = ffi.string(C.dd_sender_url(sender))
    C.dd_sender_attach(cfg, sender)
    local t = C.dd_tracer_new(cfg)
    keep = nil
    if t == nil then error("ddtrace: dd_tracer_new failed (out of memory)", 2) end
    -- A tracer left to the garbage collector (or to lua_close) is still freed: its last
    -- delivery runs then. close() removes this finaliser first.
    t = ffi.gc(t, C.dd_tracer_free)
    return setmetatable({ t = t, agent_url = url }, Tracer)
end

-- Starts a span. opts (all optional): parent (a Span), context (a Context from extract),
-- service, resource, type, kind, start_ns (wall clock ns, int64 cdata or number), tags (table),
-- metrics (table). Without parent nor context: a new trace. A disabled tracer gives a span whose
-- methods do nothing.
function Tracer:start_span(name, opts)
    local t = self.t
    if t == nil then return new_span(self, nil) end
    opts = opts or {}
    name = tostring(name or "")
    local service, resource, typ = opts.service, opts.resource, opts.type
    if service ~= nil then service = tostring(service) end
    if resource ~= nil then resource = tostring(resource) end
    if typ ~= nil then typ = tostring(typ) end
    local o = ffi.new("dd_span_options")
    o.size = ffi.sizeof(o)
    o.name, o.name_len = name, #name
    if service then o.service, o.service_len = service, #service end
    if resource then o.resource, o.resource_len = resource, #resource end
    if typ then o.type, o.type_len = typ, #typ end
    if opts.start_ns then o.start_ns = opts.start_ns end
    local parent, ctx = opts.parent, opts.context
    if parent ~= nil then
        if getmetatable(parent) ~= Span then error("ddtrace: parent must be a Span", 2) end
        local ps = live(parent)
        if ps == nil then error("ddtrace: parent span is finished", 2) end
        o.parent = ps
    elseif ctx ~= nil then
        if getmetatable(ctx) ~= Context then error("ddtrace: context must be a Context", 2) end
        o.context = ctx.c
    end
    local span = new_span(self, C.dd_span_start(t, o))
    -- name, service, resource, type, parent and ctx are locals up to here: the C side has copied
    -- what it keeps.
    if opts.kind then span:set_kind(opts.kind) end
    if opts.tags then span:set_tags(opts.tags) end
    if opts.metrics then span:set_metrics(opts.metrics) end
    return span
end

-- Starts a span, runs fn(span, ...) protected (see Span:run), finishes the span. opts may be
-- left out: tracer:trace(name, fn, ...).
function Tracer:trace(name, opts, fn, ...)
    if type(opts) == "function" then
        return self:start_span(name):run(opts, fn, ...)
    end
    return self:start_span(name, opts):run(fn, ...)
end

-- The trace context in a Lua table of request headers (names in any case; a table of values
-- for a repeated field), with the configured styles. A Context, or nil and the reason.
function Tracer:extract(headers)
    need_lib()
    local keep = {}
    local arr, n = header_array(headers or {}, keep)
    local ctx = new_context()
    local rc = C.dd_tracer_extract_headers(self.t, arr, n, ctx.c) -- a NULL tracer: the defaults
    keep = nil
    if rc ~= 0 then return nil, status_str(rc) end
    return ctx
end

-- The trace context in a `_datadog` JSON object (text). A Context, or nil and the reason.
function Tracer:extract_datadog(json)
    need_lib()
    json = tostring(json)
    local ctx = new_context()
    local rc = C.dd_tracer_extract_datadog_json(self.t, json, #json, ctx.c)
    if rc ~= 0 then return nil, status_str(rc) end
    return ctx
end

-- Extraction without a tracer (default styles and limits).
function M.extract(headers) return Tracer.extract({ t = nil }, headers) end
function M.extract_datadog(json) return Tracer.extract_datadog({ t = nil }, json) end

-- Delivers every finished trace now (the worker sends; this thread waits at most
-- shutdown_timeout_ms). true, or nil, the reason and the status code.
function Tracer:flush()
    if self.t == nil then return nil, "tracer closed", M._CONST.DD_ERR_STATE end
    local rc = C.dd_tracer_flush(self.t)
    if rc ~= 0 then return nil, status_str(rc), rc end
    return true
end

-- The counters as a table of numbers (dd_counters field names).
function Tracer:counters()
    local out = {}
    if self.t == nil then return out end
    local mem = ffi.new("uint64_t[?]", math.ceil((ffi.sizeof("dd_counters") + SLACK) / 8))
    C.dd_tracer_counters(self.t, ffi.cast("dd_counters *", mem))
    for i, name in ipairs(COUNTER_NAMES) do out[name] = tonumber(mem[i - 1]) end
    return out
end

function Tracer:service() return self.t ~= nil and ffi.string(C.dd_tracer_service(self.t)) or nil end
function Tracer:env() return self.t ~= nil and ffi.string(C.dd_tracer_env(self.t)) or nil end
function Tracer:version() return self.t ~= nil and ffi.string(C.dd_tracer_version(self.t)) or nil end

-- Gives the worker shutdown_timeout_ms to deliver what is buffered, then frees the tracer; its
-- open spans are dropped and every span of it becomes a no-op. true the first time, false after.
function Tracer:close()
    local t = self.t
    if t == nil then return false end
    self.t = nil
    ffi.gc(t, nil)
    C.dd_tracer_free(t)
    return true
end

function Tracer:is_closed() return self.t == nil end

M.Tracer, M.Span, M.Context = Tracer, Span, Context

-- Load the library now when it can be found; otherwise the first call that needs it says why.
do
    local ok, err = pcall(M.load)
    if not ok then load_error = err end
end

return M
