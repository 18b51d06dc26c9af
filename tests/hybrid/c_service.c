/* cc -std=c99 -O2 -I. tests/hybrid/c_service.c -o c_service -lpthread -lm */
/* tests/hybrid/c_service.c - the C half of the hybrid trace (tests/hybrid_node_test.sh): an HTTP
 * service traced with dd-trace-c between two hops of a Node.js service traced by the official
 * tracer.
 *
 *   c_service --callback http://127.0.0.1:PORT/callback [--port 0] [--ready-file F] [--requests N]
 *
 * For each request it extracts the caller's context from the HTTP headers (the tracer's styles:
 * DD_TRACE_PROPAGATION_STYLE*, default datadog,tracecontext), starts the server span `c.request`,
 * and calls the callback URL from a child span `c.callback` whose context it injects into the
 * outgoing headers (dd_span_inject). It answers {"callback_status":N,"callback_body":...} and
 * flushes its spans to the agent through dd_sender.h (DD_TRACE_AGENT_URL). */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include "examples/demo/http_serve.h"

static void usage(void) {
    fprintf(stderr, "usage: c_service --callback http://127.0.0.1:PORT/callback [--port 0] [--ready-file F] [--requests N]\n");
    exit(2);
}

/* A sender to `url`, or to the agent (the environment's address rules) when url is NULL. */
static dd_sender *new_sender(const char *url) {
    dd_sender_options o;
    dd_sender_options_init(&o);
    o.url = url;
    return dd_sender_new(&o);
}

static void handle(dd_tracer *tracer, dd_sender *node, const char *callback_path, http_request *q) {
    dd_headers in = {0}, out;
    dd_header out_items[16];
    char out_buf[2048], text[64], answer[4096];
    dd_carrier_reader reader;
    dd_carrier_writer writer;
    dd_propagation_config pcfg;
    dd_trace_context caller;
    dd_span_options so;
    dd_span *server, *client;
    dd_http_response resp;
    size_t len;
    int status, rc;

    in.items = q->headers;
    in.n = q->n_headers;
    dd_headers_reader(&reader, &in);
    dd_propagation_config_default(&pcfg);
    dd_propagation_config_from_env(&pcfg, NULL, NULL, NULL);
    rc = dd_extract(&pcfg, &reader, &caller);

    memset(&so, 0, sizeof so);
    so.context = rc == DD_OK ? &caller : NULL;
    so.name = "c.request";
    so.type = "web";
    server = dd_span_start(tracer, &so);
    snprintf(text, sizeof text, "%s %.*s", q->method, (int)strcspn(q->path, "?"), q->path);
    dd_span_set_resource(server, text);
    dd_span_set_kind(server, "server");
    dd_span_set_tag(server, "http.method", q->method);

    client = dd_span_start_child(server, "c.callback");
    dd_span_set_type(client, "http");
    dd_span_set_resource(client, "GET /callback");
    dd_span_set_kind(client, "client");
    dd_span_set_tag(client, "http.method", "GET");
    dd_headers_init(&out, out_items, sizeof out_items / sizeof out_items[0], out_buf, sizeof out_buf);
    dd_headers_writer(&writer, &out);
    dd_span_inject(client, &writer);
    rc = dd_sender_request(node, "GET", callback_path, out.items, out.n, NULL, 0, 2000, &resp);
    status = resp.status;
    snprintf(text, sizeof text, "%d", status);
    dd_span_set_tag(client, "http.status_code", text);
    if (rc != DD_TRANSPORT_ANSWERED || status != 200)
        dd_span_set_error_info(client, "CallbackError", dd_sender_last_error(node), NULL);
    len = (size_t)snprintf(answer, sizeof answer, "{\"callback_status\":%d,\"callback_body\":\"", status);
    len = json_escape(answer, len, sizeof answer, resp.body ? resp.body : "", resp.body ? resp.body_len : 0);
    if (len + 3 < sizeof answer) {
        memcpy(answer + len, "\"}", 3);
        len += 2;
    }
    dd_span_finish(client);
    dd_span_set_tag(server, "http.status_code", "200");
    dd_span_finish(server);
    http_respond(q, 200, "application/json", answer, len);
}

int main(int argc, char **argv) {
    const char *callback = NULL, *ready = NULL, *path;
    char base[300];
    int port = 0, i, lfd;
    long requests = 1, served = 0;
    dd_sender *agent = NULL, *node = NULL;
    dd_tracer_config tcfg;
    dd_tracer *tracer;
    const char *service;
    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--callback") == 0) callback = argv[++i];
        else if (strcmp(argv[i], "--port") == 0) port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ready-file") == 0) ready = argv[++i];
        else if (strcmp(argv[i], "--requests") == 0) requests = strtol(argv[++i], NULL, 10);
        else usage();
    }
    /* http://host:port/path: the sender takes the base, the request the path. */
    if (!callback || strncmp(callback, "http://", 7) != 0) usage();
    path = strchr(callback + 7, '/');
    if (!path || (size_t)(path - callback) >= sizeof base) usage();
    memcpy(base, callback, (size_t)(path - callback));
    base[path - callback] = 0;
    if (!(node = new_sender(base)) || !(agent = new_sender(NULL))) usage();
    memset(&tcfg, 0, sizeof tcfg);
    service = getenv("DD_SERVICE");
    if (!service || !*service) tcfg.service = "hybrid-c"; /* DD_SERVICE, else this name */
    tcfg.transport_fn = dd_sender_transport;
    tcfg.hook_user = agent;
    tcfg.transport_user = agent;
    tcfg.flush_interval_ms = -1;
    tracer = dd_tracer_new(&tcfg);
    lfd = http_listen(port, ready);
    if (!tracer || lfd < 0) return 1;
    while (requests == 0 || served < requests) {
        http_request *q = (http_request *)malloc(sizeof *q);
        int rc;
        if (!q || http_accept(lfd, q, 10000) != 0) {
            free(q);
            break;
        }
        handle(tracer, node, path, q);
        free(q);
        served++;
        rc = dd_tracer_flush(tracer);
        if (rc != DD_OK) fprintf(stderr, "c_service: flush failed: %s (%s)\n", dd_status_str(rc), dd_sender_last_error(agent));
    }
    close(lfd);
    dd_tracer_free(tracer);
    dd_sender_free(agent);
    dd_sender_free(node);
    return 0;
}
