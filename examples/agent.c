/* cc -std=c99 -O2 -Wall -Wextra -I. examples/agent.c -o agent -lpthread */
/* examples/agent.c - a small local stand-in for the Datadog Agent's trace intake, built on dd_msgpack.h.
 *
 *   agent [--port 8126] [--host 127.0.0.1] [--unix PATH] [--ready-file F] [--record F]
 *         [--expect-spans N] [--timeout-ms MS] [--quiet] [--all-tags] [--rates JSON] [--max-spans N]
 *         [--max-bytes N] [--status CODE] [--delay-ms MS] [--close] [--fail-first N] [--chunked]
 *         [--count-only]
 *
 * Accepts PUT/POST /v0.4/traces as the Datadog Agent does (docs/agent-protocol.md §1, §2, §4, §5):
 * 404 for another path, 405 for another method, 411 without Content-Length, 413 over --max-bytes
 * (default 25 MiB, the agent's MaxRequestBytes), 400 when Content-Type is not application/msgpack
 * (the agent then falls back to JSON and fails) or the body is not a v0.4 payload (an array of
 * chunks, each an array of span maps; a float32 metric is a decode error as in the Go agent).
 * A good payload gets 200 {"rate_by_service":{"service:,env:":1}} (or --rates).
 *
 * Each trace request is logged on stderr and, with --record F, appended to F as one JSON line:
 *   {"method":..,"path":..,"status":..,"headers":{lower-case name: value},"time":<epoch s of arrival>,"body_len":N,
 *    "payload":<JSON>}
 * On SIGINT/SIGTERM, after --expect-spans N spans arrived, or at --timeout-ms, the agent prints every
 * trace it received as a tree (parent -> children, grouped by trace id across payloads and
 * processes) with service, name, resource, duration and a few tags, then exits (2 when
 * --expect-spans was not reached). The tree keeps at most --max-spans spans (default 1000000);
 * later ones are still answered and recorded, and counted.
 *
 * Failure modes for tests, applied to trace requests after the body was read (only to the first
 * N of them with --fail-first N): --status CODE answers CODE, --delay-ms MS waits before answering,
 * --close closes the connection without answering, --chunked answers with a chunked body.
 * --port 0 picks a free port; --ready-file receives the port number once the agent listens.
 *
 * Connections are kept alive (HTTP/1.1) until the client closes them, sends "Connection: close",
 * or stays idle 10 s. GET /stats answers the totals as JSON: {"requests":N,"payloads":N,
 * "chunks":N,"spans":N,"connections":N} (trace requests, accepted payloads, their chunks and spans,
 * connections accepted). --count-only is for load tests: each body is only checked to be an array
 * of arrays of maps and counted, nothing is kept, nothing is logged per request, and at exit
 * one line "agent: N requests, N payloads, N chunks, N spans, N connections" replaces the tree. */
#define _POSIX_C_SOURCE 200809L
#define DD_MSGPACK_IMPLEMENTATION
#include "dd_msgpack.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_parse.h" /* request head, payload decoding, JSON strings: what fuzz/fuzz_agent_intake.c runs */

#define IDLE_TIMEOUT_MS 10000

/*=== options ===*/

static struct {
    const char *host, *unix_path, *ready_file, *record, *rates;
    int port, quiet, all_tags, status, delay_ms, close_conn, chunked, count_only;
    long fail_first;
    long expect_spans, timeout_ms;
    size_t max_bytes, max_spans;
} opt;

/*=== received spans ===*/

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static span *spans;
static size_t n_spans, cap_spans;
static long n_payloads, n_requests;
static unsigned long long total_chunks, total_spans, n_connections; /* accepted, kept or not */
static unsigned long dropped_spans; /* spans over --max-spans, recorded but not kept for the tree */
static FILE *record_file;
static int wake_pipe[2] = {-1, -1};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_in(int fd, int ms) {
    struct pollfd p;
    int rc;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    do rc = poll(&p, 1, ms); while (rc < 0 && errno == EINTR);
    return rc;
}

/* Reads until `want` bytes are in buf (or the head is complete when want == 0). */
static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void respond(int fd, int status, const char *ctype, const char *body, int chunked, int close_after) {
    char head[512];
    const char *reason = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 404 ? "Not Found"
                       : status == 405 ? "Method Not Allowed" : status == 411 ? "Length Required"
                       : status == 413 ? "Request Entity Too Large" : status == 500 ? "Internal Server Error"
                       : "Status";
    size_t blen = strlen(body);
    int n;
    if (chunked) {
        /* Split the body in two chunks, with an extension and a trailer, to exercise the client. */
        size_t half = blen / 2;
        char sizes[64];
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n%s\r\n", status,
                     reason, ctype, close_after ? "Connection: close\r\n" : "");
        send_all(fd, head, (size_t)n);
        n = snprintf(sizes, sizeof sizes, "%lx;part=1\r\n", (unsigned long)half);
        send_all(fd, sizes, (size_t)n);
        send_all(fd, body, half);
        n = snprintf(sizes, sizeof sizes, "\r\n%lX\r\n", (unsigned long)(blen - half));
        send_all(fd, sizes, (size_t)n);
        send_all(fd, body + half, blen - half);
        send_all(fd, "\r\n0\r\nX-Trailer: done\r\n\r\n", 25);
        return;
    }
    n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n%s\r\n", status,
                 reason, ctype, (unsigned long)blen, close_after ? "Connection: close\r\n" : "");
    send_all(fd, head, (size_t)n);
    send_all(fd, body, blen);
}

/* Reads and throws away what the client still sends (up to 1 s), so that closing does not
 * reset the connection before the client read our answer. */
static void drain(int fd) {
    char tmp[16384];
    int64_t end = now_ms() + 1000;
    shutdown(fd, SHUT_WR);
    while (now_ms() < end && wait_in(fd, (int)(end - now_ms())) > 0)
        if (recv(fd, tmp, sizeof tmp, 0) <= 0) break;
}

/* `at` is when the whole request had arrived: taken before the answer goes out, so a client that
 * acts on the answer at once is never recorded as earlier than the payload. */
static void record(const request *q, int status, const uint8_t *body, size_t len, const struct timespec *at) {
    int i;
    if (!record_file) return;
    fprintf(record_file, "{\"method\":");
    json_str(record_file, q->method, strlen(q->method));
    fprintf(record_file, ",\"path\":");
    json_str(record_file, q->path, strlen(q->path));
    fprintf(record_file, ",\"status\":%d,\"headers\":{", status);
    for (i = 0; i < q->n_headers; i++) {
        if (i) fputc(',', record_file);
        json_str(record_file, q->names[i], strlen(q->names[i]));
        fputc(':', record_file);
        json_str(record_file, q->values[i], strlen(q->values[i]));
    }
    fprintf(record_file, "},\"time\":%ld.%06ld,\"body_len\":%lu,\"payload\":", (long)at->tv_sec, at->tv_nsec / 1000,
            (unsigned long)len);
    {
        size_t need = dd_mp_to_json(body, len, NULL, 0);
        char *j = need ? (char *)malloc(need + 1) : NULL;
        if (j && dd_mp_to_json(body, len, j, need + 1) == need) fputs(j, record_file);
        else fputs("null", record_file);
        free(j);
    }
    fputs("}\n", record_file);
    fflush(record_file);
}

static void wake_main(void) {
    char c = 1;
    if (write(wake_pipe[1], &c, 1) < 0) { /* the main loop also wakes on its timeout */ }
}

/* Handles one trace request whose body is in `body`. Returns the status answered, or 0 when the
 * connection is to be closed without an answer. */
static int handle_traces(int fd, const request *q, const uint8_t *body, size_t len, int *close_after) {
    const char *ctype = header(q, "content-type");
    span *got = NULL;
    size_t n_got = 0, i;
    uint32_t n_chunks = 0;
    int status, rc, simulate;
    long req_no;
    char msg[128];
    struct timespec arrived;
    clock_gettime(CLOCK_REALTIME, &arrived);
    pthread_mutex_lock(&mu);
    req_no = ++n_requests;
    pthread_mutex_unlock(&mu);
    simulate = opt.fail_first < 0 || req_no <= opt.fail_first;
    if (simulate && opt.delay_ms > 0) {
        struct timespec ts;
        ts.tv_sec = opt.delay_ms / 1000;
        ts.tv_nsec = (long)(opt.delay_ms % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
    if (simulate && opt.close_conn) {
        if (!opt.quiet) fprintf(stderr, "agent: %s %s closed without answer (--close)\n", q->method, q->path);
        return 0;
    }
    if (simulate && opt.status) {
        snprintf(msg, sizeof msg, "simulated status %d\n", opt.status);
        pthread_mutex_lock(&mu);
        record(q, opt.status, body, len, &arrived);
        pthread_mutex_unlock(&mu);
        respond(fd, opt.status, "text/plain", msg, opt.chunked, *close_after);
        if (!opt.quiet) fprintf(stderr, "agent: %s %s %d (--status)\n", q->method, q->path, opt.status);
        return opt.status;
    }
    if (!is_msgpack_type(ctype)) {
        status = 400;
        snprintf(msg, sizeof msg, "unsupported Content-Type for /v0.4/traces: %.60s\n", ctype ? ctype : "(none)");
    } else {
        rc = opt.count_only ? count_payload(body, len, &n_got, &n_chunks) : decode_payload(body, len, &got, &n_got, &n_chunks);
        status = rc == DD_OK ? 200 : 400;
        snprintf(msg, sizeof msg, "msgpack decode error: %s\n", dd_status_str(rc));
    }
    pthread_mutex_lock(&mu);
    record(q, status, body, len, &arrived);
    pthread_mutex_unlock(&mu);
    if (status == 200)
        respond(fd, 200, "application/json", opt.rates ? opt.rates : "{\"rate_by_service\":{\"service:,env:\":1}}",
                simulate && opt.chunked, *close_after);
    else
        respond(fd, status, "text/plain", msg, simulate && opt.chunked, *close_after);
    pthread_mutex_lock(&mu);
    if (status == 200) {
        const char *lang = header(q, "datadog-meta-lang");
        const char *count = header(q, "x-datadog-trace-count");
        n_payloads++;
        total_chunks += n_chunks;
        total_spans += n_got;
        if (opt.count_only) n_got = 0; /* counted, not kept */
        if (n_spans + n_got > cap_spans && n_spans < opt.max_spans) {
            size_t cap = cap_spans ? cap_spans : 64;
            span *p;
            while (cap < n_spans + n_got) cap *= 2;
            p = (span *)realloc(spans, cap * sizeof *p);
            if (!p) { fprintf(stderr, "agent: out of memory\n"); exit(3); }
            spans = p;
            cap_spans = cap;
        }
        for (i = 0; i < n_got; i++) {
            if (n_spans >= opt.max_spans) { /* bounded memory: the tree keeps at most --max-spans */
                free_span(&got[i]);
                dropped_spans++;
                continue;
            }
            got[i].lang = dupn(lang ? lang : "?", strlen(lang ? lang : "?"));
            got[i].payload = n_payloads;
            spans[n_spans++] = got[i];
        }
        if (!opt.quiet && !opt.count_only) {
            fprintf(stderr, "agent: %s %s 200: %u chunk(s), %lu span(s), %lu bytes, lang %s\n", q->method, q->path,
                    n_chunks, (unsigned long)n_got, (unsigned long)len, lang ? lang : "?");
            if (!count || strtoul(count, NULL, 10) != n_chunks)
                fprintf(stderr, "agent: warning: X-Datadog-Trace-Count is %s, the body has %u chunk(s)\n",
                        count ? count : "missing", n_chunks);
        }
        if (opt.expect_spans > 0 && total_spans >= (unsigned long long)opt.expect_spans) wake_main();
    } else if (!opt.quiet) {
        fprintf(stderr, "agent: %s %s %d: %s", q->method, q->path, status, msg);
    }
    pthread_mutex_unlock(&mu);
    free(got);
    return status;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char *buf = (char *)malloc(HEAD_MAX + 1);
    size_t n = 0;
    if (!buf) { close(fd); return NULL; }
    for (;;) {
        request q;
        size_t head_len = 0;
        uint8_t *body = NULL;
        char *hend = NULL;
        int close_after, status;
        /* The head. */
        for (;;) {
            ssize_t r;
            buf[n] = 0;
            hend = strstr(buf, "\r\n\r\n");
            if (hend) break;
            if (n >= HEAD_MAX) goto done;
            if (wait_in(fd, IDLE_TIMEOUT_MS) <= 0) goto done;
            r = recv(fd, buf + n, HEAD_MAX - n, 0);
            if (r <= 0) goto done;
            n += (size_t)r;
        }
        head_len = (size_t)(hend - buf) + 4;
        if (parse_request(buf, head_len, &q) != 0) {
            respond(fd, 400, "text/plain", "malformed request\n", 0, 1);
            drain(fd);
            goto done;
        }
        close_after = q.close_after;
        if (strcmp(q.path, "/stats") == 0 && strcmp(q.method, "GET") == 0) {
            char js[256];
            pthread_mutex_lock(&mu);
            snprintf(js, sizeof js,
                     "{\"requests\":%ld,\"payloads\":%ld,\"chunks\":%llu,\"spans\":%llu,\"connections\":%llu}",
                     n_requests, n_payloads, total_chunks, total_spans, n_connections);
            pthread_mutex_unlock(&mu);
            respond(fd, 200, "application/json", js, 0, close_after);
            if (close_after) {
                drain(fd);
                goto done;
            }
            memmove(buf, buf + head_len, n - head_len);
            n -= head_len;
            continue;
        }
        status = head_status(&q, opt.max_bytes); /* 0: read the body */
        if (status != 0) {
            /* Answered from the head alone; a body we did not read ends the connection. */
            int unread = q.has_length && q.length > 0 ? 1 : (q.chunked_body ? 1 : 0);
            const char *text = status == 404 ? "404 page not found\n" : status == 413 ? "payload-too-large\n"
                             : status == 411 ? "length required\n" : "method not allowed\n";
            if (status == 200)
                respond(fd, 200, "application/json",
                        "{\"version\":\"dd-trace-c-example-agent\",\"endpoints\":[\"/v0.4/traces\"]}", 0,
                        close_after || unread);
            else
                respond(fd, status, "text/plain", text, 0, close_after || unread);
            if (!opt.quiet && strcmp(q.path, "/v0.4/traces") == 0)
                fprintf(stderr, "agent: %s %s %d\n", q.method, q.path, status);
            if (unread || close_after) {
                drain(fd);
                goto done;
            }
            memmove(buf, buf + head_len, n - head_len);
            n -= head_len;
            continue;
        }
        /* The body: what followed the head, then the rest. */
        body = (uint8_t *)malloc(q.length ? q.length : 1);
        if (!body) goto done;
        {
            size_t have = n - head_len < q.length ? n - head_len : q.length;
            memcpy(body, buf + head_len, have);
            memmove(buf, buf + head_len + have, n - head_len - have);
            n -= head_len + have;
            while (have < q.length) {
                ssize_t r;
                if (wait_in(fd, IDLE_TIMEOUT_MS) <= 0) { free(body); goto done; }
                r = recv(fd, body + have, q.length - have, 0);
                if (r <= 0) { free(body); goto done; }
                have += (size_t)r;
            }
        }
        status = handle_traces(fd, &q, body, q.length, &close_after);
        free(body);
        if (status == 0 || close_after) {
            if (status != 0) drain(fd);
            goto done;
        }
    }
done:
    free(buf);
    close(fd);
    return NULL;
}

/*=== the tree ===*/

static const char *find_meta(const span *s, const char *key) {
    uint32_t i;
    for (i = 0; i < s->n_tags; i++)
        if (s->tags[i].val && strcmp(s->tags[i].key, key) == 0) return s->tags[i].val;
    return NULL;
}

static int find_metric(const span *s, const char *key, double *v) {
    uint32_t i;
    for (i = 0; i < s->n_tags; i++)
        if (!s->tags[i].val && strcmp(s->tags[i].key, key) == 0) {
            *v = s->tags[i].num;
            return 1;
        }
    return 0;
}

static void print_tags(const span *s) {
    static const char *meta_keys[] = {"_dd.origin", "span.kind", "http.method", "http.status_code", "http.url",
                                      "function_trigger.event_source", "error.message", "_dd.p.dm", "env"};
    size_t i;
    double v;
    if (opt.all_tags) {
        uint32_t j;
        for (j = 0; j < s->n_tags; j++) {
            if (s->tags[j].val) printf(" %s=%s", s->tags[j].key, s->tags[j].val);
            else printf(" %s=%g", s->tags[j].key, s->tags[j].num);
        }
        return;
    }
    if (s->error) printf(" error=1");
    if (find_metric(s, "_sampling_priority_v1", &v)) printf(" priority=%g", v);
    for (i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++) {
        const char *m = find_meta(s, meta_keys[i]);
        if (m) printf(" %s=%s", meta_keys[i], m);
    }
}

/* Orders spans by trace id, then start time. */
static int by_trace_start(const void *a, const void *b) {
    const span *x = *(span *const *)a, *y = *(span *const *)b;
    if (x->trace_id != y->trace_id) return x->trace_id < y->trace_id ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

typedef struct trace_group {
    size_t first, count; /* a run of `order` */
    int64_t start;
} trace_group;

static int by_group_start(const void *a, const void *b) {
    const trace_group *x = (const trace_group *)a, *y = (const trace_group *)b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Prints one trace (the spans g[0..n), sorted by start) as a tree: roots are spans without a
 * parent or whose parent never arrived. An explicit stack, so a deep or cyclic input cannot
 * overflow; the work is quadratic in the spans of one trace only. */
static void print_trace(span **g, size_t n, span **stack, int *depth) {
    size_t j, k, m, n_payl = 0, n_proc = 0;
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    const char *hi = NULL;
    char services[512] = "";
    long payloads[64];
    double procs[64];
    for (j = 0; j < n; j++) {
        span *s = g[j];
        double pid;
        s->printed = 0;
        if (s->start < t0) t0 = s->start;
        if (s->start + s->duration > t1) t1 = s->start + s->duration;
        if (!hi) hi = find_meta(s, "_dd.p.tid");
        if (s->service && !strstr(services, s->service) && strlen(services) + strlen(s->service) + 3 < sizeof services) {
            if (services[0]) strcat(services, ", ");
            strcat(services, s->service);
        }
        for (k = 0; k < n_payl && payloads[k] != s->payload; k++) {}
        if (k == n_payl && n_payl < 64) payloads[n_payl++] = s->payload;
        if (find_metric(s, "process_id", &pid)) {
            for (k = 0; k < n_proc && procs[k] != pid; k++) {}
            if (k == n_proc && n_proc < 64) procs[n_proc++] = pid;
        }
    }
    printf("\ntrace %s%016llx  %lu span(s) from %lu payload(s)", hi ? hi : "", (unsigned long long)g[0]->trace_id,
           (unsigned long)n, (unsigned long)n_payl);
    if (n_proc) printf(", %lu process(es)", (unsigned long)n_proc);
    printf("  services: %s  %.3f ms\n", services, (double)(t1 - t0) / 1e6);
    for (j = 0; j < n; j++) {
        span *s = g[j];
        int has_parent = 0;
        if (s->printed) continue;
        if (s->parent_id)
            for (k = 0; k < n && !has_parent; k++) has_parent = g[k]->span_id == s->parent_id && g[k] != s;
        if (has_parent) continue;
        stack[0] = s;
        depth[0] = 0;
        k = 1;
        s->printed = 1;
        while (k > 0) {
            span *c = stack[--k];
            int d = depth[k], x;
            for (x = 0; x < d; x++) printf("  ");
            printf("%s %s [%s] %s  %.3f ms  (%s, span %llu", d ? "`-" : "*", c->service ? c->service : "",
                   c->lang ? c->lang : "?", c->name ? c->name : "", (double)c->duration / 1e6,
                   c->resource ? c->resource : "", (unsigned long long)c->span_id);
            if (c->parent_id && d == 0) printf(", remote parent %llu", (unsigned long long)c->parent_id);
            printf(")");
            print_tags(c);
            printf("\n");
            /* Push children in reverse start order so the earliest prints first. */
            for (m = n; m-- > 0;) {
                span *ch = g[m];
                if (ch->printed || ch->parent_id != c->span_id) continue;
                ch->printed = 1;
                stack[k] = ch;
                depth[k] = d + 1;
                k++;
            }
        }
    }
    /* Spans left over belong to a cycle of parents: print them flat. */
    for (j = 0; j < n; j++) {
        span *s = g[j];
        if (s->printed) continue;
        s->printed = 1;
        printf("? %s %s (span %llu, parent %llu: parent cycle)\n", s->service ? s->service : "",
               s->name ? s->name : "", (unsigned long long)s->span_id, (unsigned long long)s->parent_id);
    }
}

/* Prints every trace received, oldest first. */
static void print_traces(void) {
    size_t i, n_groups = 0;
    span **order, **stack;
    int *depth;
    trace_group *groups;
    if (n_spans == 0) {
        printf("agent: no traces received\n");
        fflush(stdout);
        return;
    }
    order = (span **)malloc(n_spans * sizeof *order);
    stack = (span **)malloc(n_spans * sizeof *stack);
    depth = (int *)malloc(n_spans * sizeof *depth);
    groups = (trace_group *)malloc(n_spans * sizeof *groups);
    if (!order || !stack || !depth || !groups) exit(3);
    for (i = 0; i < n_spans; i++) order[i] = &spans[i];
    qsort(order, n_spans, sizeof *order, by_trace_start);
    for (i = 0; i < n_spans; i++) {
        if (i == 0 || order[i]->trace_id != order[i - 1]->trace_id) {
            groups[n_groups].first = i;
            groups[n_groups].count = 0;
            groups[n_groups].start = order[i]->start;
            n_groups++;
        }
        groups[n_groups - 1].count++;
    }
    qsort(groups, n_groups, sizeof *groups, by_group_start);
    for (i = 0; i < n_groups; i++) print_trace(order + groups[i].first, groups[i].count, stack, depth);
    if (dropped_spans) printf("\nagent: %lu span(s) not kept (over --max-spans)\n", dropped_spans);
    fflush(stdout);
    free(order);
    free(stack);
    free(depth);
    free(groups);
}

/*=== main ===*/

static void on_signal(int sig) {
    char c = (char)sig;
    if (write(wake_pipe[1], &c, 1) < 0) { /* nothing to do in a handler */ }
}

static int listen_tcp(const char *host, int port, int *bound_port) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "agent: --host must be an IPv4 address, got %s\n", host);
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0) {
        perror("agent: bind/listen");
        close(fd);
        return -1;
    }
    getsockname(fd, (struct sockaddr *)&a, &len);
    *bound_port = ntohs(a.sin_port);
    return fd;
}

static int listen_unix(const char *path) {
    struct sockaddr_un a;
    int fd;
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "agent: unix socket path too long\n");
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path));
    unlink(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0) {
        perror("agent: bind/listen unix");
        close(fd);
        return -1;
    }
    return fd;
}

static void usage(void) {
    fprintf(stderr,
            "usage: agent [--port N] [--host IPv4] [--unix PATH] [--ready-file F] [--record F]\n"
            "             [--expect-spans N] [--timeout-ms MS] [--quiet] [--all-tags] [--rates JSON] [--max-spans N]\n"
            "             [--max-bytes N] [--status CODE] [--delay-ms MS] [--close] [--fail-first N] [--chunked]\n"
            "             [--count-only]\n");
    exit(64);
}

int main(int argc, char **argv) {
    int i, tcp = -1, ux = -1, bound = 0, exit_code = 0;
    int64_t deadline;
    struct sigaction sa;
    opt.host = "127.0.0.1";
    opt.port = 8126;
    opt.max_bytes = 25u << 20; /* the Go agent's MaxRequestBytes */
    opt.fail_first = -1;
    opt.max_spans = 1000000;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL() (v ? (i++, v) : (usage(), ""))
        if (strcmp(a, "--port") == 0) opt.port = atoi(VAL());
        else if (strcmp(a, "--host") == 0) opt.host = VAL();
        else if (strcmp(a, "--unix") == 0) opt.unix_path = VAL();
        else if (strcmp(a, "--ready-file") == 0) opt.ready_file = VAL();
        else if (strcmp(a, "--record") == 0) opt.record = VAL();
        else if (strcmp(a, "--rates") == 0) opt.rates = VAL();
        else if (strcmp(a, "--expect-spans") == 0) opt.expect_spans = atol(VAL());
        else if (strcmp(a, "--timeout-ms") == 0) opt.timeout_ms = atol(VAL());
        else if (strcmp(a, "--max-bytes") == 0) opt.max_bytes = (size_t)strtoull(VAL(), NULL, 10);
        else if (strcmp(a, "--max-spans") == 0) opt.max_spans = (size_t)strtoull(VAL(), NULL, 10);
        else if (strcmp(a, "--status") == 0) opt.status = atoi(VAL());
        else if (strcmp(a, "--delay-ms") == 0) opt.delay_ms = atoi(VAL());
        else if (strcmp(a, "--fail-first") == 0) opt.fail_first = atol(VAL());
        else if (strcmp(a, "--close") == 0) opt.close_conn = 1;
        else if (strcmp(a, "--chunked") == 0) opt.chunked = 1;
        else if (strcmp(a, "--quiet") == 0) opt.quiet = 1;
        else if (strcmp(a, "--all-tags") == 0) opt.all_tags = 1;
        else if (strcmp(a, "--count-only") == 0) opt.count_only = 1;
        else usage();
#undef VAL
    }
    if (opt.status && (opt.status < 100 || opt.status > 599)) usage();
    if (pipe(wake_pipe) != 0) return 3;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (opt.record) {
        record_file = fopen(opt.record, "a");
        if (!record_file) { perror("agent: --record"); return 3; }
    }
    if (opt.port >= 0) {
        tcp = listen_tcp(opt.host, opt.port, &bound);
        if (tcp < 0) return 3;
    }
    if (opt.unix_path) {
        ux = listen_unix(opt.unix_path);
        if (ux < 0) return 3;
    }
    if (!opt.quiet) {
        fprintf(stderr, "agent: listening on http://%s:%d", opt.host, bound);
        if (opt.unix_path) fprintf(stderr, " and unix://%s", opt.unix_path);
        fprintf(stderr, "\n");
    }
    if (opt.ready_file) {
        char tmp[512];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.ready_file);
        f = fopen(tmp, "w");
        if (!f) { perror("agent: --ready-file"); return 3; }
        fprintf(f, "%d\n", bound);
        fclose(f);
        rename(tmp, opt.ready_file); /* atomic: a reader never sees a half-written file */
    }
    deadline = opt.timeout_ms > 0 ? now_ms() + opt.timeout_ms : 0;
    for (;;) {
        struct pollfd p[3];
        int np = 0, rc, wait_ms = -1, j;
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                if (opt.expect_spans > 0) {
                    fprintf(stderr, "agent: timeout: %llu of %ld expected spans received\n", total_spans,
                            opt.expect_spans);
                    exit_code = 2;
                }
                break;
            }
            wait_ms = (int)left;
        }
        p[np].fd = wake_pipe[0]; p[np].events = POLLIN; np++;
        if (tcp >= 0) { p[np].fd = tcp; p[np].events = POLLIN; np++; }
        if (ux >= 0) { p[np].fd = ux; p[np].events = POLLIN; np++; }
        for (j = 0; j < np; j++) p[j].revents = 0;
        rc = poll(p, (nfds_t)np, wait_ms);
        if (rc < 0 && errno != EINTR) break;
        if (rc <= 0) continue;
        if (p[0].revents) {
            char c;
            if (read(wake_pipe[0], &c, 1) == 1 && c == 1) {
                pthread_mutex_lock(&mu);
                rc = opt.expect_spans > 0 && total_spans >= (unsigned long long)opt.expect_spans;
                pthread_mutex_unlock(&mu);
                if (!rc) continue;
            }
            break; /* a signal, or the expected spans arrived */
        }
        for (j = 1; j < np; j++) {
            pthread_t th;
            pthread_attr_t at;
            int c;
            if (!p[j].revents) continue;
            c = accept(p[j].fd, NULL, NULL);
            if (c < 0) continue;
            pthread_mutex_lock(&mu);
            n_connections++;
            pthread_mutex_unlock(&mu);
            fcntl(c, F_SETFD, FD_CLOEXEC);
            if (p[j].fd == tcp) { /* an answer is written in two parts (head, body): without this, the
                                     second waits for the client's delayed ACK (40 ms) on a kept-alive
                                     connection */
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            }
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&th, &at, serve, (void *)(intptr_t)c) != 0) close(c);
            pthread_attr_destroy(&at);
        }
    }
    pthread_mutex_lock(&mu);
    if (opt.count_only)
        printf("agent: %ld requests, %ld payloads, %llu chunks, %llu spans, %llu connections\n", n_requests, n_payloads,
               total_chunks, total_spans, n_connections);
    else
        print_traces();
    if (record_file) fflush(record_file);
    if (opt.unix_path) unlink(opt.unix_path);
    fflush(stdout);
    fflush(stderr);
    _exit(exit_code); /* connection threads may still run: end without tearing the data down under them */
}
