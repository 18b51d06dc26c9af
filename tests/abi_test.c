/* tests/abi_test.c - a caller built against an older, shorter layout of a config or options
 * struct keeps working: the library reads only `size` bytes of it and gives every later field its
 * default. The older caller is simulated exactly: its struct is a heap block of the older size
 * (so AddressSanitizer reports any read past it), holding the fields that layout had. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <stddef.h>
#include <stdlib.h>

static size_t n_req;
static int count_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)u, (void)req;
    n_req++;
    resp->status = 200;
    return DD_TRANSPORT_ANSWERED;
}

/* The 0.1-era prefix of dd_tracer_config: everything up to hook_user; delivery and the fields
 * after it did not exist. */
static void older_tracer_config(void) {
    size_t old_size = offsetof(dd_tracer_config, delivery);
    dd_tracer_config full;
    dd_tracer_config *old;
    dd_tracer *t;
    dd_counters k;
    dd_tracer_config_init(&full);
    CHECK_EQ_U64(full.size, sizeof full);
    CHECK_MEM(&full.service, sizeof full.service, &(const char *){NULL}, sizeof(const char *)); /* zeroed */
    full.service = "older-caller";
    full.transport_fn = count_transport;
    full.startup_logs = DD_OFF;
    full.cgroup_path = "";
    full.size = old_size;
    old = (dd_tracer_config *)malloc(old_size);
    if (!CHECK(old != NULL)) return;
    memcpy(old, &full, old_size);
    t = dd_tracer_new(old);
    free(old); /* dd_tracer_new copied what it needs */
    if (!CHECK(t != NULL)) return;
    CHECK_STR(dd_tracer_service(t), "older-caller");
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* the default delivery (a worker) sent it */
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_sent, 1);
    CHECK_EQ_U64(n_req, 1);
    dd_tracer_free(t);
}

/* The layout before stats_computation: stats stay off even when the environment asks (the
 * field past `size` is not read; the environment is: DD_TRACE_STATS_COMPUTATION_ENABLED). */
static const char *env_stats_on(void *u, const char *name) {
    (void)u;
    return strcmp(name, "DD_TRACE_STATS_COMPUTATION_ENABLED") == 0 ? "true" : NULL;
}
static void before_stats_config(void) {
    size_t old_size = offsetof(dd_tracer_config, stats_computation);
    dd_tracer_config full;
    dd_tracer_config *old;
    dd_tracer *t;
    dd_tracer_config_init(&full);
    full.startup_logs = DD_OFF;
    full.cgroup_path = "";
    full.delivery = DD_DELIVERY_MANUAL;
    full.stats_computation = DD_OFF; /* past the old layout: must not be read */
    full.getenv_fn = env_stats_on;
    full.size = old_size;
    old = (dd_tracer_config *)malloc(old_size);
    if (!CHECK(old != NULL)) return;
    memcpy(old, &full, old_size);
    t = dd_tracer_new(old);
    free(old);
    if (!CHECK(t != NULL)) return;
    CHECK(t->stats != NULL); /* the variable decided, not the unread DD_OFF */
    dd_tracer_free(t);
    full.size = sizeof full; /* the current layout: code beats the variable */
    t = dd_tracer_new(&full);
    if (!CHECK(t != NULL)) return;
    CHECK(t->stats == NULL);
    dd_tracer_free(t);
}

/* dd_span_options before the caller-given ids: size up to start_ns. */
static void older_span_options(void) {
    size_t old_size = offsetof(dd_span_options, trace_id);
    dd_tracer_config c = DD_TRACER_CONFIG_INIT;
    dd_span_options full = DD_SPAN_OPTIONS_INIT;
    dd_span_options *old;
    dd_tracer *t;
    dd_span *s;
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.delivery = DD_DELIVERY_MANUAL;
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    full.size = old_size;
    full.name = "old.op";
    full.span_id = 12345; /* past the old layout: must not be read */
    old = (dd_span_options *)malloc(old_size);
    if (!CHECK(old != NULL)) return;
    memcpy(old, &full, old_size);
    s = dd_span_start(t, old);
    free(old);
    CHECK(s != NULL);
    CHECK(dd_span_id(s) != 12345);
    dd_span_finish(s);
    dd_tracer_free(t);
}

/* size 0 is this layout (a zeroed struct, as before sizes existed). */
static void zero_size_is_current(void) {
    dd_tracer_config c = DD_TRACER_CONFIG_INIT;
    dd_span_options o = DD_SPAN_OPTIONS_INIT;
    dd_tracer *t;
    dd_span *s;
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.delivery = DD_DELIVERY_MANUAL;
    t = dd_tracer_new(&c);
    if (!CHECK(t != NULL)) return;
    o.span_id = 777;
    s = dd_span_start(t, &o);
    CHECK_EQ_U64(dd_span_id(s), 777);
    dd_span_finish(s);
    dd_tracer_free(t);
}

/* dd_counters is written by dd_tracer_counters and read field by field by the FFI mirrors
 * (examples/python/ddtrace_ffi.py, examples/node/ddtrace_ffi.js): fields are only ever appended,
 * so an older caller's prefix keeps its offsets: stale_handle_calls after spans_pending, then
 * the client-side stats counters. */
static void counters_layout(void) {
    CHECK_EQ_U64(offsetof(dd_counters, spans_started), 0);
    CHECK_EQ_U64(offsetof(dd_counters, spans_pending), 28 * sizeof(uint64_t));
    CHECK_EQ_U64(offsetof(dd_counters, stale_handle_calls), 29 * sizeof(uint64_t));
    CHECK_EQ_U64(offsetof(dd_counters, stats_spans), 30 * sizeof(uint64_t));
    CHECK_EQ_U64(offsetof(dd_counters, spans_dropped_p0), 37 * sizeof(uint64_t));
    CHECK_EQ_U64(sizeof(dd_counters), 38 * sizeof(uint64_t));
}

static const test_case cases[] = {
    TEST(older_tracer_config),
    TEST(older_span_options),
    TEST(before_stats_config),
    TEST(zero_size_is_current),
    TEST(counters_layout),
};
int main(void) { return test_run("abi", cases, sizeof cases / sizeof cases[0]); }
