/* examples/sender_posix.h - a dependency-free HTTP/1.1 sender for the Datadog Agent (libc + POSIX).
 *
 * Build beside your program:  cc -std=c99 -I. -c examples/sender_posix.c
 *
 *   dd_posix_sender s;
 *   dd_posix_sender_init(&s, NULL);      (NULL: DD_TRACE_AGENT_URL, else DD_AGENT_HOST and
 *                                         DD_TRACE_AGENT_PORT, else http://localhost:8126)
 *   config.transport_fn = dd_posix_sender_transport;  config.hook_user = &s;
 *   ...
 *   dd_posix_sender_free(&s);
 *
 * Each request opens a connection (TCP or Unix domain socket), sends one POST with a
 * Content-Length body, reads one response (Content-Length, chunked, or until close) and closes.
 * Connect and whole-request timeouts are enforced with poll(); SIGPIPE is never raised.
 * THREADS  one sender serves one thread at a time (the tracer's flush runs on the calling thread);
 *          give each flushing thread its own sender.
 * MEMORY   the last response body lives in the sender until the next request or free. */
#ifndef DD_SENDER_POSIX_H
#define DD_SENDER_POSIX_H
#include <stddef.h>
#include <stdint.h>
#include "dd_trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DD_POSIX_SENDER_HOST_MAX 255
#define DD_POSIX_SENDER_PATH_MAX 107 /* sun_path holds 108 bytes with its NUL */

typedef struct dd_posix_sender {
    /* Endpoint, filled by dd_posix_sender_init. */
    int is_unix;                               /* 1: unix_path, 0: host and port     */
    char host[DD_POSIX_SENDER_HOST_MAX + 1];   /* without [] for an IPv6 literal     */
    char port[8];
    char unix_path[DD_POSIX_SENDER_PATH_MAX + 1];
    /* Settings: init sets the defaults; change them before the first request. */
    int connect_timeout_ms;                    /* default 2000                       */
    int timeout_ms;                            /* whole request, default 2000 (as dd-trace-cpp);
                                                  <= 0: none (the Lambda Runtime API's long poll) */
    size_t max_response;                       /* response bytes kept, default 1 MiB */
    /* The last response. body is NUL-terminated; valid until the next request or free. */
    int last_status;                           /* HTTP status, 0 when none arrived   */
    char *body;
    size_t body_len;
    char last_error[128];                      /* why the last request failed, or "" */
    /* Counters since init. */
    uint64_t n_requests;                       /* requests attempted                 */
    uint64_t n_responses;                      /* complete HTTP responses received   */
    uint64_t n_http_errors;                    /* responses with status >= 400       */
    uint64_t n_transport_errors;               /* no complete response: all causes   */
    uint64_t n_refused;                        /*   of which: connection refused     */
    uint64_t n_timeouts;                       /*   of which: connect or read timeout */
    /* Private. */
    char *buf;
    size_t buf_cap;
    size_t head_len;                           /* the last response's head, at the start of buf */
} dd_posix_sender;

/* Sets the endpoint from `url` ("http://host:port", "http://[::1]:8126", "unix:///path/to.sock",
 * "http+unix:///path"), or when `url` is NULL from the environment: DD_TRACE_AGENT_URL, else
 * DD_AGENT_HOST (default localhost) and DD_TRACE_AGENT_PORT (default 8126). Returns DD_OK, or
 * DD_ERR_INVALID_ARG for a URL it cannot use (the sender is then zeroed and unusable). */
int dd_posix_sender_init(dd_posix_sender *s, const char *url);

/* Sends one request. `headers` holds n_headers name/value pairs (dd_header: explicit lengths);
 * Host, Content-Length and Connection are added. Returns DD_OK when a complete HTTP response arrived,
 * whatever its status (in *status; the body pointer and length point into the sender); otherwise
 * DD_ERR_TRANSPORT (refused, timeout, reset, malformed response: see s->last_error) or
 * DD_ERR_INVALID_ARG (a CR or LF in a header, a NULL argument), with *status 0 and an empty body. */
int dd_posix_sender_post(dd_posix_sender *s, const char *method, const char *path,
                         const dd_header *headers, size_t n_headers, const void *body, size_t body_len,
                         int *status, const char **resp_body, size_t *resp_len);

/* The dd_transport_fn: `user` is a dd_posix_sender. Returns 0 when an HTTP answer arrived (its
 * status and body in *resp, the body owned by the sender until its next request), else
 * DD_ERR_TRANSPORT or DD_ERR_INVALID_ARG with resp->status 0. */
int dd_posix_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp);

/* The value of header `name` (case-insensitive) in the last complete response, without surrounding
 * blanks, and its length in *len; NULL when absent or when the last request failed. Not
 * NUL-terminated; valid until the next request or free. */
const char *dd_posix_sender_response_header(const dd_posix_sender *s, const char *name, size_t *len);

/* Releases the response buffers; the sender may be initialised again. NULL is a no-op. */
void dd_posix_sender_free(dd_posix_sender *s);

#ifdef __cplusplus
}
#endif
#endif
