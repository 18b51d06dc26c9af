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
 * requests when the agent keeps it open. Unix sockets use CURLOPT_UNIX_SOCKET_PATH.
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
    long connect_timeout_ms;   /* default 2000                                                 */
    long timeout_ms;           /* whole request, default 2000                                  */
    size_t max_response;       /* response bytes kept, default 1 MiB; more fails the request   */
    int last_status;           /* HTTP status of the last request, 0 when none arrived         */
    char *body;                /* the last response body, NUL-terminated                       */
    size_t body_len;
    char last_error[256];      /* why the last request failed, or ""                           */
    uint64_t n_requests, n_responses, n_http_errors, n_transport_errors, n_refused, n_timeouts;
    uint64_t n_connects;       /* new connections opened (CURLINFO_NUM_CONNECTS summed)        */
    void *curl;                /* private: the CURL easy handle                                */
    size_t body_cap;           /* private */
} dd_curl_sender;

/* Sets the endpoint as dd_posix_sender_init does (same URL forms and environment variables) and
 * creates the CURL handle. Returns DD_OK, DD_ERR_INVALID_ARG for an unusable URL, or
 * DD_ERR_NO_MEMORY when libcurl cannot create a handle (the sender is then zeroed). */
int dd_curl_sender_init(dd_curl_sender *s, const char *url);

/* Sends one request; same contract as dd_posix_sender_post. */
int dd_curl_sender_post(dd_curl_sender *s, const char *method, const char *path, const dd_header *headers,
                        size_t n_headers, const void *body, size_t body_len, int *status, const char **resp_body,
                        size_t *resp_len);

/* The dd_transport_fn: `user` is a dd_curl_sender. Returns 0 when an HTTP answer arrived. */
int dd_curl_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp);

/* Closes the connection and frees the handle and buffers. NULL is a no-op. */
void dd_curl_sender_free(dd_curl_sender *s);

#ifdef __cplusplus
}
#endif
#endif
