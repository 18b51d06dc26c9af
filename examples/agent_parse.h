/* examples/agent_parse.h - the parsers of examples/agent.c, in their own file so that
 * fuzz/fuzz_agent_intake.c can run them: the HTTP request head (parse_request, head_status),
 * the v0.4 payload decoders (decode_payload, count_payload) and the JSON string writer of the
 * record file (json_str). Included once, by agent.c or the harness, after dd_msgpack.h with its
 * implementation. Input is hostile: every read is bounded by the length given, no recursion. */
#ifndef AGENT_PARSE_H
#define AGENT_PARSE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_MAX 65536
#define MAX_HEADERS 64

/*=== received spans ===*/

typedef struct kv {
    char *key, *val; /* val is NULL for a metric */
    double num;
} kv;

typedef struct span {
    uint64_t trace_id, span_id, parent_id;
    int64_t start, duration;
    int64_t error;
    char *service, *name, *resource, *type, *lang;
    kv *tags;
    uint32_t n_tags;
    long payload; /* which request brought it */
    int printed;
} span;

static char *dupn(const char *s, size_t n) {
    char *p = (char *)malloc(n + 1);
    if (!p) { fprintf(stderr, "agent: out of memory\n"); exit(3); }
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void free_span(span *s) {
    uint32_t i;
    for (i = 0; i < s->n_tags; i++) {
        free(s->tags[i].key);
        free(s->tags[i].val);
    }
    free(s->tags);
    free(s->service);
    free(s->name);
    free(s->resource);
    free(s->type);
    free(s->lang);
}

/*=== v0.4 decoding ===*/

/* An id or integer field: any integer (negative ones reinterpreted as uint64) or nil. */
static int read_uint(dd_mp_reader *r, uint64_t *v) {
    int t = dd_mp_peek_type(r);
    *v = 0;
    if (t == DD_MP_NIL) return dd_mp_read_nil(r);
    if (t == DD_MP_INT) {
        int64_t i;
        int rc = dd_mp_read_i64(r, &i);
        *v = (uint64_t)i;
        return rc;
    }
    return dd_mp_read_u64(r, v);
}

static int read_int(dd_mp_reader *r, int64_t *v) {
    int t = dd_mp_peek_type(r);
    *v = 0;
    if (t == DD_MP_NIL) return dd_mp_read_nil(r);
    return dd_mp_read_i64(r, v);
}

/* A string field: str, bin (accepted by the Go agent) or nil. */
static int read_text(dd_mp_reader *r, char **out) {
    int t = dd_mp_peek_type(r), rc;
    const char *s = "";
    uint32_t n = 0;
    if (t == DD_MP_NIL) rc = dd_mp_read_nil(r);
    else if (t == DD_MP_BIN) {
        const void *p;
        rc = dd_mp_read_bin(r, &p, &n);
        s = (const char *)p;
    } else rc = dd_mp_read_str(r, &s, &n);
    if (rc != DD_OK) return rc;
    *out = dupn(s, n);
    return DD_OK;
}

static int key_is(const char *k, uint32_t n, const char *want) { return strlen(want) == n && memcmp(k, want, n) == 0; }

static void add_tag(span *s, char *key, char *val, double num) {
    kv *p = (kv *)realloc(s->tags, (s->n_tags + 1) * sizeof *p);
    if (!p) { fprintf(stderr, "agent: out of memory\n"); exit(3); }
    s->tags = p;
    p[s->n_tags].key = key;
    p[s->n_tags].val = val;
    p[s->n_tags].num = num;
    s->n_tags++;
}

/* meta (str -> str) or metrics (str -> number); nil is an empty map. */
static int read_tags(dd_mp_reader *r, span *s, int metrics) {
    uint32_t n, i;
    int rc;
    if (dd_mp_peek_type(r) == DD_MP_NIL) return dd_mp_read_nil(r);
    if ((rc = dd_mp_read_map(r, &n)) != DD_OK) return rc;
    for (i = 0; i < n; i++) {
        char *k = NULL, *v = NULL;
        double d = 0;
        if ((rc = read_text(r, &k)) != DD_OK) return rc;
        if (metrics) {
            int t = dd_mp_peek_type(r);
            if (t == DD_MP_FLOAT && r->p < r->end && *r->p == 0xca) { /* Go agent: no float32 case */
                free(k);
                return DD_ERR_TYPE;
            }
            if (t == DD_MP_UINT) {
                uint64_t u;
                rc = dd_mp_read_u64(r, &u);
                d = (double)u;
            } else if (t == DD_MP_INT) {
                int64_t x;
                rc = dd_mp_read_i64(r, &x);
                d = (double)x;
            } else {
                rc = dd_mp_read_f64(r, &d);
            }
        } else {
            rc = read_text(r, &v);
        }
        if (rc != DD_OK) {
            free(k);
            return rc;
        }
        add_tag(s, k, v, d);
    }
    return DD_OK;
}

static int read_span(dd_mp_reader *r, span *s) {
    uint32_t n, i, klen;
    const char *k;
    int rc;
    uint64_t u;
    if ((rc = dd_mp_read_map(r, &n)) != DD_OK) return rc;
    for (i = 0; i < n && rc == DD_OK; i++) {
        if ((rc = dd_mp_read_str(r, &k, &klen)) != DD_OK) return rc;
        if (key_is(k, klen, "trace_id")) rc = read_uint(r, &s->trace_id);
        else if (key_is(k, klen, "span_id")) rc = read_uint(r, &s->span_id);
        else if (key_is(k, klen, "parent_id")) rc = read_uint(r, &s->parent_id);
        else if (key_is(k, klen, "start")) rc = read_int(r, &s->start);
        else if (key_is(k, klen, "duration")) rc = read_int(r, &s->duration);
        else if (key_is(k, klen, "error")) {
            rc = read_uint(r, &u);
            s->error = (int64_t)u;
        } else if (key_is(k, klen, "service")) { free(s->service); s->service = NULL; rc = read_text(r, &s->service); }
        else if (key_is(k, klen, "name")) { free(s->name); s->name = NULL; rc = read_text(r, &s->name); }
        else if (key_is(k, klen, "resource")) { free(s->resource); s->resource = NULL; rc = read_text(r, &s->resource); }
        else if (key_is(k, klen, "type")) { free(s->type); s->type = NULL; rc = read_text(r, &s->type); }
        else if (key_is(k, klen, "meta")) rc = read_tags(r, s, 0);
        else if (key_is(k, klen, "metrics")) rc = read_tags(r, s, 1);
        else rc = dd_mp_skip(r); /* meta_struct, span_links, span_events, unknown keys: skipped as the Go agent does */
    }
    return rc;
}

/* Decodes a whole v0.4 body into *out (spans appended to a private array). DD_OK or an error;
 * on error nothing is kept. */
static int decode_payload(const uint8_t *body, size_t len, span **out, size_t *n_out, uint32_t *n_chunks) {
    dd_mp_reader r;
    uint32_t nc, c, ns, i;
    span *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *out = NULL;
    *n_out = 0;
    *n_chunks = 0;
    dd_mp_reader_init(&r, body, len);
    rc = dd_mp_read_array(&r, &nc);
    for (c = 0; rc == DD_OK && c < nc; c++) {
        rc = dd_mp_read_array(&r, &ns);
        for (i = 0; rc == DD_OK && i < ns; i++) {
            if (n == cap) {
                span *p;
                cap = cap ? cap * 2 : 16;
                p = (span *)realloc(v, cap * sizeof *p);
                if (!p) { fprintf(stderr, "agent: out of memory\n"); exit(3); }
                v = p;
            }
            memset(&v[n], 0, sizeof v[n]);
            rc = read_span(&r, &v[n]);
            n++;
        }
    }
    if (rc == DD_OK && dd_mp_reader_remaining(&r) != 0) rc = DD_ERR_MALFORMED; /* one value, nothing after */
    if (rc != DD_OK) {
        for (i = 0; i < n; i++) free_span(&v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    *n_chunks = nc;
    return DD_OK;
}

/* --count-only: checks that a body is one array of arrays of maps and counts them. */
static int count_payload(const uint8_t *body, size_t len, size_t *n_out, uint32_t *n_chunks) {
    dd_mp_reader r;
    uint32_t nc, c, ns, i;
    size_t n = 0;
    int rc;
    *n_out = 0;
    *n_chunks = 0;
    dd_mp_reader_init(&r, body, len);
    rc = dd_mp_read_array(&r, &nc);
    for (c = 0; rc == DD_OK && c < nc; c++) {
        rc = dd_mp_read_array(&r, &ns);
        for (i = 0; rc == DD_OK && i < ns; i++, n++)
            rc = dd_mp_peek_type(&r) == DD_MP_MAP ? dd_mp_skip(&r) : DD_ERR_TYPE;
    }
    if (rc == DD_OK && dd_mp_reader_remaining(&r) != 0) rc = DD_ERR_MALFORMED;
    if (rc != DD_OK) return rc;
    *n_out = n;
    *n_chunks = nc;
    return DD_OK;
}

/*=== JSON helpers for the record file ===*/

/* The length of the valid UTF-8 sequence at s[0..n) (RFC 3629: shortest form, no surrogate,
 * at most U+10FFFF), 0 when s does not start one. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    size_t need, k;
    uint32_t cp;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) need = 1, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) need = 2, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) need = 3, cp = s[0] & 0x07u;
    else return 0;
    if (need >= n) return 0;
    for (k = 1; k <= need; k++) {
        if ((s[k] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if (need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
    if (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) return 0;
    return need + 1;
}

/* A JSON string of s[0..n): valid UTF-8 is kept, a byte that is not part of a valid sequence
 * (a header value may hold any byte) is written as its Latin-1 code point \u00XX, so the record
 * line is always valid JSON. */
static void json_str(FILE *f, const char *s, size_t n) {
    size_t i = 0;
    fputc('"', f);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = utf8_seq((const unsigned char *)s + i, n - i);
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f || len == 0) fprintf(f, "\\u%04x", c);
        else {
            fwrite(s + i, 1, len, f);
            i += len;
            continue;
        }
        i++;
    }
    fputc('"', f);
}

/*=== HTTP ===*/

typedef struct request {
    char method[16];
    char path[256];
    int n_headers;
    char *names[MAX_HEADERS], *values[MAX_HEADERS];
    int has_length;
    size_t length;
    int chunked_body;
    int close_after;
} request;

static const char *header(const request *q, const char *name) {
    int i;
    for (i = 0; i < q->n_headers; i++)
        if (strcmp(q->names[i], name) == 0) return q->values[i];
    return NULL;
}

static void lower_str(char *s) {
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
}

/* Parses the head in buf[0..head_len). 0 ok, -1 malformed. */
static int parse_request(char *buf, size_t head_len, request *q) {
    char *p = buf, *end = buf + head_len - 2, *eol, *sp1, *sp2;
    memset(q, 0, sizeof *q);
    eol = strstr(p, "\r\n");
    if (!eol) return -1;
    *eol = 0;
    sp1 = strchr(p, ' ');
    if (!sp1) return -1;
    sp2 = strchr(sp1 + 1, ' ');
    if (!sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) return -1;
    if ((size_t)(sp1 - p) >= sizeof q->method || (size_t)(sp2 - sp1 - 1) >= sizeof q->path) return -1;
    memcpy(q->method, p, (size_t)(sp1 - p));
    memcpy(q->path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    if (strcmp(sp2 + 1, "HTTP/1.0") == 0) q->close_after = 1;
    p = eol + 2;
    while (p < end) {
        char *colon, *v;
        eol = strstr(p, "\r\n");
        if (!eol) return -1;
        *eol = 0;
        colon = strchr(p, ':');
        if (!colon || colon == p || q->n_headers == MAX_HEADERS) return -1;
        *colon = 0;
        v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        {
            size_t vl = strlen(v);
            while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) v[--vl] = 0;
        }
        lower_str(p);
        q->names[q->n_headers] = p;
        q->values[q->n_headers] = v;
        q->n_headers++;
        if (strcmp(p, "content-length") == 0) {
            char *e;
            unsigned long long n;
            if (*v < '0' || *v > '9' || strlen(v) > 15) return -1;
            n = strtoull(v, &e, 10);
            if (*e || (q->has_length && q->length != (size_t)n)) return -1;
            q->has_length = 1;
            q->length = (size_t)n;
        } else if (strcmp(p, "transfer-encoding") == 0) {
            q->chunked_body = 1;
        } else if (strcmp(p, "connection") == 0) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%s", v);
            lower_str(tmp);
            if (strcmp(tmp, "close") == 0) q->close_after = 1;
        }
        p = eol + 2;
    }
    return 0;
}

/* The answer decided from the head alone, for a path other than GET /stats: 0 when the body is
 * to be read (a trace request), else 200 (GET /info), 404, 405, 411 (chunked or no length) or
 * 413 (over max_bytes). */
static int head_status(const request *q, size_t max_bytes) {
    if (strcmp(q->path, "/v0.4/traces") != 0 && strcmp(q->path, "/info") != 0) return 404;
    if (strcmp(q->path, "/info") == 0) return strcmp(q->method, "GET") == 0 ? 200 : 405;
    if (strcmp(q->method, "POST") != 0 && strcmp(q->method, "PUT") != 0) return 405;
    if (q->chunked_body || !q->has_length) return 411;
    if (q->length > max_bytes) return 413;
    return 0;
}

/* The agent reads the media type; anything but msgpack goes to its JSON decoder and fails. */
static int is_msgpack_type(const char *ctype) {
    return ctype && strncmp(ctype, "application/msgpack", 19) == 0 && (!ctype[19] || ctype[19] == ';' || ctype[19] == ' ');
}

#endif /* AGENT_PARSE_H */
