/* cc -std=c99 -O2 -Wall -Wextra -I. -c examples/sender_posix.c -o sender_posix.o   (then link it with your program) */
/* examples/sender_posix.c - HTTP/1.1 POST to the Datadog Agent over TCP or a Unix socket, libc + POSIX only.
 * See examples/sender_posix.h for the contract. */
#define _POSIX_C_SOURCE 200809L
#include "examples/sender_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SENDER_HEAD_MAX 65536 /* status line and headers of a response */

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int prefix_icase(const char *s, size_t n, const char *p) {
    size_t i, pn = strlen(p);
    if (n < pn) return 0;
    for (i = 0; i < pn; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)p[i])) return 0;
    return 1;
}

static void set_error(dd_posix_sender *s, const char *what, int err) {
    if (err)
        snprintf(s->last_error, sizeof s->last_error, "%.40s: %.80s", what, strerror(err));
    else
        snprintf(s->last_error, sizeof s->last_error, "%s", what);
}

/*=== endpoint ===*/

static int copy_bounded(char *dst, size_t cap, const char *src, size_t n) {
    if (n == 0 || n >= cap) return 0;
    memcpy(dst, src, n);
    dst[n] = 0;
    return 1;
}

static int valid_port(const char *p, size_t n) {
    size_t i;
    unsigned long v = 0;
    if (n == 0 || n > 5) return 0;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v > 0 && v <= 65535;
}

static int parse_url(dd_posix_sender *s, const char *url) {
    const char *p, *end, *colon;
    size_t n = strlen(url);
    if (prefix_icase(url, n, "unix://") || prefix_icase(url, n, "http+unix://")) {
        p = strchr(url, ':') + 3; /* the path starts after "//" */
        s->is_unix = 1;
        return p[0] == '/' && copy_bounded(s->unix_path, sizeof s->unix_path, p, strlen(p));
    }
    if (!prefix_icase(url, n, "http://")) return 0;
    p = url + 7;
    end = p + strcspn(p, "/?#");
    if (end < url + n && strcmp(end, "/") != 0) return 0; /* a base URL only */
    if (*p == '[') {                                      /* [v6]:port */
        const char *rb = (const char *)memchr(p, ']', (size_t)(end - p));
        if (!rb || !copy_bounded(s->host, sizeof s->host, p + 1, (size_t)(rb - p - 1))) return 0;
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon && rb + 1 != end) return 0;
    } else {
        colon = (const char *)memchr(p, ':', (size_t)(end - p));
        if (!copy_bounded(s->host, sizeof s->host, p, (size_t)((colon ? colon : end) - p))) return 0;
    }
    if (colon) {
        if (!valid_port(colon + 1, (size_t)(end - colon - 1))) return 0;
        memcpy(s->port, colon + 1, (size_t)(end - colon - 1));
        s->port[end - colon - 1] = 0;
    } else {
        strcpy(s->port, "80");
    }
    return 1;
}

int dd_posix_sender_init(dd_posix_sender *s, const char *url) {
    int ok;
    if (!s) return DD_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    s->connect_timeout_ms = 2000;
    s->timeout_ms = 2000;
    s->max_response = 1u << 20;
    if (!url) url = getenv("DD_TRACE_AGENT_URL");
    if (url && *url) {
        ok = parse_url(s, url);
    } else {
        const char *host = getenv("DD_AGENT_HOST"), *port = getenv("DD_TRACE_AGENT_PORT");
        if (!host || !*host) host = "localhost";
        if (!port || !*port) port = "8126";
        ok = copy_bounded(s->host, sizeof s->host, host, strlen(host)) && valid_port(port, strlen(port));
        if (ok) strcpy(s->port, port);
    }
    if (!ok) {
        memset(s, 0, sizeof *s);
        return DD_ERR_INVALID_ARG;
    }
    return DD_OK;
}

void dd_posix_sender_free(dd_posix_sender *s) {
    if (!s) return;
    free(s->buf);
    free(s->body);
    s->buf = s->body = NULL;
    s->buf_cap = s->body_len = 0;
}

/*=== connection ===*/

/* Waits for `events` on fd until the deadline. 1 ready, 0 timeout, -1 error (errno set). */
static int wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        struct pollfd pfd;
        int64_t left = deadline - now_ms();
        int rc;
        if (left <= 0) return 0;
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        rc = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
        if (rc > 0) return 1;
        if (rc < 0 && errno != EINTR) return -1;
    }
}

/* Non-blocking connect bounded by the deadline. Returns the fd, or -1 (errno set; ETIMEDOUT on timeout). */
static int connect_addr(const struct sockaddr *addr, socklen_t len, int family, int64_t deadline) {
    int fd = socket(family, SOCK_STREAM, 0), err = 0, rc;
    socklen_t elen = sizeof err;
    if (fd < 0) return -1;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) goto fail;
    if (connect(fd, addr, len) == 0) return fd;
    if (errno != EINPROGRESS && errno != EAGAIN) goto fail;
    rc = wait_fd(fd, POLLOUT, deadline);
    if (rc == 0) { errno = ETIMEDOUT; goto fail; }
    if (rc < 0) goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) goto fail;
    if (err) { errno = err; goto fail; }
    return fd;
fail:
    err = errno;
    close(fd);
    errno = err;
    return -1;
}

static int open_connection(dd_posix_sender *s, int64_t deadline) {
    if (s->is_unix) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, s->unix_path, strlen(s->unix_path));
        return connect_addr((const struct sockaddr *)&sun, (socklen_t)sizeof sun, AF_UNIX, deadline);
    } else {
        struct addrinfo hints, *res = NULL, *ai;
        int fd = -1, rc, err = ECONNREFUSED;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        rc = getaddrinfo(s->host, s->port, &hints, &res);
        if (rc != 0) {
            snprintf(s->last_error, sizeof s->last_error, "resolve %.50s: %.60s", s->host, gai_strerror(rc));
            errno = 0;
            return -1;
        }
        for (ai = res; ai && fd < 0; ai = ai->ai_next) {
            fd = connect_addr(ai->ai_addr, ai->ai_addrlen, ai->ai_family, deadline);
            if (fd < 0) err = errno;
            if (fd < 0 && err == ETIMEDOUT) break;
        }
        freeaddrinfo(res);
        if (fd < 0) errno = err;
        return fd;
    }
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(fd, POLLOUT, deadline);
            if (rc == 0) { errno = ETIMEDOUT; return -1; }
            if (rc < 0) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

/*=== response parsing ===*/

/* Decodes a chunked body from in[0..n). 1: complete (body in out, *out_len), 0: needs more bytes,
 * -1: malformed or larger than `max`. Re-run from the start as bytes arrive. */
static int dechunk(const char *in, size_t n, char *out, size_t *out_len, size_t max) {
    size_t i = 0, o = 0;
    for (;;) {
        size_t size = 0, digits = 0;
        while (i < n) {
            int c = lower((unsigned char)in[i]), d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else break;
            if (++digits > 15) return -1; /* keeps size far from overflow */
            size = size * 16 + (size_t)d;
            i++;
        }
        if (i >= n) return 0;
        if (digits == 0) return -1;
        while (i < n && in[i] != '\r') { /* chunk extensions: ";name=value", ignored */
            if (in[i] == '\n') return -1;
            i++;
        }
        if (i + 2 > n) return 0;
        if (in[i + 1] != '\n') return -1;
        i += 2;
        if (size == 0) { /* trailers, then the empty line */
            for (;;) {
                const char *eol;
                if (i + 2 > n) return 0;
                if (in[i] == '\r' && in[i + 1] == '\n') { *out_len = o; return 1; }
                eol = (const char *)memchr(in + i, '\n', n - i);
                if (!eol) return 0;
                i = (size_t)(eol - in) + 1;
            }
        }
        if (size > max - o) return -1;
        if (n - i < size + 2) return 0;
        memcpy(out + o, in + i, size);
        o += size;
        i += size;
        if (in[i] != '\r' || in[i + 1] != '\n') return -1;
        i += 2;
    }
}

typedef struct head_info {
    size_t head_len;   /* bytes up to and including the empty line */
    int status;
    int chunked;
    int has_length;
    size_t length;
} head_info;

/* Parses status line and headers in buf[0..n). 1 parsed, 0 incomplete, -1 malformed. */
static int parse_head(const char *buf, size_t n, head_info *h) {
    const char *end = NULL, *line, *eol;
    size_t i;
    memset(h, 0, sizeof *h);
    for (i = 0; i + 3 < n; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = buf + i;
            break;
        }
    if (!end) return n >= SENDER_HEAD_MAX ? -1 : 0;
    h->head_len = (size_t)(end - buf) + 4;
    /* "HTTP/1.x SSS reason" */
    if ((size_t)(end - buf) < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') return -1;
    for (i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9') return -1;
        h->status = h->status * 10 + (buf[i] - '0');
    }
    if (h->status < 100 || (buf[12] != ' ' && buf[12] != '\r')) return -1;
    line = (const char *)memchr(buf, '\n', (size_t)(end - buf + 2)) + 1;
    while (line < end + 2) {
        size_t len;
        eol = (const char *)memchr(line, '\n', (size_t)(end + 4 - line));
        len = (size_t)(eol - line); /* includes the '\r' when present */
        if (prefix_icase(line, len, "content-length:")) {
            const char *p = line + 15;
            size_t v = 0, digits = 0;
            while (*p == ' ' || *p == '\t') p++;
            while (*p >= '0' && *p <= '9') {
                if (++digits > 15) return -1;
                v = v * 10 + (size_t)(*p++ - '0');
            }
            if (digits == 0 || (*p != '\r' && *p != ' ' && *p != '\t')) return -1;
            if (h->has_length && h->length != v) return -1; /* conflicting lengths */
            h->has_length = 1;
            h->length = v;
        } else if (prefix_icase(line, len, "transfer-encoding:")) {
            size_t j;
            for (j = 18; j + 7 <= len; j++)
                if (prefix_icase(line + j, len - j, "chunked")) h->chunked = 1;
        }
        line = eol + 1;
    }
    return 1;
}

/* Grows the raw buffer to hold `need` bytes. */
static int reserve(dd_posix_sender *s, size_t need) {
    size_t cap = s->buf_cap ? s->buf_cap : 4096;
    char *p;
    if (need <= s->buf_cap) return 1;
    while (cap < need) cap *= 2;
    p = (char *)realloc(s->buf, cap);
    if (!p) return 0;
    s->buf = p;
    s->buf_cap = cap;
    return 1;
}

/* Reads one response. DD_OK with s->last_status and s->body set, or DD_ERR_TRANSPORT. */
static int read_response(dd_posix_sender *s, int fd, int64_t deadline) {
    size_t n = 0, limit = SENDER_HEAD_MAX + s->max_response + 4096;
    head_info h;
    int have_head = 0, eof = 0, chunk_ready = 0;
    memset(&h, 0, sizeof h);
    for (;;) {
        /* Decide whether what we have is a complete response. */
        if (!have_head || h.status < 200) {
            int rc;
            while ((rc = parse_head(s->buf, n, &h)) == 1 && h.status < 200) {
                memmove(s->buf, s->buf + h.head_len, n - h.head_len); /* skip "100 Continue" */
                n -= h.head_len;
            }
            if (rc < 0) { set_error(s, "malformed response head", 0); return DD_ERR_TRANSPORT; }
            have_head = rc == 1;
        }
        if (have_head) {
            const char *b = s->buf + h.head_len;
            size_t avail = n - h.head_len, blen = 0;
            int done = 0;
            if (h.status == 204 || h.status == 304) {
                done = 1;
            } else if (h.chunked) {
                int rc;
                if (!chunk_ready) { /* the body buffer receives the decoded chunks */
                    free(s->body);
                    s->body = (char *)malloc(s->max_response + 1);
                    if (!s->body) { set_error(s, "out of memory", 0); return DD_ERR_TRANSPORT; }
                    s->body[0] = 0;
                    chunk_ready = 1;
                }
                rc = dechunk(b, avail, s->body, &blen, s->max_response);
                if (rc < 0) {
                    s->body[0] = 0;
                    set_error(s, "malformed or oversized chunked body", 0);
                    return DD_ERR_TRANSPORT;
                }
                if (rc == 1) {
                    s->body[blen] = 0;
                    s->body_len = blen;
                    s->last_status = h.status;
                    s->head_len = h.head_len;
                    return DD_OK;
                }
            } else if (h.has_length) {
                if (h.length > s->max_response) { set_error(s, "response body too large", 0); return DD_ERR_TRANSPORT; }
                if (avail >= h.length) { blen = h.length; done = 1; }
            } else if (eof) {
                if (avail > s->max_response) { set_error(s, "response body too large", 0); return DD_ERR_TRANSPORT; }
                blen = avail;
                done = 1;
            }
            if (done) {
                free(s->body);
                s->body = (char *)malloc(blen + 1);
                if (!s->body) { s->body_len = 0; set_error(s, "out of memory", 0); return DD_ERR_TRANSPORT; }
                memcpy(s->body, b, blen);
                s->body[blen] = 0;
                s->body_len = blen;
                s->last_status = h.status;
                s->head_len = h.head_len;
                return DD_OK;
            }
        }
        if (eof) { set_error(s, "connection closed before a complete response", 0); return DD_ERR_TRANSPORT; }
        if (n >= limit) { set_error(s, "response too large", 0); return DD_ERR_TRANSPORT; }
        if (!reserve(s, n + 16384 + 1)) { set_error(s, "out of memory", 0); return DD_ERR_TRANSPORT; }
        {
            ssize_t r = recv(fd, s->buf + n, s->buf_cap - n - 1, 0);
            if (r > 0) { n += (size_t)r; continue; }
            if (r == 0) { eof = 1; continue; }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = wait_fd(fd, POLLIN, deadline);
                if (rc == 0) { s->n_timeouts++; set_error(s, "read timeout", 0); return DD_ERR_TRANSPORT; }
                if (rc < 0) { set_error(s, "poll", errno); return DD_ERR_TRANSPORT; }
                continue;
            }
            set_error(s, "recv", errno);
            return DD_ERR_TRANSPORT;
        }
    }
}

/*=== request ===*/

static int has_crlf(const char *v) { return v[strcspn(v, "\r\n")] != 0; }

/* A header name or value we can put on the wire: no CR, LF or NUL; a name has no ':' or space. */
static int field_ok(const char *p, size_t n, int is_name) {
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r' || c == '\n' || c == 0) return 0;
        if (is_name && (c == ':' || c == ' ' || c == '\t')) return 0;
    }
    return 1;
}

int dd_posix_sender_post(dd_posix_sender *s, const char *method, const char *path,
                         const dd_header *headers, size_t n_headers, const void *body, size_t body_len,
                         int *status, const char **resp_body, size_t *resp_len) {
    char *head = NULL;
    size_t head_len = 0, cap, i;
    int64_t deadline;
    int fd, rc;
    if (status) *status = 0;
    if (resp_body) *resp_body = "";
    if (resp_len) *resp_len = 0;
    if (!s || !method || !path || (n_headers && !headers) || (body_len && !body)) return DD_ERR_INVALID_ARG;
    s->last_status = 0;
    s->body_len = 0;
    s->head_len = 0;
    if (s->body) s->body[0] = 0;
    s->last_error[0] = 0;
    if (!s->is_unix && !s->host[0]) { set_error(s, "sender not initialised", 0); return DD_ERR_INVALID_ARG; }
    /* Build the head: request line, our headers, the caller's. */
    cap = strlen(method) + strlen(path) + strlen(s->host) + 128;
    for (i = 0; i < n_headers; i++) {
        const dd_header *h = &headers[i];
        if (!h->name || (!h->value && h->value_len) || h->name_len == 0 || !field_ok(h->name, h->name_len, 1) ||
            !field_ok(h->value, h->value_len, 0)) {
            set_error(s, "bad header", 0);
            return DD_ERR_INVALID_ARG;
        }
        cap += h->name_len + h->value_len + 4;
    }
    if (has_crlf(method) || has_crlf(path) || strchr(method, ' ') || strchr(path, ' ')) {
        set_error(s, "bad method or path", 0);
        return DD_ERR_INVALID_ARG;
    }
    head = (char *)malloc(cap);
    if (!head) { set_error(s, "out of memory", 0); return DD_ERR_TRANSPORT; }
    if (s->is_unix)
        head_len += (size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\nHost: localhost\r\n", method, path);
    else if (strchr(s->host, ':'))
        head_len += (size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\nHost: [%s]:%s\r\n", method, path, s->host, s->port);
    else
        head_len += (size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\nHost: %s:%s\r\n", method, path, s->host, s->port);
    head_len += (size_t)snprintf(head + head_len, cap - head_len, "Content-Length: %lu\r\nConnection: close\r\n",
                                 (unsigned long)body_len);
    for (i = 0; i < n_headers; i++)
        head_len += (size_t)snprintf(head + head_len, cap - head_len, "%.*s: %.*s\r\n", (int)headers[i].name_len,
                                     headers[i].name, (int)headers[i].value_len, headers[i].value ? headers[i].value : "");
    head_len += (size_t)snprintf(head + head_len, cap - head_len, "\r\n");

    s->n_requests++;
    deadline = now_ms() + (s->timeout_ms > 0 ? s->timeout_ms : (int64_t)1 << 50);
    {
        int64_t cdl = now_ms() + s->connect_timeout_ms;
        fd = open_connection(s, cdl < deadline ? cdl : deadline);
    }
    if (fd < 0) {
        int err = errno;
        free(head);
        s->n_transport_errors++;
        if (err == ECONNREFUSED || err == ENOENT) s->n_refused++;
        if (err == ETIMEDOUT) { s->n_timeouts++; set_error(s, "connect timeout", 0); }
        else if (err) set_error(s, "connect", err);
        return DD_ERR_TRANSPORT;
    }
    rc = send_all(fd, head, head_len, deadline);
    free(head);
    if (rc == 0 && body_len) rc = send_all(fd, (const char *)body, body_len, deadline);
    if (rc != 0) {
        /* The agent may answer (413) and close before reading the whole body: read what it said. */
        int err = errno;
        if (err == ETIMEDOUT) { s->n_timeouts++; set_error(s, "write timeout", 0); close(fd); s->n_transport_errors++; return DD_ERR_TRANSPORT; }
        shutdown(fd, SHUT_WR);
        if (read_response(s, fd, deadline) != DD_OK) {
            set_error(s, "send", err);
            close(fd);
            s->n_transport_errors++;
            return DD_ERR_TRANSPORT;
        }
    } else if (read_response(s, fd, deadline) != DD_OK) {
        close(fd);
        s->n_transport_errors++;
        return DD_ERR_TRANSPORT;
    }
    close(fd);
    s->n_responses++;
    if (s->last_status >= 400) s->n_http_errors++;
    if (status) *status = s->last_status;
    if (resp_body) *resp_body = s->body ? s->body : "";
    if (resp_len) *resp_len = s->body_len;
    return DD_OK;
}

int dd_posix_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    dd_posix_sender *s = (dd_posix_sender *)user;
    int status = 0, rc;
    const char *body = "";
    size_t len = 0;
    if (resp) {
        resp->status = 0;
        resp->body = NULL;
        resp->body_len = 0;
    }
    if (!s || !req || !resp) return DD_ERR_INVALID_ARG;
    rc = dd_posix_sender_post(s, req->method ? req->method : "POST", req->path ? req->path : "/v0.4/traces",
                              req->headers, req->n_headers, req->body, req->body_len, &status, &body, &len);
    if (rc != DD_OK) return rc;
    resp->status = status;
    resp->body = body;
    resp->body_len = len;
    return 0;
}

const char *dd_posix_sender_response_header(const dd_posix_sender *s, const char *name, size_t *len) {
    const char *p, *end;
    size_t n;
    if (len) *len = 0;
    if (!s || !name || !s->buf || s->head_len < 4 || s->last_status == 0) return NULL;
    n = strlen(name);
    p = (const char *)memchr(s->buf, '\n', s->head_len) + 1; /* after the status line */
    end = s->buf + s->head_len - 2;
    while (p < end) {
        const char *eol = (const char *)memchr(p, '\n', (size_t)(end + 2 - p));
        size_t line = (size_t)(eol - p);
        if (line > n && p[n] == ':' && prefix_icase(p, n, name)) {
            const char *v = p + n + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            if (len) *len = (size_t)(ve - v);
            return v;
        }
        p = eol + 1;
    }
    return NULL;
}
