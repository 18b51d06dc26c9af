/* dd_sender.h - the agent sender: HTTP/1.1 to the Datadog Agent, and UDP datagrams.  dd-trace-c
 *
 * The supported transport for dd_trace.h: one kept-alive connection (TCP or Unix socket) to the
 * agent, found as the official tracers find it, and one wall-clock deadline per request that
 * holds whatever the peer sends. Also a UDP sender for DogStatsD and the X-Ray daemon.
 *
 * In exactly one .c file (the same one as DD_TRACE_IMPLEMENTATION, or another; in the same one,
 * define both macros before the first include):
 *     #define DD_SENDER_IMPLEMENTATION
 *     #include "dd_sender.h"            (first, or after #define _POSIX_C_SOURCE 200809L)
 * Other files include dd_sender.h without the macro. dd_trace.h must sit beside it.
 *
 *     dd_sender *agent = dd_sender_new(NULL);     (NULL: the agent address and timeout from the
 *                                                  environment; see the address rules below)
 *     dd_tracer_config cfg = {0};
 *     cfg.transport_fn = dd_sender_transport;
 *     cfg.hook_user = agent;                      (or cfg.transport_user)
 *     dd_tracer *t = dd_tracer_new(&cfg);  ...  dd_tracer_free(t);
 *     dd_sender_free(agent);
 *
 * FEATURES  the implementation needs POSIX 2008 (poll, getaddrinfo, clock_gettime, MSG_NOSIGNAL).
 *           In GNU mode (the compilers' default) nothing is needed. Under strict ISO mode
 *           (-std=c99) dd_sender.h defines _POSIX_C_SOURCE 200809L itself when it is the first
 *           include of the implementation file; if a libc header came first it stops with an
 *           #error asking for the definition at the top of the file (a late definition would be
 *           silently ignored by libc).
 * THREADS   a dd_sender is thread-safe: a mutex inside serialises requests (the tracer calls it
 *           from one thread anyway). The last answer (body, headers, last error) belongs to the
 *           thread that made the request, until the next request. After fork() the child opens
 *           its own connection (the inherited one stays the parent's); do not fork while another
 *           thread is in a request. A dd_udp_sender may be used by any number of threads at once.
 * MEMORY    buffers grow to a bound (head 32 KiB + max_response_bytes) and are kept: after the
 *           first requests nothing is allocated per request. A response body stays valid until
 *           the next request on the same sender or dd_sender_free.
 * ERRORS    a request returns DD_TRANSPORT_ANSWERED, DD_TRANSPORT_NOT_SENT (the agent surely did
 *           not process it) or DD_TRANSPORT_UNCONFIRMED (it may have): see docs/delivery.md.
 *           dd_sender_last_error says why in one line. Nothing here prints; log_fn, when given,
 *           hears about the endpoint chosen at creation and any setting that was skipped.
 * STACK     every call stays within 16 KiB of stack, measured by tests/stack_test.c on a guarded
 *           16 KiB thread stack against local sockets, names resolved through libc (gcc and
 *           clang, -O0 to -O2): dd_sender_request 5 KiB with "localhost" resolved (getaddrinfo
 *           and its NSS modules are most of it; a DNS lookup may take more, inside libc),
 *           dd_sender_new, dd_sender_resolve, dd_sender_transport and dd_udp_sender_open* 3 KiB,
 *           every other call under 0.5 KiB.
 * NULL      one rule for the whole API (the five headers): every public function accepts NULL for
 *           any pointer argument and then returns its documented error (DD_ERR_INVALID_ARG, or its
 *           own error value: DD_ERR_NOT_FOUND, 0, NULL, "", -1, DD_TRANSPORT_NOT_SENT) or does
 *           nothing, writing nothing; where NULL has a documented meaning (defaults, none, an
 *           optional out-param, an output buffer taken as capacity 0 to measure) it keeps it.
 *           tests/null_api_test.c calls every function with NULL in each pointer position (the
 *           calls generated from the headers by scripts/gen_null_calls.py).
 * SIGNALS   SIGPIPE is never raised (MSG_NOSIGNAL, or SO_NOSIGPIPE where that is the way).
 * DOES NOT  speak TLS: the agent belongs on localhost or a Unix socket. Name resolution
 *           (getaddrinfo, once per new connection) is not bounded by the deadline: give an IP
 *           address or "localhost" when that matters.
 *
 * Sections (each opens with a "--- name ---" banner comment). Declarations:
 *     options and counters          what dd_sender_new takes and what a sender counts
 *     agent address                 DD_TRACE_AGENT_URL, DD_AGENT_HOST/PORT, socket file, default
 *     the sender                    new, free, request, transport, the last answer
 *     response parser               the pure, incremental HTTP/1.x response parser
 *     UDP datagrams                 DogStatsD and the X-Ray daemon
 * Implementation (DD_SENDER_IMPLEMENTATION):
 *     platform                      system headers, SIGPIPE suppression, clocks
 *     text                          case-insensitive compares, HTTP character classes
 *     response parser               the state machine
 *     Retry-After                   delta-seconds and HTTP-dates
 *     address                       the endpoint rules
 *     sockets                       connect, write, wait: all under one deadline
 *     requests                      the head, the classification, the kept connection
 *     sender lifecycle              options read once, buffers kept
 *     UDP datagrams                 a connected non-blocking socket
 */
#ifndef DD_SENDER_H
#define DD_SENDER_H

/* Must precede every libc include of the implementation file; see FEATURES above. */
#if defined(DD_SENDER_IMPLEMENTATION) && defined(__STRICT_ANSI__) && !defined(__cplusplus) \
    && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) \
    && !defined(_DEFAULT_SOURCE) && !defined(_BSD_SOURCE)
#if defined(_FEATURES_H) || defined(_STDIO_H) || defined(_STDLIB_H) || defined(_STRING_H)
#error "dd_sender.h: #define _POSIX_C_SOURCE 200809L before the first #include of this file"
#endif
#define _POSIX_C_SOURCE 200809L
#endif

#include "dd_trace.h"

DD__BEGIN_C

/*--- options and counters: what dd_sender_new takes and what a sender counts ---*/

#define DD_SENDER_DEFAULT_TIMEOUT_MS 2000          /* DD_TRACE_AGENT_TIMEOUT unset          */
#define DD_SENDER_DEFAULT_MAX_RESPONSE (1u << 20)  /* response body bytes kept               */
#define DD_SENDER_SOCKET_PATH "/var/run/datadog/apm.socket"
#define DD_SENDER_RETRY_AFTER_MAX_MS 300000        /* a longer Retry-After is cut to 5 minutes */

/* Set size = sizeof(dd_sender_options) (dd_sender_options_init does): a caller built against an
 * older, shorter layout keeps working, and size 0 means every option takes its default. */
typedef struct dd_sender_options {
    size_t size;
    const char *url;            /* "http://host:port", "unix:///path"; NULL = the environment     */
    int64_t timeout_ms;         /* deadline of a transport call whose request has none; 0 =
                                   DD_TRACE_AGENT_TIMEOUT (integer seconds), else 2000;
                                   negative = none                                               */
    size_t max_response_bytes;  /* longest response body accepted; 0 = 1 MiB                     */
    const char *(*getenv_fn)(void *user, const char *name); /* NULL = getenv; dd_sender_new only */
    void *getenv_user;
    dd_log_fn log_fn;           /* the endpoint chosen and settings skipped, at creation; NULL = silent */
    void *log_user;
    const char *socket_path;    /* the Unix socket probed when no variable names the agent;
                                   NULL = DD_SENDER_SOCKET_PATH, "" = no probe                    */
} dd_sender_options;

/* Counts since dd_sender_new. requests = answered + not_sent + unconfirmed. */
typedef struct dd_sender_counters {
    uint64_t requests;        /* dd_sender_request and dd_sender_transport calls              */
    uint64_t answered;        /* a whole HTTP answer arrived (any status)                      */
    uint64_t not_sent;        /* the agent surely did not process the request                  */
    uint64_t unconfirmed;     /* written whole, but no whole answer came back                  */
    uint64_t http_errors;     /* answers with status >= 400                                    */
    uint64_t timeouts;        /* calls ended by their deadline (within not_sent or unconfirmed) */
    uint64_t connects;        /* connections opened                                            */
    uint64_t reused;          /* requests sent on a connection kept from an earlier request    */
    uint64_t stale;           /* kept connections found closed by the peer before reuse        */
    uint64_t interim;         /* 1xx answers skipped                                           */
    uint64_t bytes_sent;
    uint64_t bytes_received;
} dd_sender_stats;

/* Zeroes *opts and sets its size. [any thread] */
DD_API void dd_sender_options_init(dd_sender_options *opts);

/*--- agent address: where the agent is, resolved as the official tracers do ---*/

/* The rules, first hit wins (dd-trace-go's order; docs/delivery.md):
 *  1. opts->url, else DD_TRACE_AGENT_URL: "http://host[:port][/]" (port 80 when absent, as any
 *     http URL), "http://[::1]:8126", "unix:///abs/path.sock", "http+unix:///abs/path.sock" or
 *     "http+unix://%2Fabs%2Fpath.sock". An unusable DD_TRACE_AGENT_URL (https included: TLS is not
 *     spoken) is skipped with a note; an unusable opts->url fails.
 *  2. DD_AGENT_HOST and DD_TRACE_AGENT_PORT, when either is set and non-empty: http://host:port,
 *     the missing half localhost or 8126; an IPv6 host with or without brackets.
 *  3. the Unix socket opts->socket_path (/var/run/datadog/apm.socket) when it exists (stat).
 *  4. http://localhost:8126.
 * Empty variables count as unset. */
typedef struct dd_sender_endpoint {
    int is_unix;       /* 1: path; 0: host and port                                   */
    char host[256];    /* without brackets                                            */
    char port[6];
    char path[108];    /* the socket file (sun_path holds 108 bytes with its NUL)      */
    char url[400];     /* "http://host:port" (IPv6 bracketed) or "unix:///path"        */
    char note[512];    /* settings skipped and why, "" when none: for the caller's log */
} dd_sender_endpoint;

/* Applies the rules above with opts (NULL = defaults). Returns DD_OK, or DD_ERR_INVALID_ARG when
 * opts->url is given and unusable (out->note says why). [any thread] */
DD_API int dd_sender_resolve(const dd_sender_options *opts, dd_sender_endpoint *out);

/*--- the sender: one agent endpoint, one kept connection, one deadline per request ---*/

typedef struct dd_sender dd_sender;

/* A sender for the endpoint the rules give; no connection is made yet. NULL when out of memory
 * or opts->url is unusable (log_fn hears why). [any thread] */
DD_API dd_sender *dd_sender_new(const dd_sender_options *opts);

/* Closes the connection and frees everything. NULL is a no-op. No request may be running. */
DD_API void dd_sender_free(dd_sender *s);

/* Makes `s` the transport of the tracer cfg configures: transport_fn, transport_user and
 * transport_free_fn, so that dd_tracer_free frees the sender after its last delivery (and
 * dd_sender_free must not be called). A NULL s leaves cfg unchanged. [setup] */
DD_API void dd_sender_attach(dd_tracer_config *cfg, dd_sender *s);

/* The endpoint as text ("http://127.0.0.1:8126", "unix:///var/run/datadog/apm.socket") and the
 * note of settings skipped ("" when none); both live as long as the sender. [any thread] */
DD_API const char *dd_sender_url(const dd_sender *s);
DD_API const char *dd_sender_note(const dd_sender *s);

/* Copies the counters. [any thread] */
DD_API void dd_sender_counters(const dd_sender *s, dd_sender_stats *out);

/* Sends one request and reads its answer, all within timeout_ms from the call (connect, write,
 * read; <= 0: no deadline, as the Lambda Runtime API's long poll needs). Host, Content-Length
 * (when there is a body, or for a method other than GET/HEAD) and nothing else is added;
 * `headers` must not hold Host, Content-Length, Transfer-Encoding or Connection. Returns
 *   DD_TRANSPORT_ANSWERED    a whole answer arrived: *resp has status, body (NUL-terminated,
 *                            valid until the next request), retry_after_ms (Retry-After as
 *                            delta-seconds or an HTTP-date, in ms from now, at most
 *                            DD_SENDER_RETRY_AFTER_MAX_MS; 0 when absent); a
 *                            Datadog-Agent-State header is handed to dd_http_response_header;
 *   DD_TRANSPORT_NOT_SENT    no connection, the connection failed before the whole request
 *                            was written, or an invalid argument (nothing was sent);
 *   DD_TRANSPORT_UNCONFIRMED the whole request was written, no whole answer came back
 *                            (deadline, reset, close, malformed or over max_response_bytes).
 * resp may be NULL. Interim 1xx answers are skipped. [any thread; serialised] */
DD_API int dd_sender_request(dd_sender *s, const char *method, const char *path, const dd_header *headers,
                             size_t n_headers, const void *body, size_t body_len, int64_t timeout_ms,
                             dd_http_response *resp);

/* The dd_transport_fn of dd_trace.h; `user` is the dd_sender. The deadline is req->timeout_ms,
 * or the sender's timeout_ms when the request carries none (<= 0). */
DD_API int dd_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp);

/* The value of header `name` (case-insensitive) in the last whole answer, without surrounding
 * blanks, not NUL-terminated, its length in *len; NULL when absent or when the last request got
 * no whole answer. Valid until the next request. */
DD_API const char *dd_sender_response_header(const dd_sender *s, const char *name, size_t *len);

/* Why the last request did not end with a whole answer, in one line; "" after an answer. */
DD_API const char *dd_sender_last_error(const dd_sender *s);

/*--- response parser: pure and incremental, over a buffer the caller fills ---*/

#define DD_HTTP_HEAD_MAX 32768     /* status line and headers of one answer, and trailers    */
#define DD_HTTP_HEADERS_MAX 100    /* header lines of one head                              */
#define DD_HTTP_CHUNK_LINE_MAX 1024 /* a chunk-size line with its extensions                */
#define DD_HTTP_MORE 0             /* dd_http_parse: give it more bytes                      */
#define DD_HTTP_DONE 1             /* dd_http_parse: a whole final answer is in the buffer  */

/* The parser's results are valid once dd_http_parse returned DD_HTTP_DONE; after an error they
 * are all zero and `error` says why. Other fields are private. */
typedef struct dd_http_parser {
    int status;          /* the final answer's status (100-599, never 1xx)               */
    int keep_alive;      /* 1: the connection may carry another request                  */
    size_t head_len;     /* the final head is buf[0..head_len), blank line included       */
    size_t body_len;     /* the decoded body is buf[head_len..head_len + body_len)        */
    size_t extra;        /* bytes after the answer (then keep_alive is 0)                 */
    size_t interim;      /* 1xx answers skipped                                           */
    const char *error;   /* static text, after an error                                   */
    /* private */
    int state, err, chunked, has_length, conn_close, conn_keep, minor, head_only;
    uint64_t length, remaining;
    size_t pos, trailer_bytes, max_body;
} dd_http_parser;

/* Starts a parse: max_body bounds the decoded body; head_only for the answer to a HEAD request. */
DD_API void dd_http_parser_init(dd_http_parser *p, size_t max_body, int head_only);

/* buf[0..*len) holds the bytes received so far that the parser has not given back; append new
 * bytes at buf + *len and call again. The parser rewrites the buffer in place: 1xx heads are
 * removed and chunk framing is taken out, so *len may shrink; it never grows past what was
 * given. Returns DD_HTTP_MORE, DD_HTTP_DONE, or DD_ERR_MALFORMED, DD_ERR_LIMIT (a bound above
 * or max_body), DD_ERR_UNSUPPORTED (101, a transfer coding other than chunked); once done or
 * failed, it returns the same again. No recursion, no read outside buf[0..*len). */
DD_API int dd_http_parse(dd_http_parser *p, char *buf, size_t *len);

/* The peer closed the connection: DD_HTTP_DONE when the body runs until close (or the answer
 * was already done), else DD_ERR_TRUNCATED. */
DD_API int dd_http_parse_eof(dd_http_parser *p);

/* Header `name` (case-insensitive) in head[0..head_len) (a head dd_http_parse accepted):
 * the first value, trimmed, its length in *len; NULL when absent. */
DD_API const char *dd_http_header(const char *head, size_t head_len, const char *name, size_t *len);

/* A Retry-After value (delta-seconds or an IMF-fixdate HTTP-date) in ms from now_unix_ms,
 * clamped to [0, DD_SENDER_RETRY_AFTER_MAX_MS]; -1 when it is neither. */
DD_API int64_t dd_http_retry_after_ms(const char *value, size_t len, int64_t now_unix_ms);

/*--- UDP datagrams: DogStatsD and the X-Ray daemon, never waiting ---*/

typedef struct dd_udp_sender dd_udp_sender;

/* A UDP socket connected to host:port (a name, an IPv4 or IPv6 literal). NULL when the host
 * does not resolve or out of memory. [any thread] */
DD_API dd_udp_sender *dd_udp_sender_open(const char *host, int port);

/* The same from an address text: "host:port", "[v6]:port", "host" (default_port), or the X-Ray
 * form "tcp:127.0.0.1:2000 udp:127.0.0.2:2001" (its udp: part), as AWS_XRAY_DAEMON_ADDRESS. */
DD_API dd_udp_sender *dd_udp_sender_open_addr(const char *addr, int default_port);

/* Sends one datagram without waiting. DD_OK when the kernel took it; DD_ERR_LIMIT when it was
 * dropped (socket buffer full, the port refused it, too long) and counted;
 * DD_ERR_INVALID_ARG for NULL arguments. [any thread] */
DD_API int dd_udp_send(dd_udp_sender *u, const void *data, size_t len);

/* Datagrams sent and dropped since open. [any thread] */
DD_API void dd_udp_sender_counters(const dd_udp_sender *u, uint64_t *sent, uint64_t *dropped);

/* Closes the socket. NULL is a no-op. No send may be running. */
DD_API void dd_udp_sender_close(dd_udp_sender *u);

DD__END_C
#endif /* DD_SENDER_H */

#if defined(DD_SENDER_IMPLEMENTATION) && !defined(DD__SENDER_IMPLEMENTED)
#define DD__SENDER_IMPLEMENTED

/*--- platform: the system headers, SIGPIPE suppression and the monotonic clock ---*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

/* Where MSG_NOSIGNAL is missing (macOS), SO_NOSIGPIPE on the socket does its job. */
#ifdef MSG_NOSIGNAL
#define DD__SND_FLAGS MSG_NOSIGNAL
#else
#define DD__SND_FLAGS 0
#endif

DD__PRIVATE int64_t dd__snd_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

DD__PRIVATE int64_t dd__snd_unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*--- text: case-insensitive compares and the character classes of HTTP ---*/

DD__PRIVATE int dd__snd_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

DD__PRIVATE int dd__snd_ieq(const char *a, size_t an, const char *b) {
    size_t i;
    for (i = 0; i < an; i++)
        if (!b[i] || dd__snd_lower((unsigned char)a[i]) != dd__snd_lower((unsigned char)b[i])) return 0;
    return b[an] == 0;
}

DD__PRIVATE int dd__snd_iprefix(const char *s, const char *p) {
    for (; *p; s++, p++)
        if (!*s || dd__snd_lower((unsigned char)*s) != dd__snd_lower((unsigned char)*p)) return 0;
    return 1;
}

/* RFC 9110 tchar: what a method or header name may hold. */
DD__PRIVATE int dd__snd_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A header value byte: visible, blank or obs-text; never CR, LF, NUL or another control. */
DD__PRIVATE int dd__snd_vchar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

DD__PRIVATE void dd__snd_trim(const char **v, size_t *n) {
    while (*n && (**v == ' ' || **v == '\t')) { (*v)++; (*n)--; }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t')) (*n)--;
}

/* Decimal digits only, at most 18 of them (so no overflow): the value, else -1. */
DD__PRIVATE int64_t dd__snd_dec(const char *p, size_t n) {
    int64_t v = 0;
    size_t i;
    if (n == 0 || n > 18) return -1;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/*--- response parser: one state machine, a loop per call, every length checked ---*/

enum { DD__HP_HEAD, DD__HP_LEN, DD__HP_CLOSE, DD__HP_CSIZE, DD__HP_CDATA, DD__HP_CEND, DD__HP_TRAILER,
       DD__HP_DONE, DD__HP_ERROR };

DD_API void dd_http_parser_init(dd_http_parser *p, size_t max_body, int head_only) {
    if (!p) return; /* the NULL rule */
    memset(p, 0, sizeof *p);
    p->max_body = max_body;
    p->head_only = head_only ? 1 : 0;
    p->state = DD__HP_HEAD;
}

DD__PRIVATE int dd__hp_fail(dd_http_parser *p, int rc, const char *why) {
    size_t max_body = p->max_body;
    int head_only = p->head_only;
    memset(p, 0, sizeof *p);
    p->max_body = max_body;
    p->head_only = head_only;
    p->state = DD__HP_ERROR;
    p->error = why;
    p->err = rc; /* answered again by later calls */
    return rc;
}

/* "HTTP/1.x SSS reason\r\n": the status, or -1. */
DD__PRIVATE int dd__hp_status_line(dd_http_parser *p, const char *l, size_t n) {
    size_t i;
    int st;
    if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ') return -1;
    if (l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9') return -1;
    if (n > 12 && l[12] != ' ') return -1;
    for (i = 13; i < n; i++)
        if (!dd__snd_vchar((unsigned char)l[i])) return -1;
    p->minor = l[7] - '0';
    st = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    return st;
}

/* "Connection: close, keep-alive": the tokens that matter to reuse. */
DD__PRIVATE void dd__hp_connection(dd_http_parser *p, const char *v, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t s = i, tn;
        const char *t;
        while (i < n && v[i] != ',') i++;
        t = v + s;
        tn = i - s;
        dd__snd_trim(&t, &tn);
        if (dd__snd_ieq(t, tn, "close")) p->conn_close = 1;
        if (dd__snd_ieq(t, tn, "keep-alive")) p->conn_keep = 1;
        i++;
    }
}

/* One "name: value" line (no CRLF): records what framing needs. 0, or a DD_ERR_* via fail. */
DD__PRIVATE int dd__hp_field(dd_http_parser *p, const char *l, size_t n) {
    size_t i = 0, vn;
    const char *v;
    while (i < n && dd__snd_tchar((unsigned char)l[i])) i++;
    if (i == 0 || i == n || l[i] != ':') return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed header line");
    v = l + i + 1;
    vn = n - i - 1;
    {
        size_t k;
        for (k = 0; k < vn; k++)
            if (!dd__snd_vchar((unsigned char)v[k])) return dd__hp_fail(p, DD_ERR_MALFORMED, "control byte in a header value");
    }
    dd__snd_trim(&v, &vn);
    if (dd__snd_ieq(l, i, "content-length")) {
        int64_t len = dd__snd_dec(v, vn);
        if (len < 0) return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed Content-Length");
        if (p->has_length && p->length != (uint64_t)len)
            return dd__hp_fail(p, DD_ERR_MALFORMED, "conflicting Content-Length headers");
        p->has_length = 1;
        p->length = (uint64_t)len;
    } else if (dd__snd_ieq(l, i, "transfer-encoding")) {
        if (p->chunked || !dd__snd_ieq(v, vn, "chunked"))
            return dd__hp_fail(p, DD_ERR_UNSUPPORTED, "transfer coding other than chunked");
        p->chunked = 1;
    } else if (dd__snd_ieq(l, i, "connection")) {
        dd__hp_connection(p, v, vn);
    }
    return 0;
}

/* Parses the head buf[0..head_len) (it ends with CRLF CRLF). The status, or a DD_ERR_* (failed). */
DD__PRIVATE int dd__hp_head(dd_http_parser *p, const char *buf, size_t head_len) {
    const char *line = buf, *end = buf + head_len - 2; /* the final CRLF */
    size_t count = 0;
    int status = -1;
    p->chunked = p->has_length = p->conn_close = p->conn_keep = 0;
    p->length = 0;
    while (line < end) {
        const char *eol = (const char *)memchr(line, '\n', (size_t)(end + 2 - line));
        size_t n;
        if (!eol || eol == line || eol[-1] != '\r') return dd__hp_fail(p, DD_ERR_MALFORMED, "line not ended by CRLF");
        n = (size_t)(eol - 1 - line);
        if (status < 0) {
            status = dd__hp_status_line(p, line, n);
            if (status < 0) return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed status line");
        } else {
            int rc;
            if (line[0] == ' ' || line[0] == '\t') return dd__hp_fail(p, DD_ERR_MALFORMED, "obsolete header folding");
            if (++count > DD_HTTP_HEADERS_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "too many header lines");
            rc = dd__hp_field(p, line, n);
            if (rc) return rc;
        }
        line = eol + 1;
    }
    if (status < 0) return dd__hp_fail(p, DD_ERR_MALFORMED, "no status line");
    if (p->chunked && p->has_length)
        return dd__hp_fail(p, DD_ERR_MALFORMED, "both Content-Length and Transfer-Encoding");
    return status;
}

/* The end of the head's blank line searched from p->pos; 0 when not there yet. */
DD__PRIVATE size_t dd__hp_find_head(dd_http_parser *p, const char *buf, size_t len) {
    size_t i = p->pos > 3 ? p->pos - 3 : 0;
    for (; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') return i + 4;
    p->pos = len;
    return 0;
}

/* A whole head in the buffer: skip it (1xx) or set up the body. DD_HTTP_MORE to go on. */
DD__PRIVATE int dd__hp_on_head(dd_http_parser *p, char *buf, size_t *len, size_t head_len) {
    int st = dd__hp_head(p, buf, head_len);
    if (st < 0) return st;
    if (st == 101) return dd__hp_fail(p, DD_ERR_UNSUPPORTED, "101 Switching Protocols");
    if (st < 200) { /* interim: drop it, the final answer follows */
        memmove(buf, buf + head_len, *len - head_len);
        *len -= head_len;
        p->pos = 0;
        p->interim++;
        return DD_HTTP_MORE;
    }
    p->status = st;
    p->head_len = head_len;
    p->pos = head_len;
    p->keep_alive = p->minor == 1 ? !p->conn_close : (p->conn_keep && !p->conn_close);
    if (p->head_only || st == 204 || st == 304) {
        p->state = DD__HP_DONE;
    } else if (p->chunked) {
        p->state = DD__HP_CSIZE;
    } else if (p->has_length) {
        if (p->length > p->max_body) return dd__hp_fail(p, DD_ERR_LIMIT, "Content-Length over the response limit");
        p->remaining = p->length;
        p->state = p->length ? DD__HP_LEN : DD__HP_DONE;
    } else {
        p->keep_alive = 0; /* the body ends when the peer closes */
        p->state = DD__HP_CLOSE;
    }
    return DD_HTTP_MORE;
}

/* "1a2b[;ext]\r\n" at buf[pos]: the size, or a DD_ERR_* (failed); DD_HTTP_MORE-like 1 in *more. */
DD__PRIVATE int dd__hp_chunk_size(dd_http_parser *p, const char *buf, size_t len, int *more) {
    const char *l = buf + p->pos, *nl = (const char *)memchr(l, '\n', len - p->pos);
    size_t n, i = 0;
    uint64_t v = 0;
    *more = 0;
    if (!nl) {
        if (len - p->pos > DD_HTTP_CHUNK_LINE_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "chunk-size line too long");
        *more = 1;
        return 0;
    }
    n = (size_t)(nl - l);
    if (n > DD_HTTP_CHUNK_LINE_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "chunk-size line too long");
    if (n == 0 || l[n - 1] != '\r') return dd__hp_fail(p, DD_ERR_MALFORMED, "chunk-size line not ended by CRLF");
    n--;
    for (; i < n; i++) {
        int c = dd__snd_lower((unsigned char)l[i]), d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else break;
        if (i >= 15) return dd__hp_fail(p, DD_ERR_LIMIT, "chunk size too large");
        v = v * 16 + (uint64_t)d;
    }
    if (i == 0) return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed chunk size");
    while (i < n && (l[i] == ' ' || l[i] == '\t')) i++;
    if (i < n && l[i] != ';') return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed chunk size");
    for (; i < n; i++)
        if (!dd__snd_vchar((unsigned char)l[i])) return dd__hp_fail(p, DD_ERR_MALFORMED, "control byte in a chunk extension");
    if (v > (uint64_t)(p->max_body - p->body_len)) return dd__hp_fail(p, DD_ERR_LIMIT, "chunked body over the response limit");
    p->pos += (size_t)(nl - l) + 1;
    p->remaining = v;
    p->state = v ? DD__HP_CDATA : DD__HP_TRAILER;
    return 0;
}

/* Trailer lines after the last chunk, up to the blank line. 1 when more bytes are needed. */
DD__PRIVATE int dd__hp_trailer(dd_http_parser *p, const char *buf, size_t len, int *more) {
    const char *l = buf + p->pos, *nl = (const char *)memchr(l, '\n', len - p->pos);
    size_t n;
    *more = 0;
    if (!nl) {
        if (p->trailer_bytes + (len - p->pos) > DD_HTTP_HEAD_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "trailers too large");
        *more = 1;
        return 0;
    }
    n = (size_t)(nl - l);
    p->trailer_bytes += n + 1;
    if (p->trailer_bytes > DD_HTTP_HEAD_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "trailers too large");
    if (n == 0 || l[n - 1] != '\r') return dd__hp_fail(p, DD_ERR_MALFORMED, "trailer line not ended by CRLF");
    p->pos += n + 1;
    if (n == 1) {
        p->state = DD__HP_DONE;
        return 0;
    }
    {
        size_t i = 0;
        while (i < n - 1 && dd__snd_tchar((unsigned char)l[i])) i++;
        if (i == 0 || l[i] != ':') return dd__hp_fail(p, DD_ERR_MALFORMED, "malformed trailer line");
        for (; i < n - 1; i++)
            if (!dd__snd_vchar((unsigned char)l[i])) return dd__hp_fail(p, DD_ERR_MALFORMED, "control byte in a trailer");
    }
    return 0;
}

/* One step of the body states; 1 when more bytes are needed, else 0, or a DD_ERR_*. */
DD__PRIVATE int dd__hp_body_step(dd_http_parser *p, char *buf, size_t len) {
    size_t avail = len - p->pos, take;
    int more = 0, rc = 0;
    switch (p->state) {
    case DD__HP_LEN:
        take = avail < p->remaining ? avail : (size_t)p->remaining;
        p->pos += take;
        p->body_len += take;
        p->remaining -= take;
        if (!p->remaining) p->state = DD__HP_DONE;
        return take == 0;
    case DD__HP_CLOSE:
        if (avail > p->max_body - p->body_len) return dd__hp_fail(p, DD_ERR_LIMIT, "body over the response limit");
        p->pos += avail;
        p->body_len += avail;
        return 1;
    case DD__HP_CSIZE:
        rc = dd__hp_chunk_size(p, buf, len, &more);
        return rc ? rc : more;
    case DD__HP_CDATA:
        take = avail < p->remaining ? avail : (size_t)p->remaining;
        memmove(buf + p->head_len + p->body_len, buf + p->pos, take); /* framing out, in place */
        p->pos += take;
        p->body_len += take;
        p->remaining -= take;
        if (!p->remaining) p->state = DD__HP_CEND;
        return take == 0;
    case DD__HP_CEND:
        if (avail < 2) return 1;
        if (buf[p->pos] != '\r' || buf[p->pos + 1] != '\n') return dd__hp_fail(p, DD_ERR_MALFORMED, "chunk not ended by CRLF");
        p->pos += 2;
        p->state = DD__HP_CSIZE;
        return 0;
    case DD__HP_TRAILER:
        rc = dd__hp_trailer(p, buf, len, &more);
        return rc ? rc : more;
    default:
        return 1;
    }
}

/* Moves the unparsed tail down to the end of the decoded body, so framing costs no room. */
DD__PRIVATE void dd__hp_compact(dd_http_parser *p, char *buf, size_t *len) {
    size_t out = p->head_len + p->body_len;
    if (p->state == DD__HP_HEAD || out == p->pos) return;
    memmove(buf + out, buf + p->pos, *len - p->pos);
    *len -= p->pos - out;
    p->pos = out;
}

DD_API int dd_http_parse(dd_http_parser *p, char *buf, size_t *len) {
    if (!p || !buf || !len) return DD_ERR_INVALID_ARG; /* the NULL rule */
    if (p->state == DD__HP_DONE) return DD_HTTP_DONE;
    if (p->state == DD__HP_ERROR) return p->err;
    for (;;) {
        int rc;
        if (p->state == DD__HP_HEAD) {
            size_t head_len = dd__hp_find_head(p, buf, *len);
            if (!head_len) {
                if (*len >= DD_HTTP_HEAD_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "response head too large");
                return DD_HTTP_MORE;
            }
            if (head_len > DD_HTTP_HEAD_MAX) return dd__hp_fail(p, DD_ERR_LIMIT, "response head too large");
            rc = dd__hp_on_head(p, buf, len, head_len);
            if (rc < 0) return rc;
            continue;
        }
        if (p->state == DD__HP_DONE) break;
        rc = dd__hp_body_step(p, buf, *len);
        if (rc < 0) return rc;
        if (rc == 1) {
            dd__hp_compact(p, buf, len);
            return DD_HTTP_MORE;
        }
    }
    dd__hp_compact(p, buf, len);
    p->extra = *len - p->pos;
    if (p->extra) p->keep_alive = 0; /* unasked bytes: the stream cannot be trusted */
    return DD_HTTP_DONE;
}

DD_API int dd_http_parse_eof(dd_http_parser *p) {
    if (!p) return DD_ERR_INVALID_ARG; /* the NULL rule */
    if (p->state == DD__HP_DONE) return DD_HTTP_DONE;
    if (p->state == DD__HP_ERROR) return p->err;
    if (p->state == DD__HP_CLOSE) {
        p->state = DD__HP_DONE;
        p->keep_alive = 0;
        return DD_HTTP_DONE;
    }
    return dd__hp_fail(p, DD_ERR_TRUNCATED, p->state == DD__HP_HEAD ? "connection closed before a whole head"
                                                                    : "connection closed before the whole body");
}

DD_API const char *dd_http_header(const char *head, size_t head_len, const char *name, size_t *len) {
    if (!head || !name) { if (len) *len = 0; return NULL; } /* the NULL rule */
    const char *line, *end = head + head_len;
    size_t nn = strlen(name);
    if (len) *len = 0;
    line = (const char *)memchr(head, '\n', head_len); /* skip the status line */
    while (line && ++line < end) {
        const char *eol = (const char *)memchr(line, '\n', (size_t)(end - line));
        size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);
        if (n > nn && line[nn] == ':') {
            size_t i;
            for (i = 0; i < nn; i++)
                if (dd__snd_lower((unsigned char)line[i]) != dd__snd_lower((unsigned char)name[i])) break;
            if (i == nn) {
                const char *v = line + nn + 1;
                size_t vn = n - nn - 1;
                if (vn && v[vn - 1] == '\r') vn--;
                dd__snd_trim(&v, &vn);
                if (len) *len = vn;
                return v;
            }
        }
        line = eol;
    }
    return NULL;
}

/*--- Retry-After: delta-seconds or an IMF-fixdate, to ms from now ---*/

/* Days since 1970-01-01 of a proleptic Gregorian date (valid fields). */
DD__PRIVATE int64_t dd__snd_days(int y, int m, int d) {
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t py = y - 1, leaps = py / 4 - py / 100 + py / 400 - 477; /* 477: leap days before 1970 */
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return (int64_t)(y - 1970) * 365 + leaps + before[m - 1] + (m > 2 && leap) + (d - 1);
}

DD__PRIVATE int dd__snd_2dig(const char *p) {
    return (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') ? (p[0] - '0') * 10 + (p[1] - '0') : -1;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" to ms since the epoch, or -1. */
DD__PRIVATE int64_t dd__snd_imf_date(const char *v, size_t n) {
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char days[] = "MonTueWedThuFriSatSun";
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int d, m, y, hh, mm, ss, i, ok = 0;
    if (n != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':'
        || v[22] != ':' || v[25] != ' ' || memcmp(v + 26, "GMT", 3) != 0)
        return -1;
    for (i = 0; i < 7; i++) ok |= memcmp(v, days + 3 * i, 3) == 0;
    for (m = 0; m < 12 && memcmp(v + 8, months + 3 * m, 3) != 0; m++) {}
    d = dd__snd_2dig(v + 5);
    y = dd__snd_2dig(v + 12) * 100 + dd__snd_2dig(v + 14);
    hh = dd__snd_2dig(v + 17);
    mm = dd__snd_2dig(v + 20);
    ss = dd__snd_2dig(v + 23);
    if (!ok || m == 12 || d < 1 || d > mdays[m] || dd__snd_2dig(v + 12) < 0 || dd__snd_2dig(v + 14) < 0 || y < 1970
        || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;
    return ((dd__snd_days(y, m + 1, d) * 24 + hh) * 60 + mm) * 60000 + (int64_t)ss * 1000;
}

DD_API int64_t dd_http_retry_after_ms(const char *value, size_t len, int64_t now_unix_ms) {
    int64_t ms, secs;
    if (!value) return -1;
    dd__snd_trim(&value, &len);
    secs = dd__snd_dec(value, len);
    if (secs >= 0) {
        ms = secs > DD_SENDER_RETRY_AFTER_MAX_MS / 1000 ? DD_SENDER_RETRY_AFTER_MAX_MS : secs * 1000;
    } else {
        int64_t at = dd__snd_imf_date(value, len);
        if (at < 0) return -1;
        ms = at - now_unix_ms;
    }
    if (ms < 0) ms = 0;
    return ms > DD_SENDER_RETRY_AFTER_MAX_MS ? DD_SENDER_RETRY_AFTER_MAX_MS : ms;
}

/*--- address: the endpoint rules, each a small parser that says why it refused ---*/

DD_API void dd_sender_options_init(dd_sender_options *opts) {
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
}

/* The caller's options in our layout: fields it did not know stay zero. */
DD__PRIVATE void dd__snd_opts(const dd_sender_options *in, dd_sender_options *out) {
    memset(out, 0, sizeof *out);
    if (in && in->size) memcpy(out, in, in->size < sizeof *out ? in->size : sizeof *out);
    out->size = sizeof *out;
}

DD__PRIVATE const char *dd__snd_env(const dd_sender_options *o, const char *name) {
    const char *v = o->getenv_fn ? o->getenv_fn(o->getenv_user, name) : getenv(name);
    return v && *v ? v : NULL;
}

DD__PRIVATE void dd__snd_note(dd_sender_endpoint *e, const char *what, const char *value, const char *why) {
    size_t n = strlen(e->note);
    if (n + 4 >= sizeof e->note) return;
    snprintf(e->note + n, sizeof e->note - n, "%s%s=%.120s ignored: %s", n ? "; " : "", what, value, why);
}

DD__PRIVATE int dd__snd_port_ok(const char *p, size_t n) {
    int64_t v = n <= 5 ? dd__snd_dec(p, n) : -1;
    return v > 0 && v <= 65535;
}

/* A host name, IPv4 or (unbracketed) IPv6 literal we can hand to getaddrinfo. */
DD__PRIVATE int dd__snd_host_ok(const char *h, size_t n) {
    size_t i;
    if (n == 0 || n > 255) return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-'
              || c == '_' || c == ':' || c == '%'))
            return 0;
    }
    return 1;
}

DD__PRIVATE const char *dd__snd_set_tcp(dd_sender_endpoint *e, const char *host, size_t hn, const char *port,
                                        size_t pn) {
    if (hn >= 2 && host[0] == '[' && host[hn - 1] == ']') { host++; hn -= 2; }
    if (!dd__snd_host_ok(host, hn)) return "not a usable host";
    if (!dd__snd_port_ok(port, pn)) return "not a port in 1-65535";
    e->is_unix = 0;
    memcpy(e->host, host, hn);
    e->host[hn] = 0;
    memcpy(e->port, port, pn);
    e->port[pn] = 0;
    snprintf(e->url, sizeof e->url, memchr(host, ':', hn) ? "http://[%s]:%s" : "http://%s:%s", e->host, e->port);
    return NULL;
}

DD__PRIVATE int dd__snd_hex(int c) {
    c = dd__snd_lower(c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A socket path, raw or percent-encoded ("%2Fvar%2Frun..."); it must be absolute. */
DD__PRIVATE const char *dd__snd_set_unix(dd_sender_endpoint *e, const char *p) {
    size_t o = 0;
    for (; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int h = dd__snd_hex((unsigned char)p[1]), l = h >= 0 ? dd__snd_hex((unsigned char)p[2]) : -1;
            if (l < 0) return "bad percent-encoding in the socket path";
            c = h * 16 + l;
            p += 2;
        }
        if (c == 0 || o + 1 >= sizeof e->path) return "socket path too long or holds a NUL";
        e->path[o++] = (char)c;
    }
    e->path[o] = 0;
    if (e->path[0] != '/') return "socket path not absolute";
    e->is_unix = 1;
    snprintf(e->url, sizeof e->url, "unix://%s", e->path);
    return NULL;
}

/* "http://host[:port][/]": NULL when set, else why not. */
DD__PRIVATE const char *dd__snd_http_url(dd_sender_endpoint *e, const char *a) {
    size_t n = strcspn(a, "/?#"), hn;
    const char *colon = NULL, *rb;
    if (a[n] && strcmp(a + n, "/") != 0) return "only a base URL (no path, query or fragment) is accepted";
    if (memchr(a, '@', n)) return "user information is not supported";
    if (a[0] == '[') {
        rb = (const char *)memchr(a, ']', n);
        if (!rb) return "unclosed IPv6 bracket";
        if (rb + 1 < a + n && rb[1] != ':') return "junk after the IPv6 address";
        colon = rb + 1 < a + n ? rb + 1 : NULL;
    } else {
        colon = (const char *)memchr(a, ':', n);
    }
    hn = colon ? (size_t)(colon - a) : n;
    if (!colon) return dd__snd_set_tcp(e, a, hn, "80", 2);
    return dd__snd_set_tcp(e, a, hn, colon + 1, n - hn - 1);
}

/* Rule 1: a URL. NULL when set, else why not. */
DD__PRIVATE const char *dd__snd_url(dd_sender_endpoint *e, const char *url) {
    if (dd__snd_iprefix(url, "unix://")) return dd__snd_set_unix(e, url + 7);
    if (dd__snd_iprefix(url, "http+unix://")) return dd__snd_set_unix(e, url + 12);
    if (dd__snd_iprefix(url, "http://")) return dd__snd_http_url(e, url + 7);
    if (dd__snd_iprefix(url, "https://")) return "https is not supported (cleartext HTTP only: keep the agent local)";
    return "not an http:// or unix:// URL";
}

DD_API int dd_sender_resolve(const dd_sender_options *opts, dd_sender_endpoint *out) {
    dd_sender_options o;
    const char *v, *why, *host, *port;
    struct stat st;
    if (!out) return DD_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    dd__snd_opts(opts, &o);
    if (o.url) {
        why = dd__snd_url(out, o.url);
        if (!why) return DD_OK;
        dd__snd_note(out, "url", o.url, why);
        return DD_ERR_INVALID_ARG;
    }
    if ((v = dd__snd_env(&o, "DD_TRACE_AGENT_URL")) != NULL) {
        why = dd__snd_url(out, v);
        if (!why) return DD_OK;
        dd__snd_note(out, "DD_TRACE_AGENT_URL", v, why);
    }
    host = dd__snd_env(&o, "DD_AGENT_HOST");
    port = dd__snd_env(&o, "DD_TRACE_AGENT_PORT");
    if (host || port) {
        const char *h = host ? host : "localhost", *p = port ? port : "8126";
        why = dd__snd_set_tcp(out, h, strlen(h), p, strlen(p));
        if (!why) return DD_OK;
        dd__snd_note(out, host ? "DD_AGENT_HOST" : "DD_TRACE_AGENT_PORT", host ? h : p, why);
    }
    v = o.socket_path ? o.socket_path : DD_SENDER_SOCKET_PATH;
    if (*v && stat(v, &st) == 0 && !dd__snd_set_unix(out, v)) return DD_OK;
    dd__snd_set_tcp(out, "localhost", 9, "8126", 4);
    return DD_OK;
}

/*--- sockets: connect, write and wait, every step under the request's one deadline ---*/

#define DD__SND_NONE INT64_MAX /* "no deadline" */

struct dd_sender {
    pthread_mutex_t mu;
    pid_t mu_pid; /* the process that made mu: a fork()ed child makes its own */
    dd_sender_endpoint ep;
    int64_t timeout_ms;      /* transport calls whose request carries none; <= 0: none */
    size_t max_response;
    int fd;                  /* the kept connection, -1 when none */
    pid_t pid;               /* the process that opened it: a forked child must not share it */
    char *out;               /* the request head */
    size_t out_cap;
    char *in;                /* the answer: head, then decoded body */
    size_t in_cap, in_len;
    dd_http_parser parser;   /* the last answer's */
    int answered;            /* the last request got a whole answer */
    char error[600];
    dd_sender_stats c;
};

DD__PRIVATE void dd__snd_err(dd_sender *s, const char *what, int err) {
    if (err) snprintf(s->error, sizeof s->error, "%.150s: %.100s (%.300s)", what, strerror(err), s->ep.url);
    else snprintf(s->error, sizeof s->error, "%.150s (%.300s)", what, s->ep.url);
}

/* Waits for `events` until the deadline: 1 ready, 0 deadline passed, -1 error (errno). */
DD__PRIVATE int dd__snd_wait(int fd, short events, int64_t deadline) {
    for (;;) {
        struct pollfd pfd;
        int64_t left = deadline == DD__SND_NONE ? 60000 : deadline - dd__snd_now_ms();
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

DD__PRIVATE void dd__snd_close(dd_sender *s) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

/* A non-blocking socket of `family` that never raises SIGPIPE, or -1. */
DD__PRIVATE int dd__snd_socket(int family, int type) {
    int fd = socket(family, type, 0), one = 1;
    if (fd < 0) return -1;
    (void)one;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
#ifdef SO_NOSIGPIPE
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (family != AF_UNIX && type == SOCK_STREAM) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Connects one address before the deadline: the fd, or -1 (errno; ETIMEDOUT at the deadline). */
DD__PRIVATE int dd__snd_connect_addr(const struct sockaddr *a, socklen_t alen, int family, int64_t deadline) {
    int fd = dd__snd_socket(family, SOCK_STREAM), err = 0, rc;
    socklen_t elen = sizeof err;
    if (fd < 0) return -1;
    if (connect(fd, a, alen) == 0) return fd;
    if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR) goto fail;
    rc = dd__snd_wait(fd, POLLOUT, deadline);
    if (rc == 0) errno = ETIMEDOUT;
    if (rc <= 0) goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) goto fail;
    if (err) { errno = err; goto fail; }
    return fd;
fail:
    err = errno;
    close(fd);
    errno = err;
    return -1;
}

/* Opens the connection; DD_OK or DD_ERR_TRANSPORT (s->error set). */
DD__PRIVATE int dd__snd_connect(dd_sender *s, int64_t deadline) {
    int fd = -1, err = ECONNREFUSED;
    if (s->ep.is_unix) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, s->ep.path, strlen(s->ep.path));
        fd = dd__snd_connect_addr((const struct sockaddr *)&sun, (socklen_t)sizeof sun, AF_UNIX, deadline);
        err = errno;
    } else {
        struct addrinfo hints, *res = NULL, *ai;
        int rc;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        rc = getaddrinfo(s->ep.host, s->ep.port, &hints, &res);
        if (rc != 0) {
            snprintf(s->error, sizeof s->error, "resolving %.100s: %.60s", s->ep.host, gai_strerror(rc));
            return DD_ERR_TRANSPORT;
        }
        for (ai = res; ai && fd < 0; ai = ai->ai_next) { /* ::1 then 127.0.0.1 for localhost */
            fd = dd__snd_connect_addr(ai->ai_addr, ai->ai_addrlen, ai->ai_family, deadline);
            if (fd < 0) err = errno;
            if (fd < 0 && err == ETIMEDOUT) break;
        }
        freeaddrinfo(res);
    }
    if (fd < 0) {
        if (err == ETIMEDOUT) s->c.timeouts++;
        dd__snd_err(s, err == ETIMEDOUT ? "connect: deadline passed" : "connect", err == ETIMEDOUT ? 0 : err);
        return DD_ERR_TRANSPORT;
    }
    s->fd = fd;
    s->pid = getpid();
    s->c.connects++;
    return DD_OK;
}

/* A kept connection the peer has not closed: nothing to read and no error. Bytes the peer sent
 * unasked make it untrustworthy too. */
DD__PRIVATE int dd__snd_alive(int fd) {
    struct pollfd pfd;
    char c;
    ssize_t n;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) == 0) return 1;
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) return 0;
    n = recv(fd, &c, 1, MSG_PEEK); /* the socket is non-blocking */
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

/* Writes head and body. 0 when all was written, else -1 with errno (ETIMEDOUT at the deadline). */
DD__PRIVATE int dd__snd_write(dd_sender *s, const char *head, size_t hn, const void *body, size_t bn,
                              int64_t deadline) {
    size_t done = 0, total = hn + bn;
    while (done < total) {
        struct iovec iov[2];
        struct msghdr msg;
        ssize_t w;
        int k = 0;
        if (deadline != DD__SND_NONE && dd__snd_now_ms() >= deadline) { errno = ETIMEDOUT; return -1; }
        if (done < hn) {
            iov[k].iov_base = (void *)(head + done);
            iov[k++].iov_len = hn - done;
        }
        if (bn) {
            size_t from = done > hn ? done - hn : 0;
            iov[k].iov_base = (void *)((const char *)body + from);
            iov[k++].iov_len = bn - from;
        }
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = k;
        w = sendmsg(s->fd, &msg, DD__SND_FLAGS);
        if (w > 0) {
            done += (size_t)w;
            s->c.bytes_sent += (uint64_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = dd__snd_wait(s->fd, POLLOUT, deadline);
            if (rc == 0) errno = ETIMEDOUT;
            if (rc <= 0) return -1;
            continue;
        }
        if (w == 0) errno = EPIPE;
        return -1;
    }
    return 0;
}

/* Room for one more read in s->in, within the bound; 0 when the bound is reached. */
DD__PRIVATE size_t dd__snd_room(dd_sender *s) {
    size_t bound = DD_HTTP_HEAD_MAX + s->max_response + 65536 + 1;
    if (s->in_cap - s->in_len < 4097 && s->in_cap < bound) {
        size_t cap = s->in_cap ? s->in_cap * 2 : 16384;
        char *p;
        if (cap > bound) cap = bound;
        p = (char *)realloc(s->in, cap);
        if (p) {
            s->in = p;
            s->in_cap = cap;
        }
    }
    if (s->in_cap <= s->in_len + 1) return 0;
    return s->in_cap - s->in_len - 1; /* one byte kept for the body's NUL */
}

/* One read into the parser, or one wait for bytes: DD_HTTP_MORE, DD_HTTP_DONE, or -1 (s->error
 * set). A peer that keeps sending never makes recv wait, so the caller checks the clock. */
DD__PRIVATE int dd__snd_read_some(dd_sender *s, int64_t deadline) {
    dd_http_parser *p = &s->parser;
    size_t room = dd__snd_room(s);
    ssize_t n;
    int rc;
    if (!room) { dd__snd_err(s, "answer over the response limit", 0); return -1; }
    n = recv(s->fd, s->in + s->in_len, room, 0);
    if (n > 0) {
        s->in_len += (size_t)n;
        s->c.bytes_received += (uint64_t)n;
        rc = dd_http_parse(p, s->in, &s->in_len);
    } else if (n == 0) {
        rc = dd_http_parse_eof(p);
        p->keep_alive = 0;
    } else if (errno == EINTR) {
        return DD_HTTP_MORE;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (dd__snd_wait(s->fd, POLLIN, deadline) >= 0) return DD_HTTP_MORE;
        dd__snd_err(s, "poll", errno);
        return -1;
    } else {
        dd__snd_err(s, "reading the answer", errno);
        return -1;
    }
    if (rc < 0) {
        char what[120];
        snprintf(what, sizeof what, "unusable answer: %s", p->error ? p->error : "?");
        dd__snd_err(s, what, 0);
        return -1;
    }
    return rc;
}

/* Reads one answer before the deadline. DD_OK when whole, else DD_ERR_TRANSPORT (s->error set). */
DD__PRIVATE int dd__snd_read(dd_sender *s, int head_only, int64_t deadline) {
    dd_http_parser_init(&s->parser, s->max_response, head_only);
    s->in_len = 0;
    for (;;) {
        int rc;
        if (deadline != DD__SND_NONE && dd__snd_now_ms() >= deadline) {
            s->c.timeouts++;
            dd__snd_err(s, s->in_len || s->parser.interim ? "deadline passed while reading the answer"
                                                          : "deadline passed waiting for the answer", 0);
            return DD_ERR_TRANSPORT;
        }
        rc = dd__snd_read_some(s, deadline);
        if (rc == DD_HTTP_DONE) return DD_OK;
        if (rc < 0) return DD_ERR_TRANSPORT;
    }
}

/*--- requests: the head, the classification, the kept connection ---*/

/* The bytes the head needs, or 0 when a piece cannot go on the wire (s->error set): a method
 * that is not a token, a path with blanks or controls, a header that would split the head, or
 * one of the headers whose value only the sender can know. */
DD__PRIVATE size_t dd__snd_head_size(dd_sender *s, const char *method, const char *path, const dd_header *h,
                                     size_t nh) {
    static const char *const reserved[] = {"host", "content-length", "transfer-encoding", "connection"};
    size_t need, i, k;
    for (i = 0; method[i]; i++)
        if (!dd__snd_tchar((unsigned char)method[i])) break;
    if (i == 0 || method[i] || i > 32 || path[0] != '/') { dd__snd_err(s, "invalid method or path", 0); return 0; }
    for (i = 0; path[i]; i++)
        if ((unsigned char)path[i] <= 0x20 || (unsigned char)path[i] >= 0x7f) { dd__snd_err(s, "invalid path", 0); return 0; }
    need = strlen(method) + strlen(path) + strlen(s->ep.url) + 128; /* request line, Host, Content-Length */
    for (i = 0; i < nh; i++) {
        if (!h[i].name || !h[i].name_len || (!h[i].value && h[i].value_len)) { dd__snd_err(s, "invalid header", 0); return 0; }
        for (k = 0; k < h[i].name_len; k++)
            if (!dd__snd_tchar((unsigned char)h[i].name[k])) { dd__snd_err(s, "invalid header name", 0); return 0; }
        for (k = 0; k < h[i].value_len; k++)
            if (!dd__snd_vchar((unsigned char)h[i].value[k])) { dd__snd_err(s, "invalid header value", 0); return 0; }
        for (k = 0; k < 4; k++)
            if (dd__snd_ieq(h[i].name, h[i].name_len, reserved[k])) { dd__snd_err(s, "header set by the sender", 0); return 0; }
        need += h[i].name_len + h[i].value_len + 4;
    }
    return need;
}

/* Writes the head into s->out (grown once, then kept): its length, or 0 (s->error set). */
DD__PRIVATE size_t dd__snd_head(dd_sender *s, const char *method, const char *path, const dd_header *h, size_t nh,
                                size_t body_len) {
    size_t need = dd__snd_head_size(s, method, path, h, nh), i, o;
    /* GET and HEAD without a body say nothing of one; everything else states its length. */
    int with_length = body_len > 0 || !(strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    if (!need) return 0;
    if (need > s->out_cap) {
        char *p = (char *)realloc(s->out, need);
        if (!p) { dd__snd_err(s, "out of memory", 0); return 0; }
        s->out = p;
        s->out_cap = need;
    }
    o = (size_t)snprintf(s->out, s->out_cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path,
                         s->ep.is_unix ? "localhost" : s->ep.url + 7);
    for (i = 0; i < nh; i++) {
        memcpy(s->out + o, h[i].name, h[i].name_len);
        o += h[i].name_len;
        s->out[o++] = ':';
        s->out[o++] = ' ';
        if (h[i].value_len) memcpy(s->out + o, h[i].value, h[i].value_len);
        o += h[i].value_len;
        s->out[o++] = '\r';
        s->out[o++] = '\n';
    }
    if (with_length) o += (size_t)snprintf(s->out + o, s->out_cap - o, "Content-Length: %lu\r\n", (unsigned long)body_len);
    s->out[o++] = '\r';
    s->out[o++] = '\n';
    return o;
}

/* Connects when no live connection is kept. DD_OK, or DD_ERR_TRANSPORT. *reused says which. */
DD__PRIVATE int dd__snd_ready(dd_sender *s, int64_t deadline, int *reused) {
    *reused = 0;
    if (s->fd >= 0 && s->pid != getpid()) { /* inherited through fork(): the parent's stream */
        close(s->fd);
        s->fd = -1;
    }
    if (s->fd >= 0 && !dd__snd_alive(s->fd)) { /* closed while idle: nothing was sent on it */
        s->c.stale++;
        dd__snd_close(s);
    }
    if (s->fd >= 0) {
        *reused = 1;
        return DD_OK;
    }
    return dd__snd_connect(s, deadline);
}

/* Writes the request, reconnecting once when a kept connection fails before taking it all.
 * DD_TRANSPORT_ANSWERED when the peer answered early (413 and close), DD_TRANSPORT_NOT_SENT,
 * or -1 when all was written. */
DD__PRIVATE int dd__snd_send(dd_sender *s, size_t hn, const void *body, size_t bn, int head_only, int64_t deadline) {
    int attempt, reused = 0, err = 0;
    for (attempt = 0; attempt < 2; attempt++) {
        if (dd__snd_ready(s, deadline, &reused) != DD_OK) return DD_TRANSPORT_NOT_SENT;
        if (reused) s->c.reused++;
        if (dd__snd_write(s, s->out, hn, body, bn, deadline) == 0) return -1;
        err = errno;
        if (err == ETIMEDOUT) break;
        /* An agent may answer (413) and close before reading the whole body. */
        if (dd__snd_read(s, head_only, deadline) == DD_OK) {
            s->parser.keep_alive = 0; /* our request was cut: the stream is done */
            return DD_TRANSPORT_ANSWERED;
        }
        dd__snd_close(s);
        if (!reused) break;
    }
    dd__snd_close(s);
    if (err == ETIMEDOUT) s->c.timeouts++;
    dd__snd_err(s, err == ETIMEDOUT ? "deadline passed while writing the request" : "writing the request",
                err == ETIMEDOUT ? 0 : err);
    return DD_TRANSPORT_NOT_SENT;
}

DD__PRIVATE void dd__snd_answer(dd_sender *s, dd_http_response *resp) {
    dd_http_parser *p = &s->parser;
    const char *ra;
    size_t ran;
    s->in[p->head_len + p->body_len] = 0;
    s->answered = 1;
    s->error[0] = 0;
    s->c.answered++;
    s->c.interim += p->interim;
    if (p->status >= 400) s->c.http_errors++;
    if (!p->keep_alive) dd__snd_close(s);
    if (!resp) return;
    resp->status = p->status;
    resp->body = s->in + p->head_len;
    resp->body_len = p->body_len;
    ra = dd_http_header(s->in, p->head_len, "retry-after", &ran);
    resp->retry_after_ms = ra ? dd_http_retry_after_ms(ra, ran, dd__snd_unix_ms()) : 0;
    if (resp->retry_after_ms < 0) resp->retry_after_ms = 0;
    /* the agent's state: a tracer with client-side stats reads /info again when it changes
     * (ignored by dd_trace.h outside its own transport calls) */
    ra = dd_http_header(s->in, p->head_len, "datadog-agent-state", &ran);
    if (ra) dd_http_response_header(resp, "Datadog-Agent-State", 19, ra, ran);
}

/* Under the lock: one request, classified. */
DD__PRIVATE int dd__snd_request(dd_sender *s, const char *method, const char *path, const dd_header *h, size_t nh,
                                const void *body, size_t bn, int64_t deadline, dd_http_response *resp) {
    int head_only = strcmp(method, "HEAD") == 0, rc;
    size_t hn = dd__snd_head(s, method, path, h, nh, bn);
    if (!hn) return DD_TRANSPORT_NOT_SENT;
    rc = dd__snd_send(s, hn, body, bn, head_only, deadline);
    if (rc == DD_TRANSPORT_NOT_SENT) return rc;
    if (rc != DD_TRANSPORT_ANSWERED && dd__snd_read(s, head_only, deadline) != DD_OK) {
        s->c.interim += s->parser.interim;
        dd__snd_close(s);
        return DD_TRANSPORT_UNCONFIRMED;
    }
    dd__snd_answer(s, resp);
    return DD_TRANSPORT_ANSWERED;
}

DD_API int dd_sender_request(dd_sender *s, const char *method, const char *path, const dd_header *headers,
                             size_t n_headers, const void *body, size_t body_len, int64_t timeout_ms,
                             dd_http_response *resp) {
    /* Past 2^41 ms (69 years) a deadline is none, so now + timeout cannot overflow. */
    int64_t deadline = timeout_ms > 0 && timeout_ms < ((int64_t)1 << 41) ? dd__snd_now_ms() + timeout_ms : DD__SND_NONE;
    int rc;
    if (resp) memset(resp, 0, sizeof *resp);
    if (!s) return DD_TRANSPORT_NOT_SENT;
    if (s->mu_pid != getpid()) { /* fork() may have copied mu locked by a parent's thread */
        pthread_mutex_init(&s->mu, NULL);
        s->mu_pid = getpid();
    }
    pthread_mutex_lock(&s->mu);
    s->c.requests++;
    s->answered = 0;
    s->error[0] = 0;
    if (!method || !path || (n_headers && !headers) || (body_len && !body)) {
        dd__snd_err(s, "invalid argument", 0);
        rc = DD_TRANSPORT_NOT_SENT;
    } else {
        rc = dd__snd_request(s, method, path, headers, n_headers, body, body_len, deadline, resp);
    }
    if (rc == DD_TRANSPORT_NOT_SENT) s->c.not_sent++;
    if (rc == DD_TRANSPORT_UNCONFIRMED) s->c.unconfirmed++;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

DD_API int dd_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    dd_sender *s = (dd_sender *)user;
    if (!s || !req) {
        if (resp) memset(resp, 0, sizeof *resp);
        return DD_TRANSPORT_NOT_SENT;
    }
    return dd_sender_request(s, req->method ? req->method : "POST", req->path ? req->path : "/v0.4/traces",
                             req->headers, req->n_headers, req->body, req->body_len,
                             req->timeout_ms > 0 ? req->timeout_ms : s->timeout_ms, resp);
}

DD_API const char *dd_sender_response_header(const dd_sender *s, const char *name, size_t *len) {
    if (len) *len = 0;
    if (!s || !name || !s->answered) return NULL;
    return dd_http_header(s->in, s->parser.head_len, name, len);
}

DD_API const char *dd_sender_last_error(const dd_sender *s) { return s ? s->error : "no sender"; }

/*--- sender lifecycle: options read once, buffers kept ---*/

/* DD_TRACE_AGENT_TIMEOUT: integer seconds > 0, else the default. */
DD__PRIVATE int64_t dd__snd_env_timeout(const dd_sender_options *o) {
    const char *v = dd__snd_env(o, "DD_TRACE_AGENT_TIMEOUT");
    int64_t secs = v ? dd__snd_dec(v, strlen(v)) : -1;
    return secs > 0 && secs <= 3600 ? secs * 1000 : DD_SENDER_DEFAULT_TIMEOUT_MS;
}

DD__PRIVATE void dd__snd_log(const dd_sender_options *o, int level, const char *a, const char *b) {
    char line[700];
    int n;
    if (!o->log_fn) return;
    n = snprintf(line, sizeof line, "%s%s", a, b);
    if (n > 0) o->log_fn(o->log_user, level, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

DD_API dd_sender *dd_sender_new(const dd_sender_options *opts) {
    dd_sender_options o;
    dd_sender *s;
    dd__snd_opts(opts, &o);
    s = (dd_sender *)calloc(1, sizeof *s);
    if (!s) return NULL;
    if (dd_sender_resolve(&o, &s->ep) != DD_OK) {
        dd__snd_log(&o, DD_LOG_ERROR, "dd_sender: ", s->ep.note);
        free(s);
        return NULL;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return NULL;
    }
    s->mu_pid = getpid();
    if (s->ep.note[0]) dd__snd_log(&o, DD_LOG_WARN, "dd_sender: ", s->ep.note);
    dd__snd_log(&o, DD_LOG_INFO, "dd_sender: agent at ", s->ep.url);
    s->fd = -1;
    s->timeout_ms = o.timeout_ms ? o.timeout_ms : dd__snd_env_timeout(&o);
    s->max_response = o.max_response_bytes ? o.max_response_bytes : DD_SENDER_DEFAULT_MAX_RESPONSE;
    return s;
}

DD_API void dd_sender_free(dd_sender *s) {
    if (!s) return;
    dd__snd_close(s);
    pthread_mutex_destroy(&s->mu);
    free(s->out);
    free(s->in);
    free(s);
}

DD__PRIVATE void dd__snd_free_fn(void *s) { dd_sender_free((dd_sender *)s); }
DD_API void dd_sender_attach(dd_tracer_config *cfg, dd_sender *s) {
    if (!cfg || !s) return;
    cfg->transport_fn = dd_sender_transport;
    cfg->transport_user = s;
    cfg->transport_free_fn = dd__snd_free_fn;
}

DD_API const char *dd_sender_url(const dd_sender *s) { return s ? s->ep.url : ""; }
DD_API const char *dd_sender_note(const dd_sender *s) { return s ? s->ep.note : ""; }

DD_API void dd_sender_counters(const dd_sender *s, dd_sender_stats *out) {
    dd_sender *m = (dd_sender *)s; /* the lock is not part of the sender's value */
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!s) return;
    pthread_mutex_lock(&m->mu);
    *out = s->c;
    pthread_mutex_unlock(&m->mu);
}

/*--- UDP datagrams: a connected non-blocking socket; a full buffer is a counted drop ---*/

struct dd_udp_sender {
    int fd;
    pthread_mutex_t mu; /* the counters only: sends run in parallel */
    uint64_t sent, dropped;
};

DD_API dd_udp_sender *dd_udp_sender_open(const char *host, int port) {
    struct addrinfo hints, *res = NULL, *ai;
    char ps[8];
    dd_udp_sender *u;
    int fd = -1;
    if (!host || port <= 0 || port > 65535) return NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    snprintf(ps, sizeof ps, "%d", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res) return NULL;
    /* IPv4 first: a UDP "connect" to ::1 succeeds even when the daemon listens on 127.0.0.1
     * only (DogStatsD's default), and every datagram would vanish. */
    for (ai = res; ai && ai->ai_family != AF_INET; ai = ai->ai_next) {}
    if (!ai) ai = res;
    fd = dd__snd_socket(ai->ai_family, SOCK_DGRAM);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return NULL;
    u = (dd_udp_sender *)calloc(1, sizeof *u);
    if (!u || pthread_mutex_init(&u->mu, NULL) != 0) {
        free(u);
        close(fd);
        return NULL;
    }
    u->fd = fd;
    return u;
}

DD_API dd_udp_sender *dd_udp_sender_open_addr(const char *addr, int default_port) {
    char host[256];
    const char *a = addr, *end, *colon = NULL, *udp;
    size_t n;
    int port = default_port;
    if (!addr) return NULL;
    udp = strstr(addr, "udp:"); /* X-Ray's "tcp:h:p udp:h:p" */
    if (udp) a = udp + 4;
    while (*a == ' ') a++;
    end = a + strcspn(a, " ");
    if (*a == '[') {
        const char *rb = (const char *)memchr(a, ']', (size_t)(end - a));
        if (!rb || (rb + 1 < end && rb[1] != ':')) return NULL;
        colon = rb + 1 < end ? rb + 1 : NULL;
        n = (size_t)(rb - a - 1);
        a++;
    } else {
        colon = (const char *)memchr(a, ':', (size_t)(end - a));
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) colon = NULL; /* a bare IPv6 */
        n = (size_t)((colon ? colon : end) - a);
    }
    if (n == 0 || n >= sizeof host) return NULL;
    if (colon) {
        int64_t p = dd__snd_dec(colon + 1, (size_t)(end - colon - 1));
        if (p <= 0 || p > 65535) return NULL;
        port = (int)p;
    }
    memcpy(host, a, n);
    host[n] = 0;
    return dd_udp_sender_open(host, port);
}

DD_API int dd_udp_send(dd_udp_sender *u, const void *data, size_t len) {
    ssize_t w;
    int ok;
    if (!u || (!data && len)) return DD_ERR_INVALID_ARG;
    do {
        w = send(u->fd, data, len, DD__SND_FLAGS); /* non-blocking socket */
    } while (w < 0 && errno == EINTR);
    ok = w >= 0 && (size_t)w == len;
    pthread_mutex_lock(&u->mu);
    if (ok) u->sent++;
    else u->dropped++;
    pthread_mutex_unlock(&u->mu);
    return ok ? DD_OK : DD_ERR_LIMIT;
}

DD_API void dd_udp_sender_counters(const dd_udp_sender *u, uint64_t *sent, uint64_t *dropped) {
    dd_udp_sender *m = (dd_udp_sender *)u;
    if (sent) *sent = 0;
    if (dropped) *dropped = 0;
    if (!u) return;
    pthread_mutex_lock(&m->mu);
    if (sent) *sent = u->sent;
    if (dropped) *dropped = u->dropped;
    pthread_mutex_unlock(&m->mu);
}

DD_API void dd_udp_sender_close(dd_udp_sender *u) {
    if (!u) return;
    close(u->fd);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif /* DD_SENDER_IMPLEMENTATION */
