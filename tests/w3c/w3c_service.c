/* cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. tests/w3c/w3c_service.c -o w3c_service -lpthread */
/* tests/w3c/w3c_service.c - the "test service" of the W3C trace-context test suite
 * (w3c/trace-context, test/README.md), built on dd_propagation.h alone and plain POSIX sockets.
 *
 *   w3c_service [PORT]      PORT 0 or absent: any free port. Prints "listening PORT" once ready.
 *
 * Every POST request's body is a JSON array of actions {"url": URL, "arguments": ANY} (a single
 * action object is accepted too). The service extracts the caller's context with the tracecontext
 * style only, as a Datadog tracer configured for tracecontext would; its server span continues that
 * context, or starts a new trace (128-bit id, priority 1 as the default sampler decides, _dd.p.dm=-0)
 * when there is none. For each action it starts a client span (a new span id) and POSTs `arguments`
 * (the JSON text as received) to URL with the traceparent/tracestate that dd_inject writes for that
 * span. It answers 200 with [{"url": URL, "status": N}, ...] as application/json.
 * HTTP/1.1 with Content-Length only, one request per connection, IPv4 loopback only (listening on
 * 127.0.0.1; callback hosts must be 127.0.0.1 or localhost). One thread per connection. */
#define _POSIX_C_SOURCE 200809L
#define DD_PROPAGATION_IMPLEMENTATION
#include "dd_propagation.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX (512 * 1024) /* a whole request or response: head and body */
#define HEADERS_MAX 128
#define ACTIONS_MAX 64

/*--- ids: splitmix64 seeded from /dev/urandom, shared under a lock ---*/

static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;

static uint64_t rng_next(void) {
    uint64_t z;
    pthread_mutex_lock(&rng_lock);
    z = (rng_state += 0x9E3779B97F4A7C15ull);
    pthread_mutex_unlock(&rng_lock);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t new_span_id(void) { /* 63 bits, never 0, as the Datadog tracers generate them */
    uint64_t v;
    do v = rng_next() & 0x7FFFFFFFFFFFFFFFull;
    while (v == 0);
    return v;
}

/*--- socket helpers ---*/

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}
static void set_timeouts(int fd) {
    struct timeval tv;
    tv.tv_sec = 10;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}
static int ieq(const char *a, size_t an, const char *b) {
    size_t i, bn = strlen(b);
    if (an != bn) return 0;
    for (i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}

/* One HTTP message (request or response) read whole into buf: its start line, its header fields
 * (values without the surrounding optional whitespace, RFC 9110 5.5) and its Content-Length body. */
typedef struct message {
    char *buf;
    size_t len;
    const char *start;
    size_t start_len;
    dd_header fields[HEADERS_MAX];
    size_t n_fields;
    const char *body;
    size_t body_len;
} message;

static const char *find_crlf(const char *p, const char *end) {
    for (; p + 1 < end; p++)
        if (p[0] == '\r' && p[1] == '\n') return p;
    return NULL;
}
/* Parses the head in m->buf[0..head_len) (CRLF CRLF included). Returns 0, or -1 when malformed. */
static int parse_head(message *m, size_t head_len, size_t *content_length, int *has_length) {
    const char *p = m->buf, *end = m->buf + head_len - 2, *eol;
    eol = find_crlf(p, end + 2);
    if (!eol) return -1;
    m->start = p;
    m->start_len = (size_t)(eol - p);
    p = eol + 2;
    *content_length = 0;
    *has_length = 0;
    while (p < end) {
        const char *colon, *v, *ve;
        eol = find_crlf(p, end + 2);
        if (!eol || eol == p) return -1;
        colon = (const char *)memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p || m->n_fields == HEADERS_MAX) return -1;
        v = colon + 1;
        ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        m->fields[m->n_fields].name = p;
        m->fields[m->n_fields].name_len = (size_t)(colon - p);
        m->fields[m->n_fields].value = v;
        m->fields[m->n_fields].value_len = (size_t)(ve - v);
        if (ieq(p, (size_t)(colon - p), "content-length")) {
            uint64_t n;
            if (dd_u64_from_dec(v, (size_t)(ve - v), &n) != DD_OK || n > REQ_MAX) return -1;
            *content_length = (size_t)n;
            *has_length = 1;
        }
        if (ieq(p, (size_t)(colon - p), "transfer-encoding")) return -1; /* not supported here */
        m->n_fields++;
        p = eol + 2;
    }
    return 0;
}
/* Reads one message from fd. `until_eof`: a response without Content-Length ends at EOF.
 * Returns 0, or -1 (closed early, malformed, too large). */
static int read_message(int fd, message *m, int until_eof) {
    size_t head_len = 0, clen = 0, scanned = 0;
    int has_len = 0;
    m->len = 0;
    m->n_fields = 0;
    for (;;) {
        ssize_t k;
        if (head_len == 0) {
            size_t i;
            for (i = scanned; i + 4 <= m->len; i++)
                if (memcmp(m->buf + i, "\r\n\r\n", 4) == 0) {
                    head_len = i + 4;
                    if (parse_head(m, head_len, &clen, &has_len) != 0) return -1;
                    if (head_len + clen > REQ_MAX) return -1;
                    break;
                }
            scanned = m->len >= 3 ? m->len - 3 : 0; /* a CRLF CRLF may straddle two reads */
        }
        /* complete: Content-Length bytes are in, or a request came without Content-Length (no body) */
        if (head_len && (has_len ? m->len >= head_len + clen : !until_eof)) break;
        if (m->len == REQ_MAX) return -1;
        k = recv(fd, m->buf + m->len, REQ_MAX - m->len, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) {
            if (head_len && !has_len && until_eof) {
                clen = m->len - head_len;
                break;
            }
            return -1;
        }
        m->len += (size_t)k;
    }
    m->body = m->buf + head_len;
    m->body_len = clen;
    return 0;
}

/*--- the outgoing call ---*/

/* POSTs body to url ("http://127.0.0.1:PORT/path" or localhost) with the injected fields.
 * Returns the HTTP status, or -1. */
static int post(const char *url, const dd_headers *inject, const char *body, size_t body_len, char *rbuf) {
    const char *p = url, *host, *colon, *path;
    char head[4096], hostname[64];
    size_t hn, i, off;
    uint64_t port = 80;
    struct sockaddr_in sa;
    message resp;
    int fd, status = -1, n;
    if (strncmp(p, "http://", 7) != 0) return -1;
    host = p + 7;
    path = strchr(host, '/');
    if (!path) path = host + strlen(host);
    colon = (const char *)memchr(host, ':', (size_t)(path - host));
    hn = (size_t)((colon ? colon : path) - host);
    if (hn == 0 || hn >= sizeof hostname) return -1;
    memcpy(hostname, host, hn);
    hostname[hn] = 0;
    if (colon && (dd_u64_from_dec(colon + 1, (size_t)(path - colon - 1), &port) != DD_OK || port == 0 || port > 65535))
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (strcmp(hostname, "localhost") == 0) strcpy(hostname, "127.0.0.1");
    if (inet_pton(AF_INET, hostname, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127) return -1;
    n = snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: %.*s\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
                 "Connection: close\r\nContent-Length: %zu\r\n",
                 *path ? path : "/", (int)(path - host), host, body_len);
    if (n < 0 || (size_t)n >= sizeof head) return -1;
    off = (size_t)n;
    for (i = 0; i < inject->n; i++) {
        const dd_header *h = &inject->items[i];
        if (off + h->name_len + h->value_len + 5 > sizeof head) return -1;
        memcpy(head + off, h->name, h->name_len);
        off += h->name_len;
        memcpy(head + off, ": ", 2);
        off += 2;
        memcpy(head + off, h->value, h->value_len);
        off += h->value_len;
        memcpy(head + off, "\r\n", 2);
        off += 2;
    }
    memcpy(head + off, "\r\n", 2);
    off += 2;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    set_timeouts(fd);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && write_all(fd, head, off) == 0 &&
        write_all(fd, body, body_len) == 0) {
        resp.buf = rbuf;
        if (read_message(fd, &resp, 1) == 0 && resp.start_len >= 12 && memcmp(resp.start, "HTTP/1.", 7) == 0) {
            uint64_t st;
            if (dd_u64_from_dec(resp.start + 9, 3, &st) == DD_OK) status = (int)st;
        }
    }
    close(fd);
    return status;
}

/*--- one request ---*/

static void answer(int fd, int status, const char *reason, const char *body, size_t body_len) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, reason, body_len);
    if (n > 0 && (size_t)n < sizeof head && write_all(fd, head, (size_t)n) == 0) write_all(fd, body, body_len);
}

/* Runs the actions of `body` under the context extracted from `req`; writes the answer into out. */
static int run_actions(message *req, char *out, size_t out_cap, size_t *out_len, char *rbuf) {
    dd_propagation_config cfg;
    dd_headers in;
    dd_carrier_reader reader;
    dd_trace_context ctx;
    dd_json root, actions[ACTIONS_MAX];
    dd_json_iter it;
    dd_json key, val;
    size_t n_actions = 0, i, off = 0;

    dd_propagation_config_default(&cfg);
    cfg.extract_styles[0] = cfg.inject_styles[0] = DD_STYLE_TRACECONTEXT;
    cfg.n_extract = cfg.n_inject = 1;

    memset(&in, 0, sizeof in);
    in.items = req->fields;
    in.n = req->n_fields;
    dd_headers_reader(&reader, &in);
    if (dd_extract(&cfg, &reader, &ctx) != DD_OK) {
        /* a new trace: 128-bit id with the start second on top, kept as the default sampler does */
        memset(&ctx, 0, sizeof ctx);
        ctx.trace_id.hi = (uint64_t)time(NULL) << 32;
        ctx.trace_id.lo = new_span_id();
        ctx.sampling_priority = DD_PRIORITY_AUTO_KEEP;
        if (dd_ptags_set(&ctx, "_dd.p.dm", 8, "-0", 2) != DD_OK) return -1;
    }
    /* The server span continues ctx; each call below is a client span, its child, with a new id.
     * No span is reported: only the propagated context is under test. */

    if (req->body_len == 0 || dd_json_parse(req->body, req->body_len, &root) != DD_OK) return -1;
    if (root.type == DD_JSON_OBJECT) {
        actions[n_actions++] = root;
    } else if (root.type == DD_JSON_ARRAY) {
        dd_json_iter_init(&it, &root);
        while (dd_json_next(&it, &key, &val) == DD_OK) {
            if (n_actions == ACTIONS_MAX || val.type != DD_JSON_OBJECT) return -1;
            actions[n_actions++] = val;
        }
    } else {
        return -1;
    }

    out[off++] = '[';
    for (i = 0; i < n_actions; i++) {
        dd_json url, args;
        char url_s[1024], hbuf[2048];
        dd_header hitems[8];
        dd_headers outh;
        dd_carrier_writer writer;
        dd_trace_context child = ctx;
        const char *body = "[]";
        size_t body_len = 2, url_len;
        int status, n;
        if (dd_json_get(&actions[i], "url", 3, &url) != DD_OK ||
            dd_json_string(&url, url_s, sizeof url_s, &url_len) != DD_OK)
            return -1;
        if (dd_json_get(&actions[i], "arguments", 9, &args) == DD_OK && args.type != DD_JSON_NULL) {
            body = args.p;
            body_len = args.n;
        }
        child.parent_id = new_span_id(); /* the client span of this call */
        dd_headers_init(&outh, hitems, 8, hbuf, sizeof hbuf);
        dd_headers_writer(&writer, &outh);
        if (dd_inject(&cfg, &child, &writer) != DD_OK) return -1;
        status = post(url_s, &outh, body, body_len, rbuf);
        if (off + url.n + 32 > out_cap) return -1;
        if (i) out[off++] = ',';
        n = snprintf(out + off, out_cap - off, "{\"url\":%.*s,\"status\":%d}", (int)url.n, url.p, status);
        if (n < 0 || (size_t)n >= out_cap - off) return -1;
        off += (size_t)n;
    }
    out[off++] = ']';
    *out_len = off;
    return 0;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    message *req = (message *)malloc(sizeof *req);
    char *buf = (char *)malloc(REQ_MAX), *rbuf = (char *)malloc(REQ_MAX), out[8192];
    size_t out_len = 0;
    if (req && buf && rbuf) {
        set_timeouts(fd);
        req->buf = buf;
        if (read_message(fd, req, 0) != 0) {
            answer(fd, 400, "Bad Request", "{\"error\":\"bad request\"}", 23);
        } else if (req->start_len < 5 || memcmp(req->start, "POST ", 5) != 0) {
            answer(fd, 405, "Method Not Allowed", "{\"error\":\"POST only\"}", 21);
        } else if (run_actions(req, out, sizeof out, &out_len, rbuf) != 0) {
            answer(fd, 400, "Bad Request", "{\"error\":\"bad actions\"}", 23);
        } else {
            answer(fd, 200, "OK", out, out_len);
        }
    }
    free(req);
    free(buf);
    free(rbuf);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    uint64_t port = 0;
    int lfd, one = 1, ufd;
    if (argc > 2 || (argc == 2 && (dd_u64_from_dec(argv[1], strlen(argv[1]), &port) != DD_OK || port > 65535))) {
        fprintf(stderr, "usage: w3c_service [PORT]\n");
        return 2;
    }
    ufd = open("/dev/urandom", O_RDONLY);
    if (ufd < 0 || read(ufd, &rng_state, sizeof rng_state) != (ssize_t)sizeof rng_state) {
        fprintf(stderr, "w3c_service: cannot read /dev/urandom\n");
        return 1;
    }
    close(ufd);
    signal(SIGPIPE, SIG_IGN);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
        perror("w3c_service: listen");
        return 1;
    }
    printf("listening %u\n", (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        pthread_t t;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("w3c_service: accept");
            return 1;
        }
        if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(t);
    }
}
