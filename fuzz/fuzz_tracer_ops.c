/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_tracer_ops.c -o fuzz_tracer_ops -lpthread -lm && ./fuzz_tracer_ops fuzz/corpus/tracer_ops
 *
 * The tracer's API driven by hostile sequences: the input is a program of operations (one byte
 * each, with operands from the following bytes) over up to 32 live span handles: start a root, a
 * child, continue a context extracted from input bytes, set tags (manual.keep / manual.drop too),
 * metrics, errors, links and the trace's baggage (set, get, remove, clear) with input
 * bytes, inject and extract back, finish (now or at an input time), flush, and arm the allocator to
 * fail every n-th call. Partial flush and small flush/request/buffer sizes are on, so every path of
 * dd_span_finish and the flush runs. Properties checked (abort on violation):
 *  - every request body is exactly one msgpack array of chunks, each an array of span maps, and
 *    X-Datadog-Trace-Count is the chunk count;
 *  - an injected context extracts back to the span's trace id (low 64 bits) and span id;
 *  - at the end (everything finished, flushed): spans_started = handles handed out, spans_dropped_limit
 *    = starts refused (only memory can refuse here), spans_finished = finishes, encoded + dropped
 *    by the buffer = finished, chunks and spans sent + dropped by the transport = encoded, and the
 *    transport saw exactly what the counters say was sent;
 *  - after dd_tracer_free nothing is left allocated and every free got the allocated size. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_tracer_ops: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/*--- a checking allocator that can fail every n-th call ---*/
typedef struct fa {
    uint64_t calls, every, live, bad;
} fa;
static fa FA;
static void *fa_alloc(void *u, size_t n) {
    unsigned char *p;
    (void)u;
    FA.calls++;
    if (FA.every && FA.calls % FA.every == 0) return NULL;
    p = (unsigned char *)malloc(n + 16);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    FA.live++;
    return p + 16;
}
static void fa_free(void *u, void *ptr, size_t n) {
    unsigned char *p = (unsigned char *)ptr - 16;
    size_t had;
    (void)u;
    memcpy(&had, p, sizeof had);
    if (had != n) FA.bad++;
    FA.live--;
    free(p);
}

/*--- the transport: decodes and counts ---*/
typedef struct tp {
    uint64_t reqs, chunks, spans, bytes, calls;
    int fail; /* 0 answer 200, 1 no answer, 2 answer 500 */
} tp;
static tp TP;
static int transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    dd_mp_reader r, whole;
    uint32_t nc = 0, ns, i, j;
    uint64_t count = 0, spans = 0;
    size_t h;
    (void)u;
    TP.calls++;
    dd_mp_reader_init(&whole, req->body, req->body_len);
    REQUIRE(dd_mp_skip(&whole) == DD_OK && dd_mp_reader_remaining(&whole) == 0);
    dd_mp_reader_init(&r, req->body, req->body_len);
    REQUIRE(dd_mp_read_array(&r, &nc) == DD_OK);
    for (i = 0; i < nc; i++) {
        REQUIRE(dd_mp_read_array(&r, &ns) == DD_OK && ns > 0);
        for (j = 0; j < ns; j++) REQUIRE(dd_mp_peek_type(&r) == DD_MP_MAP && dd_mp_skip(&r) == DD_OK);
        spans += ns;
    }
    for (h = 0; h < req->n_headers; h++)
        if (strcmp(req->headers[h].name, "X-Datadog-Trace-Count") == 0)
            REQUIRE(dd_u64_from_dec(req->headers[h].value, req->headers[h].value_len, &count) == DD_OK);
    REQUIRE(count == nc);
    if (TP.fail == 1) return DD_ERR_TRANSPORT;
    resp->status = TP.fail == 2 ? 500 : 200;
    resp->body = "{\"rate_by_service\":{\"service:,env:\":0.5}}";
    resp->body_len = strlen(resp->body);
    if (TP.fail == 0) {
        TP.reqs++;
        TP.chunks += nc;
        TP.spans += spans;
        TP.bytes += req->body_len;
    }
    return 0;
}

static int64_t CLK;
static int64_t clk(void *u) {
    (void)u;
    return CLK;
}
static uint64_t rnd(void *u) {
    static uint64_t x;
    (void)u;
    x += UINT64_C(0x9e3779b97f4a7c15);
    return x ^ (x >> 31);
}
static const char *env_get(void *u, const char *name) {
    (void)u;
    if (strcmp(name, "DD_TRACE_PARTIAL_FLUSH_ENABLED") == 0) return "true";
    if (strcmp(name, "DD_TRACE_PARTIAL_FLUSH_MIN_SPANS") == 0) return "3";
    if (strcmp(name, "DD_TRACE_SAMPLING_RULES") == 0) return "[{\"name\":\"r*\",\"sample_rate\":0.5}]";
    if (strcmp(name, "DD_SPAN_SAMPLING_RULES") == 0) return "[{\"name\":\"c*\",\"sample_rate\":1}]";
    return NULL;
}

#define HANDLES 32
typedef struct prog {
    const uint8_t *p;
    size_t n, i;
} prog;
static unsigned next(prog *g) { return g->i < g->n ? g->p[g->i++] : 0; }
/* A slice of the input as text: length byte, then that many bytes (fewer at the end). */
static const char *slice(prog *g, size_t *len) {
    size_t want = next(g) % 48, have = g->n - g->i;
    const char *s = (const char *)g->p + g->i;
    if (want > have) want = have;
    g->i += want;
    *len = want;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *h[HANDLES];
    dd_counters k;
    uint64_t attempts = 0, started = 0, finished = 0;
    prog g;
    size_t i;
    memset(&FA, 0, sizeof FA);
    memset(&TP, 0, sizeof TP);
    memset(h, 0, sizeof h);
    CLK = INT64_C(1732170000000000000);
    memset(&c, 0, sizeof c);
    c.allocator.alloc_fn = fa_alloc;
    c.allocator.free_fn = fa_free;
    c.wall_ns_fn = clk;
    c.mono_ns_fn = clk;
    c.random_fn = rnd;
    c.getenv_fn = env_get;
    c.transport_fn = transport;
    c.cgroup_path = "";
    c.flush_interval_ms = 5;
    c.flush_bytes = 2048;
    c.max_request_bytes = 3000;
    c.max_buffer_bytes = 20000;
    c.max_tag_bytes = 600;
    c.send_retries = 1;
    c.delivery = DD_DELIVERY_SYNC; /* deliveries on this thread, between the fuzzed operations */
    t = dd_tracer_new(&c);
    REQUIRE(t != NULL);
    g.p = data;
    g.n = size;
    g.i = 0;
    while (g.i < g.n) {
        unsigned op = next(&g), x = next(&g) % HANDLES;
        dd_span *s = h[x];
        CLK += (int64_t)(op & 0xf0) * 100000; /* time moves on, sometimes past the flush interval */
        switch (op % 12) {
        case 0: /* a root */
        case 1: /* a child of handle x */
            if (h[x] && op % 12 == 1) {
                dd_span *ch;
                size_t j = (x + 1 + next(&g)) % HANDLES;
                if (h[j]) break;
                attempts++;
                ch = dd_span_start_child(s, (op & 0x10) ? "cache.get" : "db.query");
                if (ch) started++, h[j] = ch;
            } else if (!h[x]) {
                dd_span_options o;
                memset(&o, 0, sizeof o);
                o.name = "root";
                attempts++;
                h[x] = dd_span_start(t, &o);
                if (h[x]) started++;
            }
            break;
        case 2: { /* a root continuing a context from input bytes (datadog headers) */
            dd_header hd[4];
            dd_headers in = {0};
            dd_carrier_reader rd;
            dd_trace_context ctx;
            dd_span_options o;
            size_t n0, n1, n2;
            hd[0].name = "x-datadog-trace-id", hd[0].name_len = 18;
            hd[0].value = slice(&g, &n0), hd[0].value_len = n0;
            hd[1].name = "x-datadog-parent-id", hd[1].name_len = 19;
            hd[1].value = slice(&g, &n1), hd[1].value_len = n1;
            hd[2].name = "x-datadog-tags", hd[2].name_len = 14;
            hd[2].value = slice(&g, &n2), hd[2].value_len = n2;
            hd[3].name = "x-datadog-sampling-priority", hd[3].name_len = 27;
            hd[3].value = "2", hd[3].value_len = 1;
            in.items = hd;
            in.n = 4;
            dd_headers_reader(&rd, &in);
            if (h[x] || dd_extract(NULL, &rd, &ctx) != DD_OK) break;
            memset(&o, 0, sizeof o);
            o.context = &ctx;
            o.name = "remote";
            attempts++;
            h[x] = dd_span_start(t, &o);
            if (h[x]) {
                dd_trace_id id;
                started++;
                dd_span_trace_id(h[x], &id);
                REQUIRE(id.lo == ctx.trace_id.lo && id.hi == ctx.trace_id.hi);
                REQUIRE(dd_span_parent_id(h[x]) == ctx.parent_id);
            }
            break;
        }
        case 3: /* finish now */
        case 4: /* finish at an input time (maybe before the start) */
            if (!s) break;
            if (op % 12 == 3) dd_span_finish(s);
            else dd_span_finish_at(s, CLK - (int64_t)next(&g) * 1000000000);
            finished++;
            h[x] = NULL;
            break;
        case 5: { /* a tag from input bytes, or manual.keep / manual.drop */
            size_t kl, vl;
            const char *key = slice(&g, &kl), *val = slice(&g, &vl);
            if ((op & 0x30) == 0x30) dd_span_set_tag_n(s, (op & 0x40) ? "manual.keep" : "manual.drop", 11, val, vl);
            else dd_span_set_tag_n(s, key, kl, val, vl);
            break;
        }
        case 6: { /* a metric, an error, fields */
            size_t l;
            const char *v = slice(&g, &l);
            dd_span_set_metric_n(s, v, l, (double)(int8_t)next(&g) / 3.0);
            dd_span_set_error_info_n(s, v, l, v, l, NULL, 0);
            dd_span_set_resource_n(s, v, l);
            if (op & 0x10) dd_span_set_priority(s, (int)(op >> 5) - 2);
            break;
        }
        case 7: { /* inject, extract back */
            dd_header items[16];
            static char buf[40000]; /* a baggage header of the 16 KB capacity fits */
            dd_headers out;
            dd_carrier_writer wr;
            dd_carrier_reader rd;
            dd_trace_context back;
            dd_trace_id id;
            if (!s) break;
            dd_headers_init(&out, items, 16, buf, sizeof buf);
            dd_headers_writer(&wr, &out);
            REQUIRE(dd_span_inject(s, &wr) == DD_OK);
            dd_headers_reader(&rd, &out);
            REQUIRE(dd_extract(NULL, &rd, &back) == DD_OK);
            dd_span_trace_id(s, &id);
            REQUIRE(back.trace_id.lo == id.lo && back.parent_id == dd_span_id(s));
            break;
        }
        case 8: { /* a link, or the trace's baggage */
            dd_span_link l;
            if (op & 0x10) {
                size_t kl, vl;
                const char *key = slice(&g, &kl), *val = slice(&g, &vl), *got;
                int rc = dd_span_baggage_set(s, key, kl, val, vl);
                REQUIRE(rc == DD_OK || rc == DD_ERR_INVALID_ARG || rc == DD_ERR_LIMIT || rc == DD_ERR_NO_MEMORY);
                if (rc == DD_OK) {
                    REQUIRE(dd_span_baggage_get(s, key, kl, &got, &vl) == DD_OK);
                    if (op & 0x20) REQUIRE(dd_span_baggage_remove(s, key, kl) == DD_OK);
                }
                if ((op & 0xe0) == 0xe0) dd_span_baggage_clear(s);
                break;
            }
            memset(&l, 0, sizeof l);
            l.trace_id.lo = next(&g) + 1;
            l.span_id = next(&g);
            l.flags = (int32_t)next(&g);
            strcpy(l.reason, "fuzz");
            dd_span_add_link(s, &l);
            break;
        }
        case 9: /* flush, with the transport in some mood */
            TP.fail = (int)(next(&g) % 4 == 3 ? 1 + (op >> 7) : 0);
            dd_tracer_flush(t);
            TP.fail = 0;
            break;
        case 10: /* the allocator: fail every n-th call from now on (0: never) */
            FA.every = next(&g) % 24;
            if (FA.every == 1) FA.every = 0; /* failing every call starves the test of signal */
            break;
        default: { /* log correlation into a small buffer */
            char corr[40];
            size_t need = dd_span_log_correlation(s, op & 1, corr, (size_t)next(&g) % sizeof corr);
            (void)need;
            break;
        }
        }
    }
    /* finish what is open (children first: handles in reverse), flush with a working transport */
    for (i = HANDLES; i-- > 0;)
        if (h[i]) {
            dd_span_finish(h[i]);
            finished++;
        }
    FA.every = 0;
    TP.fail = 0;
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    REQUIRE(k.spans_started == started);
    REQUIRE(k.spans_dropped_limit == attempts - started);
    REQUIRE(k.spans_finished == finished);
    REQUIRE(k.spans_encoded + k.spans_dropped_buffer == k.spans_finished);
    REQUIRE(k.chunks_sent + k.chunks_dropped_send + k.chunks_unconfirmed == k.chunks_encoded);
    REQUIRE(TP.spans + k.spans_dropped_send + k.spans_unconfirmed == k.spans_encoded);
    REQUIRE(k.spans_pending == 0 && k.spans_open == 0);
    REQUIRE(k.chunks_sent == TP.chunks && k.requests_sent == TP.reqs && k.bytes_sent == TP.bytes);
    REQUIRE(k.requests_sent + k.requests_failed == TP.calls);
    dd_tracer_free(t);
    REQUIRE(FA.live == 0);
    REQUIRE(FA.bad == 0);
    return 0;
}
