/* tests/sender_test.c - dd_sender.h against an in-process loopback server that plays every way an
 * agent (or something pretending to be one) can answer, misbehave or vanish.
 *  - the response parser alone: framing, 1xx, chunked with trailers, limits, malformed input
 *    (in one piece and byte by byte); Retry-After as seconds and as an HTTP-date;
 *  - the agent address rules through an injected getenv, the options' size field;
 *  - each server behaviour classified as the transport contract of dd_trace.h says (ANSWERED,
 *    NOT_SENT, UNCONFIRMED) and each call back within its deadline + SLACK_MS, whatever the peer
 *    sends; one connection kept across many requests, reconnects when it must;
 *  - the Unix socket, concurrency, the tracer end to end, and UDP datagrams byte for byte.
 * SIGPIPE keeps its default action: a write to a closed peer that raised it would kill the run. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../dd_sender.h"
#include "test.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 250 /* the deadline of the tests that wait for it */
#define SLACK_MS 100    /* how late a call may return after its deadline */

static int64_t ms_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static void sleep_ms(int ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/*--- the response parser alone ---*/

typedef struct pcase {
    const char *in;
    int head_only;
    size_t max_body;
    int eof;        /* the peer closes after the last byte */
    int rc;         /* DD_HTTP_DONE, DD_HTTP_MORE or a DD_ERR_* */
    int status;
    const char *body;
    int keep_alive; /* -1: not checked (bytes after the answer depend on how they arrived) */
} pcase;

static const pcase pcases[] = {
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", 0, 100, 0, DD_HTTP_DONE, 200, "OK", 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK", 0, 100, 0, DD_HTTP_DONE, 200, "OK", 0},
    {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nOK", 0, 100, 0, DD_HTTP_DONE, 200, "OK", 0},
    {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nOK", 0, 100, 0, DD_HTTP_DONE, 200, "OK", 1},
    {"HTTP/1.1 200\r\ncontent-length:0\r\n\r\n", 0, 100, 0, DD_HTTP_DONE, 200, "", 1},
    {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 1\r\n\r\nA",
     0, 100, 0, DD_HTTP_DONE, 202, "A", 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n", 0,
     100, 0, DD_HTTP_DONE, 200, "hello!", 1},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", 0, 100, 0, DD_HTTP_DONE, 200,
     "0123456789", 1},
    {"HTTP/1.1 200 OK\r\n\r\nuntil close", 0, 100, 1, DD_HTTP_DONE, 200, "until close", 0},
    {"HTTP/1.1 200 OK\r\n\r\nuntil close", 0, 100, 0, DD_HTTP_MORE, 0, NULL, 0},
    {"HTTP/1.1 204 No Content\r\n\r\n", 0, 100, 0, DD_HTTP_DONE, 204, "", 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 1, 100, 0, DD_HTTP_DONE, 200, "", 1},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOKextra", 0, 100, 0, DD_HTTP_DONE, 200, "OK", -1},
    /* refused */
    {"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 0, 100, 0, DD_ERR_LIMIT, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\n\r\n0123456789", 0, 5, 0, DD_ERR_LIMIT, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 0, 100, 0, DD_ERR_LIMIT, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 0, 100, 0, DD_ERR_LIMIT, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, 100, 0, DD_ERR_UNSUPPORTED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nX : a\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\nX: a\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 101 Switching Protocols\r\n\r\n", 0, 100, 0, DD_ERR_UNSUPPORTED, 0, NULL, 0},
    {"HTTP/2 200 OK\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 600 Nope\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 20 OK\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"SSH-2.0-OpenSSH_9.2\r\n\r\n", 0, 100, 0, DD_ERR_MALFORMED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Le", 0, 100, 1, DD_ERR_TRUNCATED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 0, 100, 1, DD_ERR_TRUNCATED, 0, NULL, 0},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 0, 100, 1, DD_ERR_TRUNCATED, 0, NULL, 0},
};

/* Feeds `in` in pieces of `step` bytes (0: at once); the same outcome is expected either way. */
static void run_pcase(const pcase *c, size_t step) {
    dd_http_parser p;
    size_t n = strlen(c->in), fed = 0, len = 0;
    char *buf = (char *)malloc(n + 1);
    int rc = DD_HTTP_MORE;
    dd_http_parser_init(&p, c->max_body, c->head_only);
    while (fed < n && rc == DD_HTTP_MORE) {
        size_t k = step && step < n - fed ? step : n - fed;
        memcpy(buf + len, c->in + fed, k);
        len += k;
        fed += k;
        rc = dd_http_parse(&p, buf, &len);
    }
    if (rc == DD_HTTP_MORE && c->eof) rc = dd_http_parse_eof(&p);
    if (!CHECK_EQ_INT(rc, c->rc)) fprintf(stderr, "    input: %s (step %u): %s\n", c->in, (unsigned)step, p.error ? p.error : "");
    if (rc == DD_HTTP_DONE) {
        CHECK_EQ_INT(p.status, c->status);
        CHECK_MEM(buf + p.head_len, p.body_len, c->body, strlen(c->body));
        if (c->keep_alive >= 0) CHECK_EQ_INT(p.keep_alive, c->keep_alive);
    }
    if (rc < 0) {
        CHECK(p.error != NULL);
        CHECK_EQ_INT(p.status, 0);
        CHECK_EQ_U64(p.body_len, 0);
        CHECK_EQ_INT(dd_http_parse(&p, buf, &len), rc); /* an error sticks */
    }
    free(buf);
}

static void test_parser_table(void) {
    size_t i;
    for (i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
        run_pcase(&pcases[i], 0);
        run_pcase(&pcases[i], 1);
        run_pcase(&pcases[i], 3);
    }
}

/* Head and header-count limits, and header lookups on an accepted head. */
static void test_parser_limits_and_headers(void) {
    dd_http_parser p;
    char *buf = (char *)malloc(DD_HTTP_HEAD_MAX + 200);
    size_t len, i, vn;
    const char *v;
    /* a head one byte too long, without its end yet: refused as soon as the bound is reached */
    memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(buf + 20, 'a', DD_HTTP_HEAD_MAX - 20);
    len = DD_HTTP_HEAD_MAX;
    dd_http_parser_init(&p, 100, 0);
    CHECK_EQ_INT(dd_http_parse(&p, buf, &len), DD_ERR_LIMIT);
    /* 101 header lines */
    len = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i <= DD_HTTP_HEADERS_MAX; i++) len += (size_t)sprintf(buf + len, "H%u: v\r\n", (unsigned)i);
    len += (size_t)sprintf(buf + len, "\r\n");
    dd_http_parser_init(&p, 100, 0);
    CHECK_EQ_INT(dd_http_parse(&p, buf, &len), DD_ERR_LIMIT);
    /* lookups: case-insensitive, trimmed, absent */
    len = (size_t)sprintf(buf, "HTTP/1.1 429 Too Many\r\nretry-after: \t 7 \r\nX-Long-Name: a b\r\nContent-Length: 0\r\n\r\n");
    dd_http_parser_init(&p, 100, 0);
    CHECK_EQ_INT(dd_http_parse(&p, buf, &len), DD_HTTP_DONE);
    v = dd_http_header(buf, p.head_len, "Retry-After", &vn);
    CHECK(v && vn == 1 && v[0] == '7');
    v = dd_http_header(buf, p.head_len, "x-long-name", &vn);
    CHECK(v && vn == 3 && memcmp(v, "a b", 3) == 0);
    CHECK(dd_http_header(buf, p.head_len, "X-Long", &vn) == NULL);
    CHECK(dd_http_header(buf, p.head_len, "HTTP/1.1 429 Too Many", &vn) == NULL);
    free(buf);
}

/* An endless run of 100 Continue, fed as it comes: each call removes the interim heads, so the
 * buffer never holds more than what one call was given. */
static void test_parser_interim_stream_bounded(void) {
    static const char ct[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char buf[4096];
    dd_http_parser p;
    size_t len = 0, i;
    dd_http_parser_init(&p, 100, 0);
    for (i = 0; i < 10000; i++) {
        memcpy(buf + len, ct, sizeof ct - 1);
        len += sizeof ct - 1;
        if (!CHECK_EQ_INT(dd_http_parse(&p, buf, &len), DD_HTTP_MORE)) break;
        if (!CHECK(len == 0)) break;
    }
    CHECK_EQ_U64(p.interim, 10000);
}

static void test_retry_after(void) {
    const int64_t now = (int64_t)1700000000 * 1000; /* Tue, 14 Nov 2023 22:13:20 GMT */
    CHECK_EQ_INT(dd_http_retry_after_ms("120", 3, now), 120000);
    CHECK_EQ_INT(dd_http_retry_after_ms(" 0 ", 3, now), 0);
    CHECK_EQ_INT(dd_http_retry_after_ms("86400", 5, now), DD_SENDER_RETRY_AFTER_MAX_MS);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT", 29, now), 30000);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT", 29, now + 500), 29500);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", 29, now), 0); /* past */
    CHECK_EQ_INT(dd_http_retry_after_ms("Fri, 01 Mar 2024 00:00:00 GMT", 29, (int64_t)1709251200 * 1000 - 1000), 1000);
    CHECK_EQ_INT(dd_http_retry_after_ms("Sun, 01 Jan 2040 00:00:00 GMT", 29, now), DD_SENDER_RETRY_AFTER_MAX_MS);
    CHECK_EQ_INT(dd_http_retry_after_ms("-1", 2, now), -1);
    CHECK_EQ_INT(dd_http_retry_after_ms("1.5", 3, now), -1);
    CHECK_EQ_INT(dd_http_retry_after_ms("", 0, now), -1);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tue, 31 Feb 2023 22:13:50 GMT", 29, now), -1);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tue, 14 Nov 2023 25:13:50 GMT", 29, now), -1);
    CHECK_EQ_INT(dd_http_retry_after_ms("Tuesday, 14-Nov-23 22:13:50 GMT", 31, now), -1);
}

/*--- agent address rules ---*/

typedef struct envtab {
    const char *url, *host, *port, *timeout;
} envtab;
static const char *tab_getenv(void *user, const char *name) {
    const envtab *e = (const envtab *)user;
    if (strcmp(name, "DD_TRACE_AGENT_URL") == 0) return e->url;
    if (strcmp(name, "DD_AGENT_HOST") == 0) return e->host;
    if (strcmp(name, "DD_TRACE_AGENT_PORT") == 0) return e->port;
    if (strcmp(name, "DD_TRACE_AGENT_TIMEOUT") == 0) return e->timeout;
    return NULL;
}

typedef struct acase {
    envtab env;
    int probe;           /* 1: the socket probe path exists */
    const char *want;    /* the endpoint's url */
    const char *note;    /* a word the note must hold, NULL: empty note */
} acase;

static void test_address_rules(void) {
    static const acase cases[] = {
        {{NULL, NULL, NULL, NULL}, 0, "http://localhost:8126", NULL},
        {{"", "", "", NULL}, 0, "http://localhost:8126", NULL},
        {{"http://agent:9000", "ignored", "1", NULL}, 1, "http://agent:9000", NULL},
        {{"http://agent:9000/", NULL, NULL, NULL}, 0, "http://agent:9000", NULL},
        {{"HTTP://10.0.0.7", NULL, NULL, NULL}, 0, "http://10.0.0.7:80", NULL},
        {{"http://[::1]:8126", NULL, NULL, NULL}, 0, "http://[::1]:8126", NULL},
        {{"unix:///var/run/dd/apm.sock", NULL, NULL, NULL}, 0, "unix:///var/run/dd/apm.sock", NULL},
        {{"http+unix:///tmp/a.sock", NULL, NULL, NULL}, 0, "unix:///tmp/a.sock", NULL},
        {{"http+unix://%2Ftmp%2Fb.sock", NULL, NULL, NULL}, 0, "unix:///tmp/b.sock", NULL},
        {{"https://agent:8126", "h2", NULL, NULL}, 0, "http://h2:8126", "https"},
        {{"ftp://agent", NULL, "9", NULL}, 0, "http://localhost:9", "DD_TRACE_AGENT_URL"},
        {{"http://agent:8126/v0.4", NULL, NULL, NULL}, 1, "probe", "base URL"},
        {{"http://agent:99999", NULL, NULL, NULL}, 0, "http://localhost:8126", "port"},
        {{"unix://relative.sock", NULL, NULL, NULL}, 0, "http://localhost:8126", "absolute"},
        {{"http://u:p@agent:1", NULL, NULL, NULL}, 0, "http://localhost:8126", "user"},
        {{NULL, "::1", NULL, NULL}, 0, "http://[::1]:8126", NULL},
        {{NULL, "[::1]", "9", NULL}, 1, "http://[::1]:9", NULL},
        {{NULL, "dd-agent.local", NULL, NULL}, 0, "http://dd-agent.local:8126", NULL},
        {{NULL, NULL, "9999", NULL}, 1, "http://localhost:9999", NULL},
        {{NULL, "bad host!", NULL, NULL}, 0, "http://localhost:8126", "DD_AGENT_HOST"},
        {{NULL, NULL, "0", NULL}, 1, "probe", "DD_TRACE_AGENT_PORT"},
        {{NULL, NULL, NULL, NULL}, 1, "probe", NULL},
    };
    char probe[64], want_probe[80];
    size_t i;
    FILE *f;
    snprintf(probe, sizeof probe, "/tmp/dd_sender_probe.%d", (int)getpid());
    snprintf(want_probe, sizeof want_probe, "unix://%s", probe);
    f = fopen(probe, "w");
    if (f) fclose(f);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const acase *c = &cases[i];
        dd_sender_options o;
        dd_sender_endpoint e;
        dd_sender_options_init(&o);
        o.getenv_fn = tab_getenv;
        o.getenv_user = (void *)&c->env;
        o.socket_path = c->probe ? probe : "/nonexistent/dd_sender.sock";
        CHECK_EQ_INT(dd_sender_resolve(&o, &e), DD_OK);
        if (!CHECK_STR(e.url, strcmp(c->want, "probe") == 0 ? want_probe : c->want))
            fprintf(stderr, "    case %u, note: %s\n", (unsigned)i, e.note);
        if (c->note) CHECK(strstr(e.note, c->note) != NULL);
        else CHECK_STR(e.note, "");
    }
    remove(probe);
}

static void test_options(void) {
    dd_sender_options o;
    dd_sender_endpoint e;
    dd_sender *s;
    envtab none = {NULL, NULL, NULL, NULL};
    char probe[64];
    FILE *f;
    struct stat st;
    /* an explicit url that cannot be used fails creation, and says why */
    dd_sender_options_init(&o);
    o.url = "https://agent:8126";
    CHECK_EQ_INT(dd_sender_resolve(&o, &e), DD_ERR_INVALID_ARG);
    CHECK(strstr(e.note, "https") != NULL);
    CHECK(dd_sender_new(&o) == NULL);
    o.url = "http://127.0.0.1:1";
    s = dd_sender_new(&o);
    CHECK(s != NULL);
    CHECK_STR(dd_sender_url(s), "http://127.0.0.1:1");
    dd_sender_free(s);
    /* size 0: every option takes its default (url ignored) */
    o.size = 0;
    o.url = "http://example.invalid:1";
    CHECK_EQ_INT(dd_sender_resolve(&o, &e), DD_OK);
    CHECK(strcmp(e.url, "http://example.invalid:1") != 0);
    /* an older, shorter layout: socket_path is beyond it, so the default path is probed */
    if (stat(DD_SENDER_SOCKET_PATH, &st) != 0) {
        snprintf(probe, sizeof probe, "/tmp/dd_sender_probe2.%d", (int)getpid());
        f = fopen(probe, "w");
        if (f) fclose(f);
        dd_sender_options_init(&o);
        o.getenv_fn = tab_getenv;
        o.getenv_user = &none;
        o.socket_path = probe;
        o.size = offsetof(dd_sender_options, socket_path);
        CHECK_EQ_INT(dd_sender_resolve(&o, &e), DD_OK);
        CHECK_STR(e.url, "http://localhost:8126");
        o.size = sizeof o;
        CHECK_EQ_INT(dd_sender_resolve(&o, &e), DD_OK);
        CHECK(e.is_unix && strcmp(e.path, probe) == 0);
        remove(probe);
    }
}

/*--- the loopback server ---*/

typedef struct srv srv;
typedef void (*srv_fn)(srv *s, int fd);
struct srv {
    int lfd, port;
    char path[108];       /* a Unix socket server when set */
    srv_fn fn;            /* plays one accepted connection; NULL: never accept */
    const char *reply;    /* what the simple scenarios answer */
    int stop;             /* under mu */
    int accepts, requests;
    char last_head[2048]; /* the head of the last request read */
    size_t last_body;
    pthread_mutex_t mu;
    pthread_t th;         /* accepts; each connection gets a thread of its own */
    pthread_t conn_th[16];
    struct conn *conns[16]; /* freed by srv_stop (reachable from here in a forked child too) */
    int n_conn_th;
};

static int srv_stopping(srv *s) {
    int stop;
    pthread_mutex_lock(&s->mu);
    stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

/* Waits until fd is readable or the server stops: 1 readable, 0 stopping. */
static int srv_wait(srv *s, int fd, short events) {
    while (!srv_stopping(s)) {
        struct pollfd p;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        if (poll(&p, 1, 20) > 0) return 1;
    }
    return 0;
}

static int srv_write(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one request (head, then Content-Length bytes). 1 read, 0 closed or stopping. */
static int srv_read_request(srv *s, int fd) {
    char buf[1 << 16];
    size_t len = 0, need = 0;
    const char *end = NULL;
    for (;;) {
        ssize_t r;
        if (!srv_wait(s, fd, POLLIN)) return 0;
        r = recv(fd, end ? buf : buf + len, end ? sizeof buf : sizeof buf - len - 1, 0);
        if (r <= 0) return 0;
        if (end) {
            need -= (size_t)r < need ? (size_t)r : need;
        } else {
            const char *cl;
            len += (size_t)r;
            buf[len] = 0;
            end = strstr(buf, "\r\n\r\n");
            if (!end) continue;
            pthread_mutex_lock(&s->mu);
            snprintf(s->last_head, sizeof s->last_head, "%.*s", (int)(end - buf), buf);
            pthread_mutex_unlock(&s->mu);
            cl = strstr(buf, "Content-Length: ");
            need = cl && cl < end ? (size_t)strtoul(cl + 16, NULL, 10) : 0;
            s->last_body = need;
            r = (ssize_t)(len - (size_t)(end + 4 - buf));
            need -= (size_t)r < need ? (size_t)r : need;
        }
        if (end && need == 0) {
            pthread_mutex_lock(&s->mu);
            s->requests++;
            pthread_mutex_unlock(&s->mu);
            return 1;
        }
    }
}

static void srv_hold(srv *s, int fd) { /* keeps the connection open, silent, until the end */
    (void)fd;
    while (!srv_stopping(s)) sleep_ms(10);
}

static void srv_rst(int fd) {
    struct linger l;
    l.l_onoff = 1;
    l.l_linger = 0;
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

static const char OK_REPLY[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"rate_by_service\":{}}";

/* Scenarios: each plays one connection. */
static void sc_answer_loop(srv *s, int fd) { /* keep-alive: answer every request */
    while (srv_read_request(s, fd) && srv_write(fd, s->reply ? s->reply : OK_REPLY, strlen(s->reply ? s->reply : OK_REPLY)) == 0) {}
}
static void sc_answer_once(srv *s, int fd) { /* answer once, then close */
    if (srv_read_request(s, fd)) srv_write(fd, s->reply, strlen(s->reply));
}
static void sc_hang_after_read(srv *s, int fd) {
    if (srv_read_request(s, fd)) srv_hold(s, fd);
}
static void sc_hang_no_read(srv *s, int fd) { srv_hold(s, fd); }
static void sc_drip(srv *s, int fd) { /* one byte every 100 ms */
    static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    size_t i;
    if (!srv_read_request(s, fd)) return;
    for (i = 0; !srv_stopping(s) && i < sizeof a - 1; i++) {
        if (srv_write(fd, a + i, 1) != 0) return;
        sleep_ms(100);
    }
    srv_hold(s, fd);
}
static void sc_endless_continue(srv *s, int fd) {
    static const char ct[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (!srv_read_request(s, fd)) return;
    while (!srv_stopping(s) && srv_write(fd, ct, sizeof ct - 1) == 0) {}
}
static void sc_chunked_forever(srv *s, int fd) { /* fast: the response limit ends it */
    static const char h[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    char chunk[1024 + 16];
    size_t n = (size_t)sprintf(chunk, "400\r\n");
    memset(chunk + n, 'x', 1024);
    memcpy(chunk + n + 1024, "\r\n", 2);
    n += 1026;
    if (!srv_read_request(s, fd) || srv_write(fd, h, sizeof h - 1) != 0) return;
    while (!srv_stopping(s) && srv_write(fd, chunk, n) == 0) {}
}
static void sc_chunked_paced(srv *s, int fd) { /* slow: the deadline ends it */
    static const char h[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (!srv_read_request(s, fd) || srv_write(fd, h, sizeof h - 1) != 0) return;
    while (!srv_stopping(s) && srv_write(fd, "8\r\n01234567\r\n", 13) == 0) sleep_ms(2);
}
static void sc_huge_stream(srv *s, int fd) { /* until-close body, endless and fast */
    static char junk[65536];
    if (!srv_read_request(s, fd) || srv_write(fd, "HTTP/1.1 200 OK\r\n\r\n", 19) != 0) return;
    while (!srv_stopping(s) && srv_write(fd, junk, sizeof junk) == 0) {}
}
static void sc_rst_after_read(srv *s, int fd) {
    if (srv_read_request(s, fd)) srv_rst(fd);
}
static void sc_rst_unread(srv *s, int fd) { /* the request arrived, unread: reset */
    if (srv_wait(s, fd, POLLIN)) srv_rst(fd);
}
static void sc_rst_at_once(srv *s, int fd) { /* reset before the client could write much */
    (void)s;
    srv_rst(fd);
}
static void sc_early_413(srv *s, int fd) { /* refuses after the head, body unread */
    static const char a[] = "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    char head[4096];
    size_t n = 0;
    while (n < sizeof head && srv_wait(s, fd, POLLIN)) { /* up to the blank line, not further */
        ssize_t r = recv(fd, head + n, 1, 0);
        if (r <= 0) return;
        n++;
        if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0) break;
    }
    srv_write(fd, a, sizeof a - 1);
    shutdown(fd, SHUT_WR);
    sleep_ms(50);
}
static void sc_answer_then_close(srv *s, int fd) { /* keep-alive promised, closed anyway */
    if (srv_read_request(s, fd)) srv_write(fd, OK_REPLY, sizeof OK_REPLY - 1);
    sleep_ms(30);
}

typedef struct conn {
    srv *s;
    srv_fn fn;
    int fd;
} conn;
static void *conn_main(void *arg) {
    conn *c = (conn *)arg;
    c->fn(c->s, c->fd);
    close(c->fd);
    return NULL;
}

static void *srv_main(void *arg) {
    srv *s = (srv *)arg;
    while (!srv_stopping(s)) {
        conn *c;
        int fd;
        srv_fn fn;
        pthread_mutex_lock(&s->mu);
        fn = s->fn;
        pthread_mutex_unlock(&s->mu);
        if (!fn) { sleep_ms(10); continue; }
        if (!srv_wait(s, s->lfd, POLLIN)) break;
        fd = accept(s->lfd, NULL, NULL);
        if (fd < 0) continue;
        c = (conn *)malloc(sizeof *c);
        pthread_mutex_lock(&s->mu);
        s->accepts++;
        c->s = s;
        c->fn = s->fn;
        c->fd = fd;
        if (s->n_conn_th < 16 && pthread_create(&s->conn_th[s->n_conn_th], NULL, conn_main, c) == 0)
            s->conns[s->n_conn_th++] = c;
        else { close(fd); free(c); }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* Starts a TCP server on 127.0.0.1 (or a Unix one at `path`). rcvbuf > 0 shrinks its buffer. */
static int srv_start(srv *s, srv_fn fn, const char *reply, const char *path, int rcvbuf) {
    memset(s, 0, sizeof *s);
    s->fn = fn;
    s->reply = reply;
    pthread_mutex_init(&s->mu, NULL);
    if (path) {
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        snprintf(s->path, sizeof s->path, "%s", path);
        memcpy(a.sun_path, path, strlen(path));
        unlink(path);
        s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    } else {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int one = 1;
        s->lfd = socket(AF_INET, SOCK_STREAM, 0);
        if (s->lfd < 0) return -1;
        setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (rcvbuf > 0) setsockopt(s->lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0)
            return -1;
        s->port = ntohs(a.sin_port);
    }
    if (listen(s->lfd, 8) != 0) return -1;
    return pthread_create(&s->th, NULL, srv_main, s) == 0 ? 0 : -1;
}

static void srv_stop(srv *s) {
    int i;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    for (i = 0; i < s->n_conn_th; i++) {
        pthread_join(s->conn_th[i], NULL);
        free(s->conns[i]);
    }
    close(s->lfd);
    if (s->path[0]) unlink(s->path);
    pthread_mutex_destroy(&s->mu);
}

static dd_sender *sender_for(const srv *s, size_t max_response) {
    dd_sender_options o;
    char url[160];
    dd_sender_options_init(&o);
    if (s->path[0]) snprintf(url, sizeof url, "unix://%s", s->path);
    else snprintf(url, sizeof url, "http://127.0.0.1:%d", s->port);
    o.url = url;
    o.timeout_ms = DEADLINE_MS;
    o.max_response_bytes = max_response;
    return dd_sender_new(&o);
}

static const dd_header trace_headers[] = {{"Content-Type", 12, "application/msgpack", 19},
                                          {"X-Datadog-Trace-Count", 21, "1", 1}};

/* One POST through the transport, timed: its class, and the elapsed ms in *ms. */
static int post(dd_sender *snd, const void *body, size_t len, int64_t timeout_ms, dd_http_response *resp, int64_t *ms) {
    dd_http_request req;
    int64_t t0 = ms_now();
    int rc;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/v0.4/traces";
    req.headers = trace_headers;
    req.n_headers = 2;
    req.body = (const uint8_t *)body;
    req.body_len = len;
    req.timeout_ms = timeout_ms;
    rc = dd_sender_transport(snd, &req, resp);
    *ms = ms_now() - t0;
    return rc;
}

/* One scenario, one request: the class it must get and whether it must wait for the deadline. */
static void scenario(srv_fn fn, const char *reply, int want, int waits, size_t body_len, int rcvbuf) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    int64_t ms;
    char *body = (char *)calloc(1, body_len ? body_len : 1);
    int rc;
    if (!CHECK(srv_start(&s, fn, reply, NULL, rcvbuf) == 0)) { free(body); return; }
    snd = sender_for(&s, 0);
    rc = post(snd, body, body_len, DEADLINE_MS, &resp, &ms);
    if (!CHECK_EQ_INT(rc, want)) fprintf(stderr, "    last error: %s\n", dd_sender_last_error(snd));
    CHECK(ms <= DEADLINE_MS + SLACK_MS);
    if (waits) CHECK(ms >= DEADLINE_MS - 5);
    else CHECK(ms < DEADLINE_MS);
    if (rc != DD_TRANSPORT_ANSWERED) {
        CHECK_EQ_INT(resp.status, 0);
        CHECK(dd_sender_last_error(snd)[0] != 0);
        CHECK(dd_sender_response_header(snd, "content-length", NULL) == NULL);
    }
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.requests, 1);
    CHECK_EQ_U64(k.answered + k.not_sent + k.unconfirmed, 1);
    CHECK_EQ_U64(k.timeouts, waits ? 1 : 0);
    dd_sender_free(snd);
    srv_stop(&s);
    free(body);
}

/*--- the server behaviours, each classified ---*/

static void test_refused(void) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    dd_sender_options o;
    dd_sender *snd;
    dd_http_response resp;
    char url[64];
    int64_t ms;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a); /* a port nobody listens on */
    getsockname(fd, (struct sockaddr *)&a, &al);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    dd_sender_options_init(&o);
    o.url = url;
    snd = dd_sender_new(&o);
    CHECK_EQ_INT(post(snd, "x", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_NOT_SENT);
    CHECK(ms < DEADLINE_MS);
    CHECK(strstr(dd_sender_last_error(snd), "refused") != NULL);
    dd_sender_free(snd);
    close(fd);
    /* a Unix socket path that does not exist */
    o.url = "unix:///tmp/dd_sender_no_such.sock";
    snd = dd_sender_new(&o);
    CHECK_EQ_INT(post(snd, "x", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_NOT_SENT);
    CHECK(ms < DEADLINE_MS);
    dd_sender_free(snd);
}

static void test_backlog_never_accepted(void) { scenario(NULL, NULL, DD_TRANSPORT_UNCONFIRMED, 1, 100, 0); }
static void test_hang_after_accept(void) { scenario(sc_hang_after_read, NULL, DD_TRANSPORT_UNCONFIRMED, 1, 100, 0); }
static void test_slow_drip(void) { scenario(sc_drip, NULL, DD_TRANSPORT_UNCONFIRMED, 1, 100, 0); }
static void test_endless_continue(void) { scenario(sc_endless_continue, NULL, DD_TRANSPORT_UNCONFIRMED, 1, 100, 0); }
static void test_chunked_paced_forever(void) { scenario(sc_chunked_paced, NULL, DD_TRANSPORT_UNCONFIRMED, 1, 100, 0); }
static void test_chunked_fast_forever(void) { scenario(sc_chunked_forever, NULL, DD_TRANSPORT_UNCONFIRMED, 0, 100, 0); }
static void test_huge_stream(void) { scenario(sc_huge_stream, NULL, DD_TRANSPORT_UNCONFIRMED, 0, 100, 0); }
static void test_huge_content_length(void) {
    scenario(sc_answer_once, "HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n", DD_TRANSPORT_UNCONFIRMED, 0, 100, 0);
}
static void test_close_mid_head(void) {
    scenario(sc_answer_once, "HTTP/1.1 200 OK\r\nContent-Le", DD_TRANSPORT_UNCONFIRMED, 0, 100, 0);
}
static void test_close_mid_body(void) {
    scenario(sc_answer_once, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"rate", DD_TRANSPORT_UNCONFIRMED, 0, 100, 0);
}
static void test_close_without_answer(void) { scenario(sc_answer_once, "", DD_TRANSPORT_UNCONFIRMED, 0, 100, 0); }
static void test_garbage(void) {
    scenario(sc_answer_once, "SSH-2.0-OpenSSH_9.2p1\r\n\r\n", DD_TRANSPORT_UNCONFIRMED, 0, 100, 0);
}
static void test_rst_after_reading(void) { scenario(sc_rst_after_read, NULL, DD_TRANSPORT_UNCONFIRMED, 0, 100, 0); }
/* The request sat whole in the peer's buffer when it reset: the client wrote it all and cannot
 * know it went unread, so it must say UNCONFIRMED. */
static void test_rst_before_reading_small(void) { scenario(sc_rst_unread, NULL, DD_TRANSPORT_UNCONFIRMED, 0, 100, 0); }
/* A 4 MiB body against a 4 KiB receive buffer reset at once: the write fails before the end, so
 * the agent cannot have processed it. */
static void test_rst_before_reading_big(void) {
    scenario(sc_rst_at_once, NULL, DD_TRANSPORT_NOT_SENT, 0, 4u << 20, 4096);
}

/* The agent refuses a big request after its head and closes: the write fails, the answer that
 * came first is still read and reported. */
static void test_early_answer_while_writing(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    int64_t ms;
    size_t big = 4u << 20;
    char *body = (char *)calloc(1, big);
    int rc;
    if (!CHECK(srv_start(&s, sc_early_413, NULL, NULL, 4096) == 0)) { free(body); return; }
    snd = sender_for(&s, 0);
    rc = post(snd, body, big, DEADLINE_MS, &resp, &ms);
    if (!CHECK_EQ_INT(rc, DD_TRANSPORT_ANSWERED)) fprintf(stderr, "    last error: %s\n", dd_sender_last_error(snd));
    CHECK_EQ_INT(resp.status, 413);
    CHECK(ms < DEADLINE_MS);
    dd_sender_free(snd);
    srv_stop(&s);
    free(body);
}

/* After fork() the child opens its own connection; the parent keeps using its own. */
static void test_fork_child_reconnects(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    int64_t ms;
    int st = -1, fds[2];
    char verdict = 0;
    pid_t pid;
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    if (!CHECK(pipe(fds) == 0)) { srv_stop(&s); return; }
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(post(snd, "a", 1, 1000, &resp, &ms), DD_TRANSPORT_ANSWERED);
    pid = fork();
    if (pid == 0) { /* the verdict goes through the pipe: the exit status may be a leak checker's */
        int ok = post(snd, "c", 1, 2000, &resp, &ms) == DD_TRANSPORT_ANSWERED && resp.status == 200;
        dd_sender_counters(snd, &k);
        verdict = ok && k.connects == 2 && k.reused == 0 ? 'y' : 'n';
        if (write(fds[1], &verdict, 1) != 1) verdict = 0;
        _exit(0);
    }
    close(fds[1]);
    if (!CHECK(pid > 0)) { close(fds[0]); dd_sender_free(snd); srv_stop(&s); return; }
    CHECK(read(fds[0], &verdict, 1) == 1 && verdict == 'y');
    close(fds[0]);
    waitpid(pid, &st, 0);
    CHECK_EQ_INT(post(snd, "b", 1, 1000, &resp, &ms), DD_TRANSPORT_ANSWERED);
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.connects, 1);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* The answers the tracer acts on: status, body and Retry-After. */
static void answered(const char *reply, int status, int64_t retry_min, int64_t retry_max) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    int64_t ms;
    if (!CHECK(srv_start(&s, sc_answer_once, reply, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(post(snd, "x", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    CHECK(ms < DEADLINE_MS);
    CHECK_EQ_INT(resp.status, status);
    if (!CHECK(resp.retry_after_ms >= retry_min && resp.retry_after_ms <= retry_max))
        fprintf(stderr, "    retry_after_ms = %lld\n", (long long)resp.retry_after_ms);
    CHECK(resp.body != NULL && resp.body[resp.body_len] == 0);
    dd_sender_free(snd);
    srv_stop(&s);
}
static void test_status_answers(void) {
    char reply[256], date[64];
    time_t at = time(NULL) + 10;
    struct tm tm;
    answered("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 413, 0, 0);
    answered("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nslow", 429, 3000, 3000);
    answered("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 503, 0, 0);
    gmtime_r(&at, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(reply, sizeof reply, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: %s\r\nContent-Length: 0\r\n\r\n", date);
    answered(reply, 503, 8500, 10000);
    answered("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 200, 0, 0);
    answered("HTTP/1.0 200 OK\r\n\r\nread until the peer closes", 200, 0, 0);
}

/*--- keep-alive and reconnects ---*/

static void test_keep_alive_one_connection(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    int64_t ms;
    int i;
    size_t n;
    const char *v;
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    for (i = 0; i < 50; i++) {
        if (!CHECK_EQ_INT(post(snd, "body", 4, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED)) break;
        CHECK_EQ_INT(resp.status, 200);
        CHECK_MEM(resp.body, resp.body_len, "{\"rate_by_service\":{}}", 22);
    }
    v = dd_sender_response_header(snd, "content-type", &n);
    CHECK(v && n == 16 && memcmp(v, "application/json", 16) == 0);
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.answered, 50);
    CHECK_EQ_U64(k.connects, 1);
    CHECK_EQ_U64(k.reused, 49);
    CHECK_EQ_INT(s.accepts, 1);
    CHECK_EQ_INT(s.requests, 50);
    /* what went on the wire */
    CHECK(strstr(s.last_head, "POST /v0.4/traces HTTP/1.1\r\n") == s.last_head);
    CHECK(strstr(s.last_head, "\r\nHost: 127.0.0.1:") != NULL);
    CHECK(strstr(s.last_head, "\r\nContent-Length: 4") != NULL);
    CHECK(strstr(s.last_head, "\r\nContent-Type: application/msgpack") != NULL);
    CHECK(strstr(s.last_head, "Connection") == NULL);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* After the first requests the memory in use does not move: glibc's count of bytes in use is the
 * same before and after 200 more (glibc >= 2.33 only; under ASan the count stays 0). This shows
 * the buffers are kept and nothing accumulates; an allocation freed within the same request would
 * not show here (the code has none: see dd__snd_room and dd__snd_head). */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif
static void test_memory_flat_across_requests(void) {
#ifdef HAVE_MALLINFO2
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    size_t before, after;
    int64_t ms;
    int i, answered = 0;
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    for (i = 0; i < 5; i++) post(snd, "warm", 4, 1000, &resp, &ms);
    before = mallinfo2().uordblks;
    for (i = 0; i < 200; i++) answered += post(snd, "body", 4, 1000, &resp, &ms) == DD_TRANSPORT_ANSWERED;
    after = mallinfo2().uordblks;
    CHECK_EQ_INT(answered, 200);
    CHECK_EQ_U64(after, before);
    dd_sender_free(snd);
    srv_stop(&s);
#endif
}

static void test_connection_close_reconnects(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    int64_t ms;
    if (!CHECK(srv_start(&s, sc_answer_once, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", NULL, 0) == 0))
        return;
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(post(snd, "a", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    CHECK_EQ_INT(post(snd, "b", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.connects, 2);
    CHECK_EQ_U64(k.reused, 0);
    CHECK_EQ_U64(k.stale, 0); /* closed on our side at once: never kept */
    dd_sender_free(snd);
    srv_stop(&s);
}

/* The peer closes an idle kept connection: the next request sees it before writing, reconnects,
 * and is answered. */
static void test_stale_connection_reconnects(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    int64_t ms;
    if (!CHECK(srv_start(&s, sc_answer_then_close, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(post(snd, "a", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    sleep_ms(80); /* the server has closed it by now */
    CHECK_EQ_INT(post(snd, "b", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.stale, 1);
    CHECK_EQ_U64(k.connects, 2);
    CHECK_EQ_U64(k.not_sent + k.unconfirmed, 0);
    CHECK_EQ_INT(s.requests, 2);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* A failed request does not poison the next one: after a deadline, the sender reconnects. */
static void test_recovers_after_failure(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    int64_t ms;
    if (!CHECK(srv_start(&s, sc_hang_after_read, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(post(snd, "a", 1, 100, &resp, &ms), DD_TRANSPORT_UNCONFIRMED);
    CHECK(ms <= 100 + SLACK_MS);
    pthread_mutex_lock(&s.mu);
    s.fn = sc_answer_loop; /* the next connections are answered; the first still hangs */
    pthread_mutex_unlock(&s.mu);
    CHECK_EQ_INT(post(snd, "b", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    CHECK_EQ_INT(resp.status, 200);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* The transport's deadline: req->timeout_ms, else the sender's timeout_ms. */
static void test_transport_deadline_source(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    int64_t ms;
    if (!CHECK(srv_start(&s, sc_hang_no_read, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0); /* timeout_ms = DEADLINE_MS */
    CHECK_EQ_INT(post(snd, "a", 1, 120, &resp, &ms), DD_TRANSPORT_UNCONFIRMED);
    CHECK(ms >= 115 && ms <= 120 + SLACK_MS);
    CHECK_EQ_INT(post(snd, "a", 1, 0, &resp, &ms), DD_TRANSPORT_UNCONFIRMED);
    CHECK(ms >= DEADLINE_MS - 5 && ms <= DEADLINE_MS + SLACK_MS);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* dd_sender_request: other methods, no deadline, invalid arguments sent nowhere. */
static void test_generic_request(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_header bad = {"Host", 4, "x", 1}, crlf = {"X-A", 3, "a\r\nB: b", 7};
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    CHECK_EQ_INT(dd_sender_request(snd, "GET", "/info", NULL, 0, NULL, 0, -1, &resp), DD_TRANSPORT_ANSWERED);
    CHECK_EQ_INT(resp.status, 200);
    CHECK(strstr(s.last_head, "GET /info HTTP/1.1\r\n") == s.last_head);
    CHECK(strstr(s.last_head, "Content-Length") == NULL);
    CHECK_EQ_INT(dd_sender_request(snd, "PUT", "/v0.4/traces", NULL, 0, NULL, 0, 0, NULL), DD_TRANSPORT_ANSWERED);
    CHECK(strstr(s.last_head, "\r\nContent-Length: 0") != NULL);
    CHECK_EQ_INT(dd_sender_request(snd, "POST", "/x", &bad, 1, "b", 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_request(snd, "POST", "/x", &crlf, 1, "b", 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_request(snd, "POST", "/x y", NULL, 0, "b", 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_request(snd, "PO ST", "/x", NULL, 0, "b", 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_request(snd, "POST", "x", NULL, 0, "b", 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_request(snd, "POST", "/x", NULL, 0, NULL, 1, 100, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(dd_sender_transport(NULL, NULL, &resp), DD_TRANSPORT_NOT_SENT);
    CHECK_EQ_INT(s.requests, 2);
    dd_sender_free(snd);
    srv_stop(&s);
}

static void test_unix_socket(void) {
    srv s;
    dd_sender *snd;
    dd_http_response resp;
    dd_sender_stats k;
    char path[64];
    int64_t ms;
    int i;
    snprintf(path, sizeof path, "/tmp/dd_sender_test.%d.sock", (int)getpid());
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, path, 0) == 0)) return;
    snd = sender_for(&s, 0);
    CHECK(strncmp(dd_sender_url(snd), "unix:///tmp/", 12) == 0);
    for (i = 0; i < 5; i++) CHECK_EQ_INT(post(snd, "x", 1, DEADLINE_MS, &resp, &ms), DD_TRANSPORT_ANSWERED);
    CHECK_EQ_INT(resp.status, 200);
    CHECK(strstr(s.last_head, "\r\nHost: localhost\r\n") != NULL);
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.connects, 1);
    dd_sender_free(snd);
    srv_stop(&s);
}

typedef struct worker {
    dd_sender *snd;
    int ok;
} worker;
static void *worker_main(void *arg) {
    worker *w = (worker *)arg;
    int i;
    for (i = 0; i < 20; i++) {
        dd_http_response resp;
        int64_t ms;
        if (post(w->snd, "x", 1, 1000, &resp, &ms) == DD_TRANSPORT_ANSWERED && resp.status == 200) w->ok++;
    }
    return NULL;
}
static void test_concurrent_callers(void) {
    srv s;
    dd_sender *snd;
    dd_sender_stats k;
    worker w[4];
    pthread_t th[4];
    int i;
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    for (i = 0; i < 4; i++) {
        w[i].snd = snd;
        w[i].ok = 0;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(w[i].ok, 20);
    }
    dd_sender_counters(snd, &k);
    CHECK_EQ_U64(k.answered, 80);
    CHECK_EQ_U64(k.connects, 1);
    dd_sender_free(snd);
    srv_stop(&s);
}

static const char *no_env(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}

/* The tracer's flush through the sender, the sender as transport_user. */
static void test_tracer_end_to_end(void) {
    srv s;
    dd_sender *snd;
    dd_tracer_config c;
    dd_tracer *t;
    if (!CHECK(srv_start(&s, sc_answer_loop, NULL, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    memset(&c, 0, sizeof c);
    c.service = "sender-test";
    c.getenv_fn = no_env;
    c.transport_fn = dd_sender_transport;
    c.transport_user = snd;
    c.delivery = DD_DELIVERY_MANUAL;
    t = dd_tracer_new(&c);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_free(t);
    CHECK_EQ_INT(s.requests, 1);
    CHECK(strstr(s.last_head, "POST /v0.4/traces HTTP/1.1\r\n") == s.last_head);
    CHECK(strstr(s.last_head, "\r\nContent-Type: application/msgpack\r\n") != NULL);
    dd_sender_free(snd);
    srv_stop(&s);
}

/* dd_sender_transport hands the answer's Datadog-Agent-State to the tracer (docs/stats.md §6):
 * with client-side stats on, a new value makes /info due at once. */
static void test_tracer_agent_state(void) {
    static const char reply[] = "HTTP/1.1 200 OK\r\nDatadog-Agent-State: 5f3a\r\nContent-Type: application/json\r\n"
                                "Content-Length: 22\r\n\r\n{\"rate_by_service\":{}}";
    srv s;
    dd_sender *snd;
    dd_tracer_config c;
    dd_tracer *t;
    if (!CHECK(srv_start(&s, sc_answer_loop, reply, NULL, 0) == 0)) return;
    snd = sender_for(&s, 0);
    dd_tracer_config_init(&c);
    c.service = "sender-test";
    c.getenv_fn = no_env;
    c.transport_fn = dd_sender_transport;
    c.transport_user = snd;
    c.delivery = DD_DELIVERY_MANUAL;
    c.stats_computation = DD_ON;
    c.startup_logs = DD_OFF;
    t = dd_tracer_new(&c);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* GET /info (its own state is remembered) */
    CHECK(t->stats->agent_state_len == 4 && memcmp(t->stats->agent_state, "5f3a", 4) == 0);
    t->stats->agent_state_len = 0; /* as if /info had carried none: the trace answer's is new */
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(t->stats->agent_state_len == 4 && t->stats->next_info_ns == 0);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* /info again */
    CHECK(t->stats->next_info_ns > 0);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* the same state: nothing due */
    CHECK(t->stats->next_info_ns > 0);
    dd_tracer_free(t);
    CHECK_EQ_INT(s.requests, 4);
    dd_sender_free(snd);
    srv_stop(&s);
}

/*--- UDP ---*/

static int udp_listener(int *port) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_udp_byte_for_byte(void) {
    static const char *msgs[] = {"datadog.tracer.flush:1|c|#lang:c", "{\"format\":\"json\",\"version\":1}\n{\"id\":\"x\"}", ""};
    char addr[96], got[2048];
    int port, fd = udp_listener(&port), k;
    dd_udp_sender *u[3];
    uint64_t sent, dropped;
    size_t i;
    if (!CHECK(fd >= 0)) return;
    u[0] = dd_udp_sender_open("localhost", port); /* IPv4 preferred: the listener is on 127.0.0.1 */
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    u[1] = dd_udp_sender_open_addr(addr, 1);
    snprintf(addr, sizeof addr, "tcp:127.0.0.1:1 udp:127.0.0.1:%d", port); /* AWS_XRAY_DAEMON_ADDRESS */
    u[2] = dd_udp_sender_open_addr(addr, 1);
    for (k = 0; k < 3; k++) {
        if (!CHECK(u[k] != NULL)) continue;
        for (i = 0; i < 3; i++) {
            ssize_t n;
            CHECK_EQ_INT(dd_udp_send(u[k], msgs[i], strlen(msgs[i])), DD_OK);
            n = recv(fd, got, sizeof got, 0);
            CHECK_MEM(got, n < 0 ? 0 : (size_t)n, msgs[i], strlen(msgs[i]));
        }
        dd_udp_sender_counters(u[k], &sent, &dropped);
        CHECK_EQ_U64(sent, 3);
        CHECK_EQ_U64(dropped, 0);
        dd_udp_sender_close(u[k]);
    }
    CHECK(dd_udp_sender_open_addr("127.0.0.1:0", 1) == NULL);
    CHECK(dd_udp_sender_open_addr("[::1", 1) == NULL);
    CHECK_EQ_INT(dd_udp_send(NULL, "x", 1), DD_ERR_INVALID_ARG);
    close(fd);
}

/* Never waits: a receiver that reads nothing, or no receiver at all, costs a counted drop. */
static void test_udp_never_blocks(void) {
    char big[8192];
    int port, fd = udp_listener(&port), i, limited = 0;
    dd_udp_sender *u;
    uint64_t sent, dropped;
    int64_t t0;
    if (!CHECK(fd >= 0)) return;
    u = dd_udp_sender_open("127.0.0.1", port);
    memset(big, 'm', sizeof big);
    t0 = ms_now();
    for (i = 0; i < 20000; i++) dd_udp_send(u, big, sizeof big);
    CHECK(ms_now() - t0 < 2000);
    dd_udp_sender_counters(u, &sent, &dropped);
    CHECK_EQ_U64(sent + dropped, 20000);
    dd_udp_sender_close(u);
    close(fd); /* now nobody listens: the port refuses, and that is a drop too */
    u = dd_udp_sender_open("127.0.0.1", port);
    for (i = 0; i < 5; i++) {
        limited += dd_udp_send(u, "x", 1) == DD_ERR_LIMIT;
        sleep_ms(5);
    }
    dd_udp_sender_counters(u, &sent, &dropped);
    CHECK(limited >= 1);
    CHECK_EQ_U64(dropped, (uint64_t)limited);
    dd_udp_sender_close(u);
}

static const test_case cases[] = {
    TEST(test_parser_table),
    TEST(test_parser_limits_and_headers),
    TEST(test_parser_interim_stream_bounded),
    TEST(test_retry_after),
    TEST(test_address_rules),
    TEST(test_options),
    TEST(test_refused),
    TEST(test_backlog_never_accepted),
    TEST(test_hang_after_accept),
    TEST(test_slow_drip),
    TEST(test_endless_continue),
    TEST(test_chunked_paced_forever),
    TEST(test_chunked_fast_forever),
    TEST(test_huge_stream),
    TEST(test_huge_content_length),
    TEST(test_close_mid_head),
    TEST(test_close_mid_body),
    TEST(test_close_without_answer),
    TEST(test_garbage),
    TEST(test_rst_after_reading),
    TEST(test_rst_before_reading_small),
    TEST(test_rst_before_reading_big),
    TEST(test_early_answer_while_writing),
    TEST(test_fork_child_reconnects),
    TEST(test_status_answers),
    TEST(test_keep_alive_one_connection),
    TEST(test_memory_flat_across_requests),
    TEST(test_connection_close_reconnects),
    TEST(test_stale_connection_reconnects),
    TEST(test_recovers_after_failure),
    TEST(test_transport_deadline_source),
    TEST(test_generic_request),
    TEST(test_unix_socket),
    TEST(test_concurrent_callers),
    TEST(test_tracer_end_to_end),
    TEST(test_tracer_agent_state),
    TEST(test_udp_byte_for_byte),
    TEST(test_udp_never_blocks),
};

int main(void) { return test_run("sender", cases, sizeof cases / sizeof cases[0]); }
