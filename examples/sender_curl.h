/* examples/sender_curl.h - the agent sender through libcurl, reusing one connection.
 *
 * Build beside your program:  cc -std=c99 -I. -c examples/sender_curl.c   and link with -lcurl
 *
 *   dd_curl_sender s;
 *   dd_curl_sender_init(&s, NULL);       (NULL: DD_TRACE_AGENT_URL, else DD_AGENT_HOST and
 *                                         DD_TRACE_AGENT_PORT, else http://localhost:8126)
 *   config.transport_fn = dd_curl_sender_transport;  config.hook_user = &s;
 *   ...
 *   dd_curl_sender_free(&s);
 *
 * One CURL easy handle is kept for the sender's life, so libcurl reuses the connection between
 * requests when the agent keeps it open. Unix sockets use CURLOPT_UNIX_SOCKET_PATH. Each request
 * has one deadline, connect to last byte (CURLOPT_TIMEOUT_MS: req->timeout_ms, else timeout_ms),
 * and is classified as dd_trace.h's transport contract says: DD_TRANSPORT_NOT_SENT when libcurl
 * could not connect or did not finish writing the request (CURLINFO_REQUEST_SIZE and
 * CURLINFO_SIZE_UPLOAD_T tell), DD_TRANSPORT_UNCONFIRMED when the whole request went out but no
 * whole answer came back. dd_sender.h is the dependency-free sender; this one is for programs
 * that already link libcurl (and may want https).
 * THREADS  one sender serves one thread at a time; call curl_global_init() once at startup
 *          before creating senders on several threads.
 * MEMORY   the last response body lives in the sender until the next request or free. */
#ifndef DD_SENDER_CURL_H
#define DD_SENDER_CURL_H
#include <stddef.h>
#include <stdint.h>
#include "dd_trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dd_curl_sender {
    char base_url[320];        /* "http://host:port", or "http://localhost" over a Unix socket */
    char unix_path[108];       /* "" for TCP                                                   */
    long timeout_ms;           /* a request's deadline when the call gives none; default 2000  */
    size_t max_response;       /* response bytes kept, default 1 MiB; more fails the request   */
    int last_status;           /* HTTP status of the last request, 0 when none arrived         */
    char *body;                /* the last response body, NUL-terminated                       */
    size_t body_len;
    char last_error[256];      /* why the last request failed, or ""                           */
    uint64_t n_requests, n_responses, n_http_errors, n_transport_errors, n_refused, n_timeouts;
    uint64_t n_not_sent, n_unconfirmed; /* transport errors, split as the contract says          */
    uint64_t n_connects;       /* new connections opened (CURLINFO_NUM_CONNECTS summed)        */
    void *curl;                /* private: the CURL easy handle                                */
    size_t body_cap;           /* private */
} dd_curl_sender;

/* Sets the endpoint from `url` ("http://host:port", "https://...", "unix:///path", "http+unix:///path"),
 * or when NULL from DD_TRACE_AGENT_URL, else DD_AGENT_HOST / DD_TRACE_AGENT_PORT, and
 * creates the CURL handle. Returns DD_OK, DD_ERR_INVALID_ARG for an unusable URL, or
 * DD_ERR_NO_MEMORY when libcurl cannot create a handle (the sender is then zeroed). */
int dd_curl_sender_init(dd_curl_sender *s, const char *url);

/* Sends one request within timeout_ms (<= 0: s->timeout_ms). Returns DD_TRANSPORT_ANSWERED (the
 * status, body and Retry-After in *resp; the body lives until the next request), or
 * DD_TRANSPORT_NOT_SENT / DD_TRANSPORT_UNCONFIRMED (see last_error). Host, Content-Length and
 * nothing else is added; "Expect:" is sent empty so libcurl does not wait for 100 Continue. */
int dd_curl_sender_request(dd_curl_sender *s, const char *method, const char *path, const dd_header *headers,
                           size_t n_headers, const void *body, size_t body_len, long timeout_ms,
                           dd_http_response *resp);

/* The dd_transport_fn: `user` is a dd_curl_sender; the deadline is req->timeout_ms. */
int dd_curl_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp);

/* Closes the connection and frees the handle and buffers. NULL is a no-op. */
void dd_curl_sender_free(dd_curl_sender *s);

#ifdef __cplusplus
}
#endif
#endif
