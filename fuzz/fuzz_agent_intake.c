/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_agent_intake.c -o fuzz_agent_intake -lpthread && ./fuzz_agent_intake -dict=fuzz/dict/agent_intake.dict fuzz/corpus/agent_intake
 *
 * The local agent's intake (examples/agent.c through examples/agent_parse.h) on hostile bytes.
 * The input is what a client sends on one connection; it is cut as serve() cuts it: a head ends
 * at the first "\r\n\r\n" within HEAD_MAX bytes (the head never holds a NUL, as serve() finds it
 * with strstr), the body is the next Content-Length bytes, and the next request follows. An input
 * with no head at all is one v0.4 body. Properties checked (abort on violation):
 *  - parse_request agrees with a reference parse written here from the rules in agent.c's
 *    comments (request line "METHOD SP PATH SP HTTP/1.x", lines "name: value", names
 *    lower-cased, values trimmed of spaces and tabs, at most MAX_HEADERS, one Content-Length of
 *    1-15 digits however often repeated, Connection: close or HTTP/1.0 to close); on success the
 *    method and path fit their arrays and hold no space, every name is non-empty lower case with
 *    no ':', every value is trimmed and holds no CRLF, and every name and value lies inside the
 *    head;
 *  - head_status gives 404 / 405 / 411 / 413 / 200 / 0 exactly as the agent's documented rules;
 *  - decode_payload fails with nothing returned, or returns the spans of exactly one msgpack
 *    value (dd_mp_skip consumes the whole body) that count_payload also accepts with the same
 *    counts; the spans re-encoded as a v0.4 payload decode to the same spans (ids, times, error,
 *    strings, tags in order);
 *  - json_str (the record file) writes one valid JSON string (dd_json_parse) that decodes back to
 *    the input when the input is valid UTF-8 without NUL. No leak (LeakSanitizer). */
#define _POSIX_C_SOURCE 200809L
#define DD_MSGPACK_IMPLEMENTATION
#define DD_PROPAGATION_IMPLEMENTATION
#include "../dd_msgpack.h"
#include "../dd_propagation.h"
#include "../examples/agent_parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                  \
    do {                                                                                            \
        if (!(c)) {                                                                                 \
            fprintf(stderr, "fuzz_agent_intake: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                \
        }                                                                                           \
    } while (0)

/*=== the reference head parse ===*/

typedef struct ref_request {
    int ok;
    char method[16], path[256];
    int n_headers;
    const char *name[MAX_HEADERS], *value[MAX_HEADERS]; /* into the original head */
    size_t name_len[MAX_HEADERS], value_len[MAX_HEADERS];
    int has_length, chunked, close_after;
    size_t length;
} ref_request;

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int eq_ci(const char *a, size_t n, const char *b) {
    size_t i;
    if (strlen(b) != n) return 0;
    for (i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != b[i]) return 0;
    return 1;
}
static int is_sp(char c) { return c == ' ' || c == '\t'; }

/* The next CRLF at or after i in h[0..n); n when none. */
static size_t crlf(const char *h, size_t n, size_t i) {
    for (; i + 1 < n; i++)
        if (h[i] == '\r' && h[i + 1] == '\n') return i;
    return n;
}

/* h[0..n) is a whole head ending in "\r\n\r\n", without NUL. */
static void ref_parse(const char *h, size_t n, ref_request *r) {
    size_t e = crlf(h, n, 0), sp1, sp2, line;
    memset(r, 0, sizeof *r);
    for (sp1 = 0; sp1 < e && h[sp1] != ' '; sp1++) {}
    if (sp1 == e) return;
    for (sp2 = sp1 + 1; sp2 < e && h[sp2] != ' '; sp2++) {}
    if (sp2 == e || e - (sp2 + 1) < 7 || memcmp(h + sp2 + 1, "HTTP/1.", 7) != 0) return;
    if (sp1 >= sizeof r->method || sp2 - sp1 - 1 >= sizeof r->path) return;
    memcpy(r->method, h, sp1);
    memcpy(r->path, h + sp1 + 1, sp2 - sp1 - 1);
    if (e - (sp2 + 1) == 8 && memcmp(h + sp2 + 1, "HTTP/1.0", 8) == 0) r->close_after = 1;
    for (line = e + 2; line < n - 2; line = e + 2) {
        size_t colon, vb, ve;
        e = crlf(h, n, line);
        for (colon = line; colon < e && h[colon] != ':'; colon++) {}
        if (colon == e || colon == line || r->n_headers == MAX_HEADERS) return;
        for (vb = colon + 1; vb < e && is_sp(h[vb]); vb++) {}
        for (ve = e; ve > vb && is_sp(h[ve - 1]); ve--) {}
        r->name[r->n_headers] = h + line;
        r->name_len[r->n_headers] = colon - line;
        r->value[r->n_headers] = h + vb;
        r->value_len[r->n_headers] = ve - vb;
        r->n_headers++;
        if (eq_ci(h + line, colon - line, "content-length")) {
            size_t v = 0, k;
            if (ve == vb || ve - vb > 15) return;
            for (k = vb; k < ve; k++) {
                if (h[k] < '0' || h[k] > '9') return;
                v = v * 10 + (size_t)(h[k] - '0');
            }
            if (r->has_length && r->length != v) return;
            r->has_length = 1;
            r->length = v;
        } else if (eq_ci(h + line, colon - line, "transfer-encoding")) {
            r->chunked = 1;
        } else if (eq_ci(h + line, colon - line, "connection")) {
            if (eq_ci(h + vb, ve - vb, "close")) r->close_after = 1;
        }
    }
    r->ok = 1;
}

/* The head status by the agent's rules (agent.c's opening comment), for max_bytes. */
static int ref_status(const ref_request *r, size_t max_bytes) {
    int traces = strcmp(r->path, "/v0.4/traces") == 0, info = strcmp(r->path, "/info") == 0;
    if (!traces && !info) return 404;
    if (info) return strcmp(r->method, "GET") == 0 ? 200 : 405;
    if (strcmp(r->method, "POST") != 0 && strcmp(r->method, "PUT") != 0) return 405;
    if (r->chunked || !r->has_length) return 411;
    return r->length > max_bytes ? 413 : 0;
}

static void check_head(const char *orig, size_t head_len) {
    char *buf = (char *)malloc(head_len + 1);
    request q;
    ref_request r;
    int rc, i;
    size_t max_bytes = (size_t)(unsigned char)orig[0] * 3; /* some bodies over the limit */
    memcpy(buf, orig, head_len);
    buf[head_len] = 0;
    rc = parse_request(buf, head_len, &q);
    ref_parse(orig, head_len, &r);
    REQUIRE((rc == 0) == r.ok);
    if (rc == 0) {
        REQUIRE(strlen(q.method) < sizeof q.method && strlen(q.path) < sizeof q.path);
        REQUIRE(!strchr(q.method, ' ') && !strchr(q.path, ' '));
        REQUIRE(strcmp(q.method, r.method) == 0 && strcmp(q.path, r.path) == 0);
        REQUIRE(q.n_headers == r.n_headers && q.n_headers <= MAX_HEADERS);
        for (i = 0; i < q.n_headers; i++) {
            size_t nl = strlen(q.names[i]), vl = strlen(q.values[i]), k;
            REQUIRE(q.names[i] >= buf && q.names[i] + nl < buf + head_len);
            REQUIRE(q.values[i] >= buf && q.values[i] + vl < buf + head_len);
            REQUIRE(nl > 0 && nl == r.name_len[i] && !memchr(q.names[i], ':', nl));
            for (k = 0; k < nl; k++) {
                REQUIRE(!(q.names[i][k] >= 'A' && q.names[i][k] <= 'Z'));
                REQUIRE((unsigned char)q.names[i][k] == lower((unsigned char)r.name[i][k]));
            }
            REQUIRE(vl == r.value_len[i] && memcmp(q.values[i], r.value[i], vl) == 0);
            REQUIRE(!strstr(q.values[i], "\r\n"));
            REQUIRE(vl == 0 || (!is_sp(q.values[i][0]) && !is_sp(q.values[i][vl - 1])));
        }
        REQUIRE(header(&q, "content-length") ? q.has_length : !q.has_length);
        REQUIRE(q.has_length == r.has_length && (!q.has_length || q.length == r.length));
        REQUIRE(q.chunked_body == r.chunked && q.close_after == r.close_after);
        REQUIRE(head_status(&q, max_bytes) == ref_status(&r, max_bytes));
        {
            const char *ct = header(&q, "content-type");
            int want = ct && strncmp(ct, "application/msgpack", 19) == 0 &&
                       (ct[19] == 0 || ct[19] == ';' || ct[19] == ' ');
            REQUIRE(is_msgpack_type(ct) == want);
        }
    }
    free(buf);
}

/*=== payloads ===*/

/* A text field never set is NULL; set to nil it is "" (encode writes nil for NULL). */
static int same_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

static void encode_text(dd_mp_writer *w, const char *s) {
    if (s) dd_mp_write_cstr(w, s);
    else dd_mp_write_nil(w);
}

/* The spans as a v0.4 payload of one chunk per span (chunks do not matter to the decoder). */
static void encode(dd_mp_writer *w, const span *v, size_t n) {
    size_t i;
    uint32_t k;
    dd_mp_write_array(w, (uint32_t)n);
    for (i = 0; i < n; i++) {
        uint32_t n_meta = 0, n_metrics = 0;
        for (k = 0; k < v[i].n_tags; k++) {
            if (v[i].tags[k].val) n_meta++;
            else n_metrics++;
        }
        dd_mp_write_array(w, 1);
        dd_mp_write_map(w, 12);
        dd_mp_write_cstr(w, "trace_id"); dd_mp_write_u64(w, v[i].trace_id);
        dd_mp_write_cstr(w, "span_id"); dd_mp_write_u64(w, v[i].span_id);
        dd_mp_write_cstr(w, "parent_id"); dd_mp_write_u64(w, v[i].parent_id);
        dd_mp_write_cstr(w, "start"); dd_mp_write_i64(w, v[i].start);
        dd_mp_write_cstr(w, "duration"); dd_mp_write_i64(w, v[i].duration);
        dd_mp_write_cstr(w, "error"); dd_mp_write_u64(w, (uint64_t)v[i].error);
        dd_mp_write_cstr(w, "service"); encode_text(w, v[i].service);
        dd_mp_write_cstr(w, "name"); encode_text(w, v[i].name);
        dd_mp_write_cstr(w, "resource"); encode_text(w, v[i].resource);
        dd_mp_write_cstr(w, "type"); encode_text(w, v[i].type);
        dd_mp_write_cstr(w, "meta");
        dd_mp_write_map(w, n_meta);
        for (k = 0; k < v[i].n_tags; k++)
            if (v[i].tags[k].val) {
                dd_mp_write_cstr(w, v[i].tags[k].key);
                dd_mp_write_cstr(w, v[i].tags[k].val);
            }
        dd_mp_write_cstr(w, "metrics");
        dd_mp_write_map(w, n_metrics);
        for (k = 0; k < v[i].n_tags; k++)
            if (!v[i].tags[k].val) {
                dd_mp_write_cstr(w, v[i].tags[k].key);
                dd_mp_write_f64(w, v[i].tags[k].num);
            }
    }
}

/* a and b hold the same spans, comparing C strings (the decoder keeps NUL-terminated copies)
 * and tags grouped meta first (as encode writes them). */
static void same_spans(const span *a, size_t na, const span *b, size_t nb) {
    size_t i;
    REQUIRE(na == nb);
    for (i = 0; i < na; i++) {
        uint32_t k, j = 0;
        REQUIRE(a[i].trace_id == b[i].trace_id && a[i].span_id == b[i].span_id && a[i].parent_id == b[i].parent_id);
        REQUIRE(a[i].start == b[i].start && a[i].duration == b[i].duration && a[i].error == b[i].error);
        REQUIRE(same_str(a[i].service, b[i].service) && same_str(a[i].name, b[i].name));
        REQUIRE(same_str(a[i].resource, b[i].resource) && same_str(a[i].type, b[i].type));
        REQUIRE(a[i].n_tags == b[i].n_tags);
        for (k = 0; k < a[i].n_tags; k++) /* meta in order, then metrics in order */
            if (a[i].tags[k].val) {
                REQUIRE(b[i].tags[j].val && strcmp(a[i].tags[k].key, b[i].tags[j].key) == 0);
                REQUIRE(strcmp(a[i].tags[k].val, b[i].tags[j].val) == 0);
                j++;
            }
        for (k = 0; k < a[i].n_tags; k++)
            if (!a[i].tags[k].val) {
                double x = a[i].tags[k].num, y = b[i].tags[j].num;
                REQUIRE(!b[i].tags[j].val && strcmp(a[i].tags[k].key, b[i].tags[j].key) == 0);
                REQUIRE(x == y || (x != x && y != y)); /* NaN stays NaN */
                j++;
            }
    }
}

static void free_spans(span *v, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) free_span(&v[i]);
    free(v);
}

static void check_body(const uint8_t *body, size_t len) {
    span *got = (span *)1, *again = NULL;
    size_t n = 99, n2 = 0, n_count = 99;
    uint32_t chunks = 99, chunks2 = 0, chunks_count = 99;
    int rc = decode_payload(body, len, &got, &n, &chunks), rc_count = count_payload(body, len, &n_count, &chunks_count);
    if (rc != DD_OK) {
        REQUIRE(got == NULL && n == 0 && chunks == 0);
        if (rc_count != DD_OK) REQUIRE(n_count == 0 && chunks_count == 0);
        return;
    }
    {
        dd_mp_reader r;
        dd_mp_reader_init(&r, body, len);
        REQUIRE(dd_mp_skip(&r) == DD_OK && dd_mp_reader_remaining(&r) == 0);
    }
    REQUIRE(rc_count == DD_OK && n_count == n && chunks_count == chunks);
    REQUIRE(n == 0 || got != NULL);
    {
        dd_mp_writer w;
        size_t used = 0;
        dd_mp_writer_init_growable(&w, NULL, 256);
        encode(&w, got, n);
        REQUIRE(dd_mp_writer_finish(&w, &used) == DD_OK);
        REQUIRE(decode_payload(dd_mp_writer_data(&w), used, &again, &n2, &chunks2) == DD_OK);
        REQUIRE(chunks2 == n);
        same_spans(got, n, again, n2);
        dd_mp_writer_free(&w);
    }
    free_spans(got, n);
    free_spans(again, n2);
}

/*=== the record file's strings ===*/

static int utf8_ok(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need, cp, k;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07;
        else return 0;
        if (i + need >= n) return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += need + 1;
    }
    return 1;
}

static void check_json_str(const char *s, size_t n) {
    char *text = NULL, *dec;
    size_t tn = 0, dn = 0;
    FILE *f = open_memstream(&text, &tn);
    dd_json v;
    REQUIRE(f != NULL);
    json_str(f, s, n);
    REQUIRE(fclose(f) == 0);
    REQUIRE(dd_json_parse(text, tn, &v) == DD_OK && v.type == DD_JSON_STRING);
    dec = (char *)malloc(n + 1);
    if (!memchr(s, 0, n) && utf8_ok((const unsigned char *)s, n)) {
        REQUIRE(dd_json_string(&v, dec, n + 1, &dn) == DD_OK);
        REQUIRE(dn == n && memcmp(dec, s, n) == 0);
    }
    free(dec);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf;
    size_t pos = 0, requests = 0;
    if (size == 0) return 0;
    buf = (char *)malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = 0;
    for (;;) {
        /* serve(): the head is found by strstr in what arrived, within HEAD_MAX bytes. */
        char *hend = strstr(buf + pos, "\r\n\r\n");
        size_t head_len;
        request q;
        char *copy;
        if (!hend || (size_t)(hend - (buf + pos)) + 4 > HEAD_MAX) break;
        head_len = (size_t)(hend - (buf + pos)) + 4;
        check_head(buf + pos, head_len);
        check_json_str(buf + pos, head_len - 4);
        copy = (char *)malloc(head_len + 1);
        memcpy(copy, buf + pos, head_len);
        copy[head_len] = 0;
        requests++;
        if (parse_request(copy, head_len, &q) != 0) {
            free(copy);
            break;
        }
        pos += head_len;
        if (head_status(&q, HEAD_MAX) == 0) {
            size_t have = size - pos < q.length ? size - pos : q.length;
            check_body((const uint8_t *)buf + pos, have);
            pos += have;
        } else if (q.has_length && q.length > 0) {
            free(copy);
            break; /* a body not read ends the connection */
        }
        free(copy);
        if (pos >= size) break;
    }
    if (requests == 0) check_body(data, size); /* no head: the input is a body */
    free(buf);
    return 0;
}
