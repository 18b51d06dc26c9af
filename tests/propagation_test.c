/* tests/propagation_test.c - dd_propagation.h against hand-written wire values from
 * docs/propagation.md (rule ids in the row names), the W3C trace-context rules, system-tests'
 * header cases and docs/lambda.md §6 (X-Ray). Every table row is one case.
 * Also: round trips, carriers, configuration, and malloc counting (an interposer, or ASan's hook) showing that
 * extract and inject never allocate. */
#define DD_PROPAGATION_IMPLEMENTATION
#include "../dd_propagation.h"
#include "test.h"
#include <stdlib.h>

/* Table rows leave trailing fields out: they are zero, which each table documents. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#define U DD_PRIORITY_UNSET
#define OK DD_OK
#define BAD DD_ERR_MALFORMED
#define NF DD_ERR_NOT_FOUND

/*=== malloc counting: an interposer in plain builds, the sanitizer allocator's hook under ASan ===*/

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#endif
static long test_mallocs; /* counts malloc/calloc/realloc calls made by this process */
#if defined(TEST_ASAN)
#define TEST_COUNTING 1
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void test_malloc_hook(const volatile void *p, size_t n) { (void)p; (void)n; test_mallocs++; }
static void test_free_hook(const volatile void *p) { (void)p; }
static void test_counting_start(void) { __sanitizer_install_malloc_and_free_hooks(test_malloc_hook, test_free_hook); }
#elif defined(__GLIBC__)
#define TEST_COUNTING 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
void *malloc(size_t n) { test_mallocs++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { test_mallocs++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { test_mallocs++; return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
static void test_counting_start(void) {}
#endif

/*=== helpers ===*/

/* Parses "name: value\nname: value" (separator ": ", value verbatim to the end of line). */
#define MAXH 48
typedef struct hdrs {
    dd_header h[MAXH];
    dd_headers list;
} hdrs;
static void hdrs_parse(hdrs *x, const char *text) {
    size_t n = 0;
    const char *p = text;
    memset(x, 0, sizeof *x);
    while (p && *p && n < MAXH) {
        const char *nl = strchr(p, '\n');
        size_t ln = nl ? (size_t)(nl - p) : strlen(p);
        const char *sep = NULL;
        size_t i;
        for (i = 0; i + 1 < ln; i++)
            if (p[i] == ':' && p[i + 1] == ' ') { sep = p + i; break; }
        if (!sep && ln && p[ln - 1] == ':') sep = p + ln - 1; /* "name:" = empty value */
        if (sep) {
            x->h[n].name = p;
            x->h[n].name_len = (size_t)(sep - p);
            x->h[n].value = sep[1] == ' ' && sep + 1 < p + ln ? sep + 2 : sep + 1;
            x->h[n].value_len = (size_t)(p + ln - x->h[n].value);
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    x->list.items = x->h;
    x->list.n = n;
}
static void cfg_styles(dd_propagation_config *cfg, const char *ex, const char *in) {
    dd_propagation_config_default(cfg);
    if (ex) CHECK_EQ_INT(dd_propagation_parse_styles(ex, strlen(ex), cfg->extract_styles, &cfg->n_extract), DD_OK);
    if (in) CHECK_EQ_INT(dd_propagation_parse_styles(in, strlen(in), cfg->inject_styles, &cfg->n_inject), DD_OK);
}
static int extract_text(const dd_propagation_config *cfg, const char *text, dd_trace_context *out) {
    hdrs x;
    dd_carrier_reader r;
    hdrs_parse(&x, text);
    dd_headers_reader(&r, &x.list);
    return dd_extract(cfg, &r, out);
}
/* Injected headers rendered as "name: value\n..." in the order written. */
static int inject_text(const dd_propagation_config *cfg, const dd_trace_context *c, char *out, size_t cap, char *err) {
    dd_header items[16];
    char buf[4096];
    dd_headers h;
    dd_carrier_writer w;
    size_t i, len = 0;
    int rc;
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    rc = err ? dd_inject_checked(cfg, c, &w, err) : dd_inject(cfg, c, &w);
    out[0] = 0;
    for (i = 0; i < h.n; i++) {
        size_t need = h.items[i].name_len + 2 + h.items[i].value_len + 1;
        if (len + need + 1 > cap) break;
        memcpy(out + len, h.items[i].name, h.items[i].name_len);
        len += h.items[i].name_len;
        memcpy(out + len, ": ", 2);
        len += 2;
        memcpy(out + len, h.items[i].value, h.items[i].value_len);
        len += h.items[i].value_len;
        out[len++] = '\n';
        out[len] = 0;
    }
    return rc;
}
static int all_zero(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}
static void check_zeroed(const dd_trace_context *c) {
    CHECK_EQ_U64(c->trace_id.hi, 0);
    CHECK_EQ_U64(c->trace_id.lo, 0);
    CHECK_EQ_U64(c->parent_id, 0);
    CHECK_EQ_INT(c->sampling_priority, U);
    CHECK_EQ_INT(c->origin_len, 0);
    CHECK_EQ_INT(c->ptags_len, 0);
    CHECK_EQ_INT(c->tracestate_len, 0);
    CHECK_EQ_INT(c->n_links, 0);
    CHECK(all_zero(c->origin, sizeof c->origin));
    CHECK(all_zero(c->links, sizeof c->links));
}
static char big_tags[1100]; /* "_dd.p.a=xxxx..." of a chosen length, built in main */
static const char *tags_of_len(size_t n) {
    size_t i;
    memcpy(big_tags, "x-datadog-tags: _dd.p.a=", 24);
    for (i = 0; i < n - 8; i++) big_tags[24 + i] = 'x';
    big_tags[24 + n - 8] = 0;
    return big_tags;
}

/*=== table: extraction ===*/

typedef struct ex_row {
    const char *name;
    const char *styles; /* NULL = default datadog,tracecontext */
    int first;          /* extract_first */
    const char *hdrs;
    int rc;
    uint64_t hi, lo, parent;
    int prio;
    const char *origin, *ptags, *ts, *err, *lpid, *extra;
    int links;
} ex_row;

#define TP "traceparent: 00-12345678901234567890123456789012-1234567890123456-01"
#define TP_HI 0x1234567890123456ULL
#define TP_LO 0x7890123456789012ULL
#define TP_P 0x1234567890123456ULL
#define TID "_dd.p.tid=1234567890123456"
#define DDH "x-datadog-trace-id: 123456789\nx-datadog-parent-id: 987654321\n"

static const ex_row ex_rows[] = {
    /* ---- datadog (docs/propagation.md §3.1) ---- */
    {"dd basic R-DD-12", "datadog", 0,
     DDH "x-datadog-sampling-priority: 1\nx-datadog-origin: synthetics\nx-datadog-tags: _dd.p.dm=-4", OK, 0,
     123456789, 987654321, 1, "synthetics", "_dd.p.dm=-4", 0, 0, 0, 0, 0},
    {"dd max u64 R-DD-1", "datadog", 0,
     "x-datadog-trace-id: 18446744073709551615\nx-datadog-parent-id: 18446744073709551615", OK, 0,
     UINT64_MAX, UINT64_MAX, U, 0, 0, 0, 0, 0, 0, 0},
    {"dd overflow R-DD-1", "datadog", 0, "x-datadog-trace-id: 18446744073709551616\nx-datadog-parent-id: 1", BAD},
    {"dd 21 digits R-DD-1", "datadog", 0, "x-datadog-trace-id: 000000000000000000001\nx-datadog-parent-id: 1", BAD},
    {"dd hex letter R-DD-1", "datadog", 0, "x-datadog-trace-id: 12f\nx-datadog-parent-id: 1", BAD},
    {"dd 0x prefix R-DD-1", "datadog", 0, "x-datadog-trace-id: 0x1f\nx-datadog-parent-id: 1", BAD},
    {"dd decimal point R-DD-1", "datadog", 0, "x-datadog-trace-id: 123.4\nx-datadog-parent-id: 1", BAD},
    {"dd word R-DD-1", "datadog", 0, "x-datadog-trace-id: one\nx-datadog-parent-id: 1", BAD},
    {"dd empty trace id R-DD-1", "datadog", 0, "x-datadog-trace-id:\nx-datadog-parent-id: 1", BAD},
    {"dd negative R-DD-2", "datadog", 0, "x-datadog-trace-id: -1\nx-datadog-parent-id: 1", BAD},
    {"dd plus sign R-DD-2", "datadog", 0, "x-datadog-trace-id: +1\nx-datadog-parent-id: 1", BAD},
    {"dd spaces trimmed R-DD-3", "datadog", 0, "x-datadog-trace-id:  \t42 \nx-datadog-parent-id: 7\t", OK, 0, 42, 7,
     U},
    {"dd inner space R-DD-3", "datadog", 0, "x-datadog-trace-id: 4 2\nx-datadog-parent-id: 7", BAD},
    {"dd trace id 0 R-DD-4", "datadog", 0,
     "x-datadog-trace-id: 0\nx-datadog-parent-id: 1\nx-datadog-sampling-priority: 2\nx-datadog-origin: rum", BAD},
    {"dd bad parent R-DD-5", "datadog", 0, "x-datadog-trace-id: 1\nx-datadog-parent-id: one", BAD},
    {"dd bad priority R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: two", BAD},
    {"dd priority 1.5 R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: 1.5", BAD},
    {"dd priority -1 R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: -1", OK, 0, 123456789, 987654321, -1},
    {"dd priority 2 R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: 2", OK, 0, 123456789, 987654321, 2},
    {"dd priority -2 verbatim R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: -2", OK, 0, 123456789,
     987654321, -2},
    {"dd priority 3 verbatim R-DD-5", "datadog", 0, DDH "x-datadog-sampling-priority: 3", OK, 0, 123456789, 987654321,
     3},
    {"dd priority absent", "datadog", 0, DDH, OK, 0, 123456789, 987654321, U},
    {"dd synthetics parent 0 R-DD-6", "datadog", 0,
     "x-datadog-trace-id: 99\nx-datadog-parent-id: 0\nx-datadog-origin: synthetics\nx-datadog-sampling-priority: 1",
     OK, 0, 99, 0, 1, "synthetics"},
    {"dd synthetics no parent R-DD-6", "datadog", 0,
     "x-datadog-trace-id: 99\nx-datadog-origin: synthetics-browser\nx-datadog-sampling-priority: 2", OK, 0, 99, 0, 2,
     "synthetics-browser"},
    {"dd no parent no origin R-DD-7", "datadog", 0, "x-datadog-trace-id: 99\nx-datadog-sampling-priority: 1", BAD},
    {"dd origin verbatim R-DD-8", "datadog", 0, DDH "x-datadog-origin: synthetics;=web,z", OK, 0, 123456789,
     987654321, U, "synthetics;=web,z"},
    {"dd name case R-HDR-1", "datadog", 0,
     "X-Datadog-Trace-Id: 5\nX-DATADOG-PARENT-ID: 6\nx-datadog-SAMPLING-priority: 1", OK, 0, 5, 6, 1},
    {"dd look-alike names R-HDR-3", "datadog", 0, "x-datadog-traceid: 5\nx-datadog-parentid: 6", NF},
    {"dd nothing", "datadog", 0, "x-other: 1", NF},
    {"dd tags keep order R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.usr=a,_dd.p.dm=-4,_dd.p.z=1", OK, 0,
     123456789, 987654321, U, 0, "_dd.p.usr=a,_dd.p.dm=-4,_dd.p.z=1"},
    {"dd tags value with = R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.b=baz64==", OK, 0, 123456789, 987654321,
     U, 0, "_dd.p.b=baz64=="},
    {"dd tags value with space R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.x=a b", OK, 0, 123456789, 987654321,
     U, 0, "_dd.p.x=a b"},
    {"dd tags only _dd.p. kept R-DD-9", "datadog", 0, DDH "x-datadog-tags: foo=bar,_dd.p.dm=-4,_dd.x=1", OK, 0,
     123456789, 987654321, U, 0, "_dd.p.dm=-4"},
    {"dd tags empty header R-DD-9", "datadog", 0, DDH "x-datadog-tags:", OK, 0, 123456789, 987654321, U, 0, 0, 0, 0},
    {"dd tags no = R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.dm=-4,_dd.p.x", OK, 0, 123456789, 987654321, U,
     0, 0, 0, "decoding_error"},
    {"dd tags empty key R-DD-9", "datadog", 0, DDH "x-datadog-tags: =1,_dd.p.dm=-4", OK, 0, 123456789, 987654321, U,
     0, 0, 0, "decoding_error"},
    {"dd tags empty value R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.dm=", OK, 0, 123456789, 987654321, U, 0,
     0, 0, "decoding_error"},
    {"dd tags trailing comma R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.dm=-4,", OK, 0, 123456789, 987654321,
     U, 0, 0, 0, "decoding_error"},
    {"dd tags space in key R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.a b=1", OK, 0, 123456789, 987654321, U,
     0, 0, 0, "decoding_error"},
    {"dd tags non-ascii R-DD-9", "datadog", 0, DDH "x-datadog-tags: _dd.p.a=\xc3\xa9", OK, 0, 123456789, 987654321,
     U, 0, 0, 0, "decoding_error"},
    {"dd tags dm -0 R-DD-11", "datadog", 0, DDH "x-datadog-tags: _dd.p.dm=-0", OK, 0, 123456789, 987654321, U, 0,
     "_dd.p.dm=-0"},
    {"dd tid R-DD-10", "datadog", 0, DDH "x-datadog-tags: _dd.p.tid=640cfd8d00000000,_dd.p.dm=-1", OK,
     0x640cfd8d00000000ULL, 123456789, 987654321, U, 0, "_dd.p.tid=640cfd8d00000000,_dd.p.dm=-1"},
    {"dd tid short R-DD-10", "datadog", 0, DDH "x-datadog-tags: _dd.p.tid=640cfd8d,_dd.p.dm=-1", OK, 0, 123456789,
     987654321, U, 0, "_dd.p.dm=-1", 0, "malformed_tid 640cfd8d"},
    {"dd tid long R-DD-10", "datadog", 0, DDH "x-datadog-tags: _dd.p.tid=640cfd8d000000000", OK, 0, 123456789,
     987654321, U, 0, 0, 0, "malformed_tid 640cfd8d000000000"},
    {"dd tid chars R-DD-10", "datadog", 0, DDH "x-datadog-tags: _dd.p.tid=XXXXXXXXXXXXXXXX", OK, 0, 123456789,
     987654321, U, 0, 0, 0, "malformed_tid XXXXXXXXXXXXXXXX"},
    {"dd tid uppercase R-DD-10", "datadog", 0, DDH "x-datadog-tags: _dd.p.tid=640CFD8D00000000", OK, 0, 123456789,
     987654321, U, 0, 0, 0, "malformed_tid 640CFD8D00000000"},

    /* ---- tracecontext: traceparent (docs/propagation.md §4.1) ---- */
    {"tc basic R-W3C-5", "tracecontext", 0, TP, OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc 64-bit", "tracecontext", 0, "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01", OK, 0,
     123, 456, 1},
    {"tc flags 00 R-W3C-7", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-00", OK, TP_HI, TP_LO, TP_P, 0, 0, TID},
    {"tc flags 02 R-W3C-7", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-02", OK, TP_HI, TP_LO, TP_P, 0, 0, TID},
    {"tc flags 03 R-W3C-7", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-03", OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc OWS R-W3C-1", "tracecontext", 0,
     "traceparent:  \t00-12345678901234567890123456789012-1234567890123456-01 \t", OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc name case R-HDR-1", "tracecontext", 0,
     "TraceParent: 00-12345678901234567890123456789012-1234567890123456-01", OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc look-alike trace-parent R-HDR-3", "tracecontext", 0,
     "trace-parent: 00-12345678901234567890123456789012-1234567890123456-01", NF},
    {"tc version ff R-W3C-2", "tracecontext", 0,
     "traceparent: ff-12345678901234567890123456789012-1234567890123456-01", BAD},
    {"tc version 0 R-W3C-2", "tracecontext", 0,
     "traceparent: 0-12345678901234567890123456789012-1234567890123456-01", BAD},
    {"tc version 000 R-W3C-2", "tracecontext", 0,
     "traceparent: 000-12345678901234567890123456789012-1234567890123456-01", BAD},
    {"tc version .0 R-W3C-2", "tracecontext", 0,
     "traceparent: .0-12345678901234567890123456789012-1234567890123456-01", BAD},
    {"tc 00 trailing dot R-W3C-3", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-01.", BAD},
    {"tc 00 trailing field R-W3C-3", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like", BAD},
    {"tc future version fields R-W3C-4", "tracecontext", 0,
     "traceparent: cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like", OK, TP_HI,
     TP_LO, TP_P, 1, 0, TID},
    {"tc future version exact R-W3C-4", "tracecontext", 0,
     "traceparent: cc-12345678901234567890123456789012-1234567890123456-01", OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc future version dot R-W3C-4", "tracecontext", 0,
     "traceparent: cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like", BAD},
    {"tc trace id short R-W3C-5", "tracecontext", 0,
     "traceparent: 00-1234567890123456789012345678901-1234567890123456-01", BAD},
    {"tc trace id long R-W3C-5", "tracecontext", 0,
     "traceparent: 00-123456789012345678901234567890123-1234567890123456-01", BAD},
    {"tc trace id zero R-W3C-5", "tracecontext", 0,
     "traceparent: 00-00000000000000000000000000000000-1234567890123456-01", BAD},
    {"tc trace id non-hex R-W3C-5", "tracecontext", 0,
     "traceparent: 00-1234567890123456789012345678901g-1234567890123456-01", BAD},
    {"tc trace id uppercase R-W3C-6", "tracecontext", 0,
     "traceparent: 00-1234567890123456789012345678901A-1234567890123456-01", BAD},
    {"tc parent short R-W3C-5", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-123456789012345-01", BAD},
    {"tc parent zero R-W3C-5", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-0000000000000000-01", BAD},
    {"tc flags non-hex R-W3C-5", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-0g", BAD},
    {"tc flags short R-W3C-5", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-1", BAD},
    {"tc separators R-W3C-5", "tracecontext", 0,
     "traceparent: 00_12345678901234567890123456789012_1234567890123456_01", BAD},
    {"tc duplicate different R-HDR-4", "tracecontext", 0,
     TP "\ntraceparent: 00-12345678901234567890123456789012-0000000000000001-01", BAD},
    {"tc duplicate same R-HDR-4", "tracecontext", 0, TP "\n" TP, OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"tc tracestate alone R-W3C-8", "tracecontext", 0, "tracestate: dd=s:2;o:rum,foo=1", NF},
    {"tc bad traceparent ignores tracestate R-W3C-8", "tracecontext", 0,
     "traceparent: 00-xx-1234567890123456-01\ntracestate: dd=s:2", BAD},

    /* ---- tracecontext: tracestate (docs/propagation.md §4.2, §4.3) ---- */
    {"ts foreign order R-W3C-9", "tracecontext", 0, TP "\ntracestate: foo=1,dd=s:1,bar=2", OK, TP_HI, TP_LO, TP_P,
     1, 0, TID, "foo=1,bar=2"},
    {"ts OWS and empty members R-W3C-9", "tracecontext", 0, TP "\ntracestate: foo=1 , \t,bar=2\t,", OK, TP_HI,
     TP_LO, TP_P, 1, 0, TID, "foo=1,bar=2"},
    {"ts opaque chars R-W3C-9", "tracecontext", 0, TP "\ntracestate: foo=bar:baz;q~x,k@v=1 2", OK, TP_HI, TP_LO,
     TP_P, 1, 0, TID, "foo=bar:baz;q~x,k@v=1 2"},
    {"ts value leading space kept R-W3C-9", "tracecontext", 0, TP "\ntracestate: foo= bar,dd=s:1", OK, TP_HI, TP_LO,
     TP_P, 1, 0, TID, "foo= bar"},
    {"ts member without = dropped", "tracecontext", 0, TP "\ntracestate: foo,=x,bar=1", OK, TP_HI, TP_LO, TP_P, 1, 0,
     TID, "bar=1"},
    {"ts empty header R-W3C-9", "tracecontext", 0, TP "\ntracestate:", OK, TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"ts repeated fields joined R-HDR-4", "tracecontext", 0, TP "\ntracestate: foo=1\ntracestate: dd=s:2,bar=2", OK,
     TP_HI, TP_LO, TP_P, 2, 0, TID, "foo=1,bar=2"},
    {"ts name case R-HDR-1", "tracecontext", 0, TP "\nTraceState: dd=s:2", OK, TP_HI, TP_LO, TP_P, 2, 0, TID},
    {"ts look-alike trace-state R-HDR-3", "tracecontext", 0, TP "\ntrace-state: dd=s:2", OK, TP_HI, TP_LO, TP_P, 1,
     0, TID},
    {"ts origin decoded R-W3C-10", "tracecontext", 0, TP "\ntracestate: dd=o:synthetics~web", OK, TP_HI, TP_LO, TP_P,
     1, "synthetics=web", TID},
    {"ts t.* decoded R-W3C-10", "tracecontext", 0, TP "\ntracestate: dd=t.usr.id:baz64~~;t.dm:-4", OK, TP_HI, TP_LO,
     TP_P, 1, 0, "_dd.p.usr.id=baz64==,_dd.p.dm=-4," TID},
    {"ts value with colon R-W3C-10", "tracecontext", 0, TP "\ntracestate: dd=t.url:a:b", OK, TP_HI, TP_LO, TP_P, 1,
     0, "_dd.p.url=a:b," TID},
    {"ts p R-W3C-14", "tracecontext", 0, TP "\ntracestate: dd=s:1;p:0123456789abcdef", OK, TP_HI, TP_LO, TP_P, 1, 0,
     TID, 0, 0, "0123456789abcdef"},
    {"ts p verbatim R-W3C-10", "tracecontext", 0, TP "\ntracestate: dd=p:XX!X", OK, TP_HI, TP_LO, TP_P, 1, 0, TID, 0,
     0, "XX!X"},
    {"ts t.tid ignored R-W3C-12", "tracecontext", 0, TP "\ntracestate: dd=t.tid:aaaaaaaaaaaaaaaa", OK, TP_HI, TP_LO,
     TP_P, 1, 0, TID},
    {"ts dd in the middle R-W3C-10", "tracecontext", 0, TP "\ntracestate: a=1,b=2,dd=s:2;o:rum,c=3", OK, TP_HI,
     TP_LO, TP_P, 2, "rum", TID, "a=1,b=2,c=3"},
    {"ts sub-member without colon skipped R-W3C-10", "tracecontext", 0, TP "\ntracestate: dd=s:2;junk;;o:rum", OK,
     TP_HI, TP_LO, TP_P, 2, "rum", TID},
    {"ts unknown dd key kept", "tracecontext", 0, TP "\ntracestate: dd=s:2;ts:02;x:y", OK, TP_HI, TP_LO, TP_P, 2, 0,
     TID, 0, 0, 0, "ts:02;x:y"},
    {"ts dd 257 chars ignored R-W3C-11", "tracecontext", 0,
     TP "\ntracestate: dd=s:2;o:rum;t.a:" /* 17 + 240 = 257 */
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ",foo=1",
     OK, TP_HI, TP_LO, TP_P, 1, 0, TID, "foo=1"},
    {"ts dd 256 chars kept R-W3C-11", "tracecontext", 0,
     TP "\ntracestate: dd=s:2;o:rum;t.a:" /* 17 + 239 = 256 */
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ",foo=1",
     OK, TP_HI, TP_LO, TP_P, 2, "rum",
     "_dd.p.a="
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "," TID,
     "foo=1"},
    /* R-W3C-13: the reconciliation table, one row per line */
    {"rec f1 no s R-W3C-13", "tracecontext", 0, TP "\ntracestate: dd=t.dm:-4", OK, TP_HI, TP_LO, TP_P, 1, 0,
     "_dd.p.dm=-4," TID},
    {"rec f1 s not int R-W3C-13", "tracecontext", 0, TP "\ntracestate: dd=s:x;t.dm:-4", OK, TP_HI, TP_LO, TP_P, 1, 0,
     "_dd.p.dm=-4," TID},
    {"rec f1 s>0 R-W3C-13", "tracecontext", 0, TP "\ntracestate: dd=s:2;t.dm:-4", OK, TP_HI, TP_LO, TP_P, 2, 0,
     "_dd.p.dm=-4," TID},
    {"rec f1 s<=0 R-W3C-13", "tracecontext", 0, TP "\ntracestate: dd=s:-1;t.dm:-3", OK, TP_HI, TP_LO, TP_P, 1, 0,
     "_dd.p.dm=-0," TID},
    {"rec f1 s=0 no dm R-W3C-13", "tracecontext", 0, TP "\ntracestate: dd=s:0", OK, TP_HI, TP_LO, TP_P, 1, 0,
     "_dd.p.dm=-0," TID},
    {"rec f0 no s R-W3C-13", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-00\ntracestate: dd=t.dm:-4", OK, TP_HI,
     TP_LO, TP_P, 0, 0, "_dd.p.dm=-4," TID},
    {"rec f0 s<=0 R-W3C-13", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-00\ntracestate: dd=s:-1;t.dm:-4", OK, TP_HI,
     TP_LO, TP_P, -1, 0, "_dd.p.dm=-4," TID},
    {"rec f0 s>0 R-W3C-13", "tracecontext", 0,
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-00\ntracestate: dd=s:2;t.dm:-4", OK, TP_HI,
     TP_LO, TP_P, 0, 0, TID},

    /* ---- b3multi (docs/propagation.md §5) ---- */
    {"b3m 64-bit R-B3M-1", "b3multi", 0,
     "x-b3-traceid: 0000000000000001\nx-b3-spanid: 0000000000000002\nx-b3-sampled: 1", OK, 0, 1, 2, 1},
    {"b3m 128-bit R-B3M-5", "b3multi", 0,
     "x-b3-traceid: 80f198ee56343ba864fe8b2a57d3eff7\nx-b3-spanid: e457b5a2e4d86bd1\nx-b3-sampled: 0", OK,
     0x80f198ee56343ba8ULL, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, 0, 0, "_dd.p.tid=80f198ee56343ba8"},
    {"b3m sampled absent R-B3M-1", "b3multi", 0, "x-b3-traceid: 0000000000000001\nx-b3-spanid: 0000000000000002",
     OK, 0, 1, 2, U},
    {"b3m short ids R-B3M-2", "b3multi", 0, "x-b3-traceid: abc\nx-b3-spanid: 1\nx-b3-sampled: 1", OK, 0, 0xabc, 1, 1},
    {"b3m 17 digits R-B3M-2", "b3multi", 0, "x-b3-traceid: 10000000000000002\nx-b3-spanid: 3", OK, 1, 2, 3, U, 0,
     "_dd.p.tid=0000000000000001"},
    {"b3m names any case R-HDR-1", "b3multi", 0, "X-B3-TraceId: a\nX-B3-SpanId: b\nX-B3-Sampled: 1", OK, 0, 10, 11,
     1},
    {"b3m parent span ignored R-B3M-1", "b3multi", 0, "x-b3-traceid: a\nx-b3-spanid: b\nx-b3-parentspanid: zz", OK,
     0, 10, 11, U},
    {"b3m sampled 2 R-B3M-4", "b3multi", 0, "x-b3-traceid: a\nx-b3-spanid: b\nx-b3-sampled: 2", OK, 0, 10, 11, 2},
    {"b3m zero trace R-B3M-1", "b3multi", 0, "x-b3-traceid: 0000000000000000\nx-b3-spanid: b", BAD},
    {"b3m non-hex R-B3M-3", "b3multi", 0, "x-b3-traceid: NON_HEX_VALUE\nx-b3-spanid: b", BAD},
    {"b3m 0x R-B3M-3", "b3multi", 0, "x-b3-traceid: 0xdeadbeef\nx-b3-spanid: b", BAD},
    {"b3m no span id R-B3M-3", "b3multi", 0, "x-b3-traceid: deadbeef", BAD},
    {"b3m 33 digits", "b3multi", 0, "x-b3-traceid: 180f198ee56343ba864fe8b2a57d3eff7\nx-b3-spanid: b", BAD},
    {"b3m span 17 digits", "b3multi", 0, "x-b3-traceid: a\nx-b3-spanid: 1e457b5a2e4d86bd1", BAD},

    /* ---- b3 single header (docs/propagation.md §6) ---- */
    {"b3 full R-B3S-1", "b3", 0, "b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", OK,
     0x80f198ee56343ba8ULL, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, 1, 0, "_dd.p.tid=80f198ee56343ba8"},
    {"b3 64-bit not sampled R-B3S-1", "b3", 0, "b3: 64fe8b2a57d3eff7-e457b5a2e4d86bd1-0", OK, 0,
     0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, 0},
    {"b3 no sampled R-B3S-1", "b3", 0, "b3: 64fe8b2a57d3eff7-e457b5a2e4d86bd1", OK, 0, 0x64fe8b2a57d3eff7ULL,
     0xe457b5a2e4d86bd1ULL, U},
    {"b3 debug R-B3S-3", "b3", 0, "b3: 64fe8b2a57d3eff7-e457b5a2e4d86bd1-d", OK, 0, 0x64fe8b2a57d3eff7ULL,
     0xe457b5a2e4d86bd1ULL, 2},
    {"b3 extra fields R-B3S-2", "b3", 0, "b3: a-b-1-c-d-e", OK, 0, 10, 11, 1},
    {"b3 zeros R-B3S-1", "b3", 0, "b3: 0-0-1", BAD},
    {"b3 sampling only R-B3S-2", "b3", 0, "b3: 1", NF},
    {"b3 deny only R-B3S-2", "b3", 0, "b3: 0", NF},
    {"b3 empty span", "b3", 0, "b3: a--1", BAD},
    {"b3 bad sampled", "b3", 0, "b3: a-b-x", BAD},
    {"b3 name case", "b3", 0, "B3: a-b-1", OK, 0, 10, 11, 1},

    /* ---- xray (docs/lambda.md §6.3, fixture xray-04) ---- */
    {"xray doc example 6.3", "xray", 0,
     "x-amzn-trace-id: Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1", OK, 0,
     3995693151288333088ULL, 10713633173203262661ULL, 2},
    {"xray bit 63 cleared xray-04", "xray", 0,
     "X-Amzn-Trace-Id: Root=1-5ce31dc2-ac779014b90ce44db5e03875;Parent=0b11cc4230d3e09e;Sampled=0", OK, 0,
     4110911582297405557ULL, 797643193680388254ULL, -1},
    {"xray all f xray-04", "xray", 0,
     "x-amzn-trace-id: Root=1-00000000-ffffffffffffffffffffffff;Parent=ffffffffffffffff;Sampled=1", OK, 0,
     9223372036854775807ULL, 18446744073709551615ULL, 2},
    {"xray short root xray-04", "xray", 0, "x-amzn-trace-id: Root=1-5ce31dc2-5e03875;Parent=0b11cc4230d3e09e", BAD},
    {"xray 2 parts xray-04", "xray", 0, "x-amzn-trace-id: Root=1-2c779014b90ce44db5e03875;Parent=0b11cc4230d3e09e",
     BAD},
    {"xray short parent xray-04", "xray", 0,
     "x-amzn-trace-id: Root=1-5ce31dc2-2c779014b90ce44db5e03875;Parent=5e03875;Sampled=1", BAD},
    {"xray root only xray-08", "xray", 0, "x-amzn-trace-id: Root=1-5ce31dc2-2c779014b90ce44db5e03875", BAD},
    {"xray origin part", "xray", 0,
     "x-amzn-trace-id: Root=1-5ce31dc2-2c779014b90ce44db5e03875;Parent=0b11cc4230d3e09e;Sampled=1;_dd.origin=lambda",
     OK, 0, 4110911582297405557ULL, 797643193680388254ULL, 2, "lambda"},

    /* ---- several styles (docs/propagation.md §7) ---- */
    {"ms datadog wins R-MS-1", 0, 0,
     "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 987654321\nx-datadog-sampling-priority: 2\n"
     "x-datadog-origin: rum\nx-datadog-tags: _dd.p.tid=80f198ee56343ba8,_dd.p.dm=-4\n"
     "traceparent: 00-80f198ee56343ba864fe8b2a57d3eff7-000000003ade68b1-00\ntracestate: dd=s:0;o:x,foo=1",
     OK, 0x80f198ee56343ba8ULL, 7277407061855694839ULL, 987654321, 2, "rum", "_dd.p.tid=80f198ee56343ba8,_dd.p.dm=-4",
     "foo=1"},
    {"ms w3c parent override with p R-MS-6", 0, 0,
     "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 987654321\nx-datadog-sampling-priority: 2\n"
     "x-datadog-tags: _dd.p.tid=80f198ee56343ba8\n"
     "traceparent: 00-80f198ee56343ba864fe8b2a57d3eff7-00f067aa0ba902b7-01\n"
     "tracestate: dd=s:2;p:000000000000000a,foo=1",
     OK, 0x80f198ee56343ba8ULL, 7277407061855694839ULL, 0x00f067aa0ba902b7ULL, 2, 0, "_dd.p.tid=80f198ee56343ba8",
     "foo=1", 0, "000000000000000a"},
    {"ms w3c parent override without p R-MS-6", 0, 0,
     "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 987654321\n"
     "x-datadog-tags: _dd.p.tid=80f198ee56343ba8\n"
     "traceparent: 00-80f198ee56343ba864fe8b2a57d3eff7-00f067aa0ba902b7-01\ntracestate: foo=1",
     OK, 0x80f198ee56343ba8ULL, 7277407061855694839ULL, 0x00f067aa0ba902b7ULL, U, 0, "_dd.p.tid=80f198ee56343ba8",
     "foo=1", 0, "000000003ade68b1"},
    {"ms same parent no _dd.parent_id 4.4", 0, 0,
     "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\n"
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\ntracestate: dd=p:0000000000000001,foo=1",
     OK, 0, 123, 456, U, 0, 0, "foo=1"},
    {"ms different trace span link R-MS-3 R-MS-7", 0, 0,
     "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\nx-datadog-sampling-priority: 1\n"
     "traceparent: 00-12345678901234567890123456789012-1234567890123456-01\ntracestate: dd=s:2,foo=1",
     OK, 0, 123, 456, 1, 0, 0, 0, 0, 0, 0, 1},
    {"ms extract-first no merge R-MS-8", 0, 1,
     "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\n"
     "traceparent: 00-0000000000000000000000000000007b-0000000000000001-01\ntracestate: foo=1",
     OK, 0, 123, 456, U},
    {"ms extract-first no link R-MS-8", 0, 1,
     "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\n" TP, OK, 0, 123, 456, U},
    {"ms extract-first skips failing style R-CFG-6", 0, 1, "x-datadog-trace-id: 0\nx-datadog-parent-id: 1\n" TP, OK,
     TP_HI, TP_LO, TP_P, 1, 0, TID},
    {"ms bad datadog falls to w3c R-MS-2", 0, 0, "x-datadog-trace-id: abc\nx-datadog-parent-id: 1\n" TP, OK, TP_HI,
     TP_LO, TP_P, 1, 0, TID},
    {"ms w3c primary keeps p R-W3C-14", "tracecontext,datadog", 0,
     TP "\ntracestate: dd=p:00000000000000aa\nx-datadog-trace-id: 8687463697196027922\nx-datadog-parent-id: 5\n"
     "x-datadog-tags: _dd.p.tid=1234567890123456", OK,
     TP_HI, TP_LO, TP_P, 1, 0, TID, 0, 0, "00000000000000aa"},
    {"ms b3 then w3c override R-MS-6", "b3multi,tracecontext", 0,
     "x-b3-traceid: 12345678901234567890123456789012\nx-b3-spanid: 1\nx-b3-sampled: 0\n" TP, OK, TP_HI, TP_LO, TP_P,
     0, 0, TID},
    {"ms b3 different span no change R-MS-6", "datadog,b3multi", 0,
     "x-datadog-trace-id: 10\nx-datadog-parent-id: 5\nx-b3-traceid: a\nx-b3-spanid: 6", OK, 0, 10, 5, U},
    {"ms links for each other trace R-MS-3", "datadog,tracecontext,b3multi,b3", 0,
     "x-datadog-trace-id: 10\nx-datadog-parent-id: 5\n" TP "\nx-b3-traceid: b\nx-b3-spanid: 6\nb3: c-7-1", OK, 0, 10,
     5, U, 0, 0, 0, 0, 0, 0, 3},
    {"ms no link for invalid R-MS-4", 0, 0,
     "x-datadog-trace-id: 10\nx-datadog-parent-id: 5\n"
     "traceparent: 00-00000000000000000000000000000000-1234567890123456-01",
     OK, 0, 10, 5, U},
    {"ms none only R-CFG-5", "none", 0, "x-datadog-trace-id: 10\nx-datadog-parent-id: 5\n" TP, NF},
    {"ms none with datadog R-CFG-5", "none,datadog", 0, "x-datadog-trace-id: 10\nx-datadog-parent-id: 5", OK, 0, 10,
     5, U},
    {"ms nothing", 0, 0, "content-type: text/plain", NF},
    {"ms only malformed", 0, 0, "x-datadog-trace-id: x\ntraceparent: 00-x", BAD},
};

static void run_ex(const void *p) {
    const ex_row *r = (const ex_row *)p;
    dd_propagation_config cfg;
    dd_trace_context c;
    int rc;
    cfg_styles(&cfg, r->styles, NULL);
    cfg.extract_first = r->first;
    memset(&c, 0xAB, sizeof c); /* out is fully rewritten */
    rc = extract_text(&cfg, r->hdrs, &c);
    CHECK_EQ_INT(rc, r->rc);
    if (rc != DD_OK) {
        check_zeroed(&c);
        return;
    }
    CHECK_EQ_U64(c.trace_id.hi, r->hi);
    CHECK_EQ_U64(c.trace_id.lo, r->lo);
    CHECK_EQ_U64(c.parent_id, r->parent);
    CHECK_EQ_INT(c.sampling_priority, r->prio);
    CHECK_STR(c.origin, r->origin ? r->origin : "");
    CHECK_EQ_INT(c.origin_len, strlen(c.origin));
    CHECK_STR(c.ptags, r->ptags ? r->ptags : "");
    CHECK_EQ_INT(c.ptags_len, strlen(c.ptags));
    CHECK_STR(c.tracestate, r->ts ? r->ts : "");
    CHECK_EQ_INT(c.tracestate_len, strlen(c.tracestate));
    CHECK_STR(c.propagation_error, r->err ? r->err : "");
    CHECK_STR(c.last_parent_id, r->lpid ? r->lpid : "");
    CHECK_STR(c.dd_member_extra, r->extra ? r->extra : "");
    CHECK_EQ_INT(c.n_links, r->links);
}

/*=== table: injection ===*/

typedef struct in_row {
    const char *name;
    const char *styles;
    int32_t max_len; /* 0 = default */
    uint64_t hi, lo, parent;
    int prio;
    const char *origin, *ptags, *ts, *extra;
    const char *want; /* headers as "name: value\n" in writing order */
    const char *err;
} in_row;

static const in_row in_rows[] = {
    {"dd inject R-DD-12 R-DD-13", "datadog", 0, 0, 1234, 5678, 1, "synthetics", "_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1234\nx-datadog-parent-id: 5678\nx-datadog-sampling-priority: 1\n"
     "x-datadog-origin: synthetics\nx-datadog-tags: _dd.p.dm=-4\n"},
    {"dd inject max u64", "datadog", 0, 0, UINT64_MAX, UINT64_MAX, -1, 0, 0, 0, 0,
     "x-datadog-trace-id: 18446744073709551615\nx-datadog-parent-id: 18446744073709551615\n"
     "x-datadog-sampling-priority: -1\n"},
    {"dd inject no origin no tags R-DD-13 R-DD-14", "datadog", 0, 0, 1, 2, 0, 0, 0, 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 0\n"},
    {"dd inject unset priority", "datadog", 0, 0, 1, 2, U, 0, 0, 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\n"},
    {"dd inject tid added R-DD-14", "datadog", 0, 0x640cfd8d00000000ULL, 1, 2, 2, 0, "_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 2\n"
     "x-datadog-tags: _dd.p.dm=-4,_dd.p.tid=640cfd8d00000000\n"},
    {"dd inject tid rewritten in place R-DD-14", "datadog", 0, 0x640cfd8d00000000ULL, 1, 2, 2, 0,
     "_dd.p.tid=1111111111111111,_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 2\n"
     "x-datadog-tags: _dd.p.tid=640cfd8d00000000,_dd.p.dm=-4\n"},
    {"dd inject tid removed for 64-bit R-ID-2", "datadog", 0, 0, 1, 2, 2, 0, "_dd.p.tid=1111111111111111", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 2\n"},
    {"dd inject non _dd.p dropped R-DD-14", "datadog", 0, 0, 1, 2, 1, 0, "foo=bar,_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\nx-datadog-tags: _dd.p.dm=-4\n"},
    {"dd inject bad char R-DD-16", "datadog", 0, 0, 1, 2, 1, 0, "_dd.p.a=\x01,_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\nx-datadog-tags: _dd.p.dm=-4\n",
     "encoding_error"},
    {"dd inject over limit R-DD-15", "datadog", 10, 0, 1, 2, 1, 0, "_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\n", "inject_max_size"},
    {"dd inject at limit R-DD-15", "datadog", 11, 0, 1, 2, 1, 0, "_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\nx-datadog-tags: _dd.p.dm=-4\n"},
    {"dd inject disabled R-CFG-7", "datadog", -1, 0, 1, 2, 1, 0, "_dd.p.dm=-4", 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\n"},
    {"dd inject synthetics parent 0", "datadog,tracecontext,b3multi,b3", 0, 0, 7, 0, 1, "synthetics", 0, 0, 0,
     "x-datadog-trace-id: 7\nx-datadog-parent-id: 0\nx-datadog-sampling-priority: 1\nx-datadog-origin: synthetics\n"},
    {"inject non-printable origin never sent raw", "datadog,tracecontext,xray", 0, 0, 1, 2, 1, "a\r\nb", 0, 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\n"
     "traceparent: 00-00000000000000000000000000000001-0000000000000002-01\n"
     "tracestate: dd=s:1;p:0000000000000002;o:a__b\n"
     "x-amzn-trace-id: Root=1-00000000-000000000000000000000001;Parent=0000000000000002;Sampled=1\n"},
    {"tc inject R-W3C-15 R-W3C-16", "tracecontext", 0, TP_HI, TP_LO, 0x1122334455667788ULL, 2, "rum",
     "_dd.p.dm=-4," TID, "foo=1,bar=2", 0,
     "traceparent: 00-12345678901234567890123456789012-1122334455667788-01\n"
     "tracestate: dd=s:2;p:1122334455667788;o:rum;t.dm:-4,foo=1,bar=2\n"},
    {"tc inject 64-bit padded R-W3C-15", "tracecontext", 0, 0, 123, 456, 0, 0, 0, 0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-00\n"
     "tracestate: dd=s:0;p:00000000000001c8\n"},
    {"tc inject reject R-W3C-15", "tracecontext", 0, 0, 123, 456, -1, 0, 0, 0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-00\n"
     "tracestate: dd=s:-1;p:00000000000001c8\n"},
    {"tc inject unset priority", "tracecontext", 0, 0, 123, 456, U, 0, 0, 0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-00\ntracestate: dd=p:00000000000001c8\n"},
    {"tc inject escaping R-W3C-18", "tracecontext", 0, 0, 123, 456, 1, "synthetics~;=web,z", "_dd.p.usr.id=baz64==",
     0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8;o:synthetics__~web_z;t.usr.id:baz64~~\n"},
    {"tc inject key escaping R-W3C-18", "tracecontext", 0, 0, 123, 456, 1, 0, "_dd.p.a;b:c=1", 0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8;t.a_b_c:1\n"},
    {"tc inject incoming dd replaced R-W3C-16", "tracecontext", 0, 0, 123, 456, 1, 0, 0, "a=1,dd=s:2,b=2", 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8,a=1,b=2\n"},
    {"tc inject unknown dd fields kept", "tracecontext", 0, 0, 123, 456, 1, 0, 0, 0, "ts:02",
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8;ts:02\n"},
    {"tc inject 256 limit skips what does not fit R-W3C-19", "tracecontext", 0, 0, 123, 456, 1, 0,
     "_dd.p.a=" /* 30 + 227 = 257: left out; t.dm still fits */
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxx" ",_dd.p.dm=-4",
     0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8;t.dm:-4\n"},
    {"tc inject exactly 256 R-W3C-19", "tracecontext", 0, 0, 123, 456, 1, 0,
     "_dd.p.a=" /* "dd=s:1;p:00000000000001c8;t.a:" is 30, + 226 = 256 */
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxx",
     0, 0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8;t.a:"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxx" "\n"},
    {"tc inject 32 members R-W3C-20", "tracecontext", 0, 0, 123, 456, 1, 0, 0,
     "a1=1,a2=2,a3=3,a4=4,a5=5,a6=6,a7=7,a8=8,a9=9,a10=10,a11=11,a12=12,a13=13,a14=14,a15=15,a16=16,a17=17,"
     "a18=18,a19=19,a20=20,a21=21,a22=22,a23=23,a24=24,a25=25,a26=26,a27=27,a28=28,a29=29,a30=30,a31=31,a32=32,"
     "a33=33",
     0,
     "traceparent: 00-0000000000000000000000000000007b-00000000000001c8-01\n"
     "tracestate: dd=s:1;p:00000000000001c8,a1=1,a2=2,a3=3,a4=4,a5=5,a6=6,a7=7,a8=8,a9=9,a10=10,a11=11,a12=12,"
     "a13=13,a14=14,a15=15,a16=16,a17=17,a18=18,a19=19,a20=20,a21=21,a22=22,a23=23,a24=24,a25=25,a26=26,a27=27,"
     "a28=28,a29=29,a30=30,a31=31\n"},
    {"b3m inject 64 R-B3M-6", "b3multi", 0, 0, 0xabcULL, 0x1ULL, 1, 0, 0, 0, 0,
     "x-b3-traceid: 0000000000000abc\nx-b3-spanid: 0000000000000001\nx-b3-sampled: 1\n"},
    {"b3m inject 128 R-B3M-6", "b3multi", 0, 0x80f198ee56343ba8ULL, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, 0, 0,
     0, 0, 0, "x-b3-traceid: 80f198ee56343ba864fe8b2a57d3eff7\nx-b3-spanid: e457b5a2e4d86bd1\nx-b3-sampled: 0\n"},
    {"b3m inject user keep R-B3M-6", "b3multi", 0, 0, 1, 2, 2, 0, 0, 0, 0,
     "x-b3-traceid: 0000000000000001\nx-b3-spanid: 0000000000000002\nx-b3-sampled: 1\n"},
    {"b3m inject unset", "b3multi", 0, 0, 1, 2, U, 0, 0, 0, 0,
     "x-b3-traceid: 0000000000000001\nx-b3-spanid: 0000000000000002\n"},
    {"b3 inject 128 R-B3S-4", "b3", 0, 0x80f198ee56343ba8ULL, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, 1, 0, 0, 0,
     0, "b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1\n"},
    {"b3 inject 64 reject R-B3S-4", "b3", 0, 0, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, -1, 0, 0, 0, 0,
     "b3: 64fe8b2a57d3eff7-e457b5a2e4d86bd1-0\n"},
    {"b3 inject unset", "b3", 0, 0, 0x64fe8b2a57d3eff7ULL, 0xe457b5a2e4d86bd1ULL, U, 0, 0, 0, 0,
     "b3: 64fe8b2a57d3eff7-e457b5a2e4d86bd1\n"},
    {"xray inject 6.4", "xray", 0, 0, 3995693151288333088ULL, 10713633173203262661ULL, 1, 0, 0, 0, 0,
     "x-amzn-trace-id: Root=1-00000000-0000000037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1\n"},
    {"xray inject origin and epoch 6.4", "xray", 0, 0x5e27239000000000ULL, 1, 2, 0, "lambda", 0, 0, 0,
     "x-amzn-trace-id: Root=1-5e272390-000000000000000000000001;Parent=0000000000000002;Sampled=0;_dd.origin=lambda\n"},
    {"none inject R-CFG-5", "none", 0, 0, 1, 2, 1, 0, 0, 0, 0, ""},
    {"default styles inject R-CFG-4", 0, 0, 0, 1, 2, 1, 0, 0, 0, 0,
     "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\n"
     "traceparent: 00-00000000000000000000000000000001-0000000000000002-01\ntracestate: dd=s:1;p:0000000000000002\n"},
};

static void fill_ctx(dd_trace_context *c, uint64_t hi, uint64_t lo, uint64_t parent, int prio, const char *origin,
                     const char *ptags, const char *ts, const char *extra) {
    memset(c, 0, sizeof *c);
    c->trace_id.hi = hi;
    c->trace_id.lo = lo;
    c->parent_id = parent;
    c->sampling_priority = prio;
    if (origin) { c->origin_len = (uint32_t)strlen(origin); memcpy(c->origin, origin, c->origin_len); }
    if (ptags) { c->ptags_len = (uint32_t)strlen(ptags); memcpy(c->ptags, ptags, c->ptags_len); }
    if (ts) { c->tracestate_len = (uint32_t)strlen(ts); memcpy(c->tracestate, ts, c->tracestate_len); }
    if (extra) { c->dd_member_extra_len = (uint32_t)strlen(extra); memcpy(c->dd_member_extra, extra, strlen(extra)); }
}
static void run_in(const void *p) {
    const in_row *r = (const in_row *)p;
    dd_propagation_config cfg;
    dd_trace_context c;
    char out[4096], err[DD_PROPAGATION_ERROR_MAX + 1];
    cfg_styles(&cfg, NULL, r->styles);
    if (r->max_len) cfg.x_datadog_tags_max_length = r->max_len;
    fill_ctx(&c, r->hi, r->lo, r->parent, r->prio, r->origin, r->ptags, r->ts, r->extra);
    CHECK_EQ_INT(inject_text(&cfg, &c, out, sizeof out, err), DD_OK);
    CHECK_STR(out, r->want);
    CHECK_STR(err, r->err ? r->err : "");
}

/*=== table: id codecs ===*/

typedef struct id_row {
    const char *name;
    int kind; /* 1 dec, 2 hex, 3 trace hex */
    const char *text;
    int rc;
    uint64_t hi, lo;
} id_row;
static const id_row id_rows[] = {
    {"dec 0", 1, "0", OK, 0, 0},
    {"dec max", 1, "18446744073709551615", OK, 0, UINT64_MAX},
    {"dec max+1", 1, "18446744073709551616", BAD},
    {"dec 99999999999999999999", 1, "99999999999999999999", BAD},
    {"dec leading zeros", 1, "00000000000000000042", OK, 0, 42},
    {"dec empty", 1, "", BAD},
    {"dec sign", 1, "-0", BAD},
    {"dec space", 1, " 1", BAD},
    {"dec hex", 1, "1a", BAD},
    {"hex 1", 2, "1", OK, 0, 1},
    {"hex mixed case", 2, "aBcDeF0123456789", OK, 0, 0xabcdef0123456789ULL},
    {"hex 17 digits", 2, "10000000000000000", BAD},
    {"hex empty", 2, "", BAD},
    {"hex 0x", 2, "0x1", BAD},
    {"hex g", 2, "g", BAD},
    {"trace hex 32", 3, "80f198ee56343ba864fe8b2a57d3eff7", OK, 0x80f198ee56343ba8ULL, 0x64fe8b2a57d3eff7ULL},
    {"trace hex 17", 3, "10000000000000002", OK, 1, 2},
    {"trace hex 33", 3, "180f198ee56343ba864fe8b2a57d3eff7", BAD},
    {"trace hex bad high", 3, "z0000000000000002", BAD},
};
static void run_id(const void *p) {
    const id_row *r = (const id_row *)p;
    uint64_t v = 77;
    dd_trace_id t = {5, 5};
    int rc;
    size_t n = strlen(r->text);
    if (r->kind == 1) rc = dd_u64_from_dec(r->text, n, &v);
    else if (r->kind == 2) rc = dd_u64_from_hex(r->text, n, &v);
    else rc = dd_trace_id_from_hex(r->text, n, &t);
    CHECK_EQ_INT(rc, r->rc);
    if (r->kind == 3) {
        CHECK_EQ_U64(t.hi, r->hi);
        CHECK_EQ_U64(t.lo, r->lo);
    } else {
        CHECK_EQ_U64(v, r->lo); /* zero on failure */
    }
}

typedef struct fmt_row {
    const char *name;
    uint64_t hi, lo;
    const char *dec, *hex16, *hex32;
} fmt_row;
static const fmt_row fmt_rows[] = {
    {"fmt 0", 0, 0, "0", "0000000000000000", "00000000000000000000000000000000"},
    {"fmt max", UINT64_MAX, UINT64_MAX, "18446744073709551615", "ffffffffffffffff", "ffffffffffffffffffffffffffffffff"},
    {"fmt 123456789", 0x640cfd8d00000000ULL, 123456789, "123456789", "00000000075bcd15",
     "640cfd8d0000000000000000075bcd15"},
    {"fmt 13088165645273925489 R-ID-4", 0, 13088165645273925489ULL, "13088165645273925489", "b5a2814f70060771",
     "0000000000000000b5a2814f70060771"},
    /* the eight-digit words of the decimal writer: each boundary */
    {"fmt 8 digits", 0, 99999999ULL, "99999999", "0000000005f5e0ff", "00000000000000000000000005f5e0ff"},
    {"fmt 9 digits", 0, 100000000ULL, "100000000", "0000000005f5e100", "00000000000000000000000005f5e100"},
    {"fmt 16 digits", 0, 9999999999999999ULL, "9999999999999999", "002386f26fc0ffff", "0000000000000000002386f26fc0ffff"},
    {"fmt 17 digits", 0, 10000000000000000ULL, "10000000000000000", "002386f26fc10000", "0000000000000000002386f26fc10000"},
    {"fmt 20 digits", 0, 10000000000000000000ULL, "10000000000000000000", "8ac7230489e80000", "00000000000000008ac7230489e80000"},
    {"fmt 7", 0, 7ULL, "7", "0000000000000007", "00000000000000000000000000000007"},
};
static void run_fmt(const void *p) {
    const fmt_row *r = (const fmt_row *)p;
    char d[21], h[17], t[33];
    dd_trace_id id;
    id.hi = r->hi;
    id.lo = r->lo;
    CHECK_EQ_INT(dd_u64_to_dec(r->lo, d), strlen(r->dec));
    CHECK_STR(d, r->dec);
    CHECK_EQ_INT(dd_u64_to_hex16(r->lo, h), 16);
    CHECK_STR(h, r->hex16);
    CHECK_EQ_INT(dd_trace_id_to_hex32(&id, t), 32);
    CHECK_STR(t, r->hex32);
}

/*=== table: style lists and environment (docs/propagation.md §2) ===*/

typedef struct style_row {
    const char *name, *text;
    int rc, n;
    int s[4];
} style_row;
static const style_row style_rows[] = {
    {"styles default list R-CFG-4", "datadog,tracecontext", OK, 2, {1, 2}},
    {"styles baggage R-BG-2", "datadog,tracecontext,baggage", OK, 3, {1, 2, 7}},
    {"styles baggage alone R-BG-3", "Baggage", OK, 1, {7}},
    {"styles case R-CFG-2", "B3MULTI,Datadog,NoNe", OK, 3, {3, 1, 6}},
    {"styles spaces R-CFG-2", " datadog ,\ttracecontext ", OK, 2, {1, 2}},
    {"styles b3 is single R-CFG-1", "b3", OK, 1, {DD_STYLE_B3}},
    {"styles b3 single header", "b3 single header", OK, 1, {DD_STYLE_B3}},
    {"styles xray", "xray,datadog", OK, 2, {5, 1}},
    {"styles duplicates", "datadog,datadog,b3multi", OK, 2, {1, 3}},
    {"styles unknown skipped", "datadog,jaeger", BAD, 1, {1}},
    {"styles empty", "", BAD, 0, {0}},
    {"styles only commas", " , ,", BAD, 0, {0}},
};
static void run_style(const void *p) {
    const style_row *r = (const style_row *)p;
    int s[DD_STYLES_MAX], n = -1, i;
    CHECK_EQ_INT(dd_propagation_parse_styles(r->text, strlen(r->text), s, &n), r->rc);
    CHECK_EQ_INT(n, r->n);
    for (i = 0; i < r->n && i < n; i++) CHECK_EQ_INT(s[i], r->s[i]);
}

typedef struct env_row {
    const char *name;
    const char *env; /* "NAME=value\n..." */
    int rc;
    int n_ex, ex[3], n_in, in[3], first;
    int32_t max_len;
    int logs;
    int32_t bag_items, bag_bytes; /* 0: the defaults 64, 8192 */
    int behavior;
} env_row;
static const env_row env_rows[] = {
    {"env none set R-CFG-4", "", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 512, 0},
    {"env style both R-CFG-3", "DD_TRACE_PROPAGATION_STYLE=b3multi", OK, 1, {3}, 1, {3}, 0, 512, 0},
    {"env extract beats style R-CFG-3", "DD_TRACE_PROPAGATION_STYLE=b3multi\nDD_TRACE_PROPAGATION_STYLE_EXTRACT=datadog",
     OK, 1, {1}, 1, {3}, 0, 512, 0},
    {"env inject beats style R-CFG-3", "DD_TRACE_PROPAGATION_STYLE=b3multi\nDD_TRACE_PROPAGATION_STYLE_INJECT=b3",
     OK, 1, {3}, 1, {4}, 0, 512, 0},
    {"env deprecated below DD_TRACE R-CFG-3",
     "DD_PROPAGATION_STYLE_EXTRACT=b3\nDD_TRACE_PROPAGATION_STYLE_EXTRACT=tracecontext\nDD_TRACE_PROPAGATION_STYLE=xray",
     OK, 1, {2}, 1, {5}, 0, 512, 0},
    {"env deprecated above style R-CFG-3", "DD_PROPAGATION_STYLE_INJECT=b3\nDD_TRACE_PROPAGATION_STYLE=xray", OK, 1,
     {5}, 1, {4}, 0, 512, 0},
    {"env otel lowest R-CFG-3", "OTEL_PROPAGATORS=tracecontext,b3", OK, 2, {2, 4}, 2, {2, 4}, 0, 512, 0},
    {"env otel below DD R-CFG-3", "OTEL_PROPAGATORS=b3\nDD_TRACE_PROPAGATION_STYLE=datadog", OK, 1, {1}, 1, {1}, 0,
     512, 0},
    {"env unknown style logged", "DD_TRACE_PROPAGATION_STYLE=datadog,bogus", BAD, 1, {1}, 1, {1}, 0, 512, 2},
    {"env all unknown falls through", "DD_TRACE_PROPAGATION_STYLE_EXTRACT=bogus\nDD_TRACE_PROPAGATION_STYLE=b3", BAD,
     1, {4}, 1, {4}, 0, 512, 1},
    {"env none R-CFG-5", "DD_TRACE_PROPAGATION_STYLE_INJECT=none", OK, 3, {1, 2, 7}, 1, {6}, 0, 512, 0},
    {"env extract first true R-CFG-6", "DD_TRACE_PROPAGATION_EXTRACT_FIRST=true", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 1, 512, 0},
    {"env extract first TRUE", "DD_TRACE_PROPAGATION_EXTRACT_FIRST=TRUE", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 1, 512, 0},
    {"env extract first bad", "DD_TRACE_PROPAGATION_EXTRACT_FIRST=yes please", BAD, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 512, 1},
    {"env max length R-CFG-7", "DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=100", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 100, 0},
    {"env max length 0 disables R-CFG-7", "DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=0", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, -1, 0},
    {"env max length cpp name R-CFG-7", "DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH=64", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 64, 0},
    {"env max length dd name wins", "DD_TRACE_TAGS_PROPAGATION_MAX_LENGTH=64\nDD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=65",
     OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 65, 0},
    {"env max length bad", "DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH=-5", BAD, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 512, 1},
    {"env baggage limits R-BG-4", "DD_TRACE_BAGGAGE_MAX_ITEMS=3\nDD_TRACE_BAGGAGE_MAX_BYTES= 100 ", OK, 3, {1, 2, 7}, 3,
     {1, 2, 7}, 0, 512, 0, 3, 100},
    {"env baggage items 0 drops the style R-BG-4", "DD_TRACE_BAGGAGE_MAX_ITEMS=0", OK, 2, {1, 2}, 2, {1, 2}, 0, 512, 0},
    {"env baggage bytes 2 drops the style R-BG-4", "DD_TRACE_BAGGAGE_MAX_BYTES=2\nDD_TRACE_PROPAGATION_STYLE=baggage",
     OK, 1, {6}, 1, {6}, 0, 512, 0},
    {"env baggage items bad", "DD_TRACE_BAGGAGE_MAX_ITEMS=many", BAD, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 512, 1},
    {"env behavior restart R-MS-9", "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT=Restart", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0,
     512, 0, 0, 0, DD_EXTRACT_RESTART},
    {"env behavior ignore R-MS-9", "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT= ignore", OK, 3, {1, 2, 7}, 3, {1, 2, 7}, 0,
     512, 0, 0, 0, DD_EXTRACT_IGNORE},
    {"env behavior continue R-MS-9", "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT=continue", OK, 3, {1, 2, 7}, 3, {1, 2, 7},
     0, 512, 0, 0, 0, DD_EXTRACT_CONTINUE},
    {"env behavior bad R-MS-9", "DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT=drop", BAD, 3, {1, 2, 7}, 3, {1, 2, 7}, 0, 512,
     1},
};
static const char *env_text;
static int env_logs;
static const char *fake_getenv(void *user, const char *name) {
    static char val[256];
    const char *p = env_text;
    size_t nl = strlen(name);
    (void)user;
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t ln = e ? (size_t)(e - p) : strlen(p);
        if (ln > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            memcpy(val, p + nl + 1, ln - nl - 1);
            val[ln - nl - 1] = 0;
            return val;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}
static void count_log(void *user, int level, const char *msg, size_t len) {
    (void)user;
    CHECK_EQ_INT(level, DD_LOG_WARN);
    CHECK(len > 0 && msg[len - 1] != 0);
    env_logs++;
}
static void run_env(const void *p) {
    const env_row *r = (const env_row *)p;
    dd_propagation_config cfg;
    int i;
    env_text = r->env;
    env_logs = 0;
    dd_propagation_config_default(&cfg);
    CHECK_EQ_INT(dd_propagation_config_from_env(&cfg, fake_getenv, NULL, count_log), r->rc);
    CHECK_EQ_INT(cfg.n_extract, r->n_ex);
    for (i = 0; i < r->n_ex && i < cfg.n_extract; i++) CHECK_EQ_INT(cfg.extract_styles[i], r->ex[i]);
    CHECK_EQ_INT(cfg.n_inject, r->n_in);
    for (i = 0; i < r->n_in && i < cfg.n_inject; i++) CHECK_EQ_INT(cfg.inject_styles[i], r->in[i]);
    CHECK_EQ_INT(cfg.extract_first, r->first);
    CHECK_EQ_INT(cfg.x_datadog_tags_max_length, r->max_len);
    CHECK_EQ_INT(env_logs, r->logs);
    CHECK_EQ_INT(cfg.baggage_max_items, r->bag_items ? r->bag_items : 64);
    CHECK_EQ_INT(cfg.baggage_max_bytes, r->bag_bytes ? r->bag_bytes : 8192);
    CHECK_EQ_INT(cfg.extract_behavior, r->behavior);
}

/*=== single cases ===*/

static void test_dd_tags_512_accepted(void) {
    dd_propagation_config cfg;
    dd_trace_context c;
    char text[1200];
    cfg_styles(&cfg, "datadog", NULL);
    snprintf(text, sizeof text, "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\n%s", tags_of_len(512));
    CHECK_EQ_INT(extract_text(&cfg, text, &c), DD_OK);
    CHECK_EQ_INT(c.ptags_len, 512); /* R-DD-9: exactly 512 is accepted */
    CHECK_STR(c.propagation_error, "");
}
static void test_dd_tags_513_rejected(void) {
    dd_propagation_config cfg;
    dd_trace_context c;
    char text[1200];
    cfg_styles(&cfg, "datadog", NULL);
    snprintf(text, sizeof text, "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\n%s", tags_of_len(513));
    CHECK_EQ_INT(extract_text(&cfg, text, &c), DD_OK);
    CHECK_EQ_INT(c.ptags_len, 0);
    CHECK_STR(c.propagation_error, "extract_max_size");
}
static void test_inject_512_written_513_not(void) {
    dd_propagation_config cfg;
    dd_trace_context c;
    char out[2048], err[DD_PROPAGATION_ERROR_MAX + 1];
    const char *t;
    cfg_styles(&cfg, NULL, "datadog");
    t = tags_of_len(512) + 16; /* "_dd.p.a=xxx..." of 512 bytes */
    fill_ctx(&c, 0, 1, 2, 1, 0, t, 0, 0);
    CHECK_EQ_INT(inject_text(&cfg, &c, out, sizeof out, err), DD_OK);
    CHECK(strstr(out, "x-datadog-tags: _dd.p.a=xxx") != NULL); /* R-DD-15: exactly 512 is written */
    CHECK_STR(err, "");
    /* a 128-bit id adds 26 bytes of _dd.p.tid and pushes it over */
    c.trace_id.hi = 0x640cfd8d00000000ULL;
    CHECK_EQ_INT(inject_text(&cfg, &c, out, sizeof out, err), DD_OK);
    CHECK(strstr(out, "x-datadog-tags") == NULL);
    CHECK_STR(err, "inject_max_size");
}
static void test_span_link_fields(void) {
    dd_trace_context c;
    CHECK_EQ_INT(extract_text(NULL,
                              "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\nx-datadog-sampling-priority: 1\n"
                              "traceparent: 00-12345678901234567890123456789012-1234567890123456-01\n"
                              "tracestate: dd=s:2;p:0000000000000001 , foo=1",
                              &c),
                 DD_OK);
    CHECK_EQ_INT(c.n_links, 1);
    CHECK_EQ_U64(c.links[0].trace_id.hi, TP_HI);
    CHECK_EQ_U64(c.links[0].trace_id.lo, TP_LO);
    CHECK_EQ_U64(c.links[0].span_id, TP_P);
    CHECK_EQ_U64((uint32_t)c.links[0].flags, 0x80000001u); /* 1 | 1<<31: R-MS-3 and 7.2 */
    CHECK_STR(c.links[0].tracestate, "dd=s:2;p:0000000000000001,foo=1");
    CHECK_STR(c.links[0].reason, "terminated_context");
    CHECK_STR(c.links[0].context_headers, "tracecontext");
    CHECK_STR(c.tracestate, ""); /* R-MS-7: no merge */
    CHECK_STR(c.last_parent_id, "");
}
static void test_span_link_datadog_flags(void) {
    dd_propagation_config cfg;
    dd_trace_context c;
    cfg_styles(&cfg, "tracecontext,datadog,b3", NULL);
    CHECK_EQ_INT(extract_text(&cfg,
                              "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\nx-datadog-sampling-priority: 0\n"
                              TP "\nb3: 7b-1c9",
                              &c),
                 DD_OK);
    CHECK_EQ_INT(c.n_links, 2);
    CHECK_EQ_U64(c.links[0].trace_id.lo, 123);
    CHECK_EQ_U64(c.links[0].span_id, 456);
    CHECK_EQ_U64((uint32_t)c.links[0].flags, 0x80000000u);
    CHECK_STR(c.links[0].tracestate, ""); /* only tracecontext links carry a tracestate */
    CHECK_STR(c.links[0].context_headers, "datadog");
    CHECK_EQ_U64(c.links[1].trace_id.lo, 123);
    CHECK_EQ_U64(c.links[1].span_id, 457);
    CHECK_STR(c.links[1].context_headers, "b3");
}
static void test_ptags_ops(void) {
    dd_trace_context c;
    const char *v;
    size_t n;
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.dm", 8, "-4", 2), DD_OK);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.tid", 9, "640cfd8d00000000", 16), DD_OK);
    CHECK_STR(c.ptags, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000");
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.dm", 8, "-11", 3), DD_OK);
    CHECK_STR(c.ptags, "_dd.p.dm=-11,_dd.p.tid=640cfd8d00000000"); /* order kept */
    CHECK_EQ_INT(dd_ptags_get(&c, "_dd.p.tid", 9, &v, &n), DD_OK);
    CHECK_MEM(v, n, "640cfd8d00000000", 16);
    CHECK_EQ_INT(dd_ptags_get(&c, "_dd.p.d", 7, &v, &n), DD_ERR_NOT_FOUND);
    CHECK(v == NULL && n == 0);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.x", 7, "a,b", 3), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p x", 7, "a", 1), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.x", 7, "", 0), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd_ptags_remove(&c, "_dd.p.tid", 9), DD_OK);
    CHECK_STR(c.ptags, "_dd.p.dm=-11");
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.a", 7, "1", 1), DD_OK);
    CHECK_EQ_INT(dd_ptags_remove(&c, "_dd.p.dm", 8), DD_OK);
    CHECK_STR(c.ptags, "_dd.p.a=1");
    CHECK_EQ_INT(dd_ptags_remove(&c, "_dd.p.dm", 8), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_ptags_remove(&c, "_dd.p.a", 7), DD_OK);
    CHECK_STR(c.ptags, "");
    CHECK_EQ_INT(c.ptags_len, 0);
}
static void test_ptags_limit(void) {
    dd_trace_context c;
    char v[600];
    memset(&c, 0, sizeof c);
    memset(v, 'v', sizeof v);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.a", 7, v, 504), DD_OK); /* 7 + 1 + 504 = 512 */
    CHECK_EQ_INT(c.ptags_len, 512);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.b", 7, "1", 1), DD_ERR_LIMIT);
    CHECK_EQ_INT(dd_ptags_set(&c, "_dd.p.a", 7, v, 505), DD_ERR_LIMIT);
    CHECK_EQ_INT(c.ptags_len, 512); /* unchanged */
}
static void test_headers_writer(void) {
    dd_header items[2];
    char buf[48];
    dd_headers h;
    dd_carrier_writer w;
    dd_carrier_reader r;
    const char *v;
    size_t n;
    dd_headers_init(&h, items, 2, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(w.set(w.self, "a", 1, "1", 1), DD_OK);
    CHECK_EQ_INT(w.set(w.self, "A", 1, "22", 2), DD_OK); /* same name: replaced */
    CHECK_EQ_INT(h.n, 1);
    CHECK_EQ_INT(w.set(w.self, "b", 1, "3", 1), DD_OK);
    CHECK_EQ_INT(w.set(w.self, "c", 1, "4", 1), DD_ERR_BUFFER_FULL); /* items full */
    CHECK_EQ_INT(w.set(w.self, "b", 1, "0123456789012345678901234567890123456789", 40), DD_ERR_BUFFER_FULL);
    CHECK_EQ_INT(h.n, 2);
    dd_headers_reader(&r, &h);
    v = r.get(r.self, "a", 1, &n);
    CHECK_MEM(v, n, "22", 2);
    CHECK_STR(v, "22"); /* NUL-terminated too */
    v = r.get(r.self, "b", 1, &n);
    CHECK_MEM(v, n, "3", 1);
}
static const char *cstr_get(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "x-datadog-trace-id") == 0) return "42";
    if (strcmp(name, "x-datadog-parent-id") == 0) return "43";
    return NULL;
}
static char cstr_seen[512];
static int cstr_set(void *user, const char *name, const char *value) {
    (void)user;
    strcat(cstr_seen, name);
    strcat(cstr_seen, "=");
    strcat(cstr_seen, value);
    strcat(cstr_seen, ";");
    return DD_OK;
}
static void test_cstr_carrier(void) {
    dd_cstr_carrier cc;
    dd_carrier_reader r;
    dd_carrier_writer w;
    dd_propagation_config cfg;
    dd_trace_context c;
    memset(&cc, 0, sizeof cc);
    cc.get_fn = cstr_get;
    cc.set_fn = cstr_set;
    dd_cstr_carrier_reader(&r, &cc);
    dd_cstr_carrier_writer(&w, &cc);
    CHECK_EQ_INT(dd_extract(NULL, &r, &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 42);
    CHECK_EQ_U64(c.parent_id, 43);
    cfg_styles(&cfg, NULL, "b3");
    cstr_seen[0] = 0;
    c.sampling_priority = 1;
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), DD_OK);
    CHECK_STR(cstr_seen, "b3=000000000000002a-000000000000002b-1;");
}
static const char *env_map(void *user, const char *name) {
    (void)user;
    if (strcmp(name, "TRACEPARENT") == 0) return "00-12345678901234567890123456789012-1234567890123456-01";
    if (strcmp(name, "TRACESTATE") == 0) return "dd=s:2;o:rum,foo=1";
    if (strcmp(name, "_X_AMZN_TRACE_ID") == 0)
        return "Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1";
    return NULL;
}
static void test_env_carrier_read(void) {
    dd_env_source src;
    dd_carrier_reader r;
    dd_propagation_config cfg;
    dd_trace_context c;
    src.getenv_fn = env_map;
    src.user = NULL;
    dd_env_reader(&r, &src);
    CHECK_EQ_INT(dd_extract(NULL, &r, &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, TP_LO);
    CHECK_EQ_INT(c.sampling_priority, 2);
    CHECK_STR(c.origin, "rum");
    CHECK_STR(c.tracestate, "foo=1");
    cfg_styles(&cfg, "xray", NULL); /* Lambda's _X_AMZN_TRACE_ID */
    CHECK_EQ_INT(dd_extract(&cfg, &r, &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 3995693151288333088ULL);
    CHECK_EQ_U64(c.parent_id, 10713633173203262661ULL);
}
static void test_env_block_write(void) {
    char *envp[8];
    char buf[1024];
    dd_env_block e;
    dd_carrier_writer w;
    dd_propagation_config cfg;
    dd_trace_context c;
    cfg_styles(&cfg, NULL, "datadog,tracecontext");
    fill_ctx(&c, 0, 1, 2, 1, "rum", 0, 0, 0);
    dd_env_block_init(&e, envp, 8, buf, sizeof buf);
    dd_env_block_writer(&w, &e);
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), DD_OK);
    CHECK_EQ_INT(e.n, 6);
    CHECK_STR(envp[0], "X_DATADOG_TRACE_ID=1");
    CHECK_STR(envp[1], "X_DATADOG_PARENT_ID=2");
    CHECK_STR(envp[2], "X_DATADOG_SAMPLING_PRIORITY=1");
    CHECK_STR(envp[3], "X_DATADOG_ORIGIN=rum");
    CHECK_STR(envp[4], "TRACEPARENT=00-00000000000000000000000000000001-0000000000000002-01");
    CHECK_STR(envp[5], "TRACESTATE=dd=s:1;p:0000000000000002;o:rum");
    CHECK(envp[6] == NULL);
    /* a second inject replaces, and a full envp refuses */
    c.parent_id = 3;
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), DD_OK);
    CHECK_EQ_INT(e.n, 6);
    CHECK_STR(envp[1], "X_DATADOG_PARENT_ID=3");
    dd_env_block_init(&e, envp, 2, buf, sizeof buf);
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), DD_ERR_BUFFER_FULL);
    CHECK_EQ_INT(e.n, 1);
    CHECK(envp[1] == NULL);
}
static void test_inject_errors(void) {
    dd_header items[1];
    char buf[256];
    dd_headers h;
    dd_carrier_writer w;
    dd_trace_context c;
    fill_ctx(&c, 0, 1, 2, 1, 0, 0, 0, 0);
    dd_headers_init(&h, items, 1, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    CHECK_EQ_INT(dd_inject(NULL, &c, &w), DD_ERR_BUFFER_FULL); /* the writer's error comes back */
    c.trace_id.lo = 0;
    CHECK_EQ_INT(dd_inject(NULL, &c, &w), DD_ERR_INVALID_ARG);
}
static void test_xray_parse_direct(void) {
    dd_trace_context c;
    const char *v = "Root=1-5ce31dc2-2c779014b90ce44db5e03875;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1";
    CHECK_EQ_INT(dd_xray_parse(v, strlen(v), &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 4110911582297405557ULL);
    CHECK_EQ_U64(c.parent_id, 6023947403358210776ULL); /* xray-04: 53995c3f42cd8ad8 */
    CHECK_EQ_INT(c.style, DD_STYLE_XRAY);
    v = "Root=1-5e272390-00000000e1be46a994272793;Parent=1000000000000000;Sampled=0";
    CHECK_EQ_INT(dd_xray_parse(v, strlen(v), &c), DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 7043144561403045779ULL); /* xray-04 */
    CHECK_EQ_U64(c.parent_id, 1152921504606846976ULL);
    CHECK_EQ_INT(c.sampling_priority, -1);
    CHECK_EQ_INT(dd_xray_parse("", 0, &c), DD_ERR_NOT_FOUND);
}
static void test_get_nth_absent(void) {
    /* a reader without get_nth: only the first tracestate is seen */
    dd_header hs[3] = {{"traceparent", 11, "00-12345678901234567890123456789012-1234567890123456-01", 55},
                       {"tracestate", 10, "a=1", 3},
                       {"tracestate", 10, "b=2", 3}};
    dd_headers h;
    dd_carrier_reader r;
    dd_trace_context c;
    memset(&h, 0, sizeof h);
    h.items = hs;
    h.n = 3;
    dd_headers_reader(&r, &h);
    r.get_nth = NULL;
    CHECK_EQ_INT(dd_extract(NULL, &r, &c), DD_OK);
    CHECK_STR(c.tracestate, "a=1");
}

static void test_zeroed_config_is_default(void) {
    dd_propagation_config zero;
    dd_trace_context c;
    char out[2048];
    memset(&zero, 0, sizeof zero);
    fill_ctx(&c, 0, 1, 2, 1, 0, "_dd.p.dm=-4", 0, 0);
    CHECK_EQ_INT(inject_text(&zero, &c, out, sizeof out, NULL), DD_OK);
    CHECK_STR(out, "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: 1\n"
                   "x-datadog-tags: _dd.p.dm=-4\n"
                   "traceparent: 00-00000000000000000000000000000001-0000000000000002-01\n"
                   "tracestate: dd=s:1;p:0000000000000002;t.dm:-4\n");
    CHECK_EQ_INT(inject_text(NULL, &c, out, sizeof out, NULL), DD_OK); /* NULL cfg: the same */
    CHECK(strstr(out, "x-datadog-tags: _dd.p.dm=-4\n") != NULL);
    CHECK_EQ_INT(extract_text(&zero, "traceparent: 00-00000000000000000000000000000001-0000000000000002-01", &c),
                 DD_OK);
    CHECK_EQ_U64(c.trace_id.lo, 1);
}
static void test_style_names(void) {
    CHECK_STR(dd_style_name(DD_STYLE_DATADOG), "datadog");
    CHECK_STR(dd_style_name(DD_STYLE_TRACECONTEXT), "tracecontext");
    CHECK_STR(dd_style_name(DD_STYLE_B3MULTI), "b3multi");
    CHECK_STR(dd_style_name(DD_STYLE_B3), "b3");
    CHECK_STR(dd_style_name(DD_STYLE_XRAY), "xray");
    CHECK_STR(dd_style_name(DD_STYLE_NONE), "none");
    CHECK_STR(dd_style_name(99), "");
}
static void test_extract_bad_args(void) {
    dd_trace_context c;
    dd_carrier_reader r;
    memset(&r, 0, sizeof r);
    memset(&c, 0x5A, sizeof c);
    CHECK_EQ_INT(dd_extract(NULL, NULL, &c), DD_ERR_INVALID_ARG);
    check_zeroed(&c);
    CHECK_EQ_INT(dd_extract(NULL, &r, &c), DD_ERR_INVALID_ARG); /* no get function */
    CHECK_EQ_INT(dd_extract(NULL, &r, NULL), DD_ERR_INVALID_ARG);
}

/*=== round trips: extract -> child span -> inject -> extract ===*/

typedef struct rt_row {
    const char *name, *styles, *hdrs;
} rt_row;
static const rt_row rt_rows[] = {
    {"rt datadog", "datadog",
     "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 1\nx-datadog-sampling-priority: 2\n"
     "x-datadog-origin: synthetics\nx-datadog-tags: _dd.p.dm=-4,_dd.p.tid=80f198ee56343ba8,_dd.p.usr=a=b"},
    {"rt tracecontext", "tracecontext", TP "\ntracestate: dd=s:2;o:rum;t.dm:-4;t.usr.id:baz64~~,foo=1,bar=2"},
    {"rt b3multi", "b3multi",
     "x-b3-traceid: 80f198ee56343ba864fe8b2a57d3eff7\nx-b3-spanid: e457b5a2e4d86bd1\nx-b3-sampled: 1"},
    {"rt b3", "b3", "b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0"},
    {"rt xray", "xray",
     "x-amzn-trace-id: Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1"},
    {"rt all styles", "datadog,tracecontext,b3multi,b3",
     "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 1\nx-datadog-sampling-priority: 1\n"
     "x-datadog-tags: _dd.p.tid=80f198ee56343ba8\n"
     "traceparent: 00-80f198ee56343ba864fe8b2a57d3eff7-0000000000000001-01\ntracestate: foo=1"},
};
static void run_rt(const void *p) {
    const rt_row *r = (const rt_row *)p;
    dd_propagation_config cfg;
    dd_trace_context a, b;
    char out[4096];
    cfg_styles(&cfg, r->styles, r->styles);
    CHECK_EQ_INT(extract_text(&cfg, r->hdrs, &a), DD_OK);
    a.parent_id = 0x0102030405060708ULL; /* the child span that sends */
    CHECK_EQ_INT(inject_text(&cfg, &a, out, sizeof out, NULL), DD_OK);
    CHECK_EQ_INT(extract_text(&cfg, out, &b), DD_OK);
    CHECK_EQ_U64(b.trace_id.hi, a.trace_id.hi);
    CHECK_EQ_U64(b.trace_id.lo, a.trace_id.lo);
    CHECK_EQ_U64(b.parent_id, 0x0102030405060708ULL);
    CHECK_EQ_INT(b.sampling_priority, a.sampling_priority);
    CHECK_STR(b.origin, a.origin);
    CHECK_STR(b.ptags, a.ptags);
    CHECK_STR(b.tracestate, a.tracestate);
}

/*=== allocation ===*/

static void test_no_allocation(void) {
#ifdef TEST_COUNTING
    dd_propagation_config cfg;
    dd_trace_context c;
    dd_header items[16];
    char buf[4096];
    dd_headers h;
    dd_carrier_writer w;
    hdrs x;
    dd_carrier_reader r;
    long before;
    void *probe;
    void *(*volatile malloc_fn)(size_t) = malloc;
    test_counting_start();
    before = test_mallocs;
    probe = malloc_fn(8); /* the counter works */
    free(probe);
    CHECK_EQ_INT(test_mallocs - before, 1);
    cfg_styles(&cfg, "datadog,tracecontext,b3multi,b3,xray", "datadog,tracecontext,b3multi,b3,xray");
    hdrs_parse(&x, "x-datadog-trace-id: 7277407061855694839\nx-datadog-parent-id: 1\n"
                   "x-datadog-tags: _dd.p.tid=80f198ee56343ba8,_dd.p.dm=-4\n" TP
                   "\ntracestate: dd=s:2;o:rum;t.x:y,foo=1\nb3: a-b-1\n"
                   "x-amzn-trace-id: Root=1-5e272390-8c398be037738dc042009320;Parent=94ae789b969f1cc5;Sampled=1");
    dd_headers_reader(&r, &x.list);
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    before = test_mallocs;
    CHECK_EQ_INT(dd_extract(&cfg, &r, &c), DD_OK);
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), DD_OK);
    CHECK_EQ_INT(test_mallocs - before, 0);
    CHECK(c.n_links >= 2);
#else
    CHECK(!"no way to count allocations on this platform");
#endif
}

/*=== the case list: one case per table row ===*/

typedef struct row_case {
    const char *name;
    void (*run)(const void *);
    const void *row;
} row_case;
#define MAX_CASES 512
static row_case row_cases[MAX_CASES];
static test_case all_cases[MAX_CASES];
static size_t n_cases;

static void run_row(void) {
    size_t i;
    for (i = 0; i < n_cases; i++)
        if (row_cases[i].name == test__case_name) { row_cases[i].run(row_cases[i].row); return; }
    CHECK(0);
}
static void add_rows(const void *rows, size_t size, size_t count, void (*run)(const void *)) {
    size_t i;
    for (i = 0; i < count && n_cases < MAX_CASES; i++) {
        const void *row = (const char *)rows + i * size;
        row_cases[n_cases].name = *(const char *const *)row; /* every row starts with its name */
        row_cases[n_cases].run = run;
        row_cases[n_cases].row = row;
        all_cases[n_cases].name = row_cases[n_cases].name;
        all_cases[n_cases].fn = run_row;
        n_cases++;
    }
}
#define ADD_ROWS(t, fn) add_rows(t, sizeof t[0], sizeof t / sizeof t[0], fn)
static const test_case single_cases[] = {
    TEST(test_dd_tags_512_accepted), TEST(test_dd_tags_513_rejected), TEST(test_inject_512_written_513_not),
    TEST(test_span_link_fields), TEST(test_span_link_datadog_flags), TEST(test_ptags_ops), TEST(test_ptags_limit),
    TEST(test_headers_writer), TEST(test_cstr_carrier), TEST(test_env_carrier_read), TEST(test_env_block_write),
    TEST(test_inject_errors), TEST(test_xray_parse_direct), TEST(test_get_nth_absent), TEST(test_no_allocation),
    TEST(test_zeroed_config_is_default), TEST(test_style_names), TEST(test_extract_bad_args),
};

int main(int argc, char **argv) {
    size_t i;
    ADD_ROWS(ex_rows, run_ex);
    ADD_ROWS(in_rows, run_in);
    ADD_ROWS(id_rows, run_id);
    ADD_ROWS(fmt_rows, run_fmt);
    ADD_ROWS(style_rows, run_style);
    ADD_ROWS(env_rows, run_env);
    ADD_ROWS(rt_rows, run_rt);
    for (i = 0; i < sizeof single_cases / sizeof single_cases[0] && n_cases < MAX_CASES; i++)
        all_cases[n_cases++] = single_cases[i];
    if (argc > 1) return test_run_filtered("propagation", all_cases, n_cases, argv[1]);
    return test_run("propagation", all_cases, n_cases);
}
