/* tests/null_api_test.c - the NULL rule of the whole public API (each header's API rules): every
 * public function accepts NULL for any pointer argument and then returns its documented error
 * or does nothing. The calls are GENERATED from the headers (scripts/gen_null_calls.py ->
 * tests/null_api_cases.h): one per pointer parameter of every DD_API function, NULL there and
 * valid values (a live tracer, span, Lambda state, sender, buffers...) elsewhere, each checked
 * against its documented result. Each case runs in a child process with fresh fixtures, so a
 * crash names its case. The test also reads the five headers and fails when they declare a
 * function the generated file does not list, or list differently: a new public function cannot
 * be forgotten (regenerate, then give it an entry in the script's EXPECT table). */
#define _POSIX_C_SOURCE 200809L
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_lambda.h"
#include "dd_sender.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FX_CAP 256  /* every output buffer */
#define FX_LEN 1    /* every input string's length (each is longer) */
#define FX_ITEMS 8  /* header items, envp entries */

typedef struct fx {
    dd_tracer *tracer;
    dd_span *span;
    dd_lambda *lambda;
    dd_sender *sender;
    dd_udp_sender *udp;
    const char *str;
    char out[FX_CAP];
    uint8_t ubuf[FX_CAP];
    const char *cp;
    const void *vp;
    char *envp[FX_ITEMS];
    char envbuf[FX_CAP];
    const char *tags[1];
    size_t sz;
    int i;
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    int8_t i8;
    double d;
    uint8_t wbuf[FX_CAP];
    dd_mp_writer w;
    dd_mp_reader r;
    const uint8_t *mp;
    size_t mp_len;
    dd_trace_context ctx;
    dd_json json, json_out;
    dd_json_iter it;
    dd_json_carrier jc;
    dd_carrier_reader creader;
    dd_carrier_writer cwriter;
    dd_headers headers;
    dd_header items[FX_ITEMS], hdr[1];
    char hbuf[FX_CAP];
    dd_baggage baggage;
    dd_baggage_iter bit;
    dd_env_block envb;
    dd_env_source envsrc;
    dd_cstr_carrier cstr;
    dd_propagation_config prop;
    dd_lambda_config lcfg;
    dd_lambda_options lopt;
    dd_lambda_invocation inv;
    dd_lambda_trigger trig;
    dd_lambda_forwarder fwd;
    dd_sender_options sopt;
    dd_sender_endpoint ep;
    dd_sender_stats sst;
    dd_http_response resp;
    dd_http_request req;
    dd_http_parser parser;
    const char *head;
    size_t head_len;
    dd_tracer_config tcfg;
    dd_counters counters;
    dd_span_options spo;
    dd_span_link link;
    dd_trace_id tid;
    dd_allocator alloc;
} fx;

typedef struct null_case {
    const char *func, *param;
    int (*run)(fx *f);
} null_case;

static const char *fx_getenv(void *user, const char *name) {
    (void)user;
    (void)name;
    return NULL;
}
static int fx_set(void *user, const char *name, const char *value) {
    (void)user;
    (void)name;
    (void)value;
    return 0;
}
static void fx_log(void *user, int level, const char *msg, size_t len) {
    (void)user;
    (void)level;
    (void)msg;
    (void)len;
}
static int fx_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    (void)user;
    (void)req;
    resp->status = 200;
    return 0;
}
static int fx_write(void *user, const char *line, size_t len) {
    (void)user;
    (void)line;
    (void)len;
    return 0;
}

static const uint8_t fx_mp[] = {0x92, 0x01, 0xa1, 'x'}; /* [1, "x"] */
static const char fx_json_text[] = "{\"a\":[1,\"s\"],\"b\":\"x\"}";
static const char fx_head[] = "HTTP/1.1 200 OK\r\nA: b\r\n\r\n";

static void fx_init(fx *f) {
    memset(f, 0, sizeof *f);
    f->str = "1abc";
    f->cp = f->str;
    f->tags[0] = "a:b";
    dd_tracer_config_init(&f->tcfg);
    f->tcfg.getenv_fn = fx_getenv;
    f->tcfg.log_fn = fx_log;
    f->tcfg.transport_fn = fx_transport;
    f->tcfg.cgroup_path = "";
    f->tcfg.flush_interval_ms = -1;
    f->tcfg.delivery = DD_DELIVERY_MANUAL;
    f->tcfg.startup_logs = DD_OFF;
    f->tcfg.obfuscation_query_string_regexp = "";
    f->tracer = dd_tracer_new(&f->tcfg);
    f->spo.name = "op";
    f->span = dd_span_start(f->tracer, &f->spo);
    f->lcfg.getenv_fn = fx_getenv;
    f->fwd.write_fn = fx_write;
    f->lopt.config = &f->lcfg;
    f->lopt.mode = DD_LAMBDA_MODE_FORWARDER;
    f->lopt.write_fn = fx_write;
    f->lambda = dd_lambda_new(f->tracer, &f->lopt);
    f->inv.event = "{}";
    f->inv.event_len = 2;
    f->inv.request_id = "r";
    dd_sender_options_init(&f->sopt);
    f->sopt.url = "http://127.0.0.1:9"; /* nothing listens: a request fails at once */
    f->sopt.log_fn = fx_log;
    f->sender = dd_sender_new(&f->sopt);
    f->udp = dd_udp_sender_open("127.0.0.1", 9);
    dd_mp_writer_init_fixed(&f->w, f->wbuf, sizeof f->wbuf);
    f->mp = fx_mp;
    f->mp_len = sizeof fx_mp;
    dd_mp_reader_init(&f->r, fx_mp, sizeof fx_mp);
    f->ctx.trace_id.lo = 1;
    f->ctx.parent_id = 2;
    f->ctx.sampling_priority = 1;
    f->tid.lo = 1;
    f->link.trace_id.lo = 1;
    f->link.span_id = 2;
    dd_json_parse(fx_json_text, sizeof fx_json_text - 1, &f->json);
    dd_json_iter_init(&f->it, &f->json);
    dd_headers_init(&f->headers, f->items, FX_ITEMS, f->hbuf, sizeof f->hbuf);
    dd_headers_reader(&f->creader, &f->headers);
    dd_headers_writer(&f->cwriter, &f->headers);
    f->hdr[0].name = "x-datadog-trace-id";
    f->hdr[0].name_len = 18;
    f->hdr[0].value = "1";
    f->hdr[0].value_len = 1;
    dd_json_carrier_init(&f->jc, &f->creader, &f->json, NULL);
    dd_env_block_init(&f->envb, f->envp, FX_ITEMS, f->envbuf, sizeof f->envbuf);
    f->envsrc.getenv_fn = fx_getenv;
    f->cstr.get_fn = fx_getenv;
    f->cstr.set_fn = fx_set;
    dd_propagation_config_default(&f->prop);
    f->req.method = "GET";
    f->req.path = "/";
    f->req.timeout_ms = 100;
    dd_http_parser_init(&f->parser, FX_CAP, 0);
    f->head = fx_head;
    f->head_len = sizeof fx_head - 1;
}

static void fx_free(fx *f) {
    dd_span_finish(f->span);
    dd_lambda_free(f->lambda);
    dd_tracer_free(f->tracer);
    dd_sender_free(f->sender);
    dd_udp_sender_close(f->udp);
    dd_mp_writer_free(&f->w);
}

/* After a call that failed: the output buffers hold what fx_init left (zeros), so the call wrote
 * nothing there (a NUL at out[0], which some functions document on failure, is still a zero). */
static int fx_untouched(const fx *f) {
    size_t i;
    for (i = 0; i < FX_CAP; i++)
        if (f->out[i] || f->ubuf[i] || f->wbuf[i]) return 0;
    return 1;
}

#include "null_api_cases.h"

/* Collapses runs of white space to one space and trims, in place (as the generator does). */
static void squeeze(char *s) {
    char *o = s, *start = s;
    int sp = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            sp = 1;
            continue;
        }
        if (sp && o != start) *o++ = ' ';
        sp = 0;
        *o++ = *s;
    }
    *o = 0;
}

/* The declarations of the five headers (DD_API ... ;), as the generator reads them. */
static int check_headers_listed(const char *dir) {
    static const char *const headers[] = {"dd_msgpack.h", "dd_propagation.h", "dd_trace.h", "dd_lambda.h", "dd_sender.h"};
    size_t h, n_decls = sizeof null_api_decls / sizeof null_api_decls[0], seen = 0, k;
    int failed = 0;
    for (h = 0; h < sizeof headers / sizeof headers[0]; h++) {
        char path[512], *text, *p;
        long len;
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", dir, headers[h]);
        f = fopen(path, "rb");
        if (!f) {
            printf("FAIL cannot read %s\n", path);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = (char *)malloc((size_t)len + 1);
        if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
            fclose(f);
            free(text);
            return 1;
        }
        text[len] = 0;
        fclose(f);
        for (p = text; (p = strstr(p, "DD_API ")) != NULL; p++) {
            char *end, decl[2048];
            size_t dn;
            if (p != text && p[-1] != '\n') continue; /* only at the start of a line */
            end = p + 7;
            while (*end && *end != ';' && *end != '{') end++;
            if (*end != ';') continue; /* a definition */
            dn = (size_t)(end - (p + 7));
            if (dn >= sizeof decl) continue;
            memcpy(decl, p + 7, dn);
            decl[dn] = 0;
            squeeze(decl);
            for (k = 0; k < n_decls && strcmp(null_api_decls[k], decl) != 0; k++) {}
            if (k == n_decls) {
                printf("FAIL %s declares \"%s\", which tests/null_api_cases.h does not list: run "
                       "/usr/bin/python3 scripts/gen_null_calls.py\n", headers[h], decl);
                failed = 1;
            } else {
                seen++;
            }
        }
        free(text);
    }
    /* the prelude's functions are declared in every header, listed once */
    if (!failed && seen < n_decls) {
        printf("FAIL tests/null_api_cases.h lists %lu declarations, the headers fewer: regenerate\n", (unsigned long)n_decls);
        failed = 1;
    }
    return failed;
}

int main(int argc, char **argv) {
    size_t n = sizeof null_cases / sizeof null_cases[0], i, funcs = 0;
    unsigned passed = 0, failed = 0;
    const char *only = argc > 1 ? argv[1] : NULL;
    /* run from tests/ (tests/run.sh) or from the top directory */
    const char *dir = access("../dd_trace.h", R_OK) == 0 ? ".." : ".";
    if (check_headers_listed(dir) == 0) passed++;
    else failed++;
    for (i = 0; i < n; i++) {
        pid_t pid;
        int st = 0;
        if (i == 0 || strcmp(null_cases[i].func, null_cases[i - 1].func) != 0) funcs++;
        if (only && strcmp(only, null_cases[i].func) != 0) continue;
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            fx f;
            int ok;
            fx_init(&f);
            ok = null_cases[i].run(&f);
            fx_free(&f);
            fflush(stdout);
            _exit(ok ? 0 : 3);
        }
        if (pid < 0 || waitpid(pid, &st, 0) != pid) {
            printf("FAIL %s(%s = NULL): cannot run\n", null_cases[i].func, null_cases[i].param);
            failed++;
            continue;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            passed++;
        } else {
            printf("FAIL %s(%s = NULL): %s\n", null_cases[i].func, null_cases[i].param,
                   WIFEXITED(st) ? (WEXITSTATUS(st) == 3 ? "not the documented result" : "sanitizer report or exit")
                                 : "crashed");
            failed++;
        }
    }
    printf("null_api: %lu functions, %lu NULL pointer positions\n", (unsigned long)funcs, (unsigned long)n);
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
