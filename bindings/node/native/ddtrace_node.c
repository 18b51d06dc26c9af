/* native/ddtrace_node.c - libddtrace_node, the native half of the dd-trace-c Node.js package.
 *
 * Built by scripts/build.js at `npm install` with the system C compiler from the headers shipped in
 * native/include (copied from the repository root by scripts/prepack.js), or, in a checkout, from the
 * repository root. It is the whole SDK as one shared library (every public dd_* function exported,
 * private helpers static, our own calls bound to our own definitions), plus:
 *   - the layout table generated from lib/layout.js (native/build/layout_table.h): sizeof and
 *     offsetof of every structure the JavaScript side mirrors, as this compiler sees the headers;
 *   - ddnode_lambda_transport: the AWS Lambda delivery wiring of examples/lambda/bootstrap.c
 *     (the Extension's intake through dd_sender.h, else the Forwarder's log lines), so that no
 *     JavaScript runs on the tracer's threads;
 *   - the log ring: a dd_log_fn that any thread may call, queueing lines for JavaScript to take
 *     on its own thread (a JavaScript callback cannot run on the tracer's worker thread, and making
 *     the worker wait for the event loop could deadlock with a flush that waits for the worker). */
#define _POSIX_C_SOURCE 200809L
#define DD_BUILD_SHARED
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_lambda.h"
#include "dd_sender.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ddnode_layout_entry {
    const char *key;
    size_t value;
} ddnode_layout_entry;

static const ddnode_layout_entry ddnode_layout_table[] = {
#include "layout_table.h"
};

/* The number of layout entries, and entry i (NULL key past the end). [any thread] */
DD_API size_t ddnode_layout_count(void) { return sizeof ddnode_layout_table / sizeof ddnode_layout_table[0]; }
DD_API const char *ddnode_layout_key(size_t i) {
    return i < ddnode_layout_count() ? ddnode_layout_table[i].key : NULL;
}
DD_API uint64_t ddnode_layout_value(size_t i) {
    return i < ddnode_layout_count() ? (uint64_t)ddnode_layout_table[i].value : 0;
}

/* Extension mode's custom metrics: one DogStatsD datagram through a UDP sender. */
static int ddnode_udp_send(void *user, const char *data, size_t len) {
    return dd_udp_send((dd_udp_sender *)user, data, len) == DD_OK ? 0 : -1;
}
static void ddnode_forwarder_free(void *user) { free(user); }

/* Wires cfg for AWS Lambda (docs/lambda.md §11) as examples/lambda/bootstrap.c does: when the
 * Extension's file exists (extension_path, NULL = DD_LAMBDA_EXTENSION_PATH) traces go to its intake
 * (DD_TRACE_AGENT_URL, else http://127.0.0.1:8126) through a sender the tracer owns; else each trace
 * becomes a JSON line on stdout for the Forwarder. Manual delivery: dd_lambda_end_invocation
 * flushes. Returns the DD_LAMBDA_MODE_* chosen, or 0 when out of memory (cfg unchanged). [setup] */
DD_API int ddnode_lambda_transport(dd_tracer_config *cfg, const char *extension_path) {
    FILE *probe = fopen(extension_path && *extension_path ? extension_path : DD_LAMBDA_EXTENSION_PATH, "rb");
    cfg->delivery = DD_DELIVERY_MANUAL;
    cfg->flush_interval_ms = -1;
    if (probe) {
        const char *url = getenv("DD_TRACE_AGENT_URL");
        dd_sender_options o;
        dd_sender *s;
        fclose(probe);
        dd_sender_options_init(&o);
        if (!url || !*url) o.url = "http://127.0.0.1:8126";
        s = dd_sender_new(&o);
        if (!s) return 0;
        dd_sender_attach(cfg, s);
        return DD_LAMBDA_MODE_EXTENSION;
    } else {
        dd_lambda_forwarder *f = (dd_lambda_forwarder *)calloc(1, sizeof *f); /* write_fn NULL = stdout */
        if (!f) return 0;
        cfg->transport_fn = dd_lambda_forwarder_transport;
        cfg->transport_user = f;
        cfg->transport_free_fn = ddnode_forwarder_free;
        return DD_LAMBDA_MODE_FORWARDER;
    }
}

/* A dd_lambda for tracer t in `mode`, its options from the environment; in Extension mode custom
 * metrics go as DogStatsD datagrams to 127.0.0.1:DD_DOGSTATSD_PORT (default 8125). Free it with
 * ddnode_lambda_free before the tracer. [setup] */
typedef struct ddnode_lambda {
    dd_lambda *l;
    dd_udp_sender *statsd;
} ddnode_lambda;

DD_API dd_lambda *ddnode_lambda_new(dd_tracer *t, int mode, const char *extension_path, void **handle) {
    dd_lambda_options o;
    ddnode_lambda *h = (ddnode_lambda *)calloc(1, sizeof *h);
    const char *port = getenv("DD_DOGSTATSD_PORT");
    int p = port ? atoi(port) : 0;
    *handle = NULL;
    if (!h) return NULL;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.mode = mode;
    o.extension_path = extension_path && *extension_path ? extension_path : NULL;
    if (mode == DD_LAMBDA_MODE_EXTENSION) {
        h->statsd = dd_udp_sender_open("127.0.0.1", p > 0 && p < 65536 ? p : 8125);
        o.statsd_fn = h->statsd ? ddnode_udp_send : NULL;
        o.statsd_user = h->statsd;
    }
    h->l = dd_lambda_new(t, &o);
    if (!h->l) {
        if (h->statsd) dd_udp_sender_close(h->statsd);
        free(h);
        return NULL;
    }
    *handle = h;
    return h->l;
}

DD_API void ddnode_lambda_free(void *handle) {
    ddnode_lambda *h = (ddnode_lambda *)handle;
    if (!h) return;
    dd_lambda_free(h->l);
    if (h->statsd) dd_udp_sender_close(h->statsd);
    free(h);
}

/* The log ring: one per process, static (the tracer's worker may still log after dd_tracer_free
 * returned, so nothing it points to is ever freed). DDNODE_LOG_LINES lines of at most
 * DDNODE_LOG_LINE_MAX - 1 bytes (longer ones are cut); when the ring is full a new line is dropped
 * and counted. Each line carries the log_user it came with: the binding's id of its tracer. */
#define DDNODE_LOG_LINES 128
#define DDNODE_LOG_LINE_MAX 512
static struct {
    pthread_mutex_t mu;
    unsigned head, n;
    uint64_t dropped;
    struct {
        uint32_t tracer, level, len;
        char text[DDNODE_LOG_LINE_MAX];
    } lines[DDNODE_LOG_LINES];
} ddnode_log = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, {{0, 0, 0, {0}}}};

static void ddnode_log_fn(void *user, int level, const char *msg, size_t len) {
    unsigned slot;
    pthread_mutex_lock(&ddnode_log.mu);
    if (ddnode_log.n == DDNODE_LOG_LINES) {
        ddnode_log.dropped++;
    } else {
        slot = (ddnode_log.head + ddnode_log.n++) % DDNODE_LOG_LINES;
        if (len > DDNODE_LOG_LINE_MAX - 1) len = DDNODE_LOG_LINE_MAX - 1;
        memcpy(ddnode_log.lines[slot].text, msg, len);
        ddnode_log.lines[slot].text[len] = 0;
        ddnode_log.lines[slot].len = (uint32_t)len;
        ddnode_log.lines[slot].level = (uint32_t)level;
        ddnode_log.lines[slot].tracer = (uint32_t)(uintptr_t)user;
    }
    pthread_mutex_unlock(&ddnode_log.mu);
}

/* Routes cfg's diagnostics into the ring, tagged with `tracer_id` (> 0). [setup] */
DD_API void ddnode_log_attach(dd_tracer_config *cfg, uint32_t tracer_id) {
    cfg->log_fn = ddnode_log_fn;
    cfg->log_user = (void *)(uintptr_t)tracer_id;
}

/* Takes the oldest line: its text into out (cap bytes, NUL-terminated, cut to fit), its level and
 * tracer id into out2[0], out2[1]; returns its length, or -1 when the ring is empty. [any thread] */
DD_API int ddnode_log_pop(char *out, size_t cap, uint32_t *out2) {
    int len = -1;
    pthread_mutex_lock(&ddnode_log.mu);
    if (ddnode_log.n > 0 && cap > 0) {
        unsigned slot = ddnode_log.head;
        size_t n = ddnode_log.lines[slot].len < cap - 1 ? ddnode_log.lines[slot].len : cap - 1;
        memcpy(out, ddnode_log.lines[slot].text, n);
        out[n] = 0;
        out2[0] = ddnode_log.lines[slot].level;
        out2[1] = ddnode_log.lines[slot].tracer;
        ddnode_log.head = (slot + 1) % DDNODE_LOG_LINES;
        ddnode_log.n--;
        len = (int)n;
    }
    pthread_mutex_unlock(&ddnode_log.mu);
    return len;
}

/* Lines dropped because the ring was full, since the library was loaded. [any thread] */
DD_API uint64_t ddnode_log_dropped(void) {
    uint64_t d;
    pthread_mutex_lock(&ddnode_log.mu);
    d = ddnode_log.dropped;
    pthread_mutex_unlock(&ddnode_log.mu);
    return d;
}

/* A span's ids in one call (out: trace id high, low, span id, parent id; zeros for NULL): the
 * binding keeps them when the span finishes, and one call costs less than three. [owner thread] */
DD_API void ddnode_span_ids(const dd_span *s, uint64_t *out) {
    dd_trace_id t;
    dd_span_trace_id(s, &t);
    out[0] = t.hi;
    out[1] = t.lo;
    out[2] = dd_span_id(s);
    out[3] = dd_span_parent_id(s);
}
