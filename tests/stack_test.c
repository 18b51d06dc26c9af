/* tests/stack_test.c - every public call of dd_msgpack.h, dd_propagation.h, dd_trace.h and
 * dd_sender.h runs within 16 KiB of stack (issue #17 item 6).
 *
 * Each call runs alone on a thread whose stack is guarded 16 KiB below its entry
 * (tests/stack_probe.h), with worst-case inputs: extraction with every style on and maximal
 * headers (64-item 8 KiB baggage, 32 tracestate members, 512 bytes of x-datadog-tags, B3, X-Ray,
 * conflicting trace ids that become span links), injection of every style, a tracer with sampling
 * rules, header tags, debug payload logging and delivery on the finishing thread through a
 * dd_sender to a local HTTP server, the sender and the UDP sender against local sockets.
 * Arguments live off the probed stack (static or heap), so a figure is the call's own use. The
 * list of calls is read from the headers (every `DD_API ... dd_name(` declaration): a public
 * function without a probe here fails the test; dd_lambda.h is another test's business.
 * Under a sanitizer frames are several times larger: the budget is then 64 KiB and the figures
 * are only reported. The program runs itself again with LD_BIND_NOW=1, so that the dynamic
 * linker's lazy binding is not in the figures. One call is measured twice: the first
 * dd_span_set_http_request of a query shape runs glibc's regexec building its automaton on the
 * stack (about 20 KiB inside libc: reported, and documented in dd_trace.h), the table has the
 * warmed call. STACK_TEST_BUDGET=bytes runs with a larger budget, to measure past the limit. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../dd_sender.h"
#include "test.h"
#include "stack_probe.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LIMIT 16384 /* the promise of every public call (issue #17) */
#ifdef STACK_PROBE_ASAN
#define BUDGET_DEFAULT (4 * LIMIT)
#else
#define BUDGET_DEFAULT LIMIT
#endif
static size_t BUDGET = BUDGET_DEFAULT; /* STACK_TEST_BUDGET=bytes measures past the limit (a report) */

/*--- a local HTTP server: answers every request on a kept connection with a small JSON body ---*/

static int srv_fd = -1, srv_port;
static char *find_blank_line(char *b, size_t n) {
    size_t i;
    for (i = 0; i + 4 <= n; i++)
        if (memcmp(b + i, "\r\n\r\n", 4) == 0) return b + i;
    return NULL;
}
static char srv_url[64];
static void *srv_main(void *arg) {
    static char buf[1 << 20];
    (void)arg;
    for (;;) {
        int c = accept(srv_fd, NULL, NULL);
        size_t n = 0;
        if (c < 0) return NULL;
        for (;;) { /* requests of this connection */
            char *end;
            ssize_t k;
            size_t head, body = 0;
            const char *cl;
            static const char body_text[] = "{\"rate_by_service\":{\"service:,env:\":0.5,\"x\":1}}";
            static char ans[256];
            int an = snprintf(ans, sizeof ans, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                              "Content-Length: %u\r\n\r\n%s", (unsigned)(sizeof body_text - 1), body_text);
            while (!(end = find_blank_line(buf, n))) {
                if (n == sizeof buf || (k = read(c, buf + n, sizeof buf - n)) <= 0) goto closed;
                n += (size_t)k;
            }
            head = (size_t)(end - buf) + 4;
            buf[head - 1] = 0;
            cl = strstr(buf, "Content-Length: ");
            if (cl) body = (size_t)strtoul(cl + 16, NULL, 10);
            while (n < head + body) {
                if (n == sizeof buf || (k = read(c, buf + n, sizeof buf - n)) <= 0) goto closed;
                n += (size_t)k;
            }
            memmove(buf, buf + head + body, n - head - body);
            n -= head + body;
            if (write(c, ans, (size_t)an) != (ssize_t)an) break;
        }
    closed:
        close(c);
    }
}
static int srv_start(void) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    pthread_t th;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv_fd < 0 || bind(srv_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv_fd, 8) != 0 ||
        getsockname(srv_fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    srv_port = ntohs(a.sin_port);
    snprintf(srv_url, sizeof srv_url, "http://localhost:%d", srv_port); /* getaddrinfo through NSS */
    if (pthread_create(&th, NULL, srv_main, NULL) != 0) return -1;
    pthread_detach(th);
    return 0;
}
static int udp_fd = -1, udp_port;
static int udp_start(void) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (udp_fd < 0 || bind(udp_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(udp_fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    udp_port = ntohs(a.sin_port);
    return 0;
}

/*--- worst-case inputs, all static ---*/

enum { H_TID, H_PID, H_PRIO, H_ORIGIN, H_TAGS, H_TP, H_TS, H_B3T, H_B3S, H_B3SAMP, H_B3, H_XRAY, H_BAGGAGE, H_N };
static dd_header g_hdr[H_N + 4];
static size_t g_nhdr;
static char g_origin[DD_ORIGIN_MAX + 1], g_xtags[DD_PTAGS_MAX + 1], g_ts[600], g_bag[8193];
static dd_propagation_config g_cfg, g_cfg_restart;
static dd_trace_context g_ctx, g_ctx2;
static dd_carrier_reader g_reader;
static dd_headers g_in;
static dd_header g_out_items[64];
static char g_out_buf[65536];
static dd_headers g_out;
static dd_carrier_writer g_writer;
static char g_text[65536];
static char g_json[65536];
static size_t g_json_len;
static dd_json g_root, g_val, g_key;
static dd_json_iter g_it;
static dd_baggage g_bg;
static uint8_t g_mp[65536];
static dd_mp_writer g_w;
static dd_mp_reader g_r;
static size_t g_mp_len;
static volatile int g_sink;

static void put(const char *name, const char *value, size_t len) {
    g_hdr[g_nhdr].name = name;
    g_hdr[g_nhdr].name_len = strlen(name);
    g_hdr[g_nhdr].value = value;
    g_hdr[g_nhdr].value_len = len;
    g_nhdr++;
}
static void make_inputs(void) {
    size_t i, n;
    static const int all[] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_B3MULTI,
                              DD_STYLE_B3,      DD_STYLE_XRAY,         DD_STYLE_BAGGAGE};
    memset(g_origin, 'o', DD_ORIGIN_MAX);
    memcpy(g_origin, "synthetics-", 11);
    /* 512 bytes of _dd.p.* tags, the trace id's high half first */
    n = (size_t)sprintf(g_xtags, "_dd.p.tid=640cfd8d00000000,_dd.p.dm=-4");
    for (i = 0; n + 20 <= DD_PTAGS_MAX; i++) n += (size_t)sprintf(g_xtags + n, ",_dd.p.k%02u=%06u", (unsigned)i, (unsigned)i);
    /* a dd member and 31 foreign members */
    n = (size_t)sprintf(g_ts, "dd=s:2;p:00000000000000bb;o:synthetics;t.dm:-4;t.usr:abc;x1:y");
    for (i = 1; i < 32; i++) n += (size_t)sprintf(g_ts + n, ",v%02u=%012u", (unsigned)i, (unsigned)i);
    /* 64 items, 8191 bytes, percent-encoded bytes to decode */
    n = 0;
    for (i = 0; i < 64; i++) {
        size_t start = n, j;
        n += (size_t)sprintf(g_bag + n, "%skey%02u=", i ? "," : "", (unsigned)i);
        for (j = 0; n - start < (i ? 127u : 126u) - 9; j++) n += (size_t)sprintf(g_bag + n, j % 4 ? "v" : "%%F0%%9F%%98%%80");
        while (n - start < (i ? 127u : 126u)) g_bag[n++] = 'v';
    }
    g_bag[n] = 0;
    put("x-datadog-trace-id", "1234567890123456789", 19);
    put("x-datadog-parent-id", "987654321", 9);
    put("x-datadog-sampling-priority", "2", 1);
    put("x-datadog-origin", g_origin, DD_ORIGIN_MAX);
    put("x-datadog-tags", g_xtags, strlen(g_xtags));
    put("traceparent", "00-640cfd8d00000000112210f47de98115-00000000000000aa-01", 55); /* the same trace */
    put("tracestate", g_ts, strlen(g_ts));
    put("x-b3-traceid", "a0000000000000000000000000000001", 32); /* another trace: a span link */
    put("x-b3-spanid", "00000000000000cc", 16);
    put("x-b3-sampled", "1", 1);
    put("b3", "b0000000000000000000000000000002-00000000000000dd-1", 51);
    put("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", 74);
    put("baggage", g_bag, n);
    put("user-agent", "Mozilla/5.0 (X11; Linux x86_64) stack-test", 42);
    put("x-forwarded-for", "10.0.0.1, 203.0.113.9", 21);
    put("content-type", "application/json", 16);
    put("x-request-id", "0123456789abcdef", 16);
    memset(&g_in, 0, sizeof g_in);
    g_in.items = g_hdr;
    g_in.n = g_nhdr;
    dd_headers_reader(&g_reader, &g_in);
    dd_propagation_config_default(&g_cfg);
    memcpy(g_cfg.extract_styles, all, sizeof all);
    memcpy(g_cfg.inject_styles, all, sizeof all);
    g_cfg.n_extract = g_cfg.n_inject = 6;
    g_cfg_restart = g_cfg;
    g_cfg_restart.extract_behavior = DD_EXTRACT_RESTART;
    /* the same headers as a _datadog JSON object */
    n = 0;
    g_json[n++] = '{';
    for (i = 0; i < H_N; i++)
        n += (size_t)sprintf(g_json + n, "%s\"%s\":\"%.*s\"", i ? "," : "", g_hdr[i].name, (int)g_hdr[i].value_len,
                             g_hdr[i].value);
    g_json[n++] = '}';
    g_json_len = n;
}
static void out_reset(void) {
    dd_headers_init(&g_out, g_out_items, 64, g_out_buf, sizeof g_out_buf);
    dd_headers_writer(&g_writer, &g_out);
}
static int cstr_set(void *u, const char *k, const char *v) {
    (void)u, (void)k, (void)v;
    return DD_OK;
}
static const char *cstr_get(void *u, const char *name) {
    size_t i;
    (void)u;
    for (i = 0; i < H_N; i++)
        if (strcmp(g_hdr[i].name, name) == 0) {
            static char v[8200];
            memcpy(v, g_hdr[i].value, g_hdr[i].value_len);
            v[g_hdr[i].value_len] = 0;
            return v;
        }
    return NULL;
}
static const char *env_get(void *u, const char *name) {
    (void)u;
    if (strcmp(name, "TRACEPARENT") == 0) return "00-640cfd8d00000000112210f47de98115-00000000000000aa-01";
    if (strcmp(name, "TRACESTATE") == 0) return g_ts;
    if (strcmp(name, "BAGGAGE") == 0) return g_bag;
    if (strcmp(name, "X_DATADOG_TRACE_ID") == 0) return "1234567890123456789";
    if (strcmp(name, "X_DATADOG_PARENT_ID") == 0) return "987654321";
    if (strcmp(name, "X_DATADOG_TAGS") == 0) return g_xtags;
    if (strcmp(name, "DD_TRACE_PROPAGATION_STYLE") == 0) return "datadog,tracecontext,b3multi,b3,xray,baggage";
    if (strcmp(name, "DD_TRACE_PROPAGATION_STYLE_EXTRACT") == 0) return "datadog, tracecontext ,b3 single header,xray,baggage,none";
    if (strcmp(name, "DD_TRACE_BAGGAGE_MAX_ITEMS") == 0) return "64";
    if (strcmp(name, "DD_TRACE_BAGGAGE_MAX_BYTES") == 0) return "8192";
    if (strcmp(name, "DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH") == 0) return "512";
    if (strcmp(name, "DD_TRACE_PROPAGATION_EXTRACT_FIRST") == 0) return "false";
    if (strcmp(name, "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT") == 0) return "continue";
    if (strcmp(name, "DD_TAGS") == 0) {
        static char tags[4096];
        size_t i, n = 0;
        for (i = 0; i < 100; i++) n += (size_t)sprintf(tags + n, "%sglobal%03u:value%03u", i ? "," : "", (unsigned)i, (unsigned)i);
        return tags;
    }
    if (strcmp(name, "DD_TRACE_SAMPLING_RULES") == 0)
        return "[{\"service\":\"no-*-match\",\"sample_rate\":0.1},"
               "{\"name\":\"*.request\",\"resource\":\"GET /users/?\",\"tags\":{\"http.status_code\":\"2??\",\"a\":\"b*\"},\"sample_rate\":0.5},"
               "{\"service\":\"stack*\",\"name\":\"web.*\",\"sample_rate\":1}]";
    if (strcmp(name, "DD_SPAN_SAMPLING_RULES") == 0)
        return "[{\"service\":\"stack*\",\"name\":\"child*\",\"sample_rate\":1,\"max_per_second\":100}]";
    if (strcmp(name, "DD_TRACE_HEADER_TAGS") == 0) return "user-agent:ua,x-request-id,content-type:ct,x-forwarded-for";
    if (strcmp(name, "DD_TRACE_PEER_SERVICE_MAPPING") == 0) return "db:database,cache:redis";
    if (strcmp(name, "DD_SERVICE_MAPPING") == 0) return "other:mapped";
    if (strcmp(name, "DD_TRACE_CLIENT_IP_ENABLED") == 0) return "true";
    if (strcmp(name, "DD_TRACE_DEBUG") == 0) return "true";
    if (strcmp(name, "DD_TRACE_BAGGAGE_TAG_KEYS") == 0) return "*";
    if (strcmp(name, "DD_TRACE_AGENT_URL") == 0) return srv_url;
    return NULL;
}
static void quiet_log(void *u, int level, const char *msg, size_t len) { (void)u, (void)level, (void)msg, (void)len; }

/*--- the tracer and its spans ---*/

static dd_tracer_config g_tc;
static dd_tracer *g_t, *g_t2;
static dd_span *g_root_span, *g_child, *g_child2;
static dd_sender *g_snd, *g_snd2;
static dd_sender_options g_so;
static dd_sender_endpoint g_ep;
static dd_http_response g_resp;
static dd_http_request g_req;
static dd_http_parser g_hp;
static dd_udp_sender *g_udp, *g_udp2;
static dd_counters g_counters;
static dd_sender_stats g_sstats;
static dd_env_block g_env;
static char *g_envp[32];
static char g_env_buf[32768];
static const char *g_strp;
static size_t g_len;
static double g_d;
static uint64_t g_u;
static int64_t g_i;
static const dd_span_options *g_opts;
static dd_span_options g_so_root;
static dd_span_link g_link;
static dd_trace_id g_tid;

/*--- the probes: one per public function, run in this order ---*/

#define PROBE(fn) static void p_##fn(void *arg_)
#define USE (void)arg_

PROBE(empty) { USE; } /* the probe's own overhead */
PROBE(dd_status_str) { USE; g_strp = dd_status_str(DD_ERR_TRANSPORT); }
PROBE(dd_version) { USE; g_sink = dd_version(); }
/* dd_msgpack.h */
PROBE(dd_mp_writer_init_fixed) { USE; dd_mp_writer_init_fixed(&g_w, g_mp, sizeof g_mp); }
PROBE(dd_mp_write_nil) { USE; dd_mp_write_nil(&g_w); }
PROBE(dd_mp_write_bool) { USE; dd_mp_write_bool(&g_w, 1); }
PROBE(dd_mp_write_u64) { USE; dd_mp_write_u64(&g_w, UINT64_MAX); }
PROBE(dd_mp_write_i64) { USE; dd_mp_write_i64(&g_w, INT64_MIN); }
PROBE(dd_mp_write_f32) { USE; dd_mp_write_f32(&g_w, 1.5f); }
PROBE(dd_mp_write_f64) { USE; dd_mp_write_f64(&g_w, 1e300); }
PROBE(dd_mp_write_str) { USE; dd_mp_write_str(&g_w, g_bag, 8000); }
PROBE(dd_mp_write_cstr) { USE; dd_mp_write_cstr(&g_w, g_ts); }
PROBE(dd_mp_write_bin) { USE; dd_mp_write_bin(&g_w, g_bag, 300); }
PROBE(dd_mp_write_array) { USE; dd_mp_write_array(&g_w, 70000); }
PROBE(dd_mp_write_map) { USE; dd_mp_write_map(&g_w, 70000); }
PROBE(dd_mp_write_ext) { USE; dd_mp_write_ext(&g_w, 5, g_bag, 16); }
PROBE(dd_mp_write_raw) { USE; dd_mp_write_raw(&g_w, "\xc0", 1); }
PROBE(dd_mp_reserve_array) { USE; g_len = dd_mp_reserve_array(&g_w); }
PROBE(dd_mp_reserve_map) { USE; g_len = dd_mp_reserve_map(&g_w); }
PROBE(dd_mp_patch_count) { USE; dd_mp_patch_count(&g_w, g_len, 0); }
PROBE(dd_mp_writer_finish) { USE; g_sink = dd_mp_writer_finish(&g_w, &g_mp_len); }
PROBE(dd_mp_writer_error) { USE; g_sink = dd_mp_writer_error(&g_w); }
PROBE(dd_mp_writer_data) { USE; g_strp = (const char *)dd_mp_writer_data(&g_w); }
PROBE(dd_mp_writer_size) { USE; g_len = dd_mp_writer_size(&g_w); }
PROBE(dd_mp_writer_reset) { USE; dd_mp_writer_reset(&g_w); }
PROBE(dd_mp_writer_init_growable) {
    USE;
    dd_mp_writer_init_growable(&g_w, NULL, 16);
    dd_mp_write_str(&g_w, g_bag, 8000); /* grows */
}
PROBE(dd_mp_writer_free) { USE; dd_mp_writer_free(&g_w); }
/* a document 200 deep with every type, for the readers, dd_mp_skip and dd_mp_to_json */
static void make_mp(void) {
    int i;
    dd_mp_writer_init_fixed(&g_w, g_mp, sizeof g_mp);
    for (i = 0; i < 200; i++) {
        dd_mp_write_map(&g_w, 2);
        dd_mp_write_cstr(&g_w, "k\n\"");
        dd_mp_write_array(&g_w, 6);
        dd_mp_write_nil(&g_w);
        dd_mp_write_bool(&g_w, 0);
        dd_mp_write_f64(&g_w, -1.25e-300);
        dd_mp_write_bin(&g_w, "\x01\x02", 2);
        dd_mp_write_ext(&g_w, -1, "\x00\x00\x00\x00", 4);
        dd_mp_write_i64(&g_w, -5);
        dd_mp_write_cstr(&g_w, "next");
    }
    dd_mp_write_u64(&g_w, 7);
    dd_mp_writer_finish(&g_w, &g_mp_len);
}
PROBE(dd_mp_reader_init) { USE; make_mp(); dd_mp_reader_init(&g_r, g_mp, g_mp_len); }
PROBE(dd_mp_peek_type) { USE; g_sink = dd_mp_peek_type(&g_r); }
PROBE(dd_mp_read_map) { USE; uint32_t n; g_sink = dd_mp_read_map(&g_r, &n); }
PROBE(dd_mp_read_str) { USE; uint32_t n; g_sink = dd_mp_read_str(&g_r, &g_strp, &n); }
PROBE(dd_mp_read_array) { USE; uint32_t n; g_sink = dd_mp_read_array(&g_r, &n); }
PROBE(dd_mp_read_nil) { USE; g_sink = dd_mp_read_nil(&g_r); }
PROBE(dd_mp_read_bool) { USE; int b; g_sink = dd_mp_read_bool(&g_r, &b); }
PROBE(dd_mp_read_f64) { USE; g_sink = dd_mp_read_f64(&g_r, &g_d); }
PROBE(dd_mp_read_bin) { USE; const void *p; uint32_t n; g_sink = dd_mp_read_bin(&g_r, &p, &n); }
PROBE(dd_mp_read_ext) { USE; const void *p; uint32_t n; int8_t t; g_sink = dd_mp_read_ext(&g_r, &t, &p, &n); }
PROBE(dd_mp_read_i64) { USE; g_sink = dd_mp_read_i64(&g_r, &g_i); }
PROBE(dd_mp_read_u64) {
    USE;
    dd_mp_reader r;
    dd_mp_reader_init(&r, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9);
    g_sink = dd_mp_read_u64(&r, &g_u);
}
PROBE(dd_mp_skip) { USE; dd_mp_reader_init(&g_r, g_mp, g_mp_len); g_sink = dd_mp_skip(&g_r); }
PROBE(dd_mp_reader_error) { USE; g_sink = dd_mp_reader_error(&g_r); }
PROBE(dd_mp_reader_remaining) { USE; g_len = dd_mp_reader_remaining(&g_r); }
PROBE(dd_mp_to_json) { USE; g_len = dd_mp_to_json(g_mp, g_mp_len, g_text, sizeof g_text); }
/* dd_propagation.h: ids */
PROBE(dd_u64_to_dec) { USE; g_len = dd_u64_to_dec(UINT64_MAX, g_text); }
PROBE(dd_u64_to_hex16) { USE; g_len = dd_u64_to_hex16(UINT64_MAX, g_text); }
PROBE(dd_trace_id_to_hex32) { USE; dd_trace_id id = {1, 2}; g_len = dd_trace_id_to_hex32(&id, g_text); }
PROBE(dd_u64_from_dec) { USE; g_sink = dd_u64_from_dec("18446744073709551615", 20, &g_u); }
PROBE(dd_u64_from_hex) { USE; g_sink = dd_u64_from_hex("FFFFffffFFFFffff", 16, &g_u); }
PROBE(dd_trace_id_from_hex) { USE; g_sink = dd_trace_id_from_hex("640cfd8d00000000112210f47de98115", 32, &g_tid); }
/* carriers and configuration */
PROBE(dd_headers_reader) { USE; dd_headers_reader(&g_reader, &g_in); }
PROBE(dd_headers_init) { USE; dd_headers_init(&g_out, g_out_items, 64, g_out_buf, sizeof g_out_buf); }
PROBE(dd_headers_writer) { USE; dd_headers_writer(&g_writer, &g_out); }
PROBE(dd_cstr_carrier_reader) { USE; static dd_cstr_carrier c; static dd_carrier_reader r; c.get_fn = cstr_get; dd_cstr_carrier_reader(&r, &c); }
PROBE(dd_cstr_carrier_writer) { USE; static dd_cstr_carrier c; static dd_carrier_writer w; c.set_fn = cstr_set; dd_cstr_carrier_writer(&w, &c); }
PROBE(dd_env_reader) { USE; static dd_env_source s; static dd_carrier_reader r; s.getenv_fn = env_get; dd_env_reader(&r, &s); }
PROBE(dd_env_block_init) { USE; dd_env_block_init(&g_env, g_envp, 32, g_env_buf, sizeof g_env_buf); }
PROBE(dd_env_block_writer) { USE; static dd_carrier_writer w; dd_env_block_writer(&w, &g_env); }
PROBE(dd_propagation_config_default) { USE; static dd_propagation_config c; dd_propagation_config_default(&c); }
PROBE(dd_propagation_parse_styles) {
    USE;
    static int st[DD_STYLES_MAX];
    static int n;
    static const char s[] = "datadog, tracecontext,b3multi , b3 single header,xray,baggage,none,b3";
    g_sink = dd_propagation_parse_styles(s, sizeof s - 1, st, &n);
}
PROBE(dd_propagation_config_from_env) { USE; static dd_propagation_config c; g_sink = dd_propagation_config_from_env(&c, env_get, NULL, quiet_log); }
PROBE(dd_style_name) { USE; g_strp = dd_style_name(DD_STYLE_TRACECONTEXT); }
/* extract and inject */
PROBE(dd_extract) {
    USE;
    g_sink = dd_extract(&g_cfg, &g_reader, &g_ctx);
    g_sink += dd_extract(&g_cfg_restart, &g_reader, &g_ctx2);
}
PROBE(dd_inject) { USE; out_reset(); g_sink = dd_inject(&g_cfg, &g_ctx, &g_writer); }
PROBE(dd_inject_checked) { USE; static char err[DD_PROPAGATION_ERROR_MAX + 1]; out_reset(); g_sink = dd_inject_checked(&g_cfg, &g_ctx, &g_writer, err); }
PROBE(dd_xray_parse) { USE; g_sink = dd_xray_parse(g_hdr[H_XRAY].value, g_hdr[H_XRAY].value_len, &g_ctx2); }
PROBE(dd_xray_format) { USE; g_len = dd_xray_format(&g_ctx, g_text, sizeof g_text); }
PROBE(dd_ptags_get) { USE; g_sink = dd_ptags_get(&g_ctx, "_dd.p.k20", 9, &g_strp, &g_len); }
PROBE(dd_ptags_set) { USE; g_sink = dd_ptags_set(&g_ctx2, "_dd.p.new", 9, "value", 5); }
PROBE(dd_ptags_remove) { USE; g_sink = dd_ptags_remove(&g_ctx2, "_dd.p.new", 9); }
/* baggage */
PROBE(dd_baggage_parse) { USE; int tr; g_sink = dd_baggage_parse(g_bag, strlen(g_bag), 0, DD_BAGGAGE_BYTES_MAX, &g_bg, &tr); }
PROBE(dd_baggage_format) { USE; int tr; g_len = dd_baggage_format(&g_bg, 64, DD_BAGGAGE_BYTES_MAX, g_text, sizeof g_text, &tr); }
PROBE(dd_baggage_get) { USE; g_sink = dd_baggage_get(&g_bg, "key63", 5, &g_strp, &g_len); }
PROBE(dd_baggage_next) { USE; dd_baggage_iter it = {0, 0}; const char *k, *v; size_t kn, vn; while (dd_baggage_next(&g_bg, &it, &k, &kn, &v, &vn) == DD_OK) g_sink++; }
PROBE(dd_baggage_set) { USE; g_sink = dd_baggage_set(&g_bg, "key00", 5, g_bag, 600); }
PROBE(dd_baggage_remove) { USE; g_sink = dd_baggage_remove(&g_bg, "key00", 5); }
PROBE(dd_baggage_clear) { USE; dd_baggage_clear(&g_bg); }
/* JSON */
static void make_json_doc(void) { /* the _datadog object, then nested 100 deep */
    size_t n = g_json_len, i;
    static char doc[65536];
    memcpy(doc, "{\"_datadog\":", 12);
    memcpy(doc + 12, g_json, n);
    n += 12;
    n += (size_t)sprintf(doc + n, ",\"s\":\"a\\u00e9\\ud83d\\ude00\\n\\\"x\\\"\",\"num\":-1.5e3,\"u\":18446744073709551615,\"deep\":");
    for (i = 0; i < 100; i++) n += (size_t)sprintf(doc + n, "{\"a\":[1,");
    n += (size_t)sprintf(doc + n, "true");
    for (i = 0; i < 100; i++) n += (size_t)sprintf(doc + n, "]}");
    doc[n++] = '}';
    memcpy(g_text, doc, n);
    g_text[n] = 0;
}
static size_t g_doc_len;
PROBE(dd_json_parse) { USE; make_json_doc(); g_doc_len = strlen(g_text); g_sink = dd_json_parse(g_text, g_doc_len, &g_root); }
PROBE(dd_json_get) { USE; g_sink = dd_json_get(&g_root, "deep", 4, &g_val); }
PROBE(dd_json_path) { USE; g_sink = dd_json_path(&g_root, "deep.a", &g_val); }
PROBE(dd_json_at) { USE; g_sink = dd_json_at(&g_val, 1, &g_key); }
PROBE(dd_json_iter_init) { USE; dd_json_iter_init(&g_it, &g_root); }
PROBE(dd_json_next) { USE; while (dd_json_next(&g_it, &g_key, &g_val) == DD_OK) g_sink++; }
PROBE(dd_json_string) { USE; static char s[256]; dd_json v; dd_json_get(&g_root, "s", 1, &v); g_sink = dd_json_string(&v, s, sizeof s, &g_len); }
PROBE(dd_json_string_eq) { USE; dd_json v; dd_json_get(&g_root, "s", 1, &v); g_sink = dd_json_string_eq(&v, "a", 1); }
PROBE(dd_json_number) { USE; dd_json v; dd_json_get(&g_root, "num", 3, &v); g_sink = dd_json_number(&v, &g_d); }
PROBE(dd_json_u64) { USE; dd_json v; dd_json_get(&g_root, "u", 1, &v); g_sink = dd_json_u64(&v, &g_u); }
PROBE(dd_json_carrier_init) {
    USE;
    static dd_json_carrier jc;
    static dd_carrier_reader r;
    dd_json obj;
    dd_json_get(&g_root, "_datadog", 8, &obj);
    dd_json_carrier_init(&jc, &r, &obj, NULL);
    g_sink = dd_extract(&g_cfg, &r, &g_ctx2); /* and read through it */
}
PROBE(dd_datadog_extract) { USE; g_sink = dd_datadog_extract(&g_cfg, g_json, g_json_len, &g_ctx2); }
PROBE(dd_datadog_inject) { USE; static char out[65536]; g_len = dd_datadog_inject(&g_cfg, &g_ctx, out, sizeof out); }
/* dd_sender.h */
PROBE(dd_sender_options_init) { USE; dd_sender_options_init(&g_so); g_so.getenv_fn = env_get; g_so.log_fn = quiet_log; }
PROBE(dd_sender_resolve) { USE; g_sink = dd_sender_resolve(&g_so, &g_ep); }
PROBE(dd_sender_new) { USE; g_snd = dd_sender_new(&g_so); }
PROBE(dd_sender_url) { USE; g_strp = dd_sender_url(g_snd); }
PROBE(dd_sender_note) { USE; g_strp = dd_sender_note(g_snd); }
PROBE(dd_sender_request) {
    USE;
    static const dd_header h[] = {{"Content-Type", 12, "application/msgpack", 19}, {"X-Datadog-Trace-Count", 21, "1", 1}};
    g_sink = dd_sender_request(g_snd, "PUT", "/v0.4/traces", h, 2, g_bag, 8000, 2000, &g_resp);
}
PROBE(dd_sender_transport) {
    USE;
    static const dd_header h[] = {{"Content-Type", 12, "application/msgpack", 19}};
    g_req.method = "POST";
    g_req.path = "/v0.4/traces";
    g_req.headers = h;
    g_req.n_headers = 1;
    g_req.body = (const uint8_t *)g_bag;
    g_req.body_len = 8000;
    g_req.timeout_ms = 2000;
    g_sink = dd_sender_transport(g_snd, &g_req, &g_resp);
}
PROBE(dd_http_response_header) { USE; dd_http_response_header(&g_resp, "Datadog-Agent-State", 19, "4a1f", 4); }
PROBE(dd_sender_response_header) { USE; g_strp = dd_sender_response_header(g_snd, "retry-after", &g_len); }
PROBE(dd_sender_last_error) { USE; g_strp = dd_sender_last_error(g_snd);}
PROBE(dd_sender_counters) { USE; dd_sender_counters(g_snd, &g_sstats); }
PROBE(dd_sender_free) { USE; dd_sender_free(g_snd); g_snd = NULL; }
PROBE(dd_http_parser_init) { USE; dd_http_parser_init(&g_hp, 1 << 20, 0); }
PROBE(dd_http_parse) {
    USE;
    static const char ans[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                              "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\nX-A: b\r\n\r\n"
                              "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    static char buf[512];
    memcpy(buf, ans, sizeof ans - 1);
    g_len = sizeof ans - 1;
    g_sink = dd_http_parse(&g_hp, buf, &g_len);
    g_strp = buf;
}
PROBE(dd_http_parse_eof) { USE; g_sink = dd_http_parse_eof(&g_hp); }
PROBE(dd_http_header) { USE; size_t n; g_strp = dd_http_header(g_strp, g_hp.head_len, "retry-after", &n); }
PROBE(dd_http_retry_after_ms) { USE; static const char d[] = "Wed, 21 Oct 2026 07:28:00 GMT"; g_i = dd_http_retry_after_ms(d, sizeof d - 1, 1792000000000); }
PROBE(dd_udp_sender_open) { USE; g_udp = dd_udp_sender_open("localhost", udp_port); }
PROBE(dd_udp_sender_open_addr) {
    USE;
    static char a[96];
    snprintf(a, sizeof a, "tcp:127.0.0.1:2000 udp:127.0.0.1:%d", udp_port);
    g_udp2 = dd_udp_sender_open_addr(a, 2000);
}
PROBE(dd_udp_send) { USE; g_sink = dd_udp_send(g_udp, g_bag, 1400); }
PROBE(dd_udp_sender_counters) { USE; uint64_t s, d; dd_udp_sender_counters(g_udp, &s, &d); }
PROBE(dd_udp_sender_close) { USE; dd_udp_sender_close(g_udp); dd_udp_sender_close(g_udp2); }
/* dd_trace.h: the tracer */
PROBE(dd_tracer_config_init) {
    USE;
    dd_tracer_config_init(&g_tc);
    g_tc.service = "stack-test";
    g_tc.env = "prod";
    g_tc.version = "1.2.3";
    g_tc.getenv_fn = env_get;
    g_tc.log_fn = quiet_log;
    g_tc.delivery = DD_DELIVERY_SYNC;
    g_tc.flush_bytes = 1; /* the finishing thread delivers: encoding and the request are probed too */
    g_tc.cgroup_path = "/proc/self/cgroup";
    g_tc.report_hostname = DD_ON;
}
PROBE(dd_sender_attach) {
    USE;
    g_snd2 = dd_sender_new(&g_so);
    dd_sender_attach(&g_tc, g_snd2); /* the tracer frees it */
}
PROBE(dd_tracer_new) { USE; g_t = dd_tracer_new(&g_tc); }
PROBE(dd_tracer_service) { USE; g_strp = dd_tracer_service(g_t); }
PROBE(dd_tracer_env) { USE; g_strp = dd_tracer_env(g_t); }
PROBE(dd_tracer_version) { USE; g_strp = dd_tracer_version(g_t); }
PROBE(dd_tracer_propagation) { USE; g_sink = dd_tracer_propagation(g_t) != NULL; }
PROBE(dd_tracer_extract) { USE; g_sink = dd_tracer_extract(g_t, &g_reader, &g_ctx); }
PROBE(dd_tracer_extract_headers) { USE; g_sink = dd_tracer_extract_headers(g_t, g_hdr, g_nhdr, &g_ctx); }
PROBE(dd_tracer_extract_cstr) { USE; g_sink = dd_tracer_extract_cstr(g_t, cstr_get, NULL, &g_ctx2); }
PROBE(dd_tracer_extract_env) { USE; g_sink = dd_tracer_extract_env(g_t, env_get, NULL, &g_ctx2); }
PROBE(dd_tracer_extract_datadog_json) { USE; g_sink = dd_tracer_extract_datadog_json(g_t, g_json, g_json_len, &g_ctx2); }
PROBE(dd_span_start) {
    USE;
    memset(&g_so_root, 0, sizeof g_so_root);
    g_so_root.context = &g_ctx;
    g_so_root.name = "web.request";
    g_so_root.resource = "GET /users/1";
    g_so_root.type = "web";
    g_opts = &g_so_root;
    g_root_span = dd_span_start(g_t, g_opts);
}
PROBE(dd_span_start_child) { USE; g_child = dd_span_start_child(g_root_span, "child.op"); }
PROBE(dd_span_start_child_n) { USE; g_child2 = dd_span_start_child_n(g_root_span, "child.two", 9); }
PROBE(dd_span_set_start) { USE; dd_span_set_start(g_child2, 1700000000000000000); }
PROBE(dd_span_set_name) { USE; dd_span_set_name(g_child, "child.op.renamed"); }
PROBE(dd_span_set_name_n) { USE; dd_span_set_name_n(g_child, g_bag, 200); }
PROBE(dd_span_set_service) { USE; dd_span_set_service(g_child, "other"); }
PROBE(dd_span_set_service_n) { USE; dd_span_set_service_n(g_child, "other", 5); }
PROBE(dd_span_set_resource) { USE; dd_span_set_resource(g_child, "SELECT * FROM t WHERE id = ?"); }
PROBE(dd_span_set_resource_n) { USE; dd_span_set_resource_n(g_child, g_bag, 5000); }
PROBE(dd_span_set_type) { USE; dd_span_set_type(g_child, "sql"); }
PROBE(dd_span_set_type_n) { USE; dd_span_set_type_n(g_child, "sql", 3); }
PROBE(dd_span_set_tag) { USE; dd_span_set_tag(g_child, "peer.service", "db"); }
PROBE(dd_span_set_tag_n) { USE; dd_span_set_tag_n(g_child, "big", 3, g_bag, 4000); }
PROBE(dd_span_set_metric) { USE; dd_span_set_metric(g_child, "_dd.measured", 1); }
PROBE(dd_span_set_metric_n) { USE; dd_span_set_metric_n(g_child, "m.value", 7, -1.5e300); }
PROBE(dd_span_set_error) { USE; dd_span_set_error(g_child, 1); }
PROBE(dd_span_set_error_info) { USE; dd_span_set_error_info(g_child, "TypeError", "bad\nthing", "frame1\nframe2"); }
PROBE(dd_span_set_error_info_n) { USE; dd_span_set_error_info_n(g_child, "E", 1, g_bag, 2000, g_bag, 2000); }
PROBE(dd_span_set_kind) { USE; dd_span_set_kind(g_child, "client"); }
PROBE(dd_span_set_kind_n) { USE; dd_span_set_kind_n(g_child, "client", 6); }
PROBE(dd_span_set_measured) { USE; dd_span_set_measured(g_child, 1); }
/* the _static functions (g_bag is static storage: it outlives the tracer) */
PROBE(dd_span_start_child_static) {
    USE;
    dd_span_finish(dd_span_start_child_static(g_root_span, "child.static")); /* finishing a child: small */
}
PROBE(dd_span_set_resource_static) { USE; dd_span_set_resource_static(g_child, g_bag); }
PROBE(dd_span_set_tag_static) { USE; dd_span_set_tag_static(g_child, "static.key", g_bag); }
PROBE(dd_span_set_tag_static_n) { USE; dd_span_set_tag_static_n(g_child, "big", 3, g_bag, 3000); }
PROBE(dd_span_set_metric_static) { USE; dd_span_set_metric_static(g_child, "m.static", 2.5); }
/* glibc's regexec builds its DFA lazily, on the caller's stack: the first match of a new input
 * shape takes up to ~20 KiB inside libc (tables of 256 entries), later ones about 1 KiB. The
 * cold call is measured on its own (reported, with a larger budget); the probe in the table runs
 * with the query-string pattern's DFA warmed by that cold call. */
static char g_url[4096];
static void make_url(void) {
    snprintf(g_url, sizeof g_url, "https://user:pw@example.com:8443/users/1/items?token=abcdef0123456789&password=hunter2"
                                  "&api_key=0123456789abcdef0123456789abcdef&session=%.1800s#frag", g_xtags);
}
PROBE(http_request_cold) { USE; dd_span_set_http_request(g_root_span, DD_HTTP_SERVER, "GET", g_url, g_hdr, g_nhdr); }
PROBE(dd_span_set_http_request) { USE; dd_span_set_http_request(g_root_span, DD_HTTP_SERVER, "GET", g_url, g_hdr, g_nhdr); }
PROBE(dd_span_set_http_route) { USE; dd_span_set_http_route(g_root_span, "/users/{id}/items"); }
PROBE(dd_span_set_http_client_ip) { USE; dd_span_set_http_client_ip(g_root_span, "192.0.2.1", g_hdr, g_nhdr); }
PROBE(dd_span_set_http_response) { USE; dd_span_set_http_response(g_root_span, 503, g_hdr, g_nhdr); }
PROBE(dd_span_add_link) {
    USE;
    g_link = g_ctx.links[0];
    memcpy(g_link.tracestate, g_ts, DD_TRACESTATE_MAX);
    g_link.tracestate[DD_TRACESTATE_MAX] = 0;
    g_sink = dd_span_add_link(g_child, &g_link);
}
PROBE(dd_span_add_link_attrs) {
    static const dd_header attrs[2] = {{"link.kind", 9, "queue", 5}, {"messaging.system", 16, "sqs", 3}};
    USE;
    g_link = g_ctx.links[0];
    g_sink = dd_span_add_link_attrs(g_child, &g_link, attrs, 2);
}
PROBE(dd_span_get_tag) { USE; g_sink = dd_span_get_tag(g_child, "big", 3, &g_strp, &g_len); }
PROBE(dd_span_get_metric) { USE; g_sink = dd_span_get_metric(g_child, "m.value", 7, &g_d); }
PROBE(dd_span_trace_id) { USE; dd_span_trace_id(g_child, &g_tid); }
PROBE(dd_span_id) { USE; g_u = dd_span_id(g_child); }
PROBE(dd_span_parent_id) { USE; g_u = dd_span_parent_id(g_child); }
PROBE(dd_span_tracer) { USE; g_sink = dd_span_tracer(g_child) != NULL; }
PROBE(dd_span_baggage_set) { USE; g_sink = dd_span_baggage_set(g_child, "key01", 5, "replaced", 8); }
PROBE(dd_span_baggage_get) { USE; g_sink = dd_span_baggage_get(g_child, "key63", 5, &g_strp, &g_len); }
PROBE(dd_span_baggage) { USE; g_sink = dd_span_baggage(g_child) != NULL; }
PROBE(dd_span_baggage_remove) { USE; g_sink = dd_span_baggage_remove(g_child, "key02", 5); }
PROBE(dd_span_context) { USE; g_sink = dd_span_context(g_child, &g_ctx2); }
PROBE(dd_span_inject) { USE; out_reset(); g_sink = dd_span_inject(g_child, &g_writer); }
PROBE(dd_span_inject_headers) { USE; out_reset(); g_sink = dd_span_inject_headers(g_child, &g_out); }
PROBE(dd_span_inject_cstr) { USE; g_sink = dd_span_inject_cstr(g_child, cstr_set, NULL); }
PROBE(dd_span_inject_env) { USE; dd_env_block_init(&g_env, g_envp, 32, g_env_buf, sizeof g_env_buf); g_sink = dd_span_inject_env(g_child, &g_env); }
PROBE(dd_span_inject_datadog_json) { USE; static char out[65536]; g_len = dd_span_inject_datadog_json(g_child, out, sizeof out); }
PROBE(dd_span_log_correlation) { USE; g_len = dd_span_log_correlation(g_child, 1, g_text, sizeof g_text); }
PROBE(dd_span_set_origin) { USE; dd_span_set_origin(g_child, "lambda"); }
PROBE(dd_span_set_origin_n) { USE; dd_span_set_origin_n(g_child, g_origin, DD_ORIGIN_MAX); }
PROBE(dd_span_set_priority) { USE; dd_span_set_priority(g_child, DD_PRIORITY_USER_KEEP); }
PROBE(dd_span_baggage_clear) { USE; dd_span_baggage_clear(g_child2); }
PROBE(dd_span_finish) { USE; dd_span_finish(g_child); }
PROBE(dd_span_finish_at) {
    USE;
    dd_span_finish_at(g_child2, 1700000000500000000);
    dd_span_finish(g_root_span); /* the last span: its trace is encoded and sent on this thread */
}
PROBE(dd_tracer_flush) {
    USE;
    dd_span *s = dd_span_start(g_t, g_opts), *c = dd_span_start_child(s, "child.op");
    dd_span_finish(c);
    dd_span_finish(s);
    g_sink = dd_tracer_flush(g_t);
}
PROBE(dd_tracer_counters) { USE; dd_tracer_counters(g_t, &g_counters); }
PROBE(dd_tracer_free) {
    USE;
    int i;
    dd_span *s = dd_span_start(g_t, g_opts); /* open at shutdown: dropped and counted */
    (void)s;
    for (i = 0; i < 3; i++) dd_span_finish(dd_span_start(g_t, g_opts));
    dd_tracer_free(g_t);
    g_t = NULL;
}
/* a background tracer: creation, a trace handed to the worker, and its shutdown */
PROBE(dd_tracer_new_background) {
    USE;
    dd_tracer_config c = g_tc;
    c.delivery = DD_DELIVERY_BACKGROUND;
    c.flush_bytes = 0;
    c.transport_fn = dd_sender_transport;
    c.transport_free_fn = NULL;
    c.transport_user = g_snd2 = dd_sender_new(&g_so);
    g_t2 = dd_tracer_new(&c);
    dd_span_finish(dd_span_start(g_t2, g_opts));
    g_sink = dd_tracer_flush(g_t2);
    dd_tracer_free(g_t2);
    dd_sender_free(g_snd2);
}

#define E(fn) {#fn, p_##fn}
typedef struct probe_entry {
    const char *name;
    void (*fn)(void *);
} probe_entry;
static const probe_entry probes[] = {
    E(empty),
    E(dd_status_str), E(dd_version),
    E(dd_mp_writer_init_fixed), E(dd_mp_write_nil), E(dd_mp_write_bool), E(dd_mp_write_u64), E(dd_mp_write_i64),
    E(dd_mp_write_f32), E(dd_mp_write_f64), E(dd_mp_write_str), E(dd_mp_write_cstr), E(dd_mp_write_bin),
    E(dd_mp_write_array), E(dd_mp_write_map), E(dd_mp_write_ext), E(dd_mp_write_raw), E(dd_mp_reserve_array),
    E(dd_mp_reserve_map), E(dd_mp_patch_count), E(dd_mp_writer_finish), E(dd_mp_writer_error),
    E(dd_mp_writer_data), E(dd_mp_writer_size), E(dd_mp_writer_reset), E(dd_mp_writer_init_growable),
    E(dd_mp_writer_free), E(dd_mp_reader_init), E(dd_mp_peek_type), E(dd_mp_read_map), E(dd_mp_read_str),
    E(dd_mp_read_array), E(dd_mp_read_nil), E(dd_mp_read_bool), E(dd_mp_read_f64), E(dd_mp_read_bin),
    E(dd_mp_read_ext), E(dd_mp_read_i64), E(dd_mp_read_u64), E(dd_mp_skip), E(dd_mp_reader_error),
    E(dd_mp_reader_remaining), E(dd_mp_to_json),
    E(dd_u64_to_dec), E(dd_u64_to_hex16), E(dd_trace_id_to_hex32), E(dd_u64_from_dec), E(dd_u64_from_hex),
    E(dd_trace_id_from_hex), E(dd_headers_reader), E(dd_headers_init), E(dd_headers_writer),
    E(dd_cstr_carrier_reader), E(dd_cstr_carrier_writer), E(dd_env_reader), E(dd_env_block_init),
    E(dd_env_block_writer), E(dd_propagation_config_default), E(dd_propagation_parse_styles),
    E(dd_propagation_config_from_env), E(dd_style_name), E(dd_extract), E(dd_inject), E(dd_inject_checked),
    E(dd_xray_parse), E(dd_xray_format), E(dd_ptags_get), E(dd_ptags_set), E(dd_ptags_remove),
    E(dd_baggage_parse), E(dd_baggage_format), E(dd_baggage_get), E(dd_baggage_next), E(dd_baggage_set),
    E(dd_baggage_remove), E(dd_baggage_clear), E(dd_json_parse), E(dd_json_get), E(dd_json_path), E(dd_json_at),
    E(dd_json_iter_init), E(dd_json_next), E(dd_json_string), E(dd_json_string_eq), E(dd_json_number),
    E(dd_json_u64), E(dd_json_carrier_init), E(dd_datadog_extract), E(dd_datadog_inject),
    E(dd_sender_options_init), E(dd_sender_resolve), E(dd_sender_new), E(dd_sender_url), E(dd_sender_note),
    E(dd_sender_request), E(dd_sender_transport), E(dd_http_response_header), E(dd_sender_response_header), E(dd_sender_last_error),
    E(dd_sender_counters), E(dd_sender_free), E(dd_http_parser_init), E(dd_http_parse), E(dd_http_parse_eof),
    E(dd_http_header), E(dd_http_retry_after_ms), E(dd_udp_sender_open), E(dd_udp_sender_open_addr),
    E(dd_udp_send), E(dd_udp_sender_counters), E(dd_udp_sender_close),
    E(dd_tracer_config_init), E(dd_sender_attach), E(dd_tracer_new), E(dd_tracer_service), E(dd_tracer_env),
    E(dd_tracer_version), E(dd_tracer_propagation), E(dd_tracer_extract), E(dd_tracer_extract_headers),
    E(dd_tracer_extract_cstr), E(dd_tracer_extract_env), E(dd_tracer_extract_datadog_json), E(dd_span_start),
    E(dd_span_start_child), E(dd_span_start_child_n), E(dd_span_set_start), E(dd_span_set_name),
    E(dd_span_set_name_n), E(dd_span_set_service), E(dd_span_set_service_n), E(dd_span_set_resource),
    E(dd_span_set_resource_n), E(dd_span_set_type), E(dd_span_set_type_n), E(dd_span_set_tag),
    E(dd_span_set_tag_n), E(dd_span_set_metric), E(dd_span_set_metric_n), E(dd_span_set_error),
    E(dd_span_set_error_info), E(dd_span_set_error_info_n), E(dd_span_set_kind), E(dd_span_set_kind_n),
    E(dd_span_set_measured), E(dd_span_start_child_static), E(dd_span_set_resource_static),
    E(dd_span_set_tag_static), E(dd_span_set_tag_static_n), E(dd_span_set_metric_static), E(http_request_cold), E(dd_span_set_http_request), E(dd_span_set_http_route),
    E(dd_span_set_http_client_ip), E(dd_span_set_http_response), E(dd_span_add_link), E(dd_span_add_link_attrs), E(dd_span_get_tag),
    E(dd_span_get_metric), E(dd_span_trace_id), E(dd_span_id), E(dd_span_parent_id), E(dd_span_tracer),
    E(dd_span_baggage_set), E(dd_span_baggage_get), E(dd_span_baggage), E(dd_span_baggage_remove),
    E(dd_span_context), E(dd_span_inject), E(dd_span_inject_headers), E(dd_span_inject_cstr),
    E(dd_span_inject_env), E(dd_span_inject_datadog_json), E(dd_span_log_correlation), E(dd_span_set_origin),
    E(dd_span_set_origin_n), E(dd_span_set_priority), E(dd_span_baggage_clear), E(dd_span_finish),
    E(dd_span_finish_at), E(dd_tracer_flush), E(dd_tracer_counters), E(dd_tracer_free),
    E(dd_tracer_new_background),
};
#define N_PROBES (sizeof probes / sizeof probes[0])
static size_t used[N_PROBES];
static int ran;

/*--- the list of public functions, from the headers ---*/

#define MAX_API 512
static char api[MAX_API][64];
static size_t n_api;
static void read_api(const char *path) { CHECK(stack_probe_read_api(path, api, MAX_API, &n_api) == 0); }

static void test_every_public_function_is_probed(void) {
    size_t i, j;
    read_api("../dd_msgpack.h");
    read_api("../dd_propagation.h");
    read_api("../dd_trace.h");
    read_api("../dd_sender.h");
    CHECK(n_api > 150); /* the reader found the declarations */
    for (i = 0; i < n_api; i++) {
        for (j = 0; j < N_PROBES; j++)
            if (strcmp(api[i], probes[j].name) == 0) break;
        if (j == N_PROBES && !CHECK(strncmp(api[i], "dd_lambda_", 10) == 0))
            fprintf(stderr, "  no stack probe for the public function %s\n", api[i]);
    }
}

static void test_every_call_within_16k(void) {
    size_t i, worst = 0;
    int overflow = 0;
    if (!CHECK(srv_start() == 0 && udp_start() == 0)) return;
    make_inputs();
    make_url();
    for (i = 0; i < N_PROBES; i++) {
        stack_probe_result r;
        int rc;
        if (probes[i].fn == p_http_request_cold) { /* libc's, reported only */
            rc = stack_probe(4 * BUDGET, probes[i].fn, NULL, &r);
            if (CHECK(rc == 0 && r.ok)) printf("cold dd_span_set_http_request (regexec building its DFA): %u bytes\n", (unsigned)r.used);
            continue;
        }
        rc = stack_probe(BUDGET, probes[i].fn, NULL, &r);
        if (!CHECK(rc == 0 && r.ok)) {
            used[i] = r.used;
            fprintf(stderr, "  %s overflowed its %u-byte stack\n", probes[i].name, (unsigned)BUDGET);
            overflow = 1;
            break; /* its state is abandoned */
        }
        used[i] = r.used;
        if (r.used > worst) worst = r.used;
#ifndef STACK_PROBE_ASAN
        if (!CHECK(r.used <= LIMIT || BUDGET != BUDGET_DEFAULT)) fprintf(stderr, "  %s used %u bytes of stack\n", probes[i].name, (unsigned)r.used);
#endif
    }
    ran = 1;
    /* the inputs were the worst case they claim to be */
    if (!overflow) {
    CHECK_EQ_INT(g_ctx.baggage.n, 64);
    CHECK_EQ_U64(g_ctx.n_links, 2); /* b3 and xray conflicted with the datadog context */
    CHECK_EQ_U64(g_ctx.trace_id.hi, 0x640cfd8d00000000u);
    CHECK_STR(g_origin, g_ctx.origin);
    CHECK(g_out.n >= 12); /* dd_span_inject_headers wrote every style */
    CHECK_MEM(g_out_items[g_out.n - 1].name, g_out_items[g_out.n - 1].name_len, "baggage", 7);
    CHECK(g_counters.spans_sent >= 4); /* the traces went through the sender to the server */
    CHECK(g_sstats.answered >= 2);
    }
    printf("stack high-water marks (bytes; budget %u%s), largest first:\n", (unsigned)BUDGET,
           BUDGET_DEFAULT != LIMIT ? ", sanitizer build" : "");
    for (;;) { /* a simple selection: the table is small */
        size_t k = N_PROBES;
        for (i = 0; i < N_PROBES; i++)
            if (used[i] && (k == N_PROBES || used[i] > used[k])) k = i;
        if (k == N_PROBES) break;
        printf("  %6u  %s\n", (unsigned)used[k], probes[k].name);
        used[k] = 0;
    }
    printf("worst: %u bytes\n", (unsigned)worst);
    printf("sender: %u requests, %u answered; tracer: %u spans sent, %u chunks encoded\n", (unsigned)g_sstats.requests,
           (unsigned)g_sstats.answered, (unsigned)g_counters.spans_sent, (unsigned)g_counters.chunks_encoded);
}

/* dd_extract reads a later style into out over the saved primary; a later style that fails may
 * zero the whole context (links included), so the links found before it must survive. */
static void test_links_survive_a_failed_later_style(void) {
    static const dd_header h[] = {
        {"x-datadog-trace-id", 18, "1", 1},     {"x-datadog-parent-id", 19, "2", 1},
        {"x-b3-traceid", 12, "7b", 2},          {"x-b3-spanid", 11, "1c8", 3},
        {"x-b3-sampled", 12, "1", 1},           {"b3", 2, "not-b3", 6},
        {"x-amzn-trace-id", 15, "Root=bad", 8}, {"traceparent", 11, "00-zz", 5},
    };
    static const int order[] = {DD_STYLE_DATADOG, DD_STYLE_B3MULTI, DD_STYLE_TRACECONTEXT, DD_STYLE_B3, DD_STYLE_XRAY};
    static dd_trace_context c;
    dd_propagation_config cfg;
    dd_headers in;
    dd_carrier_reader r;
    dd_propagation_config_default(&cfg);
    memcpy(cfg.extract_styles, order, sizeof order);
    cfg.n_extract = 5;
    memset(&in, 0, sizeof in);
    in.items = (dd_header *)h;
    in.n = sizeof h / sizeof h[0];
    dd_headers_reader(&r, &in);
    CHECK_EQ_INT(dd_extract(&cfg, &r, &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 1);
    CHECK_EQ_U64(c.parent_id, 2);
    CHECK_EQ_U64(c.n_links, 1);
    CHECK_EQ_U64(c.links[0].trace_id.lo, 0x7b);
    CHECK_EQ_U64(c.links[0].span_id, 0x1c8);
    CHECK_STR(c.links[0].context_headers, "b3multi");
    CHECK_STR(c.links[0].reason, "terminated_context");
}

static const test_case cases[] = {
    TEST(test_links_survive_a_failed_later_style),
    TEST(test_every_public_function_is_probed),
    TEST(test_every_call_within_16k),
};
int main(int argc, char **argv) {
    const char *b = getenv("STACK_TEST_BUDGET");
    (void)argc;
    /* measured without the lazy binder's frames (see tests/stack_probe.h) */
    if (!getenv("LD_BIND_NOW")) {
        setenv("LD_BIND_NOW", "1", 1);
        execv("/proc/self/exe", argv);
    }
    if (b && atol(b) > 0) BUDGET = (size_t)atol(b);
    return test_run("stack", cases, sizeof cases / sizeof cases[0]);
}
