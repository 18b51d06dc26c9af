/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_json.c -o fuzz_json && ./fuzz_json -dict=fuzz/dict/json.dict fuzz/corpus/json
 *
 * The JSON reader on hostile bytes. Properties checked (abort on violation):
 *  - dd_json_parse fails with MALFORMED or DEPTH and a zeroed root, or succeeds with a root inside
 *    the input that starts and ends where the trimmed input does;
 *  - after a success, a walk of the whole tree (explicit stack, no recursion) terminates: every
 *    container's iterator ends after at most n steps, every key and value lies inside its parent,
 *    nesting never exceeds DD_JSON_MAX_DEPTH, and each value re-parses on its own as one document;
 *  - dd_json_get/at find what the iterator found (get: the last member of a key); strings decode
 *    to at most their raw length and dd_json_string_eq agrees with the decoded bytes; numbers give
 *    DD_OK or DD_ERR_LIMIT, never NaN. */
#define DD_PROPAGATION_IMPLEMENTATION
#include "dd_propagation.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                              \
    do {                                                                                        \
        if (!(c)) {                                                                             \
            fprintf(stderr, "fuzz_json: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

static const char *g_lo, *g_hi;
static void inside(const dd_json *v, const dd_json *parent) {
    REQUIRE(v->p >= g_lo && v->p + v->n <= g_hi);
    if (parent) REQUIRE(v->p > parent->p && v->p + v->n < parent->p + parent->n);
    REQUIRE(v->type >= DD_JSON_NULL && v->type <= DD_JSON_OBJECT);
}

static void check_scalar(const dd_json *v) {
    dd_json again;
    REQUIRE(dd_json_parse(v->p, v->n, &again) == DD_OK && again.p == v->p && again.n == v->n && again.type == v->type);
    if (v->type == DD_JSON_STRING) {
        static char buf[1 << 16];
        size_t len = 0;
        int rc = dd_json_string(v, buf, sizeof buf, &len);
        REQUIRE(rc == DD_OK || rc == DD_ERR_BUFFER_FULL);
        REQUIRE(len <= v->n * 3); /* \uXXXX (6 bytes) -> at most 3 bytes; others shrink */
        if (rc == DD_OK) {
            REQUIRE(buf[len] == 0);
            REQUIRE(dd_json_string_eq(v, buf, len));
            if (len) REQUIRE(!dd_json_string_eq(v, buf, len - 1));
        }
    } else if (v->type == DD_JSON_NUMBER) {
        double d = 1;
        uint64_t u;
        int rc = dd_json_number(v, &d);
        REQUIRE(rc == DD_OK || rc == DD_ERR_LIMIT);
        REQUIRE(d == d);
        rc = dd_json_u64(v, &u);
        REQUIRE(rc == DD_OK || rc == DD_ERR_TYPE || rc == DD_ERR_LIMIT);
        if (rc == DD_OK && u < ((uint64_t)1 << 53) && dd_json_number(v, &d) == DD_OK) REQUIRE(d == (double)u);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    dd_json root;
    dd_json stack[DD_JSON_MAX_DEPTH + 1];
    dd_json_iter iters[DD_JSON_MAX_DEPTH + 1];
    size_t steps[DD_JSON_MAX_DEPTH + 1];
    int depth = 0;
    int rc = dd_json_parse(size ? text : "", size, &root);
    if (rc != DD_OK) {
        REQUIRE(rc == DD_ERR_MALFORMED || rc == DD_ERR_DEPTH);
        REQUIRE(root.p == NULL && root.n == 0 && root.type == 0);
        return 0;
    }
    g_lo = text;
    g_hi = text + size;
    inside(&root, NULL);
    if (root.type != DD_JSON_ARRAY && root.type != DD_JSON_OBJECT) {
        check_scalar(&root);
        return 0;
    }
    stack[0] = root;
    dd_json_iter_init(&iters[0], &root);
    steps[0] = 0;
    while (depth >= 0) {
        dd_json k, v, again;
        dd_json *parent = &stack[depth];
        if (dd_json_next(&iters[depth], parent->type == DD_JSON_OBJECT ? &k : NULL, &v) != DD_OK) {
            depth--;
            continue;
        }
        REQUIRE(++steps[depth] <= parent->n);
        inside(&v, parent);
        if (parent->type == DD_JSON_OBJECT) {
            static char key[4096];
            size_t kl;
            inside(&k, parent);
            REQUIRE(k.type == DD_JSON_STRING && k.p + k.n <= v.p);
            if (dd_json_string(&k, key, sizeof key, &kl) == DD_OK) {
                REQUIRE(dd_json_get(parent, key, kl, &again) == DD_OK);
                REQUIRE(again.p >= v.p); /* the last member with that key */
            }
        } else {
            REQUIRE(dd_json_at(parent, steps[depth] - 1, &again) == DD_OK && again.p == v.p && again.n == v.n);
        }
        if (v.type == DD_JSON_ARRAY || v.type == DD_JSON_OBJECT) {
            REQUIRE(depth + 1 < DD_JSON_MAX_DEPTH);
            REQUIRE(dd_json_parse(v.p, v.n, &again) == DD_OK && again.n == v.n);
            depth++;
            stack[depth] = v;
            dd_json_iter_init(&iters[depth], &v);
            steps[depth] = 0;
        } else {
            check_scalar(&v);
        }
    }
    return 0;
}
