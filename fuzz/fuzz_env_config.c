/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_env_config.c -o fuzz_env_config && ./fuzz_env_config -dict=fuzz/dict/env_config.dict fuzz/corpus/env_config
 *
 * Every DD_* environment value dd_tracer_new reads (through the getenv hook), and the cgroup file,
 * on hostile bytes. The input is lines split at '\n': a line's first byte picks the variable
 * (byte % the number of variables below, the last being the cgroup file's content) and the rest is
 * its value, up to any NUL (an environment value is a C string); a later line for the same variable
 * wins. Properties checked (abort on violation):
 *  - dd_tracer_new succeeds (malloc does not fail here); service, env and version are NUL-terminated,
 *    env and version are DD_ENV and DD_VERSION verbatim (or "" when unset or empty), service is
 *    DD_SERVICE verbatim when set and not empty (a value that is not valid UTF-8 comes back
 *    repaired instead: valid UTF-8, each bad byte replaced by U+FFFD);
 *  - every log line is readable for its length, and the startup line, when it is not cut by its
 *    buffer, is "DATADOG TRACER CONFIGURATION - " and one JSON object (dd_json_parse) whose
 *    "service" and "env" members are the resolved strings;
 *  - a root span (continuing a fixed extracted context) and a child: the counters add up (started =
 *    finished = encoded + dropped by the buffer), and when tracing is on, flushing sends one or more
 *    requests whose bodies are exactly one msgpack array of chunks (dd_mp_skip consumes the whole
 *    body), X-Datadog-Trace-Count equals the chunk count, and every chunk's spans carry the root's
 *    trace id (low 64 bits) in "trace_id";
 *  - the child injected with the tracer's inject styles (dd_propagation_config_from_env on the
 *    same variables) extracts back, with those styles as extract styles (and extract behaviour
 *    continue), to the child's trace id (low 64 bits) and span id;
 *  - the HTTP helpers (query obfuscation, header tags, error statuses, client IP) and the log
 *    correlation run under every configuration; the log line is one line. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_env_config: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const char *const vars[] = {
    "DD_SERVICE", "DD_ENV", "DD_VERSION", "DD_TAGS", "DD_TRACE_ENABLED",
    "DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", "DD_TRACE_DEBUG", "DD_TRACE_STARTUP_LOGS",
    "DD_TRACE_PARTIAL_FLUSH_ENABLED", "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", "DD_TRACE_REPORT_HOSTNAME",
    "DD_TRACE_SAMPLE_RATE", "DD_TRACE_RATE_LIMIT", "DD_TRACE_SAMPLING_RULES", "DD_SPAN_SAMPLING_RULES",
    "DD_TRACE_PROPAGATION_STYLE", "DD_TRACE_PROPAGATION_STYLE_EXTRACT", "DD_TRACE_PROPAGATION_STYLE_INJECT",
    "DD_PROPAGATION_STYLE_EXTRACT", "DD_PROPAGATION_STYLE_INJECT", "DD_TRACE_PROPAGATION_EXTRACT_FIRST",
    "DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH", "DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH", "OTEL_PROPAGATORS",
    "AWS_LAMBDA_FUNCTION_NAME", "DD_MERGE_XRAY_TRACES", "DD_SPAN_SAMPLING_RULES_FILE",
    "DD_TRACE_BAGGAGE_MAX_ITEMS", "DD_TRACE_BAGGAGE_MAX_BYTES", "DD_TRACE_BAGGAGE_TAG_KEYS",
    "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT", "DD_LOGS_INJECTION", "DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED",
    "DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP", "DD_TRACE_HTTP_SERVER_ERROR_STATUSES",
    "DD_TRACE_HTTP_CLIENT_ERROR_STATUSES", "DD_TRACE_HEADER_TAGS", "DD_TRACE_HTTP_CLIENT_TAG_QUERY_STRING",
    "DD_TRACE_CLIENT_IP_ENABLED", "DD_TRACE_CLIENT_IP_HEADER",
    "(cgroup file)"};
#define NVARS (sizeof vars / sizeof vars[0])
#define CGROUP (NVARS - 1)

typedef struct state {
    char *val[NVARS]; /* NUL-terminated copies, NULL when unset */
    uint64_t chunks, spans, requests;
    uint64_t want_lo;
    int startup_seen;
} state;
static state S;

static const char *env_get(void *u, const char *name) {
    size_t i;
    (void)u;
    for (i = 0; i < CGROUP; i++)
        if (strcmp(vars[i], name) == 0) return S.val[i];
    return NULL;
}

static const char *str_or_empty(const char *s) { return s ? s : ""; }

/* These strings reach the wire as msgpack str: valid UTF-8 is kept verbatim, anything else is
 * repaired (each bad byte becomes U+FFFD), so the result is valid UTF-8. */
static int same_or_repaired(const char *got, const char *want) {
    size_t n = strlen(want), g = strlen(got);
    if (dd__t_utf8_valid_prefix((const unsigned char *)want, n) == n) return strcmp(got, want) == 0;
    return g >= n && dd__t_utf8_valid_prefix((const unsigned char *)got, g) == g;
}

static int ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

static void on_log(void *u, int level, const char *msg, size_t len) {
    static const char head[] = "DATADOG TRACER CONFIGURATION - ";
    size_t i, sum = 0;
    dd_json root, m;
    (void)u;
    (void)level;
    for (i = 0; i < len; i++) sum += (unsigned char)msg[i]; /* ASan: the whole line is readable */
    (void)sum;
    if (len < sizeof head - 1 || memcmp(msg, head, sizeof head - 1) != 0) return;
    S.startup_seen = 1;
    if (len >= 1500) return; /* may be cut by its fixed buffer */
    REQUIRE(dd_json_parse(msg + sizeof head - 1, len - (sizeof head - 1), &root) == DD_OK);
    REQUIRE(root.type == DD_JSON_OBJECT);
    REQUIRE(dd_json_get(&root, "service", 7, &m) == DD_OK && m.type == DD_JSON_STRING);
    REQUIRE(dd_json_get(&root, "env", 3, &m) == DD_OK && m.type == DD_JSON_STRING);
    if (ascii(str_or_empty(S.val[1]))) /* other bytes may be repaired to U+FFFD */
        REQUIRE(dd_json_string_eq(&m, str_or_empty(S.val[1]), strlen(str_or_empty(S.val[1]))));
}

/* Reads one chunk (an array of span maps) and checks each span's trace_id. */
static void check_chunk(dd_mp_reader *r) {
    uint32_t n = 0, i, k, nk;
    REQUIRE(dd_mp_read_array(r, &n) == DD_OK);
    REQUIRE(n >= 1);
    for (i = 0; i < n; i++) {
        int seen = 0;
        REQUIRE(dd_mp_read_map(r, &nk) == DD_OK);
        for (k = 0; k < nk; k++) {
            const char *key;
            uint32_t kl;
            REQUIRE(dd_mp_read_str(r, &key, &kl) == DD_OK);
            if (kl == 8 && memcmp(key, "trace_id", 8) == 0) {
                uint64_t v;
                REQUIRE(dd_mp_read_u64(r, &v) == DD_OK);
                REQUIRE(v == S.want_lo);
                seen = 1;
            } else {
                REQUIRE(dd_mp_skip(r) == DD_OK);
            }
        }
        REQUIRE(seen);
        S.spans++;
    }
    S.chunks++;
}

static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    dd_mp_reader r, whole;
    uint32_t n = 0, i;
    size_t h;
    uint64_t count = 0;
    int have_count = 0;
    (void)u;
    S.requests++;
    REQUIRE(strcmp(req->method, "POST") == 0 && strcmp(req->path, "/v0.4/traces") == 0);
    dd_mp_reader_init(&whole, req->body, req->body_len);
    REQUIRE(dd_mp_skip(&whole) == DD_OK && dd_mp_reader_remaining(&whole) == 0);
    for (h = 0; h < req->n_headers; h++) {
        REQUIRE(req->headers[h].name[req->headers[h].name_len] == 0);
        REQUIRE(req->headers[h].value[req->headers[h].value_len] == 0);
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0) {
            REQUIRE(dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count) == DD_OK);
            have_count = 1;
        }
    }
    dd_mp_reader_init(&r, req->body, req->body_len);
    REQUIRE(dd_mp_read_array(&r, &n) == DD_OK);
    REQUIRE(have_count && count == n);
    for (i = 0; i < n; i++) check_chunk(&r);
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

static char cgroup_path[64];
static void remove_cgroup_file(void) { unlink(cgroup_path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const dd_header in_h[] = {
        {"x-datadog-trace-id", 18, "1234567890123", 13},
        {"x-datadog-parent-id", 19, "987654321", 9},
        {"x-datadog-sampling-priority", 27, "1", 1},
        {"x-datadog-tags", 14, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000", 38},
        {"traceparent", 11, "00-640cfd8d0000000000000119b6dfa7cb-000000003ade68b1-01", 55},
        {"tracestate", 10, "dd=s:1;p:000000003ade68b1,foo=bar", 33},
        {"baggage", 7, "user.id=u1,session.id=s%201,k=v", 31},
        {"X-Forwarded-For", 15, "10.0.0.1, 203.0.113.9", 21},
        {"User-Agent", 10, "fuzz", 4}};
    dd_tracer_config cfg;
    dd_tracer *t;
    dd_trace_context ctx, back;
    dd_propagation_config pc;
    dd_headers in = {0}, out;
    dd_header out_items[16];
    char out_buf[2048];
    dd_carrier_reader rd;
    dd_carrier_writer wr;
    dd_span_options so;
    dd_span *root, *child;
    dd_counters k;
    dd_trace_id tid;
    size_t i = 0;
    int enabled, rc;

    memset(&S, 0, sizeof S);
    while (i < size) {
        size_t j = i, v;
        while (j < size && data[j] != '\n') j++;
        if (j > i) {
            v = data[i] % NVARS;
            free(S.val[v]);
            S.val[v] = (char *)malloc(j - i);
            memcpy(S.val[v], data + i + 1, j - i - 1);
            S.val[v][j - i - 1] = 0;
        }
        i = j + 1;
    }

    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = env_get;
    cfg.log_fn = on_log;
    cfg.transport_fn = transport;
    cfg.flush_interval_ms = -1;
    cfg.cgroup_path = "";
    if (S.val[CGROUP]) {
        FILE *f;
        if (!cgroup_path[0]) {
            snprintf(cgroup_path, sizeof cgroup_path, "/tmp/fuzz_env_cgroup.%ld", (long)getpid());
            atexit(remove_cgroup_file);
        }
        f = fopen(cgroup_path, "wb");
        if (f) {
            fwrite(S.val[CGROUP], 1, strlen(S.val[CGROUP]), f);
            fclose(f);
            cfg.cgroup_path = cgroup_path;
        }
    }
    t = dd_tracer_new(&cfg);
    REQUIRE(t != NULL);
    if (S.val[0] && S.val[0][0]) REQUIRE(same_or_repaired(dd_tracer_service(t), S.val[0]));
    REQUIRE(same_or_repaired(dd_tracer_env(t), str_or_empty(S.val[1])));
    REQUIRE(same_or_repaired(dd_tracer_version(t), str_or_empty(S.val[2])));

    in.items = (dd_header *)in_h;
    in.n = sizeof in_h / sizeof in_h[0];
    dd_headers_reader(&rd, &in);
    REQUIRE(dd_extract(NULL, &rd, &ctx) == DD_OK);
    memset(&so, 0, sizeof so);
    so.context = &ctx;
    so.name = "web.request";
    root = dd_span_start(t, &so);
    enabled = root != NULL;
    child = dd_span_start_child(root, "db.query");
    REQUIRE(!enabled || child != NULL);
    dd_span_set_tag(child, "db.system", "postgresql");
    /* the HTTP helpers and log correlation under every configuration: no crash, no leak */
    dd_span_set_http_request(root, DD_HTTP_SERVER, "GET", "http://u:p@h:1/a?token=x&q=1#f", in_h,
                             sizeof in_h / sizeof in_h[0]);
    dd_span_set_http_client_ip(root, "192.0.2.1", in_h, sizeof in_h / sizeof in_h[0]);
    dd_span_set_http_request(child, DD_HTTP_CLIENT, "POST", "https://b/x?password=y", NULL, 0);
    dd_span_set_http_response(child, 404, in_h, 2);
    dd_span_set_http_response(root, 503, NULL, 0);
    {
        char line[512];
        size_t n = dd_span_log_correlation(root, 0, line, sizeof line);
        REQUIRE(strlen(line) == (n < sizeof line ? n : sizeof line - 1) && !strchr(line, '\n'));
        if (enabled && S.val[1] && S.val[1][0] && n) REQUIRE(strstr(line, " dd.env=") != NULL);
    }
    dd_span_trace_id(root, &tid);
    S.want_lo = tid.lo;
    if (enabled) {
        REQUIRE(tid.lo == UINT64_C(1234567890123)); /* continued from the extracted context */
        dd_headers_init(&out, out_items, 16, out_buf, sizeof out_buf);
        dd_headers_writer(&wr, &out);
        rc = dd_span_inject(child, &wr);
        REQUIRE(rc == DD_OK);
        dd_propagation_config_default(&pc);
        dd_propagation_config_from_env(&pc, env_get, NULL, NULL);
        memcpy(pc.extract_styles, pc.inject_styles, sizeof pc.extract_styles);
        pc.n_extract = pc.n_inject;
        pc.extract_behavior = DD_EXTRACT_CONTINUE; /* the round trip continues whatever the tracer does */
        dd_headers_reader(&rd, &out);
        rc = dd_extract(&pc, &rd, &back);
        if (out.n > 0) {
            REQUIRE(rc == DD_OK);
            if (back.trace_id.lo || back.trace_id.hi) { /* else only the baggage style was written */
                REQUIRE(back.trace_id.lo == tid.lo);
                REQUIRE(back.parent_id == dd_span_id(child));
            }
        }
    }
    dd_span_finish(child);
    dd_span_finish(root);
    REQUIRE(dd_tracer_flush(t) == DD_OK);
    dd_tracer_counters(t, &k);
    REQUIRE(k.spans_started == (enabled ? 2u : 0u));
    REQUIRE(k.spans_finished == k.spans_started);
    REQUIRE(k.spans_encoded + k.spans_dropped_buffer == k.spans_finished);
    REQUIRE(k.chunks_sent == k.chunks_encoded && k.chunks_sent == S.chunks);
    REQUIRE(S.spans == k.spans_encoded);
    REQUIRE(k.requests_sent == S.requests && k.requests_failed == 0);
    dd_tracer_free(t);
    for (i = 0; i < NVARS; i++) free(S.val[i]);
    return 0;
}
