/* tests/stats_test.c - client-side stats (docs/stats.md): the DDSketch mapping and its protobuf
 * bytes, the /info reader, the concentrator (eligibility, keys, buckets, the late-span rule,
 * bounds), the /v0.6/stats payload, the P0 drop rule and its headers, and the fallback when the
 * agent has no /info. Known-good values: the worked example of the spec the project follows
 * (docs/stats.md §8: its sketch bytes, group B's 374 msgpack bytes and the SHA-256 of the whole
 * 1033-byte payload), and sketches-go's mapping (floor(ln v / ln 1.0202...)). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <stdlib.h>
#include <time.h>

static size_t unhex(const char *h, uint8_t *out) {
    size_t n = 0;
    while (*h) {
        unsigned v;
        if (*h == ' ') {
            h++;
            continue;
        }
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* --- SHA-256 (FIPS 180-4), for the payload digest of the worked example --- */
static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static void sha256(const uint8_t *msg, size_t len, char *hex /* 65 */) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t hs[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t total = ((len + 9 + 63) / 64) * 64, off, i;
    uint8_t *m = (uint8_t *)calloc(total, 1);
    memcpy(m, msg, len);
    m[len] = 0x80;
    for (i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)(((uint64_t)len * 8) >> (8 * i));
    for (off = 0; off < total; off += 64) {
        uint32_t w[64], a, b, c, d, e, f, g, h;
        for (i = 0; i < 16; i++)
            w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 | (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (i = 16; i < 64; i++) {
            uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4], f = hs[5], g = hs[6], h = hs[7];
        for (i = 0; i < 64; i++) {
            uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        hs[0] += a, hs[1] += b, hs[2] += c, hs[3] += d, hs[4] += e, hs[5] += f, hs[6] += g, hs[7] += h;
    }
    for (i = 0; i < 8; i++) sprintf(hex + 8 * i, "%08x", hs[i]);
    free(m);
}

/* --- a fake agent: answers /info with a configurable body, records every request --- */
#define MAXREQ 64
typedef struct req_rec {
    char path[32];
    uint8_t *body;
    size_t len;
    char hdr[8][2][64];
    int nh;
} req_rec;
typedef struct agent {
    const char *info; /* NULL: /info answers 404 */
    int info_calls;
    int n;
    req_rec r[MAXREQ];
    int64_t wall;
    int refuse_traces; /* trace requests still to answer 503 (recorded all the same) */
} agent;
static int fake_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    agent *a = (agent *)u;
    if (strcmp(req->path, "/info") == 0) {
        a->info_calls++;
        if (!a->info) {
            resp->status = 404;
            return DD_TRANSPORT_ANSWERED;
        }
        resp->status = 200;
        resp->body = a->info;
        resp->body_len = strlen(a->info);
        return DD_TRANSPORT_ANSWERED;
    }
    if (a->n < MAXREQ) {
        req_rec *r = &a->r[a->n++];
        size_t i;
        snprintf(r->path, sizeof r->path, "%s", req->path);
        r->body = (uint8_t *)malloc(req->body_len ? req->body_len : 1);
        memcpy(r->body, req->body, req->body_len);
        r->len = req->body_len;
        r->nh = 0;
        for (i = 0; i < req->n_headers; i++) {
            if (strncmp(req->headers[i].name, "Datadog-Client-", 15) != 0 || r->nh == 8) continue;
            snprintf(r->hdr[r->nh][0], 64, "%.*s", (int)req->headers[i].name_len, req->headers[i].name);
            snprintf(r->hdr[r->nh][1], 64, "%.*s", (int)req->headers[i].value_len, req->headers[i].value);
            r->nh++;
        }
    }
    resp->status = 200;
    if (strcmp(req->path, "/v0.4/traces") == 0 && a->refuse_traces > 0) {
        a->refuse_traces--;
        resp->status = 503;
    }
    resp->body = "{}";
    resp->body_len = 2;
    return DD_TRANSPORT_ANSWERED;
}
static const char *hdr(const req_rec *r, const char *name) {
    int i;
    for (i = 0; i < r->nh; i++)
        if (strcmp(r->hdr[i][0], name) == 0) return r->hdr[i][1];
    return NULL;
}
static void agent_free(agent *a) {
    int i;
    for (i = 0; i < a->n; i++) free(a->r[i].body);
    a->n = 0;
}
static int64_t fake_wall(void *u) { return ((agent *)u)->wall; }
static const char *env_none(void *u, const char *name) {
    (void)u;
    (void)name;
    return NULL;
}

static const char *INFO_OK = "{\"version\":\"7.70.0\",\"endpoints\":[\"/v0.4/traces\",\"/v0.6/stats\",\"/info\"],"
                             "\"client_drop_p0s\":true,\"peer_tags\":[\"db.system\",\"out.host\"],"
                             "\"config\":{\"default_env\":\"none\"}}";

#define B0 INT64_C(1700000000000000000)

static dd_tracer *new_tracer(agent *a, int delivery) {
    dd_tracer_config c;
    dd_tracer_config_init(&c);
    c.service = "svc";
    c.env = "prod";
    c.version = "1.2.3";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.transport_fn = fake_transport;
    c.hook_user = a;
    c.wall_ns_fn = fake_wall;
    c.getenv_fn = env_none;
    c.delivery = delivery;
    c.stats_computation = DD_ON;
    c.sampling.sample_rate = 1.0;
    c.sampling.sample_rate_set = 1;
    return dd_tracer_new(&c);
}

/* --- 1. the sketch --- */
static void test_sketch_mapping(void) {
    CHECK_EQ_INT(dd__sk_index(1000000.0), 690);
    CHECK_EQ_INT(dd__sk_index(1010000.0), 691);
    CHECK_EQ_INT(dd__sk_index(1050000.0), 693);
    CHECK_EQ_INT(dd__sk_index(400000.0), 644);
    CHECK_EQ_INT(dd__sk_index(1.0), 0);
    CHECK_EQ_INT(dd__sk_index(1.02), 0);
    CHECK_EQ_INT(dd__sk_index(1.0203), 1);
    /* gamma^i is the lower bound of bin i: just above it is bin i, just below bin i - 1 */
    {
        int i;
        double g = 1.0;
        for (i = 1; i < 1400; i++) {
            g *= DD__SK_GAMMA;
            if (i % 97 == 0) {
                CHECK_EQ_INT(dd__sk_index(g * 1.000001), i);
                CHECK_EQ_INT(dd__sk_index(g * 0.999999), i - 1);
            }
        }
    }
    {
        double x;
        for (x = 1.5; x < 1e12; x *= 3.7) {
            double l = dd__sk_ln(x), e = l;
            (void)e;
            CHECK(l > 0);
        }
    }
}

/* The table bins (dd__sk_bin, the aggregation's) equal the logarithm's (dd__sk_index) on both
 * sides of every bin's first integer, at the ends of the table's range, and on log-spread values. */
static void test_sketch_table(void) {
    static dd__sk_fast f;
    uint64_t v, x = 88172645463325252ull;
    int32_t i, bad = 0, n;
    dd__sk_fast_init(&f);
    CHECK(f.ok);
    for (i = 1; i < DD__SK_FAST_BINS && f.lower[i] < DD__SK_FAST_LIMIT; i++) {
        v = f.lower[i];
        if (v != f.lower[i - 1]) { /* a bin boundary between v - 1 and v: v reaches bin i at least */
            bad += dd__sk_bin(&f, v) != dd__sk_index((double)v) || dd__sk_index((double)v) < i;
            bad += dd__sk_bin(&f, v - 1) != dd__sk_index((double)(v - 1)) || dd__sk_index((double)(v - 1)) >= i;
            bad += dd__sk_bin(&f, v + 1) != dd__sk_index((double)(v + 1));
        }
    }
    CHECK(i > 1380);
    for (v = 1; v < 5000; v++) bad += dd__sk_bin(&f, v) != dd__sk_index((double)v);
    for (n = 0; n < 200000; n++) { /* xorshift values, spread over 0..63 bits */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v = (x >> (n % 64)) | 1;
        bad += dd__sk_bin(&f, v) != dd__sk_index((double)v);
    }
    for (v = DD__SK_FAST_LIMIT - 3; v < DD__SK_FAST_LIMIT + 3; v++) bad += dd__sk_bin(&f, v) != dd__sk_index((double)v);
    CHECK_EQ_INT(bad, 0);
}

static dd_tracer *bare_tracer(void) {
    dd_tracer_config c;
    dd_tracer_config_init(&c);
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.getenv_fn = env_none;
    c.delivery = DD_DELIVERY_MANUAL;
    return dd_tracer_new(&c);
}

static void test_sketch_proto(void) {
    dd_tracer *t = bare_tracer();
    dd__sketch k;
    uint64_t budget = 0;
    uint8_t buf[256], want[256];
    size_t n, wn;
    memset(&k, 0, sizeof k);
    /* the empty sketch: 15 bytes */
    n = dd__sk_proto(&k, buf);
    wn = unhex("0a0909fd4a815abf52f03f12001a00", want);
    CHECK_MEM(buf, n, want, wn);
    CHECK_EQ_U64(dd__sk_proto_len(&k), n);
    /* A.OkSummary: 1 000 000 and 1 010 000 */
    dd__sk_add(t, &k, 1000000, &budget);
    dd__sk_add(t, &k, 1010000, &budget);
    n = dd__sk_proto(&k, buf);
    wn = unhex("0a0909fd4a815abf52f03f 1215 1210 000000000000f03f 000000000000f03f 18e40a 1a00", want);
    CHECK_MEM(buf, n, want, wn);
    CHECK_EQ_U64(dd__sk_proto_len(&k), n);
    dd__free(&t->alloc, k.bins, (size_t)k.cap * 8);
    /* B.OkSummary: 400 000 */
    memset(&k, 0, sizeof k);
    dd__sk_add(t, &k, 400000, &budget);
    n = dd__sk_proto(&k, buf);
    wn = unhex("0a0909fd4a815abf52f03f 120d 1208 000000000000f03f 18880a 1a00", want);
    CHECK_MEM(buf, n, want, wn);
    /* values added below the lowest bin grow the store downwards; the gap bins are zeros */
    dd__sk_add(t, &k, 390000, &budget); /* bin 643 */
    dd__sk_add(t, &k, 0, &budget);      /* zero count */
    n = dd__sk_proto(&k, buf);
    wn = unhex("0a0909fd4a815abf52f03f 1215 1210 000000000000f03f 000000000000f03f 18860a 1a00 21000000000000f03f", want);
    CHECK_MEM(buf, n, want, wn);
    CHECK_EQ_U64(dd__sk_proto_len(&k), n);
    dd__free(&t->alloc, k.bins, (size_t)k.cap * 8);
    /* a negative offset (values below 1 would be bin < 0; durations never are, the zig-zag is
     * still checked): offset -1 -> 1 */
    memset(&k, 0, sizeof k);
    dd__sk_add(t, &k, 5, &budget);
    k.lo = -1;
    n = dd__sk_proto(&k, buf);
    wn = unhex("0a0909fd4a815abf52f03f 120c 1208 000000000000f03f 1801 1a00", want);
    CHECK_MEM(buf, n, want, wn);
    CHECK_EQ_U64(dd__sk_proto_len(&k), n);
    dd__free(&t->alloc, k.bins, (size_t)k.cap * 8);
    dd_tracer_free(t);
}

static void test_sketch_collapse(void) {
    dd_tracer *t = bare_tracer();
    dd__sketch k;
    uint64_t budget = 0, sum = 0;
    uint32_t i;
    double v;
    memset(&k, 0, sizeof k);
    /* 1 ns .. 1e18 ns spans ~2090 bins: the lowest collapse into one, the count is kept */
    for (v = 1.0, i = 0; v < 1e18; v *= 1.01, i++) dd__sk_add(t, &k, v, &budget);
    CHECK(k.n <= DD__SK_BINS_MAX);
    CHECK_EQ_U64(k.n, DD__SK_BINS_MAX);
    CHECK_EQ_INT(k.lo + (int32_t)k.n - 1, dd__sk_index(v / 1.01));
    for (sum = 0, i = 0; i < k.n; i++) sum += k.bins[i];
    {
        uint32_t added = 0;
        for (v = 1.0; v < 1e18; v *= 1.01) added++;
        CHECK_EQ_U64(sum, added);
    }
    /* a value far below the window lands in the lowest bin */
    dd__sk_add(t, &k, 2.0, &budget);
    CHECK_EQ_U64(k.n, DD__SK_BINS_MAX);
    CHECK(budget <= DD__SK_BINS_MAX * 8);
    dd__free(&t->alloc, k.bins, (size_t)k.cap * 8);
    dd_tracer_free(t);
}

/* --- 2. /info --- */
static void test_info_parse(void) {
    dd__info in;
    const char *p;
    CHECK_EQ_INT(dd__info_parse(INFO_OK, strlen(INFO_OK), &in), DD_OK);
    CHECK(in.has_stats_endpoint);
    CHECK(in.client_drop_p0s);
    CHECK_EQ_INT(in.n_peer, 2);
    CHECK_STR(in.peer_text + in.peer_off[0], "db.system");
    CHECK_STR(in.peer_text + in.peer_off[1], "out.host");
    CHECK_STR(in.default_env, "none");
    p = "{\"endpoints\":[\"/v0.4/traces\"],\"client_drop_p0s\":false}";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_OK);
    CHECK(!in.has_stats_endpoint && !in.client_drop_p0s && in.n_peer == 0);
    p = "{\"client_drop_p0s\":\"true\",\"peer_tags\":[1,\"\",\"a\\u0000b\",\"ok\"],\"endpoints\":\"/v0.6/stats\"}";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_OK);
    CHECK(!in.has_stats_endpoint && !in.client_drop_p0s);
    CHECK_EQ_INT(in.n_peer, 1);
    CHECK_STR(in.peer_text + in.peer_off[0], "ok");
    p = "{\"endpoints\":[\"/v0.6/stats\"";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_ERR_MALFORMED);
    CHECK(!in.has_stats_endpoint);
    p = "[\"/v0.6/stats\"]";
    CHECK_EQ_INT(dd__info_parse(p, strlen(p), &in), DD_ERR_MALFORMED);
    CHECK_EQ_INT(dd__info_parse(NULL, 0, &in), DD_ERR_LIMIT);
    {   /* more peer tags than kept: the first DD__STATS_PEER_KEYS_MAX */
        char big[4096];
        size_t o = 0;
        int i;
        o += (size_t)sprintf(big + o, "{\"peer_tags\":[");
        for (i = 0; i < 100; i++) o += (size_t)sprintf(big + o, "%s\"key.%d\"", i ? "," : "", i);
        o += (size_t)sprintf(big + o, "]}");
        CHECK_EQ_INT(dd__info_parse(big, o, &in), DD_OK);
        CHECK_EQ_INT(in.n_peer, DD__STATS_PEER_KEYS_MAX);
        CHECK_STR(in.peer_text + in.peer_off[DD__STATS_PEER_KEYS_MAX - 1], "key.31");
    }
}

/* --- 3. the worked example --- */
static dd_span *span(dd_tracer *t, dd_span *parent, const char *name, const char *resource, const char *type,
                     int64_t start) {
    dd_span *s;
    if (parent) {
        s = dd_span_start_child(parent, name);
    } else {
        dd_span_options o = DD_SPAN_OPTIONS_INIT;
        o.name = name;
        s = dd_span_start(t, &o);
    }
    dd_span_set_resource(s, resource);
    dd_span_set_type(s, type);
    dd_span_set_start(s, start);
    return s;
}
static dd_span *web(dd_tracer *t, int64_t start) {
    dd_span *s = span(t, NULL, "http.request", "GET /users", "web", start);
    dd_span_set_tag(s, "span.kind", "server");
    dd_span_set_tag(s, "http.status_code", "200");
    dd_span_set_tag(s, "http.method", "GET");
    dd_span_set_tag(s, "http.endpoint", "/users");
    return s;
}
/* the example's six spans (T1..T4) */
static void example_spans(dd_tracer *t, int t1_priority) {
    dd_span *s1, *s2, *s3, *s;
    s1 = web(t, B0 + 1000000000);
    if (t1_priority != DD_PRIORITY_UNSET) dd_span_set_priority(s1, t1_priority);
    s2 = span(t, s1, "db.query", "SELECT ?", "sql", B0 + 1000100000);
    dd_span_set_tag(s2, "span.kind", "client");
    dd_span_set_tag(s2, "db.system", "postgresql");
    dd_span_set_tag(s2, "out.host", "db1");
    dd_span_finish_at(s2, B0 + 1000100000 + 400000);
    s3 = span(t, s1, "render", "render", "", B0 + 1000500000);
    dd_span_set_tag(s3, "span.kind", "internal");
    dd_span_finish_at(s3, B0 + 1000500000 + 50000);
    dd_span_finish_at(s1, B0 + 1000000000 + 1000000);
    s = web(t, B0 + 2000000000);
    dd_span_finish_at(s, B0 + 2000000000 + 1010000);
    s = web(t, B0 + 3000000000);
    dd_span_set_error(s, 1);
    dd_span_finish_at(s, B0 + 3000000000 + 1050000);
    s = web(t, B0 + 4000000000);
    dd_span_set_metric(s, "_dd.partial_version", 0);
    dd_span_finish_at(s, B0 + 4000000000 + 9000000);
}
static const req_rec *find_req(const agent *a, const char *path, int nth) {
    int i;
    for (i = 0; i < a->n; i++)
        if (strcmp(a->r[i].path, path) == 0 && nth-- == 0) return &a->r[i];
    return NULL;
}

static void test_worked_example(void) {
    static agent a;
    dd_tracer *t;
    const req_rec *r;
    uint8_t want[512];
    size_t wn;
    char digest[65];
    dd_counters c;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0 + 500000000;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    CHECK(t && t->stats && !t->stats->active);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* /info: stats on */
    CHECK_EQ_INT(a.info_calls, 1);
    CHECK(t->stats->active && t->stats->drop_p0s);
    memcpy(t->runtime_id, "0f5b3c1e-7d2a-4a51-9b0e-2c8d4e6f1a30", 37);
    example_spans(t, DD_PRIORITY_UNSET);
    a.wall = B0 + 5000000000;
    dd_tracer_flush(t);
    r = find_req(&a, "/v0.6/stats", 0);
    CHECK(r != NULL);
    if (r) {
        static const char *groupB =
            "de0016 a7 53657276696365 a3 737663 a4 4e616d65 a8 64622e7175657279 a8 5265736f75726365 a8 53454c454354203f"
            " ae 48545450537461747573436f6465 00 a4 54797065 a3 73716c a6 444254797065 a0 a4 48697473 01"
            " a6 4572726f7273 00 a8 4475726174696f6e ce00061a80"
            " a9 4f6b53756d6d617279 c41c 0a0909fd4a815abf52f03f120d1208000000000000f03f18880a1a00"
            " ac 4572726f7253756d6d617279 c40f 0a0909fd4a815abf52f03f12001a00"
            " aa 53796e746865746963 73 c2 ac 546f704c6576656c48697473 00 a8 5370616e4b696e64 a6 636c69656e74"
            " a8 5065657254616773 92 b4 64622e73797374656d3a706f737467726573716c ac 6f75742e686f73743a646231"
            " ab 4973547261636552 6f6f74 02 ae 47525043537461747573436f6465 a0 aa 485454504d6574686f64 a0"
            " ac 48545450456e64706f696e74 a0 a7 7372765f737263 a0"
            " b6 5370616e446572697665645072696d61727954616773 90 b4 4164646974696f6e616c4d657472696354616773 90";
        wn = unhex(groupB, want);
        CHECK_EQ_U64(wn, 374);
        CHECK_EQ_U64(r->len, 1033);
        {   /* group B sits right before the bucket's AgentTimeShift */
            const uint8_t *end = r->body + r->len, *p;
            int found = 0;
            for (p = r->body; p + wn <= end; p++)
                if (memcmp(p, want, wn) == 0) found = 1;
            CHECK(found);
        }
        sha256(r->body, r->len, digest);
        if (getenv("STATS_DUMP")) {
            FILE *f = fopen(getenv("STATS_DUMP"), "wb");
            fwrite(r->body, 1, r->len, f);
            fclose(f);
        }
        CHECK_STR(digest, "24b9380afe9bf978cb1e778b267ba9183ed8ed66bbc62a17d2ba206828aabb5c");
    }
    /* the trace payloads say the stats were computed here */
    r = find_req(&a, "/v0.4/traces", 0);
    CHECK(r && hdr(r, "Datadog-Client-Computed-Stats") && strcmp(hdr(r, "Datadog-Client-Computed-Stats"), "yes") == 0);
    CHECK(r && !hdr(r, "Datadog-Client-Dropped-P0-Traces"));
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.stats_spans, 4); /* S1, S2, S4, S5: S3 and S6 are not eligible */
    CHECK_EQ_U64(c.stats_payloads_sent, 1);
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- 5. P0 dropping --- */
static void test_p0_drop(void) {
    static agent a;
    dd_tracer *t;
    const req_rec *r, *st0, *st1;
    dd_counters c;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0 + 500000000;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t);
    memcpy(t->runtime_id, "0f5b3c1e-7d2a-4a51-9b0e-2c8d4e6f1a30", 37);
    example_spans(t, DD_PRIORITY_AUTO_REJECT); /* T1 rejected: dropped, still in the stats */
    {   /* a rejected trace with an error is still sent */
        dd_span *s = web(t, B0 + 3500000000);
        dd_span_set_priority(s, DD_PRIORITY_USER_REJECT);
        dd_span_set_tag(s, "span.kind", "client");
        dd_span_set_error(s, 1);
        dd_span_finish_at(s, B0 + 3600000000);
    }
    a.wall = B0 + 5000000000;
    dd_tracer_flush(t);
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.chunks_dropped_p0, 1);
    CHECK_EQ_U64(c.spans_dropped_p0, 3);
    CHECK_EQ_U64(c.spans_dropped_sampling, 3);
    CHECK_EQ_U64(c.stats_spans, 5);
    r = find_req(&a, "/v0.4/traces", 0);
    CHECK(r && hdr(r, "Datadog-Client-Dropped-P0-Traces") && strcmp(hdr(r, "Datadog-Client-Dropped-P0-Traces"), "1") == 0);
    CHECK(r && hdr(r, "Datadog-Client-Dropped-P0-Spans") && strcmp(hdr(r, "Datadog-Client-Dropped-P0-Spans"), "3") == 0);
    CHECK_EQ_U64(c.spans_sent, 4); /* T2, T3, T4 and the rejected error trace; T1's 3 are not */
    /* stats identical to the worked example but for the extra error span: same bucket, group A */
    st0 = find_req(&a, "/v0.6/stats", 0);
    CHECK(st0 != NULL);
    /* a later trace payload carries no P0 headers (counted once) */
    dd_span_finish_at(web(t, B0 + 6000000000), B0 + 6000001000);
    (void)st1;
    dd_tracer_free(t);
    {
        int i, later = 0;
        for (i = 0; i < a.n; i++)
            if (strcmp(a.r[i].path, "/v0.4/traces") == 0) later++;
        CHECK(later >= 2);
        r = find_req(&a, "/v0.4/traces", 1);
        CHECK(r && !hdr(r, "Datadog-Client-Dropped-P0-Traces"));
    }
    agent_free(&a);
}

/* single-span sampling keeps its spans of a dropped P0 chunk */
/* A trace request the agent refused unread (503) gives its P0 counts back: the retry carries them
 * (dd-trace-go takes them when the request is built and loses them on any failure). */
static void test_p0_counts_retried(void) {
    static agent a;
    dd_tracer *t;
    const req_rec *r0, *r1, *r2;
    dd_span *s;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0 + 500000000;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t);
    s = web(t, B0 + 1000000000); /* rejected, no error: dropped here */
    dd_span_set_priority(s, DD_PRIORITY_AUTO_REJECT);
    dd_span_finish_at(dd_span_start_child(s, "db"), B0 + 1000000500);
    dd_span_finish_at(s, B0 + 1000001000);
    dd_span_finish_at(web(t, B0 + 2000000000), B0 + 2000001000); /* kept: a trace request */
    a.refuse_traces = 1;
    dd_tracer_flush(t); /* 503: held */
    dd_tracer_flush(t); /* the retry */
    r0 = find_req(&a, "/v0.4/traces", 0);
    r1 = find_req(&a, "/v0.4/traces", 1);
    CHECK(r0 && hdr(r0, "Datadog-Client-Dropped-P0-Traces") && strcmp(hdr(r0, "Datadog-Client-Dropped-P0-Traces"), "1") == 0);
    CHECK(r1 && hdr(r1, "Datadog-Client-Dropped-P0-Traces") && strcmp(hdr(r1, "Datadog-Client-Dropped-P0-Traces"), "1") == 0);
    CHECK(r1 && hdr(r1, "Datadog-Client-Dropped-P0-Spans") && strcmp(hdr(r1, "Datadog-Client-Dropped-P0-Spans"), "2") == 0);
    dd_span_finish_at(web(t, B0 + 3000000000), B0 + 3000001000);
    dd_tracer_flush(t); /* accepted before: nothing to repeat */
    r2 = find_req(&a, "/v0.4/traces", 2);
    CHECK(r2 && !hdr(r2, "Datadog-Client-Dropped-P0-Traces") && !hdr(r2, "Datadog-Client-Dropped-P0-Spans"));
    dd_tracer_free(t);
    agent_free(&a);
}

static void test_p0_span_sampling(void) {
    static agent a;
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_counters k;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0;
    dd_tracer_config_init(&c);
    c.service = "svc";
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.transport_fn = fake_transport;
    c.hook_user = &a;
    c.wall_ns_fn = fake_wall;
    c.getenv_fn = env_none;
    c.delivery = DD_DELIVERY_MANUAL;
    c.stats_computation = DD_ON;
    c.sampling.span_rules_json = "[{\"name\":\"keep.me\",\"sample_rate\":1.0}]";
    t = dd_tracer_new(&c);
    dd_tracer_flush(t);
    root = web(t, B0 + 1000);
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
    child = span(t, root, "keep.me", "r", "", B0 + 2000);
    dd_span_finish_at(child, B0 + 3000);
    dd_span_finish_at(span(t, root, "other", "r", "", B0 + 2000), B0 + 3000);
    dd_span_finish_at(root, B0 + 4000);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_dropped_p0, 2);
    CHECK_EQ_U64(k.chunks_dropped_p0, 0);
    CHECK_EQ_U64(k.spans_sent, 1);
    {
        const req_rec *r = find_req(&a, "/v0.4/traces", 0);
        CHECK(r && hdr(r, "Datadog-Client-Dropped-P0-Spans") && strcmp(hdr(r, "Datadog-Client-Dropped-P0-Spans"), "2") == 0);
        CHECK(r && !hdr(r, "Datadog-Client-Dropped-P0-Traces"));
    }
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- 4. no /info (404), or an agent that does not agree: everything is sent, no stats --- */
static void test_fallback(void) {
    static agent a;
    const char *infos[3] = {NULL, "{\"endpoints\":[\"/v0.6/stats\"],\"client_drop_p0s\":false}", "not json"};
    int k;
    for (k = 0; k < 3; k++) {
        dd_tracer *t;
        dd_counters c;
        const req_rec *r;
        memset(&a, 0, sizeof a);
        a.info = infos[k];
        a.wall = B0;
        t = new_tracer(&a, DD_DELIVERY_MANUAL);
        dd_tracer_flush(t);
        CHECK(!t->stats->active);
        example_spans(t, DD_PRIORITY_AUTO_REJECT);
        dd_tracer_flush(t);
        dd_tracer_counters(t, &c);
        CHECK_EQ_U64(c.stats_spans, 0);
        CHECK_EQ_U64(c.spans_dropped_p0, 0);
        CHECK_EQ_U64(c.spans_sent, 6);
        CHECK(find_req(&a, "/v0.6/stats", 0) == NULL);
        r = find_req(&a, "/v0.4/traces", 0);
        CHECK(r && !hdr(r, "Datadog-Client-Computed-Stats"));
        dd_tracer_free(t);
        agent_free(&a);
    }
}

/* a chunk finished before the agent's answer is not in the stats: its request says nothing, and
 * is a different request from the chunks that are (one kind per request) */
static void test_header_per_chunk(void) {
    static agent a;
    dd_tracer *t;
    const req_rec *r;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_span_finish_at(web(t, B0), B0 + 1000); /* before /info: left to the agent */
    CHECK(!t->stats->info_known);
    dd_tracer_flush(t); /* /info first, then that trace */
    CHECK(t->stats->active);
    r = find_req(&a, "/v0.4/traces", 0);
    CHECK(r && !hdr(r, "Datadog-Client-Computed-Stats"));
    CHECK(find_req(&a, "/v0.6/stats", 0) == NULL);
    dd_span_finish_at(web(t, B0), B0 + 1000);
    dd_tracer_flush(t);
    r = find_req(&a, "/v0.4/traces", 1);
    CHECK(r && hdr(r, "Datadog-Client-Computed-Stats"));
    CHECK(find_req(&a, "/v0.6/stats", 0) != NULL);
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- buckets: alignment by end time, the two-bucket hold, the late-span rule --- */
static uint64_t payload_starts(const req_rec *r, int64_t *starts, int max) {
    dd_mp_reader rd;
    uint32_t n, i, nb = 0, j, m;
    const char *k;
    uint32_t kl;
    dd_mp_reader_init(&rd, r->body, r->len);
    dd_mp_read_map(&rd, &n);
    for (i = 0; i < n; i++) {
        dd_mp_read_str(&rd, &k, &kl);
        if (kl == 5 && memcmp(k, "Stats", 5) == 0) {
            dd_mp_read_array(&rd, &nb);
            for (j = 0; j < nb; j++) {
                uint32_t f;
                dd_mp_read_map(&rd, &m);
                for (f = 0; f < m; f++) {
                    dd_mp_read_str(&rd, &k, &kl);
                    if (kl == 5 && memcmp(k, "Start", 5) == 0 && (int)j < max) {
                        uint64_t v;
                        dd_mp_read_u64(&rd, &v);
                        starts[j] = (int64_t)v;
                    } else {
                        dd_mp_skip(&rd);
                    }
                }
            }
        } else {
            dd_mp_skip(&rd);
        }
    }
    return nb;
}
static int has_bytes(const uint8_t *p, size_t n, const char *w, size_t wn) {
    size_t i;
    for (i = 0; i + wn <= n; i++)
        if (memcmp(p + i, w, wn) == 0) return 1;
    return 0;
}
static void test_buckets(void) {
    static agent a;
    dd_tracer *t;
    int64_t starts[8];
    const req_rec *r;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0 + 100;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t); /* oldest = B0 */
    /* starts in B0 - 10 s, ends in B0 + 10 s: bucket B0 + 10 s (by end time) */
    dd_span_finish_at(web(t, B0 - 5000000000), B0 + 12000000000);
    /* ends before the oldest bucket: counted in the oldest, B0 */
    dd_span_finish_at(web(t, B0 - 30000000000), B0 - 29000000000);
    /* a non-forced pass at now = B0 + 25 s sends B0 (start <= now - 20 s) but keeps B0 + 10 s */
    a.wall = B0 + 25000000000;
    t->stats->next_flush_ns = 0;
    dd__stats_pass(t, dd__now() + 1000000000, 0);
    r = find_req(&a, "/v0.6/stats", 0);
    CHECK(r && payload_starts(r, starts, 8) == 1 && starts[0] == B0);
    CHECK_EQ_INT(t->stats->oldest_ts, B0 + 10000000000);
    /* late: a span ending at B0 + 5 s now goes to B0 + 10 s */
    dd_span_finish_at(web(t, B0 + 4000000000), B0 + 5000000000);
    dd_tracer_flush(t); /* forced: everything */
    r = find_req(&a, "/v0.6/stats", 1);
    CHECK(r && payload_starts(r, starts, 8) == 1 && starts[0] == B0 + 10000000000);
    if (r) { /* Sequence 1, Env prod */
        CHECK(has_bytes(r->body, r->len, "\xa8Sequence\x01", 10));
    }
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- bounds: bucket slots, keys per bucket (overflow key) --- */
static void test_bounds(void) {
    static agent a;
    dd_tracer *t;
    dd_counters c;
    int i;
    char res[32];
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t);
    /* future buckets: only DD__STATS_BUCKETS_MAX are held, the rest counted */
    for (i = 0; i < DD__STATS_BUCKETS_MAX + 3; i++) {
        int64_t s = B0 + (int64_t)i * 10000000000;
        dd_span_finish_at(web(t, s), s + 1000);
    }
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.stats_spans, DD__STATS_BUCKETS_MAX);
    CHECK_EQ_U64(c.stats_spans_dropped, 3);
    dd_tracer_flush(t);
    /* keys beyond DD__STATS_KEYS_MAX go to the overflow key */
    for (i = 0; i < DD__STATS_KEYS_MAX + 10; i++) {
        dd_span *s = web(t, B0 + 1000);
        sprintf(res, "GET /r/%d", i);
        dd_span_set_resource(s, res);
        dd_span_set_priority(s, DD_PRIORITY_AUTO_REJECT);
        dd_span_finish_at(s, B0 + 2000);
    }
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.stats_spans_overflow, 10);
    CHECK_EQ_U64(c.stats_spans, DD__STATS_BUCKETS_MAX + DD__STATS_KEYS_MAX + 10);
    {
        dd__sbucket *b = NULL;
        int k;
        for (k = 0; k < DD__STATS_BUCKETS_MAX; k++)
            if (t->stats->buckets[k].used) b = &t->stats->buckets[k];
        CHECK(b && b->n_groups == DD__STATS_KEYS_MAX + 1 && b->overflow);
        if (b && b->overflow) CHECK_EQ_U64(b->groups[b->overflow - 1].hits, 10);
    }
    dd_tracer_flush(t);
    dd_tracer_free(t);
    agent_free(&a);
}

/* --- keys: status code forms, synthetics, gRPC, peer tags with IPs, eligibility --- */
static void test_keys(void) {
    static agent a;
    dd_tracer *t;
    dd__segment *seg;
    dd_span *s, *live;
    dd__skey k;
    char peer[DD__STATS_PEER_MAX], num[24];
    int one = 1, zero = 0;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t);
    s = span(t, NULL, "n", "r", "", B0);
    live = dd__span_live(s); /* the span behind the handle, for the private calls */
    seg = live->seg;
    CHECK(dd__stats_key(t->stats, seg, live, &one, &k, peer, num)); /* top-level */
    CHECK_EQ_INT(k.trace_root, 1);
    CHECK(!dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num)); /* neither top-level, measured nor a kind */
    dd_span_set_tag(s, "span.kind", "CONSUMER");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_set_tag(s, "span.kind", "internal");
    dd_span_set_measured(s, 1);
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_set_metric(s, "http.status_code", 404);
    dd_span_set_tag(s, "rpc.grpc.status_code", "StatusCode.NOT_FOUND");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK_EQ_INT(k.http_status, 404);
    CHECK(k.n[8] == 1 && k.p[8][0] == '5');
    dd_span_set_tag(s, "rpc.grpc.status_code", "bogus");
    dd_span_set_metric(s, "grpc.code", 14);
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.n[8] == 2 && memcmp(k.p[8], "14", 2) == 0);
    dd_span_set_tag(s, "_dd.base_service", "orig");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.n[5] == 2 + 21 && memcmp(k.p[5] + 2, "_dd.base_service:orig", 21) == 0);
    dd_span_set_tag(s, "span.kind", "client");
    dd_span_set_tag(s, "out.host", "10.1.2.3");
    dd_span_set_tag(s, "db.system", "mysql");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK_EQ_U64(k.n[5], 2 + 15 + 2 + 27);
    CHECK(memcmp(k.p[5] + 2, "db.system:mysql", 15) == 0);
    CHECK(memcmp(k.p[5] + 19, "out.host:blocked-ip-address", 27) == 0);
    dd_span_set_tag(s, "out.host", "127.0.0.1");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(memcmp(k.p[5] + 19, "out.host:127.0.0.1", 18) == 0);
    dd_span_set_tag(s, "out.host", "2001:db8::1");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(memcmp(k.p[5] + 19, "out.host:blocked-ip-address", 27) == 0);
    dd_span_set_tag(s, "out.host", "db-1.internal");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(memcmp(k.p[5] + 19, "out.host:db-1.internal", 22) == 0);
    CHECK(!k.synthetics);
    dd_span_set_origin(s, "synthetics-browser");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.synthetics);
    dd_span_set_tag(s, "http.route", "/r/{id}");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.n[7] == 7 && memcmp(k.p[7], "/r/{id}", 7) == 0);
    dd_span_set_tag(s, "http.endpoint", "/x");
    dd_span_set_tag(s, "http.endpoint", ""); /* present though empty: it beats http.route */
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.n[7] == 0);
    dd_span_set_tag(s, "http.endpoint", "/e");
    CHECK(dd__stats_key(t->stats, seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(k.n[7] == 2 && memcmp(k.p[7], "/e", 2) == 0);
    dd_span_finish_at(s, B0 + 10);
    dd_tracer_free(t);
    agent_free(&a);
}

/* /info span_kinds_stats_computed decides which span kinds make a span eligible (libdatadog):
 * absent, the four; present, only those listed (an empty list: none); the span's kind in any case. */
static void test_info_kinds(void) {
    static agent a;
    dd_tracer *t;
    dd_span *s;
    dd_span *live;
    dd__skey k;
    dd__info in;
    char peer[DD__STATS_PEER_MAX], num[24];
    int zero = 0;
    static const char only_server[] = "{\"endpoints\":[\"/v0.6/stats\"],\"client_drop_p0s\":true,"
                                      "\"span_kinds_stats_computed\":[\"server\",\"\",7,\"a-kind-name-far-too-long\"]}";
    static const char none[] = "{\"endpoints\":[\"/v0.6/stats\"],\"client_drop_p0s\":true,\"span_kinds_stats_computed\":[]}";
    memset(&a, 0, sizeof a);
    a.info = only_server;
    a.wall = B0;
    t = new_tracer(&a, DD_DELIVERY_MANUAL);
    dd_tracer_flush(t);
    s = span(t, NULL, "n", "r", "", B0);
    live = dd__span_live(s);
    dd_span_set_tag(s, "span.kind", "Server");
    CHECK(dd__stats_key(t->stats, live->seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_set_tag(s, "span.kind", "client"); /* one of the four, not listed */
    CHECK(!dd__stats_key(t->stats, live->seg, live, (zero = 0, &zero), &k, peer, num));
    CHECK(dd__info_parse(none, sizeof none - 1, &in) == DD_OK && in.has_kinds && in.n_kinds == 0);
    pthread_mutex_lock(&t->lock);
    dd__stats_apply_info(t->stats, &in);
    pthread_mutex_unlock(&t->lock);
    dd_span_set_tag(s, "span.kind", "server");
    CHECK(!dd__stats_key(t->stats, live->seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_set_measured(s, 1); /* measured spans are not affected */
    CHECK(dd__stats_key(t->stats, live->seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_set_measured(s, 0);
    CHECK(dd__info_parse(INFO_OK, strlen(INFO_OK), &in) == DD_OK && !in.has_kinds);
    pthread_mutex_lock(&t->lock);
    dd__stats_apply_info(t->stats, &in);
    pthread_mutex_unlock(&t->lock);
    dd_span_set_tag(s, "span.kind", "CONSUMER"); /* no list: the four */
    CHECK(dd__stats_key(t->stats, live->seg, live, (zero = 0, &zero), &k, peer, num));
    dd_span_finish_at(s, B0 + 10);
    dd_tracer_free(t);
    agent_free(&a);
}

static int stats_active(dd_tracer *t) { /* the worker writes it under the tracer lock */
    int on;
    pthread_mutex_lock(&t->lock);
    on = t->stats->active;
    pthread_mutex_unlock(&t->lock);
    return on;
}
/* --- background delivery: the worker fetches /info and sends stats at shutdown --- */
static void test_background(void) {
    static agent a;
    dd_tracer *t;
    int i;
    dd_counters c;
    memset(&a, 0, sizeof a);
    a.info = INFO_OK;
    a.wall = B0;
    t = new_tracer(&a, DD_DELIVERY_BACKGROUND);
    dd_span_finish_at(web(t, B0), B0 + 1000); /* starts the worker: /info */
    for (i = 0; i < 400 && !stats_active(t); i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    CHECK(stats_active(t));
    for (i = 0; i < 10; i++) {
        dd_span *s = web(t, B0 + 2000);
        dd_span_set_priority(s, DD_PRIORITY_AUTO_REJECT);
        dd_span_finish_at(s, B0 + 3000);
    }
    dd_tracer_counters(t, &c);
    CHECK_EQ_U64(c.chunks_dropped_p0, 10);
    CHECK_EQ_U64(c.stats_spans, 10);
    dd_tracer_free(t);
    CHECK(find_req(&a, "/v0.6/stats", 0) != NULL);
    agent_free(&a);
}

/* stats on with no transport, or one that never reaches the agent: the worker asks /info once
 * per period (no busy loop), traces go as usual, and free returns */
static int unreachable(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)req;
    (void)resp;
    ((agent *)u)->info_calls++;
    return DD_TRANSPORT_NOT_SENT;
}
static void test_no_agent(void) {
    static agent a;
    dd_tracer_config c;
    dd_tracer *t;
    int k;
    for (k = 0; k < 2; k++) {
        struct timespec ts = {0, 200000000};
        memset(&a, 0, sizeof a);
        dd_tracer_config_init(&c);
        c.startup_logs = DD_OFF;
        c.cgroup_path = "";
        c.getenv_fn = env_none;
        c.stats_computation = DD_ON;
        c.transport_fn = k ? unreachable : NULL;
        c.hook_user = &a;
        c.shutdown_timeout_ms = 100;
        c.log_fn = NULL;
        struct timespec c0, c1;
        t = dd_tracer_new(&c);
        dd_span_finish(dd_span_start(t, NULL)); /* starts the worker */
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        nanosleep(&ts, NULL);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        /* the next /info is a period away even though none was answered (else the worker spins:
         * on a loaded machine CPU time alone would not show it) */
        pthread_mutex_lock(&t->lock);
        CHECK(t->stats->next_info_ns > dd__now());
        pthread_mutex_unlock(&t->lock);
        CHECK((c1.tv_sec - c0.tv_sec) * 1000000000L + (c1.tv_nsec - c0.tv_nsec) < 150000000L);
        CHECK(!t->stats->info_known);
        if (k) CHECK(a.info_calls >= 1 && a.info_calls <= 3); /* /info, then trace attempts back off */
        dd_tracer_free(t);
    }
}

static const test_case cases[] = {
    TEST(test_sketch_mapping), TEST(test_sketch_table), TEST(test_sketch_proto), TEST(test_sketch_collapse), TEST(test_info_parse),
    TEST(test_worked_example), TEST(test_p0_drop), TEST(test_p0_counts_retried),      TEST(test_p0_span_sampling), TEST(test_fallback),
    TEST(test_buckets),        TEST(test_bounds),       TEST(test_keys), TEST(test_info_kinds),            TEST(test_background),
    TEST(test_header_per_chunk), TEST(test_no_agent),
};
int main(void) { return test_run("stats", cases, sizeof cases / sizeof cases[0]); }
