/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_sender_address.c -o fuzz_sender_address && ./fuzz_sender_address -dict=fuzz/dict/sender_address.dict fuzz/corpus/sender_address
 *
 * dd_sender.h's agent address rules on hostile environment values. The input is up to three
 * values separated by newlines: DD_TRACE_AGENT_URL, DD_AGENT_HOST, DD_TRACE_AGENT_PORT (a missing
 * one is unset); when the first byte is '!', the first value is an explicit options url instead.
 * The socket probe is off. Properties checked (abort on violation):
 *  - from the environment, resolution never fails; with an explicit url it fails exactly when
 *    that url is unusable, and then says why;
 *  - the endpoint is consistent: a Unix endpoint has an absolute path and the url "unix://" + path;
 *    a TCP one a non-empty host of name, IPv4 or IPv6 characters, a port in 1-65535, and the url
 *    "http://host:port" (IPv6 bracketed);
 *  - an empty or absent variable counts as unset: nothing set gives http://localhost:8126 and no note;
 *  - every text field is NUL-terminated inside its array; the same input resolves the same way. */
#define _POSIX_C_SOURCE 200809L
#define DD_SENDER_IMPLEMENTATION
#define DD_TRACE_IMPLEMENTATION
#include "../dd_sender.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                     \
    do {                                                                                               \
        if (!(c)) {                                                                                    \
            fprintf(stderr, "fuzz_sender_address: %s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

typedef struct env {
    char *v[3];
} env;
static const char *env_get(void *user, const char *name) {
    const env *e = (const env *)user;
    if (strcmp(name, "DD_TRACE_AGENT_URL") == 0) return e->v[0];
    if (strcmp(name, "DD_AGENT_HOST") == 0) return e->v[1];
    if (strcmp(name, "DD_TRACE_AGENT_PORT") == 0) return e->v[2];
    return NULL;
}

static void check_endpoint(const dd_sender_endpoint *e) {
    char want[sizeof e->url];
    size_t i;
    REQUIRE(memchr(e->url, 0, sizeof e->url) && memchr(e->host, 0, sizeof e->host));
    REQUIRE(memchr(e->port, 0, sizeof e->port) && memchr(e->path, 0, sizeof e->path));
    REQUIRE(memchr(e->note, 0, sizeof e->note));
    if (e->is_unix) {
        REQUIRE(e->path[0] == '/');
        snprintf(want, sizeof want, "unix://%s", e->path);
    } else {
        long port = strtol(e->port, NULL, 10);
        REQUIRE(e->host[0] != 0 && port > 0 && port <= 65535);
        for (i = 0; e->host[i]; i++) REQUIRE(strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_:%", e->host[i]));
        snprintf(want, sizeof want, strchr(e->host, ':') ? "http://[%s]:%s" : "http://%s:%s", e->host, e->port);
    }
    REQUIRE(strcmp(e->url, want) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = (char *)malloc(size + 1), *p;
    env e;
    dd_sender_options o;
    dd_sender_endpoint a, b;
    int explicit_url = size > 0 && data[0] == '!', rc, i;
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    memset(&e, 0, sizeof e);
    p = text + explicit_url;
    for (i = 0; i < 3 && p; i++) { /* values end at a newline; the rest are unset */
        char *nl = strchr(p, '\n');
        e.v[i] = p;
        if (nl) *nl = 0;
        p = nl ? nl + 1 : NULL;
    }
    dd_sender_options_init(&o);
    o.getenv_fn = env_get;
    o.getenv_user = &e;
    o.socket_path = "";
    if (explicit_url) {
        o.url = e.v[0];
        e.v[0] = NULL;
    }
    rc = dd_sender_resolve(&o, &a);
    REQUIRE(dd_sender_resolve(&o, &b) == rc && memcmp(&a, &b, sizeof a) == 0);
    if (rc == DD_OK) {
        check_endpoint(&a);
    } else {
        REQUIRE(explicit_url && rc == DD_ERR_INVALID_ARG && a.note[0] != 0);
    }
    if (!explicit_url && (!e.v[0] || !*e.v[0]) && (!e.v[1] || !*e.v[1]) && (!e.v[2] || !*e.v[2])) {
        REQUIRE(strcmp(a.url, "http://localhost:8126") == 0 && a.note[0] == 0);
    }
    free(text);
    return 0;
}
