/* examples/demo/http_serve.h - a tiny single-threaded HTTP/1.1 server for the demo programs
 * (examples/demo/host.c, examples/demo/queue.c, tests/hybrid/c_service.c). Static functions
 * only: include it in one .c file that defines _POSIX_C_SOURCE 200809L first.
 *
 *   int fd = http_listen(port, ready_file);   127.0.0.1:port (0 = any free port), whose number is
 *                                             written to ready_file (via a rename) when not NULL
 *   http_request q;
 *   if (http_accept(fd, &q, 10000) == 0) {    one request: head and Content-Length body
 *       ... http_header(&q, "x-datadog-trace-id") ...
 *       http_respond(&q, 200, "application/json", body, len);   answers and closes
 *   }
 *
 * Bounded: a head of at most HTTP_HEAD_MAX bytes, HTTP_HEADERS_MAX headers and a body of at most
 * HTTP_BODY_MAX bytes (413 otherwise); a client that stalls for the timeout is dropped. Headers
 * are handed out as dd_header pairs so that dd_headers_reader can extract a trace context. */
#ifndef DD_DEMO_HTTP_SERVE_H
#define DD_DEMO_HTTP_SERVE_H
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "dd_propagation.h"

#define HTTP_HEAD_MAX 16384
#define HTTP_HEADERS_MAX 48
#define HTTP_BODY_MAX (1u << 20)

typedef struct http_request {
    int fd;
    char method[16];
    char path[1024];
    dd_header headers[HTTP_HEADERS_MAX];
    size_t n_headers;
    char *body; /* NUL-terminated, body_len bytes */
    size_t body_len;
    char head[HTTP_HEAD_MAX + 1];
} http_request;

static int64_t http__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int http_listen(int port, const char *ready_file) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    signal(SIGPIPE, SIG_IGN);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    if (ready_file) {
        char tmp[1100];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.tmp", ready_file);
        f = fopen(tmp, "w");
        if (!f) {
            close(fd);
            return -1;
        }
        fprintf(f, "%d\n", ntohs(a.sin_port));
        fclose(f);
        if (rename(tmp, ready_file) != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* Reads up to `cap` bytes, waiting until the deadline; returns bytes read, 0 at EOF, -1 on
 * error or timeout. */
static long http__read(int fd, char *buf, size_t cap, int64_t deadline) {
    for (;;) {
        struct pollfd p;
        long n;
        int64_t left = deadline - http__now_ms();
        if (left <= 0) return -1;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, (int)left) <= 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        n = (long)read(fd, buf, cap);
        if (n < 0 && errno == EINTR) continue;
        return n;
    }
}

static int http__write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int http__ieq(const char *a, size_t alen, const char *b) {
    size_t i;
    if (strlen(b) != alen) return 0;
    for (i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return 0;
    }
    return 1;
}

/* The value of header `name` (case-insensitive), NUL-terminated, or NULL. */
static const char *http_header(const http_request *q, const char *name) {
    size_t i;
    for (i = 0; i < q->n_headers; i++)
        if (http__ieq(q->headers[i].name, q->headers[i].name_len, name)) return q->headers[i].value;
    return NULL;
}

static void http_respond(http_request *q, int status, const char *content_type, const char *body, size_t len) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\nConnection: close\r\n\r\n",
                     status, status == 200 ? "OK" : status == 202 ? "Accepted" : status == 404 ? "Not Found" : "Error",
                     content_type, (unsigned long)len);
    if (q->fd >= 0) {
        if (http__write_all(q->fd, head, (size_t)n) == 0 && len) http__write_all(q->fd, body, len);
        close(q->fd);
    }
    q->fd = -1;
    free(q->body);
    q->body = NULL;
}

/* Accepts one connection and reads one request. Returns 0, or -1 when the listener failed (a
 * bad or stalled client is answered or dropped, and the next one is awaited). */
static int http_accept(int lfd, http_request *q, int timeout_ms) {
    for (;;) {
        size_t used = 0, head_len = 0, i, want;
        char *p, *end, *line;
        const char *cl;
        int64_t deadline;
        q->fd = accept(lfd, NULL, NULL);
        q->n_headers = 0;
        q->body = NULL;
        q->body_len = 0;
        if (q->fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return -1;
        }
        deadline = http__now_ms() + timeout_ms;
        /* The head, up to the blank line. */
        while (!head_len) {
            long n;
            char *e;
            if (used == HTTP_HEAD_MAX) break;
            n = http__read(q->fd, q->head + used, HTTP_HEAD_MAX - used, deadline);
            if (n <= 0) break;
            used += (size_t)n;
            q->head[used] = 0;
            e = strstr(q->head, "\r\n\r\n");
            if (e) head_len = (size_t)(e - q->head) + 4;
        }
        if (!head_len) {
            close(q->fd);
            continue;
        }
        /* Request line. */
        end = q->head + head_len - 4;
        *end = 0;
        line = q->head;
        p = strstr(line, "\r\n");
        if (p) *p = 0;
        if (sscanf(line, "%15s %1023s", q->method, q->path) != 2) {
            http_respond(q, 400, "text/plain", "bad request line\n", 17);
            continue;
        }
        /* Header lines: "Name: value", the value without surrounding blanks. */
        while (p && p < end) {
            char *colon, *v, *ve;
            line = p + 2;
            p = strstr(line, "\r\n");
            if (p) *p = 0;
            colon = strchr(line, ':');
            if (!colon || q->n_headers == HTTP_HEADERS_MAX) continue;
            *colon = 0;
            v = colon + 1;
            while (*v == ' ' || *v == '\t') v++;
            ve = v + strlen(v);
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) *--ve = 0;
            q->headers[q->n_headers].name = line;
            q->headers[q->n_headers].name_len = (size_t)(colon - line);
            q->headers[q->n_headers].value = v;
            q->headers[q->n_headers].value_len = (size_t)(ve - v);
            q->n_headers++;
        }
        /* The body, by Content-Length. */
        cl = http_header(q, "content-length");
        want = cl ? (size_t)strtoul(cl, NULL, 10) : 0;
        if (want > HTTP_BODY_MAX) {
            http_respond(q, 413, "text/plain", "too large\n", 10);
            continue;
        }
        q->body = (char *)malloc(want + 1);
        if (!q->body) {
            http_respond(q, 500, "text/plain", "no memory\n", 10);
            continue;
        }
        i = used - head_len < want ? used - head_len : want;
        memcpy(q->body, q->head + head_len, i);
        while (i < want) {
            long n = http__read(q->fd, q->body + i, want - i, deadline);
            if (n <= 0) break;
            i += (size_t)n;
        }
        if (i < want) {
            http_respond(q, 400, "text/plain", "short body\n", 11);
            continue;
        }
        q->body[want] = 0;
        q->body_len = want;
        return 0;
    }
}

/* Appends `s` (n bytes) to out as the inside of a JSON string; returns the new length, or
 * `cap` when it did not fit. */
static size_t json_escape(char *out, size_t len, size_t cap, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n && len < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            if (len + 2 >= cap) return cap;
            out[len++] = '\\';
            out[len++] = (char)c;
        } else if (c < 0x20) {
            if (len + 6 >= cap) return cap;
            memcpy(out + len, "\\u00", 4);
            out[len + 4] = hex[c >> 4];
            out[len + 5] = hex[c & 15];
            len += 6;
        } else {
            if (len + 1 >= cap) return cap;
            out[len++] = (char)c;
        }
    }
    if (len < cap) out[len] = 0;
    return len;
}

#endif
