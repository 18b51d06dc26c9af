/* cc -std=c99 -O2 -Wall -Wextra -I. -c examples/sender_curl.c -o sender_curl.o   (link your program with -lcurl) */
/* examples/sender_curl.c - the agent sender through libcurl (Debian: libcurl4-openssl-dev).
 * See examples/sender_curl.h for the contract. */
#define _POSIX_C_SOURCE 200809L
#include "examples/sender_curl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int prefix_icase(const char *s, const char *p) {
    for (; *p; s++, p++)
        if (lower((unsigned char)*s) != lower((unsigned char)*p)) return 0;
    return 1;
}

static int valid_port(const char *p) {
    unsigned long v = 0;
    size_t n = 0;
    for (; *p; p++, n++) {
        if (*p < '0' || *p > '9' || n >= 5) return 0;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return n > 0 && v > 0 && v <= 65535;
}

static int set_endpoint(dd_curl_sender *s, const char *url) {
    if (!url) url = getenv("DD_TRACE_AGENT_URL");
    if (url && *url) {
        size_t n;
        if (prefix_icase(url, "unix://") || prefix_icase(url, "http+unix://")) {
            const char *p = strchr(url, ':') + 3;
            if (p[0] != '/' || strlen(p) >= sizeof s->unix_path) return 0;
            strcpy(s->unix_path, p);
            strcpy(s->base_url, "http://localhost");
            return 1;
        }
        if (!prefix_icase(url, "http://") && !prefix_icase(url, "https://")) return 0;
        n = strlen(url);
        while (n > 0 && url[n - 1] == '/') n--;
        if (n >= sizeof s->base_url || url[strcspn(url, " \r\n")]) return 0;
        memcpy(s->base_url, url, n);
        s->base_url[n] = 0;
        return 1;
    } else {
        const char *host = getenv("DD_AGENT_HOST"), *port = getenv("DD_TRACE_AGENT_PORT");
        if (!host || !*host) host = "localhost";
        if (!port || !*port) port = "8126";
        if (!valid_port(port) || strlen(host) > 255 || host[strcspn(host, "/[] \r\n")]) return 0;
        snprintf(s->base_url, sizeof s->base_url, strchr(host, ':') ? "http://[%s]:%s" : "http://%s:%s", host, port);
        return 1;
    }
}

int dd_curl_sender_init(dd_curl_sender *s, const char *url) {
    if (!s) return DD_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    if (!set_endpoint(s, url)) {
        memset(s, 0, sizeof *s);
        return DD_ERR_INVALID_ARG;
    }
    s->timeout_ms = 2000;
    s->max_response = 1u << 20;
    s->curl = curl_easy_init();
    if (!s->curl) {
        memset(s, 0, sizeof *s);
        return DD_ERR_NO_MEMORY;
    }
    return DD_OK;
}

void dd_curl_sender_free(dd_curl_sender *s) {
    if (!s) return;
    if (s->curl) curl_easy_cleanup((CURL *)s->curl);
    free(s->body);
    s->curl = NULL;
    s->body = NULL;
    s->body_cap = s->body_len = 0;
}

/* libcurl's write callback: appends to the body, failing the transfer past max_response. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *user) {
    dd_curl_sender *s = (dd_curl_sender *)user;
    size_t n = size * nmemb;
    if (n > s->max_response - s->body_len) return 0; /* libcurl reports CURLE_WRITE_ERROR */
    if (s->body_len + n + 1 > s->body_cap) {
        size_t cap = s->body_cap ? s->body_cap : 1024;
        char *p;
        while (cap < s->body_len + n + 1) cap *= 2;
        p = (char *)realloc(s->body, cap);
        if (!p) return 0;
        s->body = p;
        s->body_cap = cap;
    }
    memcpy(s->body + s->body_len, data, n);
    s->body_len += n;
    s->body[s->body_len] = 0;
    return n;
}

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

/* The request's headers as libcurl wants them; NULL (s->last_error set) when one is unusable. */
static struct curl_slist *header_list(dd_curl_sender *s, const dd_header *headers, size_t n_headers) {
    struct curl_slist *list, *more;
    char line[1024];
    size_t i;
    /* "Expect:" removes libcurl's 100-continue wait, which the agent does not need. */
    list = curl_slist_append(NULL, "Expect:");
    for (i = 0; i < n_headers && list; i++) {
        const dd_header *h = &headers[i];
        if (!h->name || (!h->value && h->value_len) || h->name_len == 0 || !field_ok(h->name, h->name_len, 1) ||
            !field_ok(h->value, h->value_len, 0) || h->name_len + h->value_len + 3 > sizeof line) {
            curl_slist_free_all(list);
            snprintf(s->last_error, sizeof s->last_error, "bad header");
            return NULL;
        }
        snprintf(line, sizeof line, "%.*s: %.*s", (int)h->name_len, h->name, (int)h->value_len,
                 h->value ? h->value : "");
        more = curl_slist_append(list, line);
        if (!more) curl_slist_free_all(list);
        list = more;
    }
    if (!list) snprintf(s->last_error, sizeof s->last_error, "out of memory");
    return list;
}

/* After a failed transfer: did the whole request go out? Only then may the agent have it. */
static int failure_class(CURL *c, CURLcode rc, size_t body_len) {
    long head = 0;
    curl_off_t up = 0;
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
        return DD_TRANSPORT_NOT_SENT;
    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &head);
    curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up);
    return head > 0 && up >= (curl_off_t)body_len ? DD_TRANSPORT_UNCONFIRMED : DD_TRANSPORT_NOT_SENT;
}

/* The answer's Retry-After in ms (0: none), capped at 5 minutes as dd_sender.h does. */
static int64_t retry_after_ms(CURL *c) {
#if LIBCURL_VERSION_NUM >= 0x074200 /* 7.66: CURLINFO_RETRY_AFTER, seconds or an HTTP-date */
    curl_off_t secs = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &secs) == CURLE_OK && secs > 0)
        return secs > 300 ? 300000 : (int64_t)secs * 1000;
#else
    (void)c;
#endif
    return 0;
}

static void set_options(dd_curl_sender *s, CURL *c, const char *url, const char *method, struct curl_slist *list,
                        const void *body, size_t body_len, long timeout_ms) {
    int get = strcmp(method, "GET") == 0 && body_len == 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : s->timeout_ms); /* one deadline */
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, s->unix_path[0] ? s->unix_path : NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (get) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_len ? (const char *)body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 || get ? NULL : method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
}

int dd_curl_sender_request(dd_curl_sender *s, const char *method, const char *path, const dd_header *headers,
                           size_t n_headers, const void *body, size_t body_len, long timeout_ms,
                           dd_http_response *resp) {
    CURL *c;
    CURLcode rc;
    struct curl_slist *list;
    char url[1024];
    long code = 0, connects = 0;
    int klass;
    if (resp) memset(resp, 0, sizeof *resp);
    if (!s || !s->curl || !method || !path || (n_headers && !headers) || (body_len && !body))
        return DD_TRANSPORT_NOT_SENT;
    c = (CURL *)s->curl;
    s->last_status = 0;
    s->body_len = 0;
    if (s->body) s->body[0] = 0;
    s->last_error[0] = 0;
    if (has_crlf(method) || has_crlf(path) || path[0] != '/' ||
        snprintf(url, sizeof url, "%s%s", s->base_url, path) >= (int)sizeof url) {
        snprintf(s->last_error, sizeof s->last_error, "bad method or path");
        return DD_TRANSPORT_NOT_SENT;
    }
    list = header_list(s, headers, n_headers);
    if (!list) return DD_TRANSPORT_NOT_SENT;
    s->n_requests++;
    set_options(s, c, url, method, list, body, body_len, timeout_ms);
    rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    s->n_connects += (uint64_t)connects;
    if (rc != CURLE_OK) {
        klass = failure_class(c, rc, body_len);
        s->n_transport_errors++;
        if (klass == DD_TRANSPORT_NOT_SENT) s->n_not_sent++;
        else s->n_unconfirmed++;
        if (rc == CURLE_COULDNT_CONNECT) s->n_refused++;
        if (rc == CURLE_OPERATION_TIMEDOUT) s->n_timeouts++;
        snprintf(s->last_error, sizeof s->last_error, "%s", curl_easy_strerror(rc));
        s->body_len = 0;
        if (s->body) s->body[0] = 0;
        return klass;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    s->last_status = (int)code;
    s->n_responses++;
    if (code >= 400) s->n_http_errors++;
    if (resp) {
        resp->status = (int)code;
        resp->body = s->body ? s->body : "";
        resp->body_len = s->body_len;
        resp->retry_after_ms = retry_after_ms(c);
    }
    return DD_TRANSPORT_ANSWERED;
}

int dd_curl_sender_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    if (!user || !req) {
        if (resp) memset(resp, 0, sizeof *resp);
        return DD_TRANSPORT_NOT_SENT;
    }
    return dd_curl_sender_request((dd_curl_sender *)user, req->method ? req->method : "POST",
                                  req->path ? req->path : "/v0.4/traces", req->headers, req->n_headers, req->body,
                                  req->body_len, (long)req->timeout_ms, resp);
}
