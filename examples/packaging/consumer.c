/* cc -std=c99 consumer.c $(pkg-config --cflags --libs ddtrace)          (against libddtrace.so)
 * cc -std=c99 -DCONSUMER_HEADER_ONLY -I<dir of dd_trace.h> consumer.c -lpthread -lm   (header-only)
 * examples/packaging/consumer.c - the smallest program that uses an installed dd-trace-c, built by
 * tests/packaging_test.sh through pkg-config, CMake find_package and CMake add_subdirectory.
 * Exits 0 and prints "consumer ok" when the library answers with known values and a span
 * reaches the transport as a POST to /v0.4/traces. */
#ifdef CONSUMER_HEADER_ONLY
#define DD_TRACE_IMPLEMENTATION /* header-only: the definitions live in this file */
#endif
#include "dd_trace.h"

#include <stdio.h>
#include <string.h>

/* A transport that keeps what the tracer sends, as a sender would put it on the wire. */
typedef struct recorded {
    int calls;
    char method[8], path[32];
    char json[4096];
} recorded;

static int record_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    recorded *r = (recorded *)user;
    r->calls++;
    snprintf(r->method, sizeof r->method, "%s", req->method);
    snprintf(r->path, sizeof r->path, "%s", req->path);
    dd_mp_to_json(req->body, req->body_len, r->json, sizeof r->json);
    resp->status = 200;
    resp->body = "{\"rate_by_service\":{\"service:,env:\":1}}";
    resp->body_len = strlen(resp->body);
    return 0;
}

int main(void) {
    /* MessagePack of [{"a":300}]: fixarray 1, fixmap 1, fixstr "a", uint16 300 (msgpack spec). */
    static const uint8_t want[] = {0x91, 0x81, 0xa1, 0x61, 0xcd, 0x01, 0x2c};
    uint8_t buf[16];
    size_t used = 0;
    int failures = 0;
    dd_mp_writer w;
    if (dd_version() != DDTRACE_VERSION) {
        printf("dd_version() = %d, header says %d\n", dd_version(), DDTRACE_VERSION);
        failures++;
    }
    if (strcmp(dd_status_str(DD_ERR_TRANSPORT), "transport failed") != 0) {
        printf("dd_status_str(DD_ERR_TRANSPORT) = %s\n", dd_status_str(DD_ERR_TRANSPORT));
        failures++;
    }
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_array(&w, 1);
    dd_mp_write_map(&w, 1);
    dd_mp_write_str(&w, "a", 1);
    dd_mp_write_u64(&w, 300);
    if (dd_mp_writer_finish(&w, &used) != DD_OK || used != sizeof want || memcmp(buf, want, used) != 0) {
        printf("msgpack writer produced %u unexpected bytes\n", (unsigned)used);
        failures++;
    }
    {
        /* The tracer: one span, flushed through the transport above. */
        recorded rec;
        dd_tracer_config cfg;
        dd_span_options so;
        dd_tracer *t;
        memset(&rec, 0, sizeof rec);
        memset(&cfg, 0, sizeof cfg);
        memset(&so, 0, sizeof so);
        cfg.service = "consumer";
        cfg.transport_fn = record_transport;
        cfg.hook_user = &rec;
        t = dd_tracer_new(&cfg);
        so.name = "packaging.check";
        dd_span_finish(dd_span_start(t, &so));
        if (dd_tracer_flush(t) != DD_OK || rec.calls != 1 || strcmp(rec.method, "POST") != 0 ||
            strcmp(rec.path, "/v0.4/traces") != 0 || !strstr(rec.json, "\"name\":\"packaging.check\"") ||
            !strstr(rec.json, "\"service\":\"consumer\"")) {
            printf("tracer: %d call(s), %s %s, %.200s\n", rec.calls, rec.method, rec.path, rec.json);
            failures++;
        }
        dd_tracer_free(t);
    }
    printf(failures ? "consumer FAILED (version %s)\n" : "consumer ok (version %s)\n", DDTRACE_VERSION_STRING);
    return failures ? 1 : 0;
}
