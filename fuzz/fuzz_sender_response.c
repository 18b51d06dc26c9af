/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_sender_response.c -o fuzz_sender_response && ./fuzz_sender_response -dict=fuzz/dict/sender_response.dict fuzz/corpus/sender_response
 *
 * dd_sender.h's response parser on hostile bytes. Byte 0 picks how the rest arrives (bits 0-2: in
 * one piece or in pieces of 1, 2, 3, 7, 64 or 700 bytes), whether the request was a HEAD (bit 3),
 * the body limit (bits 4-5: 0, 16, 1024 or 1 MiB) and whether the peer closes after the last byte
 * (bit 6). Properties checked (abort on violation):
 *  - the parse in pieces ends exactly as the parse in one piece: same result; when done, same
 *    status, head, body bytes and count of 1xx answers skipped (no state leaks between calls);
 *  - a done answer is consistent: status 200-599, head within DD_HTTP_HEAD_MAX and ending with a
 *    blank line, body within the limit, head + body + extra = the bytes left in the buffer;
 *  - a failed parse leaves nothing behind (status, head and body 0) and says why;
 *  - header lookups and Retry-After on the accepted head read nothing outside it (ASan). */
#define _POSIX_C_SOURCE 200809L
#define DD_SENDER_IMPLEMENTATION
#define DD_TRACE_IMPLEMENTATION
#include "../dd_sender.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                      \
    do {                                                                                                \
        if (!(c)) {                                                                                     \
            fprintf(stderr, "fuzz_sender_response: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                    \
        }                                                                                               \
    } while (0)

static const size_t steps[8] = {0, 1, 2, 3, 7, 64, 700, 0};
static const size_t limits[4] = {0, 16, 1024, 1u << 20};

/* Parses data[0..n) arriving `step` bytes at a time (0: at once) into buf (capacity n). */
static int parse(dd_http_parser *p, char *buf, size_t *len, const uint8_t *data, size_t n, size_t step, int eof) {
    size_t fed = 0;
    int rc = DD_HTTP_MORE;
    *len = 0;
    while (fed < n && rc == DD_HTTP_MORE) {
        size_t k = step && step < n - fed ? step : n - fed;
        memcpy(buf + *len, data + fed, k);
        *len += k;
        fed += k;
        rc = dd_http_parse(p, buf, len);
        REQUIRE(*len <= fed);
    }
    if (rc == DD_HTTP_MORE && eof) rc = dd_http_parse_eof(p);
    if (n == 0 && eof) rc = dd_http_parse_eof(p);
    return rc;
}

static void check_done(const dd_http_parser *p, const char *buf, size_t len, size_t max_body) {
    const char *names[] = {"content-length", "retry-after", "connection", "x"};
    size_t i, vn;
    REQUIRE(p->status >= 200 && p->status <= 599);
    REQUIRE(p->head_len >= 16 && p->head_len <= DD_HTTP_HEAD_MAX);
    REQUIRE(memcmp(buf + p->head_len - 4, "\r\n\r\n", 4) == 0);
    REQUIRE(p->body_len <= max_body);
    REQUIRE(p->head_len + p->body_len + p->extra == len);
    REQUIRE(!p->extra || !p->keep_alive);
    for (i = 0; i < 4; i++) {
        const char *v = dd_http_header(buf, p->head_len, names[i], &vn);
        if (!v) continue;
        REQUIRE(v >= buf && v + vn <= buf + p->head_len);
        (void)dd_http_retry_after_ms(v, vn, 1700000000000);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dd_http_parser a, b;
    char *ba, *bb;
    size_t la, lb, max_body, step;
    int ra, rb, head_only, eof;
    if (size < 1) return 0;
    step = steps[data[0] & 7];
    head_only = (data[0] >> 3) & 1;
    max_body = limits[(data[0] >> 4) & 3];
    eof = (data[0] >> 6) & 1;
    data++;
    size--;
    ba = (char *)malloc(size ? size : 1);
    bb = (char *)malloc(size ? size : 1);
    if (!ba || !bb) abort();
    dd_http_parser_init(&a, max_body, head_only);
    dd_http_parser_init(&b, max_body, head_only);
    ra = parse(&a, ba, &la, data, size, 0, eof);
    rb = parse(&b, bb, &lb, data, size, step, eof);
    REQUIRE(ra == rb);
    REQUIRE(ra == DD_HTTP_MORE || ra == DD_HTTP_DONE || ra == DD_ERR_MALFORMED || ra == DD_ERR_LIMIT
            || ra == DD_ERR_UNSUPPORTED || ra == DD_ERR_TRUNCATED);
    if (ra == DD_HTTP_DONE) {
        check_done(&a, ba, la, max_body);
        check_done(&b, bb, lb, max_body);
        REQUIRE(a.status == b.status && a.head_len == b.head_len && a.body_len == b.body_len);
        REQUIRE(a.interim == b.interim);
        REQUIRE(memcmp(ba, bb, a.head_len + a.body_len) == 0);
        REQUIRE(dd_http_parse(&a, ba, &la) == DD_HTTP_DONE); /* done stays done */
    } else if (ra < 0) {
        REQUIRE(a.status == 0 && a.head_len == 0 && a.body_len == 0 && a.error && b.error);
        REQUIRE(dd_http_parse(&a, ba, &la) == ra); /* failed stays failed */
    }
    free(ba);
    free(bb);
    return 0;
}
