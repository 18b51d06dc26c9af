/* tests/trace_test.c - the tracer core of dd_trace.h: config, ids, spans, segments, limits,
 * payload, flush, transport, partial flush, log correlation, allocation and memory bounds.
 * Expected wire values are written by hand from docs/agent-protocol.md and docs/propagation.md;
 * payloads are looked at through dd_mp_to_json (the msgpack helper's renderer) with the JSON
 * fragments docs/agent-protocol.md calls for. tests/trace_payload_test.sh decodes them with python3-msgpack. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../dd_trace.h"
#include "test.h"
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

/*--- fake hooks ---*/
typedef struct fake {
    int64_t wall0, mono;                /* wall = wall0 + mono */
    uint64_t rnd[64];
    size_t n_rnd, i_rnd;
    uint64_t rnd_next;                  /* after the list: a counter */
    const char *env[32][2];
    size_t n_env, getenv_calls;
    char logs[64][512];
    int log_levels[64];
    size_t n_logs;
    /* transport */
    size_t n_req;
    unsigned char *bodies[64];
    size_t body_len[64];
    char count_hdr[64][24];
    char headers[64][1024];             /* "Name: value\n" lines of each request */
    int script_rc[16], script_status[16];
    size_t n_script, i_script;
    const char *resp_body;
    int default_status;
} fake;

static fake F;

static int64_t fake_wall(void *u) { return ((fake *)u)->wall0 + ((fake *)u)->mono; }
static int64_t fake_mono(void *u) { return ((fake *)u)->mono; }
static uint64_t fake_random(void *u) {
    fake *f = (fake *)u;
    if (f->i_rnd < f->n_rnd) return f->rnd[f->i_rnd++];
    return ++f->rnd_next * UINT64_C(0x9e3779b97f4a7c15);
}
static const char *fake_getenv(void *u, const char *name) {
    fake *f = (fake *)u;
    size_t i;
    f->getenv_calls++;
    for (i = 0; i < f->n_env; i++)
        if (strcmp(f->env[i][0], name) == 0) return f->env[i][1];
    return NULL;
}
static void fake_log(void *u, int level, const char *msg, size_t len) {
    fake *f = (fake *)u;
    if (f->n_logs < 64) {
        size_t n = len < 511 ? len : 511;
        memcpy(f->logs[f->n_logs], msg, n);
        f->logs[f->n_logs][n] = 0;
        f->log_levels[f->n_logs] = level;
        f->n_logs++;
    }
}
static int fake_transport(void *u, const dd_http_request *req, dd_http_response *resp) {
    fake *f = (fake *)u;
    int rc = 0, status = f->default_status ? f->default_status : 200;
    size_t i, k = f->n_req;
    if (f->i_script < f->n_script) {
        rc = f->script_rc[f->i_script];
        status = f->script_status[f->i_script];
        f->i_script++;
    }
    if (k < 64) {
        f->bodies[k] = (unsigned char *)malloc(req->body_len);
        memcpy(f->bodies[k], req->body, req->body_len);
        f->body_len[k] = req->body_len;
        f->headers[k][0] = 0;
        for (i = 0; i < req->n_headers; i++) {
            size_t n = strlen(f->headers[k]);
            if (n + req->headers[i].name_len + req->headers[i].value_len + 4 >= sizeof f->headers[k]) break;
            memcpy(f->headers[k] + n, req->headers[i].name, req->headers[i].name_len);
            n += req->headers[i].name_len;
            memcpy(f->headers[k] + n, ": ", 2);
            n += 2;
            memcpy(f->headers[k] + n, req->headers[i].value, req->headers[i].value_len);
            n += req->headers[i].value_len;
            f->headers[k][n++] = '\n';
            f->headers[k][n] = 0;
            if (strcmp(req->headers[i].name, "X-Datadog-Trace-Count") == 0) {
                memcpy(f->count_hdr[k], req->headers[i].value, req->headers[i].value_len);
                f->count_hdr[k][req->headers[i].value_len] = 0;
            }
        }
        CHECK(strcmp(req->method, "POST") == 0);
        CHECK(strcmp(req->path, "/v0.4/traces") == 0);
    }
    f->n_req++;
    if (rc) return rc;
    resp->status = status;
    resp->body = f->resp_body ? f->resp_body : "{\"rate_by_service\":{}}";
    resp->body_len = strlen(resp->body);
    return 0;
}

static void fake_reset(void) {
    size_t i;
    for (i = 0; i < 64; i++) free(F.bodies[i]);
    memset(&F, 0, sizeof F);
    F.wall0 = INT64_C(1732170000123456789);
    F.mono = 1000;
}
static void set_env(const char *k, const char *v) {
    F.env[F.n_env][0] = k;
    F.env[F.n_env][1] = v;
    F.n_env++;
}
static void set_random(const uint64_t *v, size_t n) {
    memcpy(F.rnd, v, n * sizeof *v);
    F.n_rnd = n;
    F.i_rnd = 0;
}
/* A config with every hook faked, the cgroup file off and no automatic flush. */
static dd_tracer_config base_config(void) {
    dd_tracer_config c;
    memset(&c, 0, sizeof c);
    c.wall_ns_fn = fake_wall;
    c.mono_ns_fn = fake_mono;
    c.random_fn = fake_random;
    c.getenv_fn = fake_getenv;
    c.log_fn = fake_log;
    c.transport_fn = fake_transport;
    c.hook_user = &F;
    c.cgroup_path = "";
    c.flush_interval_ms = -1;
    c.delivery = DD_DELIVERY_SYNC; /* these tests watch the transport from the finishing thread */
    c.startup_logs = DD_OFF;
    return c;
}
static char json_buf[1 << 20];
/* Request k's body as JSON (dd_mp_to_json). */
static const char *body_json(size_t k) {
    size_t n;
    if (k >= F.n_req || k >= 64) return "";
    n = dd_mp_to_json(F.bodies[k], F.body_len[k], json_buf, sizeof json_buf);
    CHECK(n > 0 && n < sizeof json_buf);
    return json_buf;
}
static int has(const char *hay, const char *needle) {
    if (!strstr(hay, needle)) {
        fprintf(stderr, "    missing %s\n", needle);
        return 0;
    }
    return 1;
}
static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) n++, p++;
    return n;
}
static int logged(const char *needle) {
    size_t i;
    for (i = 0; i < F.n_logs; i++)
        if (strstr(F.logs[i], needle)) return 1;
    return 0;
}

/*--- configuration ---*/
static void test_config_zeroed(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    memset(&c, 0, sizeof c);
    c.getenv_fn = fake_getenv; /* an empty environment */
    c.log_fn = fake_log;
    c.hook_user = &F;
    c.cgroup_path = "";
    fake_reset();
    t = dd_tracer_new(&c);
    CHECK(t != NULL);
    /* the default service is the program name (/proc/self/comm, at most 15 bytes): "trace_test..."
     * when run directly, the tool's name under valgrind */
    {
        char comm[32] = {0};
        FILE *f = fopen("/proc/self/comm", "r");
        CHECK(f != NULL && fgets(comm, sizeof comm, f) != NULL);
        if (f) fclose(f);
        comm[strcspn(comm, "\n")] = 0;
        CHECK_STR(dd_tracer_service(t), comm);
        CHECK(strncmp(comm, "trace_test", 10) == 0 || strncmp(comm, "memcheck", 8) == 0);
    }
    CHECK_STR(dd_tracer_env(t), "");
    CHECK_STR(dd_tracer_version(t), "");
    /* startup logs are on by default: one JSON line */
    CHECK(F.n_logs == 1);
    CHECK(strncmp(F.logs[0], "DATADOG TRACER CONFIGURATION - {", 32) == 0);
    {
        dd_json root, v;
        const char *js = strchr(F.logs[0], '{');
        CHECK(dd_json_parse(js, strlen(js), &root) == DD_OK);
        CHECK(dd_json_get(&root, "lang", 4, &v) == DD_OK && dd_json_string_eq(&v, "c", 1));
        CHECK(dd_json_get(&root, "enabled", 7, &v) == DD_OK && v.type == DD_JSON_BOOL);
        CHECK(dd_json_get(&root, "version", 7, &v) == DD_OK && dd_json_string_eq(&v, DDTRACE_VERSION_STRING, strlen(DDTRACE_VERSION_STRING)));
    }
    s = dd_span_start(t, NULL);
    CHECK(s != NULL);
    dd_span_finish(s);
    dd_tracer_free(t);
    {
        dd_tracer *t2 = dd_tracer_new(NULL);
        CHECK(t2 != NULL);
        dd_tracer_free(t2);
    }
    dd_tracer_free(NULL);
}

typedef struct env_case {
    const char *name, *value;
    int field; /* what to check */
    int want;
} env_case;
enum { F_ENABLED, F_128, F_DEBUG, F_PARTIAL, F_PARTIAL_MIN, F_HOSTNAME, F_STARTUP };

static int tracer_field(const dd_tracer *t, int field) {
    switch (field) {
    case F_ENABLED: return t->enabled;
    case F_128: return t->trace_id_128;
    case F_DEBUG: return t->debug;
    case F_PARTIAL: return t->partial_flush;
    case F_PARTIAL_MIN: return (int)t->partial_flush_min_spans;
    case F_HOSTNAME: return t->report_hostname;
    default: return -1;
    }
}

static void test_config_env_table(void) {
    static const env_case cases[] = {
        {"DD_TRACE_ENABLED", "false", F_ENABLED, 0},
        {"DD_TRACE_ENABLED", "0", F_ENABLED, 0},
        {"DD_TRACE_ENABLED", "TRUE", F_ENABLED, 1},
        {"DD_TRACE_ENABLED", "maybe", F_ENABLED, 1}, /* invalid: logged, default kept */
        {"DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", "false", F_128, 0},
        {"DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", "true", F_128, 1},
        {"DD_TRACE_DEBUG", "true", F_DEBUG, 1},
        {"DD_TRACE_DEBUG", "1", F_DEBUG, 1},
        {"DD_TRACE_PARTIAL_FLUSH_ENABLED", "true", F_PARTIAL, 1},
        {"DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", "300", F_PARTIAL_MIN, 300},
        {"DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", "0", F_PARTIAL_MIN, 500},   /* invalid: below 1 */
        {"DD_TRACE_PARTIAL_FLUSH_MIN_SPANS", "12x", F_PARTIAL_MIN, 500}, /* invalid */
        {"DD_TRACE_REPORT_HOSTNAME", "true", F_HOSTNAME, 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        int invalid = cases[i].field == F_PARTIAL_MIN ? cases[i].want == 500 : strcmp(cases[i].value, "maybe") == 0;
        fake_reset();
        set_env(cases[i].name, cases[i].value);
        c = base_config();
        t = dd_tracer_new(&c);
        if (!CHECK(t != NULL)) continue;
        if (tracer_field(t, cases[i].field) != cases[i].want)
            fprintf(stderr, "    case %s=%s\n", cases[i].name, cases[i].value);
        CHECK_EQ_INT(tracer_field(t, cases[i].field), cases[i].want);
        CHECK_EQ_INT(logged("invalid value for "), invalid);
        dd_tracer_free(t);
    }
    /* strings */
    {
        dd_tracer_config c;
        dd_tracer *t;
        fake_reset();
        set_env("DD_SERVICE", "svc");
        set_env("DD_ENV", "prod");
        set_env("DD_VERSION", "1.2.3");
        set_env("AWS_LAMBDA_FUNCTION_NAME", "fn");
        c = base_config();
        t = dd_tracer_new(&c);
        CHECK_STR(dd_tracer_service(t), "svc");
        CHECK_STR(dd_tracer_env(t), "prod");
        CHECK_STR(dd_tracer_version(t), "1.2.3");
        dd_tracer_free(t);
        fake_reset();
        set_env("AWS_LAMBDA_FUNCTION_NAME", "my-function");
        c = base_config();
        t = dd_tracer_new(&c);
        CHECK_STR(dd_tracer_service(t), "my-function");
        dd_tracer_free(t);
    }
}

/* Config strings reach the wire as msgpack str and the startup line is JSON: both stay valid
 * whatever bytes the environment holds. */
static void test_config_bad_utf8(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_json root, v;
    const char *js;
    fake_reset();
    set_env("DD_SERVICE", "s\xff\"q");
    set_env("DD_ENV", "e\xc3");
    c = base_config();
    c.startup_logs = DD_ON;
    t = dd_tracer_new(&c);
    CHECK_STR(dd_tracer_service(t), "s\xef\xbf\xbd\"q");
    CHECK_STR(dd_tracer_env(t), "e\xef\xbf\xbd");
    js = strchr(F.logs[0], '{');
    CHECK(js && dd_json_parse(js, strlen(js), &root) == DD_OK);
    CHECK(dd_json_get(&root, "service", 7, &v) == DD_OK && dd_json_string_eq(&v, "s\xef\xbf\xbd\"q", 6));
    dd_tracer_free(t);
}

static void test_config_code_beats_env(void) {
    dd_tracer_config c;
    dd_tracer *t;
    fake_reset();
    set_env("DD_SERVICE", "from-env");
    set_env("DD_ENV", "env-env");
    set_env("DD_TRACE_ENABLED", "true");
    set_env("DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED", "true");
    set_env("DD_TAGS", "from:env");
    c = base_config();
    c.service = "from-code";
    c.enabled = DD_OFF;
    c.trace_id_128 = DD_OFF;
    c.tags = "team:core";
    t = dd_tracer_new(&c);
    CHECK_STR(dd_tracer_service(t), "from-code");
    CHECK_STR(dd_tracer_env(t), "env-env"); /* unset in code: the environment fills it */
    CHECK_EQ_INT(t->enabled, 0);
    CHECK_EQ_INT(t->trace_id_128, 0);
    CHECK_EQ_INT(t->n_global_tags, 1);
    CHECK(dd_span_start(t, NULL) == NULL); /* disabled: NULL spans */
    dd_tracer_free(t);
}

static void test_config_getenv_read_once(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    size_t calls;
    fake_reset();
    c = base_config();
    t = dd_tracer_new(&c);
    calls = F.getenv_calls;
    CHECK(calls > 5);
    s = dd_span_start(t, NULL);
    dd_span_set_tag(s, "a", "b");
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK_EQ_U64(F.getenv_calls, calls);
    dd_tracer_free(t);
}

static void test_config_dd_tags(void) {
    static const struct {
        const char *in;
        size_t n;
        const char *k[3], *v[3];
    } cases[] = {
        {"a:1,b:2", 2, {"a", "b"}, {"1", "2"}},
        {"a:1 b:2", 2, {"a", "b"}, {"1", "2"}},
        {" a : 1 , b:x:y ", 2, {"a", "b"}, {"1", "x:y"}},
        {"novalue,c:3", 1, {"c"}, {"3"}},
        {"k:", 1, {"k"}, {""}},
        {"", 0, {0}, {0}},
    };
    size_t i, j;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        fake_reset();
        set_env("DD_TAGS", cases[i].in);
        c = base_config();
        t = dd_tracer_new(&c);
        CHECK_EQ_INT(t->n_global_tags, cases[i].n);
        for (j = 0; j < cases[i].n && j < t->n_global_tags; j++) {
            CHECK_MEM(t->global_tags[j].k.p, t->global_tags[j].k.n, cases[i].k[j], strlen(cases[i].k[j]));
            CHECK_MEM(t->global_tags[j].v.p, t->global_tags[j].v.n, cases[i].v[j], strlen(cases[i].v[j]));
        }
        dd_tracer_free(t);
    }
}

/*--- ids ---*/
static void test_ids_from_hook(void) {
    static const uint64_t r[] = {UINT64_C(0x91a2b3c4d5e6f708), UINT64_C(0x8000000000000011),
                                 UINT64_C(0xffffffffffffff22)};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_trace_id id;
    fake_reset();
    c = base_config();
    t = dd_tracer_new(&c);
    set_random(r, 3);
    root = dd_span_start(t, NULL);
    child = dd_span_start_child(root, "child");
    dd_span_trace_id(root, &id);
    /* 128-bit: high half = start seconds (1732170000 = 0x673ed110) << 32; low half random */
    CHECK_EQ_U64(id.hi, UINT64_C(0x673ed11000000000));
    CHECK_EQ_U64(id.lo, UINT64_C(0x91a2b3c4d5e6f708));
    /* span ids: bit 63 cleared (63-bit ids, like dd-trace-cpp and dd-trace-go) */
    CHECK_EQ_U64(dd_span_id(root), 0x11);
    CHECK_EQ_U64(dd_span_id(child), UINT64_C(0x7fffffffffffff22));
    CHECK_EQ_U64(dd_span_parent_id(child), 0x11);
    CHECK_EQ_U64(dd_span_parent_id(root), 0);
    CHECK(dd_span_tracer(child) == t);
    dd_span_finish(child);
    dd_span_finish(root);
    dd_tracer_flush(t);
    {
        const char *js = body_json(0);
        CHECK(has(js, "\"trace_id\":10494147739710322440,\"span_id\":17,\"parent_id\":0"));
        CHECK(has(js, "\"_dd.p.tid\":\"673ed11000000000\""));
        CHECK_EQ_INT(count_of(js, "_dd.p.tid"), 1); /* only on the chunk's first span */
    }
    dd_tracer_free(t);

    /* 64-bit mode: high half 0, bit 63 of the low half cleared, no _dd.p.tid */
    fake_reset();
    c = base_config();
    c.trace_id_128 = DD_OFF;
    t = dd_tracer_new(&c);
    set_random(r, 2);
    root = dd_span_start(t, NULL);
    dd_span_trace_id(root, &id);
    CHECK_EQ_U64(id.hi, 0);
    CHECK_EQ_U64(id.lo, UINT64_C(0x11a2b3c4d5e6f708));
    dd_span_finish(root);
    dd_tracer_flush(t);
    CHECK(!strstr(body_json(0), "_dd.p.tid"));
    dd_tracer_free(t);

    /* a hook that returns 0 never makes a zero id */
    fake_reset();
    c = base_config();
    t = dd_tracer_new(&c);
    {
        static const uint64_t zeros[16] = {0};
        set_random(zeros, 16);
        root = dd_span_start(t, NULL);
        dd_span_trace_id(root, &id);
        CHECK(id.lo != 0);
        CHECK(dd_span_id(root) != 0);
        dd_span_finish(root);
    }
    dd_tracer_free(t);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
#define GEN_N 20000
static uint64_t gen_ids[4][GEN_N];
static void *gen_thread(void *arg) {
    uint64_t *out = (uint64_t *)arg;
    size_t i;
    for (i = 0; i < GEN_N; i++) out[i] = dd__rng_next();
    return NULL;
}
static void test_ids_default_generator(void) {
    pthread_t th[4];
    size_t i;
    uint64_t *all = (uint64_t *)malloc(sizeof gen_ids);
    for (i = 0; i < 4; i++) pthread_create(&th[i], NULL, gen_thread, gen_ids[i]);
    for (i = 0; i < 4; i++) pthread_join(th[i], NULL);
    memcpy(all, gen_ids, sizeof gen_ids);
    qsort(all, 4 * GEN_N, sizeof *all, cmp_u64);
    for (i = 1; i < 4 * GEN_N; i++)
        if (all[i] == all[i - 1]) break;
    CHECK_EQ_U64(i, 4 * GEN_N); /* no duplicate across threads */
    free(all);
    /* span ids through a tracer without a random hook: non-zero, bit 63 clear */
    {
        dd_tracer_config c;
        dd_tracer *t;
        int ok = 1;
        fake_reset();
        c = base_config();
        c.random_fn = NULL;
        t = dd_tracer_new(&c);
        for (i = 0; i < 1000; i++) {
            dd_span *s = dd_span_start(t, NULL);
            uint64_t id = dd_span_id(s);
            dd_trace_id tid;
            dd_span_trace_id(s, &tid);
            if (id == 0 || (id >> 63) || tid.lo == 0 || tid.hi != UINT64_C(0x673ed11000000000)) ok = 0;
            dd_span_finish(s);
        }
        CHECK(ok);
        dd_tracer_free(t);
    }
}

/* fork: the child's generator reseeds (new generation), so parent and child never share ids,
 * and the child's tracer (new pid, new runtime-id) works. */
static void test_fork(void) {
    dd_tracer_config c;
    dd_tracer *t;
    int fds[2];
    pid_t pid;
    uint64_t before = dd__rng_next(), child_ids[512], parent_ids[512];
    char parent_rid[37];
    size_t i, j, got = 0;
    (void)before;
    fake_reset();
    c = base_config();
    c.random_fn = NULL;
    t = dd_tracer_new(&c);
    memcpy(parent_rid, t->runtime_id, 37);
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        /* child: ids, then a span through its tracer and a flush; exit status says it worked */
        dd_span *s;
        int ok;
        close(fds[0]);
        for (i = 0; i < 512; i++) child_ids[i] = dd__rng_next();
        if (write(fds[1], child_ids, sizeof child_ids) != (ssize_t)sizeof child_ids) _exit(3);
        s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "in", "child");
        dd_span_finish(s);
        ok = dd_tracer_flush(t) == DD_OK && F.n_req == 1 && strstr(body_json(0), "\"in\":\"child\"") != NULL
             && t->pid == (int64_t)getpid() && strcmp(t->runtime_id, parent_rid) != 0;
        dd_tracer_free(t); /* the child's copy is the child's to free (clean under memcheck) */
        fake_reset();
        _exit(ok ? 0 : 4);
    }
    close(fds[1]);
    for (i = 0; i < 512; i++) parent_ids[i] = dd__rng_next();
    while (got < sizeof child_ids) {
        ssize_t r = read(fds[0], (char *)child_ids + got, sizeof child_ids - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fds[0]);
    CHECK_EQ_U64(got, sizeof child_ids);
    {
        size_t same = 0;
        for (i = 0; i < 512; i++)
            for (j = 0; j < 512; j++)
                if (parent_ids[i] == child_ids[j]) same++;
        CHECK_EQ_U64(same, 0);
    }
    {
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    dd_tracer_free(t);
}

/*--- spans and payload ---*/
static dd_tracer *new_tracer(dd_tracer_config *c) { return dd_tracer_new(c); }

static void test_span_fields(void) {
    static const uint64_t r[] = {0xabc, 0x11, 0x22, 0x33};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child, *other;
    dd_span_options o;
    const char *js;
    fake_reset();
    set_env("DD_SERVICE", "svc");
    set_env("DD_ENV", "prod");
    set_env("DD_VERSION", "1.2.3");
    set_env("DD_TAGS", "team:core");
    c = base_config();
    t = new_tracer(&c);
    set_random(r, 4);
    memset(&o, 0, sizeof o);
    o.name = "http.request";
    o.resource = "GET /users";
    o.type = "web";
    root = dd_span_start(t, &o);
    dd_span_set_kind(root, "server");
    dd_span_set_tag(root, "http.method", "GET");
    dd_span_set_metric(root, "http.status_code_num", 200);
    F.mono += 500;
    child = dd_span_start_child(root, "db.query");
    dd_span_set_resource(child, "SELECT ?");
    dd_span_set_type(child, "sql");
    dd_span_set_error_info(child, "ETIMEDOUT", "timeout", "stack...");
    dd_span_set_measured(child, 1);
    F.mono += 1000;
    dd_span_finish(child);
    memset(&o, 0, sizeof o);
    o.parent = root;
    o.name = "cache.get";
    o.name_len = 5; /* "cache" */
    o.service = "redis";
    other = dd_span_start(t, &o);
    dd_span_finish_at(other, F.wall0 + F.mono + 250);
    F.mono += 1500000;
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_U64(F.n_req, 1);
    js = body_json(0);
    /* the root: docs/agent-protocol.md §2.2 / §2.7 */
    CHECK(has(js, "[[{\"trace_id\":"));
    CHECK(has(js, "\"span_id\":17,\"parent_id\":0,\"name\":\"http.request\",\"service\":\"svc\","
                  "\"resource\":\"GET /users\",\"type\":\"web\",\"start\":1732170000123457789,"
                  "\"duration\":1501500,\"error\":0,\"meta\":{"));
    CHECK(has(js, "\"_dd.p.dm\":\"-0\""));
    CHECK(has(js, "\"_dd.p.tid\":\"673ed11000000000\""));
    CHECK(has(js, "\"runtime-id\":\""));
    CHECK(has(js, "\"language\":\"c\""));
    CHECK(has(js, "\"span.kind\":\"server\""));
    CHECK(has(js, "\"http.method\":\"GET\""));
    CHECK(has(js, "\"env\":\"prod\""));
    CHECK(has(js, "\"version\":\"1.2.3\""));
    CHECK(has(js, "\"team\":\"core\""));
    CHECK(has(js, "\"_sampling_priority_v1\":1.0"));
    CHECK(has(js, "\"process_id\":"));
    CHECK(has(js, "\"_dd.top_level\":1.0"));
    CHECK(has(js, "\"http.status_code_num\":200.0"));
    /* the child: parent 17, error 1 with the error tags, measured, not top-level */
    CHECK(has(js, "\"span_id\":34,\"parent_id\":17,\"name\":\"db.query\",\"service\":\"svc\","
                  "\"resource\":\"SELECT ?\",\"type\":\"sql\",\"start\":1732170000123458289,"
                  "\"duration\":1000,\"error\":1,\"meta\":{"));
    CHECK(has(js, "\"error.type\":\"ETIMEDOUT\""));
    CHECK(has(js, "\"error.message\":\"timeout\""));
    CHECK(has(js, "\"error.stack\":\"stack...\""));
    CHECK(has(js, "\"metrics\":{\"_dd.measured\":1.0}"));
    /* another service under the root: top-level; name cut by name_len; version only for the
     * tracer's service (as dd-trace-cpp and dd-trace-go) */
    CHECK(has(js, "\"span_id\":51,\"parent_id\":17,\"name\":\"cache\",\"service\":\"redis\",\"resource\":\"cache\""));
    CHECK(has(js, "\"duration\":250,"));
    CHECK(has(js, "\"metrics\":{\"_dd.top_level\":1.0}"));
    CHECK_EQ_INT(count_of(js, "\"version\":\"1.2.3\""), 2);
    CHECK_EQ_INT(count_of(js, "\"env\":\"prod\""), 3);
    CHECK_EQ_INT(count_of(js, "\"language\":\"c\""), 3);
    CHECK_EQ_INT(count_of(js, "\"_sampling_priority_v1\""), 1);
    CHECK_EQ_INT(count_of(js, "\"runtime-id\""), 1);
    CHECK_STR(F.count_hdr[0], "1");
    dd_tracer_free(t);
}

static void test_span_setters_n(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    dd_span_set_name_n(s, "opXYZ", 2);
    dd_span_set_service_n(s, "svcXYZ", 3);
    dd_span_set_resource_n(s, "resXYZ", 3);
    dd_span_set_type_n(s, "typXYZ", 3);
    dd_span_set_tag_n(s, "k1XYZ", 2, "v1XYZ", 2);
    dd_span_set_metric_n(s, "m1XYZ", 2, 2.5);
    dd_span_set_kind_n(s, "clientXYZ", 6);
    dd_span_set_error_info_n(s, "tXYZ", 1, "mXYZ", 1, "sXYZ", 1);
    dd_span_set_tag(s, "k1", "replaced"); /* same key: replaced, not duplicated */
    dd_span_set_tag(s, "mix", "text");
    dd_span_set_metric(s, "mix", 3); /* a metric replaces the meta of the same key */
    {
        volatile double zero = 0.0, one = 1.0;
        dd_span_set_metric(s, "nan", zero / zero);
        /* the finiteness test reads the exponent bits: both infinities dropped, the largest
         * finite double and a subnormal kept */
        dd_span_set_metric_n(s, "inf", 3, one / zero);
        dd_span_set_metric_static(s, "ninf", -one / zero);
        dd_span_set_metric_n(s, "big", 3, 1.7976931348623157e308);
        dd_span_set_metric_n(s, "tiny", 4, 4.9406564584124654e-324);
    }
    dd_span_set_start(s, INT64_C(1700000000000000000));
    dd_span_finish_at(s, INT64_C(1700000000000000042));
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"name\":\"op\",\"service\":\"svc\",\"resource\":\"res\",\"type\":\"typ\","
                  "\"start\":1700000000000000000,\"duration\":42,\"error\":1"));
    CHECK(has(js, "\"k1\":\"replaced\""));
    CHECK_EQ_INT(count_of(js, "\"k1\""), 1);
    CHECK(has(js, "\"m1\":2.5"));
    CHECK(has(js, "\"mix\":3.0"));
    CHECK_EQ_INT(count_of(js, "\"mix\""), 1);
    CHECK(!strstr(js, "\"nan\""));
    CHECK(!strstr(js, "\"inf\"") && !strstr(js, "\"ninf\""));
    CHECK(has(js, "\"big\":") && has(js, "\"tiny\":"));
    CHECK(has(js, "\"span.kind\":\"client\""));
    CHECK(has(js, "\"error.type\":\"t\",") || has(js, "\"error.type\":\"t\"}"));
    {
        dd_counters k;
        dd_tracer_counters(t, &k);
        CHECK_EQ_U64(k.tags_dropped, 3); /* the NaN and the two infinities */
    }
    /* error flag cleared again */
    s = dd_span_start(t, NULL);
    dd_span_set_error(s, 1);
    dd_span_set_error(s, 0);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(1), "\"error\":0"));
    dd_tracer_free(t);
}

/* A child starts with its parent's service and no type, and keeps what it started with whatever
 * its parent does later (the service and type a span shares with its parent or the tracer are
 * copied before either changes them); a change on a child reaches neither its parent nor its
 * siblings. */
static void test_span_service_type_inherit(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *c1, *c2, *g1, *c3;
    dd_span_options o;
    const char *js;
    fake_reset();
    c = base_config();
    c.service = "svc";
    t = new_tracer(&c);
    memset(&o, 0, sizeof o);
    o.name = "root";
    o.type = "web";
    root = dd_span_start(t, &o);
    c1 = dd_span_start_child(root, "c1"); /* svc, no type */
    dd_span_set_service(root, "front");   /* after c1: c1 keeps svc */
    dd_span_set_type(root, "rpc");
    c2 = dd_span_start_child(root, "c2"); /* front, no type */
    dd_span_set_type(c1, "sql");          /* c1's own: root and c2 unchanged */
    g1 = dd_span_start_child(c1, "g1");   /* svc, no type */
    dd_span_set_service(c1, "db");        /* after g1: g1 keeps svc */
    memset(&o, 0, sizeof o);
    o.parent = c2;
    o.name = "c3";
    o.service = "cache";
    o.type = "redis";
    c3 = dd_span_start(t, &o);            /* its own, c2 unchanged */
    dd_span_set_service(c2, "svc");       /* back to the tracer's */
    dd_span_finish(c3);
    dd_span_finish(g1);
    dd_span_finish(c2);
    dd_span_finish(c1);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    js = body_json(0);
    CHECK(has(js, "\"name\":\"root\",\"service\":\"front\",\"resource\":\"root\",\"type\":\"rpc\""));
    CHECK(has(js, "\"name\":\"c1\",\"service\":\"db\",\"resource\":\"c1\",\"type\":\"sql\""));
    CHECK(has(js, "\"name\":\"c2\",\"service\":\"svc\",\"resource\":\"c2\",\"type\":\"\""));
    CHECK(has(js, "\"name\":\"g1\",\"service\":\"svc\",\"resource\":\"g1\",\"type\":\"\""));
    CHECK(has(js, "\"name\":\"c3\",\"service\":\"cache\",\"resource\":\"c3\",\"type\":\"redis\""));
    {
        dd_counters k;
        dd_tracer_counters(t, &k);
        CHECK_EQ_U64(k.tags_dropped, 0);
    }
    dd_tracer_free(t);
}

/* Tags are kept in their msgpack form: every str header width (fixstr, str8, str16, str32) for
 * keys and values, replacements that keep or change the header width, metrics replaced in place,
 * non-ASCII keys and values (checked and repaired when encoded), and tag lookups by the sampler. */
static char *filled(size_t n, char c) {
    char *p = (char *)malloc(n + 1);
    memset(p, c, n);
    p[n] = 0;
    return p;
}
static void test_tag_wire_forms(void) {
    static const size_t sizes[] = {0, 1, 31, 32, 255, 256, 65535, 65536};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    const char *js;
    char *big_json, *want, *v40 = filled(40, 'v'), *v35 = filled(35, 'w'), *w = filled(70000, 'w');
    size_t i;
    fake_reset();
    c = base_config();
    c.max_tag_bytes = 400000;
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char key[16];
        char *val = filled(sizes[i], 'a' + (char)i);
        snprintf(key, sizeof key, "v%u", (unsigned)sizes[i]);
        dd_span_set_tag(s, key, val);
        free(val);
    }
    {
        char *k = filled(300, 'k'); /* a str16 key */
        dd_span_set_tag(s, k, "x");
        dd_span_set_metric(s, k, 1); /* the key set again as a metric: the tag is replaced */
        free(k);
    }
    dd_span_set_tag(s, "r1", "short");
    dd_span_set_tag(s, "r1", v40);   /* longer, wider header: a new record */
    dd_span_set_tag(s, "r1", "abc"); /* fits, but a narrower header: a new record */
    dd_span_set_tag(s, "r2", v40);
    dd_span_set_tag(s, "r2", v35);   /* same header width: in place */
    dd_span_set_metric(s, "m", 1.5);
    dd_span_set_metric(s, "m", -2.25);
    { /* values across the tag record's two forms (lengths in the header up to a capacity of
       * 65,024 bytes, else in 16 bytes before it), read back after each change */
        static const size_t steps[] = {40000, 70000, 10, 65024, 65025, 3};
        const char *got;
        size_t gn, j;
        for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
            w[0] = (char)('0' + j);
            dd_span_set_tag_n(s, "grow", 4, w, steps[j]);
            CHECK_EQ_INT(dd_span_get_tag(s, "grow", 4, &got, &gn), DD_OK);
            CHECK(gn == steps[j] && got[0] == (char)('0' + j) && memcmp(got + 1, w + 1, gn - 1) == 0);
            dd_span_set_tag_static_n(s, "grow_static", 11, w, steps[j]);
            CHECK_EQ_INT(dd_span_get_tag(s, "grow_static", 11, &got, &gn), DD_OK);
            CHECK(gn == steps[j] && got == w);
        }
    }
    dd_span_set_metric(s, "caf\xc3\xa9", 3);
    dd_span_set_metric(s, "x\xffy", 4);
    dd_span_set_tag(s, "k\xfe", "v\xc3\xa9");
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    big_json = (char *)malloc(1 << 20);
    CHECK(dd_mp_to_json(F.bodies[0], F.body_len[0], big_json, 1 << 20) > 0);
    js = big_json;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *val = filled(sizes[i], 'a' + (char)i);
        want = (char *)malloc(sizes[i] + 32);
        snprintf(want, sizes[i] + 32, "\"v%u\":\"%s\"", (unsigned)sizes[i], val);
        CHECK(strstr(js, want) != NULL);
        free(want);
        free(val);
    }
    want = (char *)malloc(400);
    {
        char *k = filled(300, 'k');
        snprintf(want, 400, "\"%s\":1.0", k);
        CHECK(strstr(js, want) != NULL);
        snprintf(want, 400, "\"%s\":\"x\"", k);
        CHECK(strstr(js, want) == NULL);
        free(k);
    }
    CHECK(has(js, "\"r1\":\"abc\""));
    CHECK_EQ_INT(count_of(js, "\"r1\""), 1);
    snprintf(want, 400, "\"r2\":\"%s\"", v35);
    CHECK(has(js, want));
    CHECK_EQ_INT(count_of(js, "\"r2\""), 1);
    CHECK(has(js, "\"m\":-2.25"));
    CHECK_EQ_INT(count_of(js, "\"m\""), 1);
    CHECK(has(js, "\"caf\xc3\xa9\":3.0"));
    CHECK(has(js, "\"x\xef\xbf\xbdy\":4.0"));
    CHECK(has(js, "\"k\xef\xbf\xbd\":\"v\xc3\xa9\""));
    CHECK(has(js, "\"grow\":\"5ww\"")); /* the last values, on the wire */
    CHECK(has(js, "\"grow_static\":\"5ww\""));
    free(w);
    free(want);
    free(big_json);
    free(v40);
    free(v35);
    dd_tracer_free(t);
}

static void test_span_utf8_repair(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    dd_span_set_tag(s, "bad", "a\xff" "b\xc3");
    dd_span_set_tag(s, "good", "caf\xc3\xa9");
    dd_span_set_resource(s, "\xed\xa0\x80x"); /* a UTF-16 surrogate is not UTF-8 */
    dd_span_finish(s);
    dd_tracer_flush(t);
    js = body_json(0);
    /* each bad byte became U+FFFD, written by us: the JSON renderer sees valid UTF-8 */
    CHECK(has(js, "\"bad\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\""));
    CHECK(has(js, "\"good\":\"caf\xc3\xa9\""));
    CHECK(has(js, "\"resource\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx\""));
    dd_tracer_free(t);
}

static void test_span_from_context(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s, *child;
    dd_trace_context ctx;
    dd_span_options o;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.hi = UINT64_C(0x640cfd8d00000000);
    ctx.trace_id.lo = UINT64_C(0x1234);
    ctx.parent_id = 0x5678;
    ctx.sampling_priority = 2;
    strcpy(ctx.origin, "synthetics");
    ctx.origin_len = 10;
    strcpy(ctx.ptags, "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000,_dd.p.usr=abc");
    ctx.ptags_len = (uint32_t)strlen(ctx.ptags);
    strcpy(ctx.tracestate, "foo=bar");
    ctx.tracestate_len = 7;
    strcpy(ctx.last_parent_id, "00000000000000aa");
    strcpy(ctx.propagation_error, "malformed_tid zz");
    ctx.n_links = 1;
    ctx.links[0].trace_id.lo = 0x99;
    ctx.links[0].trace_id.hi = 0x1;
    ctx.links[0].span_id = 0x77;
    ctx.links[0].flags = (int32_t)UINT32_C(0x80000001);
    strcpy(ctx.links[0].tracestate, "dd=s:1");
    strcpy(ctx.links[0].reason, "terminated_context");
    strcpy(ctx.links[0].context_headers, "tracecontext");
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    o.name = "consume";
    s = dd_span_start(t, &o);
    child = dd_span_start_child(s, "work");
    {
        dd_trace_id id;
        dd_span_trace_id(child, &id);
        CHECK_EQ_U64(id.hi, UINT64_C(0x640cfd8d00000000));
        CHECK_EQ_U64(id.lo, 0x1234);
        CHECK_EQ_U64(dd_span_parent_id(s), 0x5678);
    }
    dd_span_finish(child);
    dd_span_finish(s);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"trace_id\":4660,"));
    CHECK(has(js, "\"parent_id\":22136,\"name\":\"consume\""));
    CHECK(has(js, "\"_dd.p.usr\":\"abc\""));
    CHECK(has(js, "\"_dd.p.dm\":\"-4\""));                 /* the extracted decision maker */
    CHECK(has(js, "\"_dd.p.tid\":\"640cfd8d00000000\""));
    CHECK_EQ_INT(count_of(js, "\"_dd.origin\":\"synthetics\""), 2); /* every span, as dd-trace-cpp */
    CHECK(has(js, "\"_dd.parent_id\":\"00000000000000aa\""));
    CHECK(has(js, "\"_dd.propagation_error\":\"malformed_tid zz\""));
    CHECK(has(js, "\"_sampling_priority_v1\":2.0"));
    /* span_links, docs/agent-protocol.md §2.4: flags keep bit 31 */
    CHECK(has(js, "\"span_links\":[{\"trace_id\":153,\"trace_id_high\":1,\"span_id\":119,"
                  "\"attributes\":{\"reason\":\"terminated_context\",\"context_headers\":\"tracecontext\"},"
                  "\"tracestate\":\"dd=s:1\",\"flags\":2147483649}]"));
    dd_tracer_free(t);
}

typedef struct rec_carrier {
    char keys[16][64], vals[16][600];
    size_t n;
} rec_carrier;
static int rec_set(void *self, const char *k, size_t kl, const char *v, size_t vl) {
    rec_carrier *r = (rec_carrier *)self;
    if (r->n >= 16 || kl >= 64 || vl >= 600) return DD_ERR_BUFFER_FULL;
    memcpy(r->keys[r->n], k, kl);
    r->keys[r->n][kl] = 0;
    memcpy(r->vals[r->n], v, vl);
    r->vals[r->n][vl] = 0;
    r->n++;
    return DD_OK;
}
static const char *rec_get(const rec_carrier *r, const char *k) {
    size_t i;
    for (i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], k) == 0) return r->vals[i];
    return NULL;
}

static void test_inject_and_priority(void) {
    static const uint64_t r[] = {UINT64_C(0x91a2b3c4d5e6f708), 0x11};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    rec_carrier rc;
    dd_carrier_writer w;
    dd_trace_context ctx;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    set_random(r, 2);
    s = dd_span_start(t, NULL);
    memset(&rc, 0, sizeof rc);
    w.self = &rc;
    w.set = rec_set;
    CHECK_EQ_INT(dd_span_inject(s, &w), DD_OK);
    CHECK_STR(rec_get(&rc, "x-datadog-trace-id"), "10494147739710322440");
    CHECK_STR(rec_get(&rc, "x-datadog-parent-id"), "17");
    CHECK_STR(rec_get(&rc, "x-datadog-sampling-priority"), "1");
    {
        const char *tags = rec_get(&rc, "x-datadog-tags");
        CHECK(tags && strstr(tags, "_dd.p.dm=-0") && strstr(tags, "_dd.p.tid=673ed11000000000"));
    }
    CHECK_STR(rec_get(&rc, "traceparent"), "00-673ed1100000000091a2b3c4d5e6f708-0000000000000011-01");
    /* the decision is locked by the injection: a manual drop afterwards is ignored */
    dd_span_set_priority(s, DD_PRIORITY_USER_REJECT);
    CHECK_EQ_INT(dd_span_context(s, &ctx), DD_OK);
    CHECK_EQ_INT(ctx.sampling_priority, 1);
    CHECK_EQ_U64(ctx.parent_id, 0x11);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(0), "\"_sampling_priority_v1\":1.0"));
    /* manual keep before any injection: priority 2, mechanism 4 */
    s = dd_span_start(t, NULL);
    dd_span_set_priority(s, DD_PRIORITY_USER_KEEP);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(1), "\"_dd.p.dm\":\"-4\""));
    CHECK(has(body_json(1), "\"_sampling_priority_v1\":2.0"));
    /* manual reject: priority -1 and no _dd.p.dm (removed when priority <= 0) */
    s = dd_span_start(t, NULL);
    dd_span_set_priority(s, DD_PRIORITY_USER_REJECT);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(2), "\"_sampling_priority_v1\":-1.0"));
    CHECK(!strstr(body_json(2), "_dd.p.dm"));
    CHECK_EQ_INT(dd_span_inject(NULL, &w), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_context(NULL, &ctx), DD_ERR_INVALID_ARG);
    dd_tracer_free(t);
}

/* docs/sampling.md §10-§11: span rules run on rejected traces only; with drop_rejected_traces only
 * the spans they keep are sent, with the three _dd.span_sampling metrics. */
static void test_single_span_sampling(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *keep, *other;
    dd_counters k;
    const char *js;
    fake_reset();
    c = base_config();
    c.service = "svc";
    c.sampling.span_rules_json = "[{\"service\":\"svc\",\"name\":\"keep.*\",\"max_per_second\":50}]";
    c.sampling.drop_rejected_traces = 1;
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    dd_span_set_name(root, "root");
    keep = dd_span_start_child(root, "keep.me");
    other = dd_span_start_child(root, "other");
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
    dd_span_finish(keep);
    dd_span_finish(other);
    dd_span_finish(root);
    /* a kept trace: no span rules evaluated, everything sent */
    root = dd_span_start(t, NULL);
    dd_span_finish(dd_span_start_child(root, "keep.too"));
    dd_span_finish(root);
    /* a rejected trace with nothing kept: no chunk at all */
    root = dd_span_start(t, NULL);
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT);
    dd_span_finish(root);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_dropped_sampling, 3);
    CHECK_EQ_U64(k.chunks_dropped_sampling, 1);
    CHECK_EQ_U64(k.chunks_encoded, 2);
    CHECK_EQ_U64(k.spans_encoded, 3);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK_STR(F.count_hdr[0], "2");
    CHECK_EQ_INT(count_of(js, "\"name\":\"keep.me\""), 1);
    CHECK(!strstr(js, "\"name\":\"other\""));
    CHECK(!strstr(js, "\"name\":\"root\""));
    CHECK(has(js, "\"_dd.span_sampling.mechanism\":8.0,\"_dd.span_sampling.rule_rate\":1.0,"
                  "\"_dd.span_sampling.max_per_second\":50.0"));
    CHECK_EQ_INT(count_of(js, "_dd.span_sampling.mechanism"), 1);
    /* the kept span opens its chunk and carries the trace's priority */
    CHECK(has(js, "[[{\"trace_id\""));
    CHECK(has(js, "\"_sampling_priority_v1\":-1.0"));
    dd_tracer_free(t);
}

/*--- limits and counters ---*/
static void test_limit_spans_per_segment(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *kids[5];
    dd_counters k;
    size_t i, nonnull = 0;
    fake_reset();
    c = base_config();
    c.max_spans_per_segment = 3;
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    for (i = 0; i < 5; i++) {
        kids[i] = dd_span_start_child(root, "k");
        if (kids[i]) nonnull++;
    }
    CHECK_EQ_U64(nonnull, 2);
    for (i = 0; i < 5; i++) dd_span_finish(kids[i]); /* NULL is a no-op */
    dd_span_finish(root);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started, 3);
    CHECK_EQ_U64(k.spans_dropped_limit, 3);
    CHECK_EQ_U64(k.spans_finished, 3);
    CHECK_EQ_U64(k.spans_encoded, 3);
    CHECK(logged("max_spans_per_segment"));
    dd_tracer_free(t);
}

static void test_limit_open_segments(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s[4];
    dd_counters k;
    fake_reset();
    c = base_config();
    c.max_open_segments = 2;
    t = new_tracer(&c);
    s[0] = dd_span_start(t, NULL);
    s[1] = dd_span_start(t, NULL);
    s[2] = dd_span_start(t, NULL);
    CHECK(s[0] && s[1] && !s[2]);
    dd_span_finish(s[0]);
    s[3] = dd_span_start(t, NULL); /* room again */
    CHECK(s[3] != NULL);
    dd_span_finish(s[1]);
    dd_span_finish(s[3]);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.segments_dropped_limit, 1);
    CHECK_EQ_U64(k.spans_dropped_limit, 1);
    CHECK_EQ_U64(k.spans_started, 3);
    CHECK_EQ_U64(t->n_open_segments, 0);
    dd_tracer_free(t);
}

/* The _static setters against their copying namesakes: one script of spans and tags run twice,
 * with the copying API and with the _static one, gives the same request bytes, the same counters
 * and the same values read back (names and tags ASCII or not, invalid UTF-8, empty and long
 * strings, keys set again across both kinds of storage, meta <-> metric, the tag-bytes limit,
 * manual.keep, peer.service, NaN, and tags with the tracer's own keys). */
static const char *g_long_value; /* 300 bytes: a str16 value */
static volatile double g_zero = 0.0;
static char g_keys[40][16]; /* the caller's keys, kept until the flush */
static void static_script(dd_tracer *t, int st, const char **got, size_t *got_len) {
    dd_span *r = dd_span_start(t, NULL), *c, *d, *e;
    size_t n;
#define SCRIPT_TAG(s, k, v) (st ? dd_span_set_tag_static(s, k, v) : dd_span_set_tag(s, k, v))
#define SCRIPT_TAG_N(s, k, kn, v, vn) (st ? dd_span_set_tag_static_n(s, k, kn, v, vn) : dd_span_set_tag_n(s, k, kn, v, vn))
#define SCRIPT_METRIC(s, k, v) (st ? dd_span_set_metric_static(s, k, v) : dd_span_set_metric(s, k, v))
#define SCRIPT_RES(s, v) (st ? dd_span_set_resource_static(s, v) : dd_span_set_resource(s, v))
#define SCRIPT_CHILD(p, v) (st ? dd_span_start_child_static(p, v) : dd_span_start_child(p, v))
    SCRIPT_RES(r, "GET /r\xc3\xa9sum\xc3\xa9");
    c = SCRIPT_CHILD(r, "db.query");
    SCRIPT_RES(c, "SELECT * FROM users WHERE id = ?");
    SCRIPT_TAG_N(c, "http.method", 11, "GET", 3);
    SCRIPT_TAG_N(c, "http.url", 8, "https://api.example.com/v1/users/12345", 38);
    SCRIPT_TAG(c, "long", g_long_value);
    SCRIPT_TAG(c, "empty", "");
    SCRIPT_TAG(c, "null", NULL);
    SCRIPT_TAG(c, "bad", "a\xff" "b\xc3");
    SCRIPT_TAG(c, "caf\xc3\xa9", "th\xc3\xa9");
    SCRIPT_TAG(c, "k\xfe", "v");
    SCRIPT_METRIC(c, "http.response.content_length", 1234.0);
    SCRIPT_METRIC(c, "m\xff", 2.5);
    SCRIPT_METRIC(c, "nan", g_zero / g_zero);
    SCRIPT_TAG(c, "again", "one");
    SCRIPT_TAG(c, "again", "two, longer than the first value of this key"); /* a new value */
    dd_span_set_tag(c, "again", "three");                                   /* the copying setter */
    SCRIPT_TAG(c, "again", "four");                                          /* and back */
    dd_span_set_tag(c, "copied", "first");
    SCRIPT_TAG(c, "copied", "second");
    SCRIPT_TAG(c, "kind", "meta");
    SCRIPT_METRIC(c, "kind", 7.0);   /* meta -> metric */
    SCRIPT_METRIC(c, "kind2", 8.0);
    SCRIPT_TAG(c, "kind2", "meta2"); /* metric -> meta */
    SCRIPT_TAG(c, "env", "mine");    /* the tracer's keys: the span's tag wins or loses as copied */
    SCRIPT_TAG(c, "language", "x");
    SCRIPT_METRIC(c, "_dd.measured", 1.0);
    SCRIPT_METRIC(c, "_dd.top_level", 1.0);
    SCRIPT_TAG(c, "peer.service", "billing");
    SCRIPT_TAG(c, "manual.drop", "false"); /* not a decision: ignored, not stored */
    if (dd_span_get_tag(c, "http.url", 8, got, got_len) != DD_OK) *got = NULL;
    d = SCRIPT_CHILD(c, "caf\xc3\xa9.\xff");
    e = SCRIPT_CHILD(c, ""); /* empty name: "" as with a copy */
    SCRIPT_TAG(e, "manual.keep", "1");
    for (n = 0; n < 40; n++) { /* the tag-bytes limit (1,024 here): the same tags dropped */
        SCRIPT_TAG(d, g_keys[n], g_long_value + (n * 7) % 200);
        SCRIPT_TAG_N(d, "fill", 4, g_long_value, 30 + n); /* set again, longer each time */
    }
    SCRIPT_TAG_N(d, "huge", 4, g_long_value, 300);
    dd_span_finish(e);
    dd_span_finish(d);
    dd_span_finish(c);
    dd_span_finish(r);
#undef SCRIPT_TAG
#undef SCRIPT_TAG_N
#undef SCRIPT_METRIC
#undef SCRIPT_RES
#undef SCRIPT_CHILD
}
static void test_static_strings_same_wire(void) {
    unsigned char *body[2];
    size_t len[2];
    dd_counters k[2];
    const char *got[2];
    size_t got_len[2];
    char got_copy[2][64];
    char *lv = filled(300, 'L');
    int st;
    lv[100] = 'M';
    g_long_value = lv;
    for (st = 0; st < 40; st++) snprintf(g_keys[st], sizeof g_keys[st], "fill-%d-%s", st, st % 3 ? "" : "caf\xc3\xa9");
    for (st = 0; st < 2; st++) {
        dd_tracer_config c;
        dd_tracer *t;
        fake_reset();
        c = base_config();
        c.max_tag_bytes = 1024;
        c.env = "prod";
        t = new_tracer(&c);
        static_script(t, st, &got[st], &got_len[st]);
        memset(got_copy[st], 0, sizeof got_copy[st]);
        if (got[st] && got_len[st] < sizeof got_copy[st]) memcpy(got_copy[st], got[st], got_len[st]);
        CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
        dd_tracer_counters(t, &k[st]);
        CHECK_EQ_INT(F.n_req, 1);
        len[st] = F.body_len[0];
        body[st] = (unsigned char *)malloc(len[st]);
        memcpy(body[st], F.bodies[0], len[st]);
        dd_tracer_free(t);
    }
    CHECK_EQ_U64(len[0], len[1]);
    { /* runtime-id differs between the two tracers: the first body's, in the second */
        unsigned char *r0 = NULL, *r1 = NULL;
        size_t i;
        for (i = 0; i + 47 < len[0] && !r0; i++)
            if (memcmp(body[0] + i, "\xaaruntime-id\xd9\x24", 13) == 0) r0 = body[0] + i + 13;
        for (i = 0; i + 47 < len[1] && !r1; i++)
            if (memcmp(body[1] + i, "\xaaruntime-id\xd9\x24", 13) == 0) r1 = body[1] + i + 13;
        CHECK(r0 && r1 && r0 - body[0] == r1 - body[1]);
        if (r0 && r1) memcpy(r1, r0, 36);
    }
    CHECK(len[0] == len[1] && memcmp(body[0], body[1], len[0]) == 0);
    CHECK_EQ_U64(k[0].tags_dropped, k[1].tags_dropped);
    CHECK(k[0].tags_dropped >= 3); /* NaN, the limit, "huge" */
    CHECK_EQ_U64(k[0].spans_encoded, k[1].spans_encoded);
    CHECK(got[0] && got[1] && got_len[0] == 38 && got_len[1] == 38);
    CHECK_STR(got_copy[1], "https://api.example.com/v1/users/12345");
    CHECK_STR(got_copy[0], got_copy[1]);
    {
        char *js = (char *)malloc(1 << 16);
        CHECK(dd_mp_to_json(body[1], len[1], js, 1 << 16) > 0);
        CHECK(has(js, "\"bad\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"")); /* repaired, as a copy */
        CHECK(has(js, "\"again\":\"four\""));
        CHECK(has(js, "\"kind\":7.0"));
        CHECK(has(js, "\"kind2\":\"meta2\""));
        CHECK(has(js, "\"name\":\"caf\xc3\xa9.\xef\xbf\xbd\""));
        free(js);
    }
    free(body[0]);
    free(body[1]);
    free(lv);
}

static void test_limit_tag_bytes(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_counters k;
    char big[200];
    const char *js;
    fake_reset();
    c = base_config();
    c.max_tag_bytes = 64;
    t = new_tracer(&c);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    s = dd_span_start(t, NULL); /* name "" */
    dd_span_set_tag(s, "a", "0123456789");  /* 11 bytes */
    dd_span_set_tag(s, "big", big);         /* over: dropped */
    dd_span_set_tag(s, "b", "0123456789");  /* 22 */
    dd_span_set_metric(s, "m", 1);          /* 23 */
    dd_span_set_tag(s, "a", "abc");         /* in place: no new bytes */
    dd_span_finish(s);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.tags_dropped, 1);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"a\":\"abc\""));
    CHECK(has(js, "\"b\":\"0123456789\""));
    CHECK(!strstr(js, "xxxx"));
    CHECK(logged("max_tag_bytes"));
    dd_tracer_free(t);
}

static void test_limit_buffer(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    size_t i;
    fake_reset();
    c = base_config();
    c.max_buffer_bytes = 2000;
    c.delivery = DD_DELIVERY_MANUAL; /* nothing drains the buffer before dd_tracer_flush */
    t = new_tracer(&c);
    for (i = 0; i < 20; i++) {
        dd_span *s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "pad", "0123456789012345678901234567890123456789");
        dd_span_finish(s);
    }
    dd_tracer_counters(t, &k);
    CHECK(k.chunks_dropped_buffer > 0);
    CHECK_EQ_U64(k.chunks_encoded + k.chunks_dropped_buffer, 20);
    CHECK_EQ_U64(k.spans_dropped_buffer, k.chunks_dropped_buffer);
    CHECK(dd_mp_writer_size(&t->bufs[t->active].w) <= 2000);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.chunks_sent, k.chunks_encoded);
    CHECK(has(F.count_hdr[0], "") && (uint64_t)atoi(F.count_hdr[0]) == k.chunks_encoded);
    CHECK(logged("max_buffer_bytes"));
    dd_tracer_free(t);
}

/*--- flush ---*/
static void test_flush_explicit_and_headers(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t i;
    char cg[] = "/tmp/dd_trace_test_cgroup_XXXXXX";
    int fd = mkstemp(cg);
    static const char text[] = "12:memory:/docker/3726184226f5d3147c25fdeab5b60097e378e8a720503a5e19ecfdf29f869860\n"
                               "0::/\n";
    CHECK(fd >= 0);
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    fake_reset();
    c = base_config();
    c.cgroup_path = cg;
    t = new_tracer(&c);
    unlink(cg);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK); /* nothing to send: no request (docs/agent-protocol.md §1) */
    CHECK_EQ_U64(F.n_req, 0);
    for (i = 0; i < 3; i++) dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_U64(F.n_req, 0); /* no automatic flush configured */
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_U64(F.n_req, 1);
    CHECK_STR(F.count_hdr[0], "3");
    CHECK(has(F.headers[0], "Content-Type: application/msgpack\n"));
    CHECK(has(F.headers[0], "Datadog-Meta-Lang: c\n"));
    CHECK(has(F.headers[0], "Datadog-Meta-Lang-Version: 199901\n") || has(F.headers[0], "Datadog-Meta-Lang-Version: 201112\n"));
    CHECK(has(F.headers[0], "Datadog-Meta-Tracer-Version: " DDTRACE_VERSION_STRING "\n"));
    CHECK(has(F.headers[0], "X-Datadog-Trace-Count: 3\n"));
    CHECK(has(F.headers[0], "Datadog-Container-ID: 3726184226f5d3147c25fdeab5b60097e378e8a720503a5e19ecfdf29f869860\n"));
    CHECK(has(F.headers[0], "Datadog-Entity-ID: ci-3726184226f5d3147c25fdeab5b60097e378e8a720503a5e19ecfdf29f869860\n"));
    CHECK(has(body_json(0), "[[{\"trace_id\""));
    dd_tracer_free(t);
    /* language override for FFI hosts */
    fake_reset();
    c = base_config();
    c.language = "python";
    c.language_version = "3.12";
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK(has(F.headers[0], "Datadog-Meta-Lang: python\nDatadog-Meta-Lang-Version: 3.12\n"));
    CHECK(!strstr(F.headers[0], "Datadog-Container-ID"));
    CHECK(has(body_json(0), "\"language\":\"python\""));
    dd_tracer_free(t);
}

static void test_cgroup_parsing(void) {
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"0::/system.slice/docker-cde7c2bab394630a42d73dc610b9c57415dced996106665d427f6d0566594411.scope\n",
         "cde7c2bab394630a42d73dc610b9c57415dced996106665d427f6d0566594411"},
        {"11:perf_event:/kubepods/besteffort/pod3d274242-8ee0-11e9-a8a6-1e68d864ef1a/"
         "3e74d3fd9db4c9dd921ae05c2502fb984d0cde1b36e581b13f79c639da4518a1\n",
         "3e74d3fd9db4c9dd921ae05c2502fb984d0cde1b36e581b13f79c639da4518a1"},
        {"1:name=systemd:/ecs/34dc0b5e626f2c5c4c5170e34b10e765-1234567890\n",
         "34dc0b5e626f2c5c4c5170e34b10e765-1234567890"},
        {"1:name=systemd:/uuid/34dc0b5e-626f-2c5c-4c51-70e34b10e765\n", "34dc0b5e-626f-2c5c-4c51-70e34b10e765"},
        {"0::/kubepods.slice/crio-2b5e6bf1e3ac76dd0b0e6a4e4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f.scope\n",
         "2b5e6bf1e3ac76dd0b0e6a4e4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f4a8f"},
        {"0::/\n", NULL},
        {"12:memory:/user.slice\n0::/init.scope\n", NULL},
        {"garbage without colons\n", NULL},
        {"", NULL},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *id = NULL;
        size_t n = 0;
        int found = dd__parse_cgroup(cases[i].text, strlen(cases[i].text), &id, &n);
        CHECK_EQ_INT(found, cases[i].want != NULL);
        if (found && cases[i].want) CHECK_MEM(id, n, cases[i].want, strlen(cases[i].want));
    }
}

static void test_flush_by_size(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t i;
    dd_counters k;
    fake_reset();
    c = base_config();
    c.flush_bytes = 1000;
    t = new_tracer(&c);
    for (i = 0; i < 40; i++) {
        dd_span *s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "pad", "0123456789012345678901234567890123456789");
        dd_span_finish(s);
    }
    CHECK(F.n_req >= 2); /* flushed on the finishing thread when the buffer passed 1000 bytes */
    dd_tracer_counters(t, &k);
    CHECK(k.chunks_sent > 0);
    {
        size_t j, sum = 0;
        for (j = 0; j < F.n_req; j++) {
            CHECK(F.body_len[j] < 1000 + 400);
            sum += (size_t)atoi(F.count_hdr[j]);
        }
        CHECK_EQ_U64(sum, k.chunks_sent);
    }
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.chunks_sent, 40);
    dd_tracer_free(t);
}

/* Sustained load with no explicit flush: the memory held by waiting traces reaches half of
 * max_buffer_bytes long before their estimated payload reaches flush_bytes, and that must start
 * a flush too - otherwise the buffer fills and every later trace is dropped (found by bench). */
static void test_flush_by_held_memory(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t i;
    dd_counters k;
    fake_reset();
    c = base_config();
    c.max_buffer_bytes = 256 * 1024; /* flush_bytes stays at its 5 MiB default */
    t = new_tracer(&c);
    for (i = 0; i < 2000; i++) {
        dd_span *r = dd_span_start(t, NULL);
        dd_span *ch = dd_span_start_child(r, "child");
        dd_span_set_tag(ch, "pad", "0123456789012345678901234567890123456789");
        dd_span_finish(ch);
        dd_span_finish(r);
    }
    dd_tracer_counters(t, &k);
    CHECK(F.n_req >= 2);
    CHECK_EQ_U64(k.chunks_dropped_buffer, 0);
    CHECK_EQ_U64(k.spans_dropped_buffer, 0);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.chunks_sent, 2000);
    dd_tracer_free(t);
}

/* A transport that, on its first call, finishes traces from inside the flush - as another thread
 * would while this one flushes - until the buffer refuses them. */
static dd_tracer *reentrant_tracer;
static size_t reentrant_calls;
static void one_padded_trace(dd_tracer *t) {
    dd_span *r = dd_span_start(t, NULL);
    dd_span *ch = dd_span_start_child(r, "child");
    dd_span_set_tag(ch, "pad", "0123456789012345678901234567890123456789");
    dd_span_finish(ch);
    dd_span_finish(r);
}
static int reentrant_transport(void *user, const dd_http_request *req, dd_http_response *resp) {
    size_t i;
    (void)user;
    (void)req;
    if (reentrant_calls++ == 0)
        for (i = 0; i < 400; i++) one_padded_trace(reentrant_tracer);
    resp->status = 200;
    resp->body = "{}";
    resp->body_len = 2;
    return 0;
}

/* Traces finished while another flush runs fill the buffer; the first one refused must start a
 * flush once that flush is over, or no flush ever runs again and every later trace is dropped
 * (found by the two-thread benchmark). */
static void test_flush_after_buffer_filled_during_flush(void) {
    dd_tracer_config c;
    dd_counters k;
    size_t i;
    fake_reset();
    c = base_config();
    c.max_buffer_bytes = 64 * 1024;
    c.transport_fn = reentrant_transport;
    reentrant_calls = 0;
    reentrant_tracer = new_tracer(&c);
    for (i = 0; i < 2000; i++) one_padded_trace(reentrant_tracer);
    dd_tracer_counters(reentrant_tracer, &k);
    CHECK(k.chunks_dropped_buffer > 0);     /* the buffer did fill during the first flush */
    CHECK(k.chunks_dropped_buffer < 400);   /* and only then */
    CHECK(reentrant_calls >= 3);
    dd_tracer_flush(reentrant_tracer);
    dd_tracer_counters(reentrant_tracer, &k);
    CHECK_EQ_U64(k.chunks_sent + k.chunks_dropped_buffer, 2400);
    dd_tracer_free(reentrant_tracer);
}

static void test_flush_by_interval(void) {
    dd_tracer_config c;
    dd_tracer *t;
    fake_reset();
    c = base_config();
    c.flush_interval_ms = 2000;
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_U64(F.n_req, 0);
    F.mono += INT64_C(1999000000);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_U64(F.n_req, 0);
    F.mono += INT64_C(1000000);
    dd_span_finish(dd_span_start(t, NULL)); /* 2 s since creation: flushes all three */
    CHECK_EQ_U64(F.n_req, 1);
    CHECK_STR(F.count_hdr[0], "3");
    F.mono += INT64_C(1000000000);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_U64(F.n_req, 1); /* the interval restarts at each flush */
    dd_tracer_free(t);        /* flush on free */
    CHECK_EQ_U64(F.n_req, 2);
    CHECK_STR(F.count_hdr[1], "1");
}

static void test_split_payloads(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t i, total = 0;
    dd_counters k;
    fake_reset();
    c = base_config();
    c.max_request_bytes = 1500;
    t = new_tracer(&c);
    for (i = 0; i < 30; i++) {
        dd_span *s = dd_span_start(t, NULL);
        dd_span_set_tag(s, "pad", "0123456789012345678901234567890123456789");
        dd_span_finish(s);
    }
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK(F.n_req > 2);
    for (i = 0; i < F.n_req; i++) {
        size_t n = (size_t)atoi(F.count_hdr[i]);
        CHECK(F.body_len[i] <= 1500);
        /* each body is one array whose length is the header's count */
        CHECK(n >= 1);
        CHECK_EQ_INT(count_of(body_json(i), "\"trace_id\""), n);
        total += n;
    }
    CHECK_EQ_U64(total, 30);
    /* a chunk that can never fit in one request is dropped and counted */
    {
        dd_span *s = dd_span_start(t, NULL);
        char big[1600];
        memset(big, 'y', sizeof big - 1);
        big[sizeof big - 1] = 0;
        dd_span_set_tag(s, "big", big);
        dd_span_finish(s);
        dd_tracer_counters(t, &k); /* encoded as it completes, and refused at once */
        CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
        dd_tracer_counters(t, &k);
        CHECK_EQ_U64(k.chunks_encoded, 30);
        CHECK_EQ_U64(k.chunks_dropped_buffer, 1);
        CHECK_EQ_U64(k.spans_dropped_buffer, 1);
        CHECK(logged("larger than max_request_bytes"));
    }
    dd_tracer_free(t);
}

static void test_transport_failure_and_retry(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    /* two failures the agent surely did not process (no connection, then 503) and a success:
     * retried twice, after a backoff */
    fake_reset();
    c = base_config();
    c.send_retries = 2;
    t = new_tracer(&c);
    F.script_rc[0] = DD_TRANSPORT_NOT_SENT;
    F.script_rc[1] = 0;
    F.script_status[1] = 503;
    F.script_rc[2] = 0;
    F.script_status[2] = 200;
    F.n_script = 3;
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(F.n_req, 3);
    CHECK_EQ_U64(k.requests_failed, 2);
    CHECK_EQ_U64(k.requests_retried, 2);
    CHECK_EQ_U64(k.requests_sent, 1);
    CHECK_EQ_U64(k.chunks_sent, 1);
    CHECK_EQ_U64(k.chunks_dropped_send, 0);
    CHECK_EQ_U64(k.requests_deferred, 2);
    dd_tracer_free(t);
    /* 503 until the retries are exhausted: dropped, counted, logged */
    fake_reset();
    c = base_config();
    c.send_retries = 1;
    t = new_tracer(&c);
    F.default_status = 503;
    dd_span_finish(dd_span_start(t, NULL));
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(F.n_req, 2);
    CHECK_EQ_U64(k.requests_failed, 2);
    CHECK_EQ_U64(k.chunks_dropped_send, 2);
    CHECK_EQ_U64(k.spans_dropped_send, 2);
    CHECK(logged("agent answered HTTP 503"));
    CHECK(logged("payload dropped (counted in spans_dropped_send)"));
    dd_tracer_free(t);
    /* 500 is not retried: the agent may have decoded the payload before failing */
    fake_reset();
    c = base_config();
    c.send_retries = 3;
    t = new_tracer(&c);
    F.default_status = 500;
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    CHECK_EQ_U64(F.n_req, 1);
    dd_tracer_free(t);
    /* 400 and 413 are not retried */
    fake_reset();
    c = base_config();
    c.send_retries = 3;
    t = new_tracer(&c);
    F.default_status = 413;
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    CHECK_EQ_U64(F.n_req, 1);
    F.default_status = 400;
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    CHECK_EQ_U64(F.n_req, 2);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.requests_retried, 0);
    CHECK_EQ_U64(k.chunks_dropped_send, 2);
    dd_tracer_free(t);
    /* transport error without retries (send_retries < 0) */
    fake_reset();
    c = base_config();
    c.send_retries = -1;
    t = new_tracer(&c);
    F.script_rc[0] = 7;
    F.n_script = 1;
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_TRANSPORT);
    CHECK_EQ_U64(F.n_req, 1);
    dd_tracer_free(t);
    /* no transport at all: dropped and counted */
    fake_reset();
    c = base_config();
    c.transport_fn = NULL;
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_TRANSPORT);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.chunks_dropped_send, 1);
    dd_tracer_free(t);
}

/* DD_SERVICE_MAPPING renames a span's service wherever it comes from: the tracer's own, the start
 * options, dd_span_set_service; other services stay; code beats the environment (values written
 * from docs/http.md's description of the official tracers' mapping). */
static void test_service_mapping(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *r, *a, *b, *d;
    dd_span_options o;
    const char *js;
    fake_reset();
    set_env("DD_SERVICE", "web");
    set_env("DD_SERVICE_MAPPING", "web:web-mapped, db : db-mapped,bad,:x");
    c = base_config();
    t = new_tracer(&c);
    r = dd_span_start(t, NULL);
    memset(&o, 0, sizeof o);
    o.parent = r;
    o.name = "q";
    o.service = "db";
    a = dd_span_start(t, &o);
    b = dd_span_start_child(r, "c");
    dd_span_set_service(b, "db");
    d = dd_span_start_child(r, "o");
    dd_span_set_service(d, "other");
    dd_span_finish(a);
    dd_span_finish(b);
    dd_span_finish(d);
    dd_span_finish(r);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    js = body_json(0);
    CHECK_EQ_INT(count_of(js, "\"service\":\"web-mapped\""), 1);
    CHECK_EQ_INT(count_of(js, "\"service\":\"db-mapped\""), 2);
    CHECK_EQ_INT(count_of(js, "\"service\":\"other\""), 1);
    CHECK_EQ_INT(count_of(js, "\"service\":\"web\""), 0);
    CHECK_STR(dd_tracer_service(t), "web"); /* the configured name is kept; spans carry the mapped one */
    dd_tracer_free(t);
    /* code beats the environment */
    fake_reset();
    set_env("DD_SERVICE", "web");
    set_env("DD_SERVICE_MAPPING", "web:from-env");
    c = base_config();
    c.service_mapping = "web:from-code";
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    CHECK_EQ_INT(count_of(body_json(0), "\"service\":\"from-code\""), 1);
    dd_tracer_free(t);
}

/* Each hook gets its own user pointer when one is set (else hook_user): a logger next to a sender
 * needs no wrapper struct. */
static int user_seen_log, user_seen_clock, user_seen_random, user_seen_getenv, user_seen_transport;
static char u_log, u_clock, u_random, u_getenv, u_transport;
static void u_log_fn(void *u, int level, const char *msg, size_t len) {
    (void)level, (void)msg, (void)len;
    user_seen_log |= u == &u_log ? 1 : 2;
}
static int64_t u_clock_fn(void *u) {
    user_seen_clock |= u == &u_clock ? 1 : 2;
    return INT64_C(1700000000000000000);
}
static uint64_t u_random_fn(void *u) {
    user_seen_random |= u == &u_random ? 1 : 2;
    return 42;
}
static const char *u_getenv_fn(void *u, const char *name) {
    (void)name;
    user_seen_getenv |= u == &u_getenv ? 1 : 2;
    return NULL;
}
static int u_transport_fn(void *u, const dd_http_request *req, dd_http_response *resp) {
    (void)req;
    user_seen_transport |= u == &u_transport ? 1 : 2;
    resp->status = 200;
    return DD_TRANSPORT_ANSWERED;
}
static void test_hook_user_pointers(void) {
    dd_tracer_config c = DD_TRACER_CONFIG_INIT;
    dd_tracer *t;
    c.cgroup_path = "";
    c.delivery = DD_DELIVERY_MANUAL;
    c.log_fn = u_log_fn;
    c.wall_ns_fn = u_clock_fn;
    c.mono_ns_fn = u_clock_fn;
    c.random_fn = u_random_fn;
    c.getenv_fn = u_getenv_fn;
    c.transport_fn = u_transport_fn;
    c.hook_user = &F; /* none of the hooks below may see it */
    c.log_user = &u_log;
    c.clock_user = &u_clock;
    c.random_user = &u_random;
    c.getenv_user = &u_getenv;
    c.transport_user = &u_transport;
    t = dd_tracer_new(&c); /* logs its start-up line */
    dd_span_finish(dd_span_start(t, NULL));
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    dd_tracer_free(t);
    CHECK_EQ_INT(user_seen_log, 1);
    CHECK_EQ_INT(user_seen_clock, 1);
    CHECK_EQ_INT(user_seen_random, 1);
    CHECK_EQ_INT(user_seen_getenv, 1);
    CHECK_EQ_INT(user_seen_transport, 1);
}

/* Counts the log lines that contain needle. */
static size_t count_logged(const char *needle) {
    size_t i, n = 0;
    for (i = 0; i < F.n_logs; i++)
        if (strstr(F.logs[i], needle)) n++;
    return n;
}

/* A failing agent is logged once per kind of failure per DD_TRACE_LOGGING_RATE seconds, with the
 * number of lines suppressed in between; 0 logs every failure. */
static void test_failure_logs_rate_limited(void) {
    dd_tracer_config c;
    dd_tracer *t;
    int i;
    fake_reset();
    c = base_config();
    F.default_status = 500;
    t = new_tracer(&c);
    for (i = 0; i < 40; i++) {
        dd_span_finish(dd_span_start(t, NULL));
        CHECK_EQ_INT(dd_tracer_flush(t), DD_ERR_HTTP);
    }
    CHECK_EQ_U64(F.n_req, 40);
    CHECK_EQ_U64(count_logged("agent answered HTTP 500"), 1);
    dd_tracer_free(t);
    /* a one-second interval: after it, the next line says how many were suppressed */
    fake_reset();
    set_env("DD_TRACE_LOGGING_RATE", "1");
    c = base_config();
    F.default_status = 500;
    t = new_tracer(&c);
    for (i = 0; i < 10; i++) {
        dd_span_finish(dd_span_start(t, NULL));
        dd_tracer_flush(t);
    }
    CHECK_EQ_U64(count_logged("agent answered HTTP 500"), 1);
    {
        struct timespec ts;
        ts.tv_sec = 1;
        ts.tv_nsec = 100000000;
        nanosleep(&ts, NULL);
    }
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK_EQ_U64(count_logged("agent answered HTTP 500"), 2);
    CHECK(logged("(9 more like it suppressed since the last report)"));
    dd_tracer_free(t);
    /* 0: every line */
    fake_reset();
    set_env("DD_TRACE_LOGGING_RATE", "0");
    c = base_config();
    F.default_status = 500;
    t = new_tracer(&c);
    for (i = 0; i < 5; i++) {
        dd_span_finish(dd_span_start(t, NULL));
        dd_tracer_flush(t);
    }
    CHECK_EQ_U64(count_logged("agent answered HTTP 500"), 5);
    dd_tracer_free(t);
}

static void test_response_parsing(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k;
    dd_span *s;
    fake_reset();
    set_env("DD_SERVICE", "web");
    set_env("DD_ENV", "prod");
    c = base_config();
    t = new_tracer(&c);
    /* rate 0 for this service: the next trace is dropped by the agent rate (mechanism 1) */
    F.resp_body = "{\"rate_by_service\":{\"service:web,env:prod\":0,\"service:,env:\":1}}";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    s = dd_span_start(t, NULL);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(1), "\"_sampling_priority_v1\":0.0"));
    CHECK(has(body_json(1), "\"_dd.agent_psr\":0.0"));
    CHECK(!strstr(body_json(1), "_dd.p.dm"));
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.responses_invalid, 0);
    /* invalid answers are counted and change nothing */
    F.resp_body = "not json";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    F.resp_body = "{\"rate_by_service\":{\"service:web,env:prod\":1.5}}";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    F.resp_body = "";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.responses_invalid, 3);
    CHECK(logged("empty body"));
    F.resp_body = "{}";
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK(has(body_json(5), "\"_sampling_priority_v1\":0.0")); /* rates kept */
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.responses_invalid, 3);
    dd_tracer_free(t);
}

static void test_default_decision(void) {
    dd_tracer_config c;
    dd_tracer *t;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    js = body_json(0);
    /* no rule, no agent rate yet: priority 1, mechanism 0 (docs/sampling.md) */
    CHECK(has(js, "\"_dd.p.dm\":\"-0\""));
    CHECK(has(js, "\"_sampling_priority_v1\":1.0"));
    dd_tracer_free(t);
}

static void test_partial_flush(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *k[4];
    dd_counters cn;
    size_t i;
    const char *js;
    fake_reset();
    c = base_config();
    c.partial_flush = DD_ON;
    c.partial_flush_min_spans = 2;
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    dd_span_set_service(root, "svc");
    for (i = 0; i < 4; i++) k[i] = dd_span_start_child(root, "child");
    dd_span_finish(k[0]);
    dd_tracer_counters(t, &cn);
    CHECK_EQ_U64(cn.chunks_encoded, 0);
    dd_span_finish(k[1]); /* two finished: a partial chunk */
    dd_tracer_counters(t, &cn);
    CHECK_EQ_U64(cn.chunks_encoded, 1);
    CHECK_EQ_U64(cn.partial_flushes, 1);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK_EQ_INT(count_of(js, "\"trace_id\""), 2);
    /* the first span of a partial chunk carries the trace-level tags */
    CHECK_EQ_INT(count_of(js, "\"_sampling_priority_v1\":1.0"), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.p.tid\""), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.p.dm\":\"-0\""), 1);
    dd_span_set_priority(root, DD_PRIORITY_USER_REJECT); /* too late: a chunk went out */
    dd_span_finish(k[2]);
    dd_span_finish(k[3]); /* another partial chunk */
    dd_span_finish(root); /* the last one: the local root alone */
    dd_tracer_flush(t);
    dd_tracer_counters(t, &cn);
    CHECK_EQ_U64(cn.chunks_encoded, 3);
    CHECK_EQ_U64(cn.spans_encoded, 5);
    CHECK_EQ_U64(F.n_req, 2);
    js = body_json(1);
    CHECK_EQ_INT(count_of(js, "\"trace_id\""), 3);
    CHECK_EQ_INT(count_of(js, "\"_sampling_priority_v1\":1.0"), 2);
    CHECK(has(js, "[{\"trace_id\":"));
    CHECK(has(js, "\"parent_id\":0,\"name\":\"\",\"service\":\"svc\""));
    dd_tracer_free(t);
}

static void test_flush_on_free(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *open;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_span_finish(dd_span_start(t, NULL));
    open = dd_span_start(t, NULL); /* never finished: dropped with the tracer */
    (void)open;
    CHECK_EQ_U64(F.n_req, 0);
    dd_tracer_free(t);
    CHECK_EQ_U64(F.n_req, 1);
    CHECK_STR(F.count_hdr[0], "2");
}

static void test_background_flusher(void) {
    dd_tracer_config c;
    dd_tracer *t;
    int i;
    fake_reset();
    c = base_config();
    c.wall_ns_fn = NULL; /* real clocks: the flusher sleeps on them */
    c.mono_ns_fn = NULL;
    c.delivery = DD_DELIVERY_BACKGROUND;
    c.flush_interval_ms = 10;
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    for (i = 0; i < 400; i++) {
        dd_counters k;
        dd_tracer_counters(t, &k);
        if (k.requests_sent) break;
        {
            struct timespec ts;
            ts.tv_sec = 0;
            ts.tv_nsec = 5000000;
            nanosleep(&ts, NULL);
        }
    }
    {
        dd_counters k;
        dd_tracer_counters(t, &k);
        CHECK_EQ_U64(k.requests_sent, 1);
    }
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_free(t); /* stops the thread, flushes what is left */
    {
        size_t j, sum = 0;
        for (j = 0; j < F.n_req; j++) sum += (size_t)atoi(F.count_hdr[j]);
        CHECK_EQ_U64(sum, 2);
    }
}

static void test_log_correlation(void) {
    static const uint64_t r[] = {UINT64_C(0x91a2b3c4d5e6f708), 0x11};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    char buf[256];
    size_t n;
    fake_reset();
    set_env("DD_SERVICE", "svc");
    set_env("DD_ENV", "prod");
    set_env("DD_VERSION", "1.2.3");
    c = base_config();
    t = new_tracer(&c);
    set_random(r, 2);
    s = dd_span_start(t, NULL);
    n = dd_span_log_correlation(s, 0, buf, sizeof buf);
    CHECK_STR(buf, "dd.trace_id=673ed1100000000091a2b3c4d5e6f708 dd.span_id=17 dd.service=svc dd.env=prod "
                   "dd.version=1.2.3");
    CHECK_EQ_U64(n, strlen(buf));
    n = dd_span_log_correlation(s, 1, buf, sizeof buf);
    CHECK_STR(buf, "\"dd.trace_id\":\"673ed1100000000091a2b3c4d5e6f708\",\"dd.span_id\":\"17\","
                   "\"dd.service\":\"svc\",\"dd.env\":\"prod\",\"dd.version\":\"1.2.3\"");
    CHECK_EQ_U64(n, strlen(buf));
    /* snprintf semantics */
    {
        char small[10];
        size_t need = dd_span_log_correlation(s, 0, small, sizeof small);
        CHECK_EQ_U64(need, 102);
        CHECK_STR(small, "dd.trace_");
        CHECK_EQ_U64(dd_span_log_correlation(s, 0, NULL, 0), 102);
    }
    dd_span_finish(s);
    dd_tracer_free(t);
    /* 64-bit trace: decimal */
    fake_reset();
    c = base_config();
    c.trace_id_128 = DD_OFF;
    c.service = "a\"b";
    t = new_tracer(&c);
    set_random(r, 2);
    s = dd_span_start(t, NULL);
    dd_span_log_correlation(s, 0, buf, sizeof buf);
    CHECK_STR(buf, "dd.trace_id=1270775702855546632 dd.span_id=17 dd.service=a\"b dd.env= dd.version=");
    dd_span_log_correlation(s, 1, buf, sizeof buf);
    CHECK_STR(buf, "\"dd.trace_id\":\"1270775702855546632\",\"dd.span_id\":\"17\",\"dd.service\":\"a\\\"b\","
                   "\"dd.env\":\"\",\"dd.version\":\"\"");
    dd_span_finish(s);
    dd_tracer_free(t);
    dd_span_log_correlation(NULL, 0, buf, sizeof buf);
    CHECK_STR(buf, "dd.trace_id=0 dd.span_id=0 dd.service= dd.env= dd.version=");
}

static void test_debug_logs_payload(void) {
    dd_tracer_config c;
    dd_tracer *t;
    fake_reset();
    c = base_config();
    c.debug = DD_ON;
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK(logged("payload: [[{\"trace_id\":"));
    CHECK(logged("delivered: spans_sent=1 "));
    dd_tracer_free(t);
    /* not in debug mode: silent */
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK_EQ_U64(F.n_logs, 0);
    dd_tracer_free(t);
}

static void test_user_span_links(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_span_link l;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    memset(&l, 0, sizeof l);
    l.trace_id.lo = 5;
    l.span_id = 6;
    CHECK_EQ_INT(dd_span_add_link(s, &l), DD_OK);
    l.trace_id.lo = 0;
    CHECK_EQ_INT(dd_span_add_link(s, &l), DD_ERR_INVALID_ARG);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(0), "\"span_links\":[{\"trace_id\":5,\"trace_id_high\":0,\"span_id\":6}]"));
    dd_tracer_free(t);
}

/* Links added to two open spans of one trace in turn (root, child, root): each span gets its own,
 * in the order added (the links sit in one list per trace, each with its span). */
static void test_span_links_interleaved(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *r, *ch;
    dd_span_link l;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    r = dd_span_start(t, NULL);
    ch = dd_span_start_child(r, "child");
    memset(&l, 0, sizeof l);
    l.trace_id.lo = 11;
    l.span_id = 1;
    CHECK_EQ_INT(dd_span_add_link(r, &l), DD_OK);
    l.span_id = 2;
    CHECK_EQ_INT(dd_span_add_link(ch, &l), DD_OK);
    l.span_id = 3;
    CHECK_EQ_INT(dd_span_add_link(r, &l), DD_OK);
    dd_span_finish(ch);
    dd_span_finish(r);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"span_links\":[{\"trace_id\":11,\"trace_id_high\":0,\"span_id\":1},"
                  "{\"trace_id\":11,\"trace_id_high\":0,\"span_id\":3}]"));
    CHECK(has(js, "\"span_links\":[{\"trace_id\":11,\"trace_id_high\":0,\"span_id\":2}]"));
    dd_tracer_free(t);
}

/* Links with the caller's attributes (as the official tracers' addLink(context, attributes)): after
 * reason/context_headers, in order; bad keys refused with nothing added. */
static void test_span_link_attributes(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_span_link l;
    dd_header a[3] = {{"link.kind", 9, "queue", 5}, {"messaging.system", 16, "sqs", 3}, {"reason", 6, "x", 1}};
    dd_header dup[2] = {{"k", 1, "1", 1}, {"k", 1, "2", 1}};
    dd_header empty[1] = {{"", 0, "v", 1}};
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    memset(&l, 0, sizeof l);
    l.trace_id.lo = 5;
    l.span_id = 6;
    strcpy(l.reason, "terminated_context");
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, a, 3), DD_ERR_INVALID_ARG); /* "reason" is the link's */
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, dup, 2), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, empty, 1), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, NULL, 1), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, a, DD_SPAN_LINK_ATTRS_MAX + 1), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, a, 2), DD_OK);
    l.reason[0] = 0;
    l.span_id = 7;
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, a + 2, 1), DD_OK); /* now "reason" is the caller's */
    CHECK_EQ_INT(dd_span_add_link_attrs(s, &l, NULL, 0), DD_OK);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(0), "\"span_links\":[{\"trace_id\":5,\"trace_id_high\":0,\"span_id\":6,\"attributes\":"
                            "{\"reason\":\"terminated_context\",\"link.kind\":\"queue\",\"messaging.system\":\"sqs\"}},"
                            "{\"trace_id\":5,\"trace_id_high\":0,\"span_id\":7,\"attributes\":{\"reason\":\"x\"}},"
                            "{\"trace_id\":5,\"trace_id_high\":0,\"span_id\":7}]"));
    dd_tracer_free(t);
}

static void test_report_hostname(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root;
    const char *js;
    fake_reset();
    c = base_config();
    c.report_hostname = DD_ON;
    c.hostname = "host-1";
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    dd_span_finish(dd_span_start_child(root, "child"));
    dd_span_finish(root);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK_EQ_INT(count_of(js, "\"_dd.hostname\":\"host-1\""), 1); /* the chunk root only */
    dd_tracer_free(t);
    fake_reset();
    c = base_config();
    c.hostname = "host-1"; /* not reported unless asked */
    t = new_tracer(&c);
    dd_span_finish(dd_span_start(t, NULL));
    dd_tracer_flush(t);
    CHECK(!strstr(body_json(0), "_dd.hostname"));
    dd_tracer_free(t);
}

static void test_set_origin(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_trace_context ctx;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    child = dd_span_start_child(root, "child");
    dd_span_set_origin(child, "lambda");
    CHECK_EQ_INT(dd_span_context(child, &ctx), DD_OK);
    CHECK_STR(ctx.origin, "lambda");
    CHECK_EQ_INT(ctx.origin_len, 6);
    dd_span_finish(child);
    dd_span_finish(root);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK_EQ_INT(count_of(js, "\"_dd.origin\":\"lambda\""), 2);
    dd_tracer_free(t);
}

/* A second finish, and setters after finish, change nothing: the handle is dead (counted). */
static void test_finished_span_is_frozen(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    dd_counters k;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    root = dd_span_start(t, NULL);
    child = dd_span_start_child(root, "child");
    dd_span_set_tag(child, "before", "yes");
    dd_span_finish(child);
    dd_span_finish(child);
    dd_span_set_tag(child, "after", "no");
    dd_span_set_error(child, 1);
    dd_span_set_name(child, "renamed");
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_finished, 1);
    CHECK_EQ_U64(k.stale_handle_calls, 4);
    dd_span_finish(root);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"before\":\"yes\""));
    CHECK(!strstr(js, "\"after\""));
    CHECK(!strstr(js, "renamed"));
    CHECK_EQ_INT(count_of(js, "\"error\":0"), 2);
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_finished, 2);
    CHECK_EQ_U64(k.spans_encoded, 2);
    dd_tracer_free(t);
}

static void test_null_safety(void) {
    dd_trace_id id;
    dd_counters k;
    dd_span_set_tag(NULL, "a", "b");
    dd_span_set_tag_n(NULL, "a", 1, "b", 1);
    dd_span_set_metric(NULL, "a", 1);
    dd_span_set_name(NULL, "a");
    dd_span_set_error_info(NULL, "a", "b", "c");
    dd_span_set_priority(NULL, 2);
    dd_span_finish(NULL);
    dd_span_finish_at(NULL, 5);
    CHECK(dd_span_start(NULL, NULL) == NULL);
    CHECK(dd_span_start_child(NULL, "x") == NULL);
    dd_span_trace_id(NULL, &id);
    CHECK(id.hi == 0 && id.lo == 0);
    CHECK_EQ_U64(dd_span_id(NULL), 0);
    CHECK_EQ_INT(dd_tracer_flush(NULL), DD_ERR_INVALID_ARG);
    dd_tracer_counters(NULL, &k);
    CHECK_EQ_U64(k.spans_started, 0);
    CHECK_STR(dd_tracer_service(NULL), "");
}

/*--- allocation and memory ---*/
static size_t n_allocs, n_frees, live_bytes;
static void *count_alloc(void *u, size_t n) {
    (void)u;
    n_allocs++;
    live_bytes += n;
    return malloc(n);
}
static void count_free(void *u, void *p, size_t n) {
    (void)u;
    n_frees++;
    live_bytes -= n;
    free(p);
}
static void run_traces(dd_tracer *t, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        dd_span *root = dd_span_start(t, NULL), *child;
        dd_span_set_tag(root, "http.method", "GET");
        dd_span_set_tag(root, "http.url", "https://example.com/users/12345");
        child = dd_span_start_child(root, "db.query");
        dd_span_set_tag(child, "db.statement", "SELECT * FROM users WHERE id = ?");
        dd_span_set_metric(child, "rows", 1);
        dd_span_finish(child);
        dd_span_finish(root);
        if (i % 50 == 49) dd_tracer_flush(t);
    }
}
static void test_zero_alloc_steady_state(void) {
    dd_tracer_config c;
    dd_tracer *t;
    size_t before;
    fake_reset();
    c = base_config();
    c.allocator.alloc_fn = count_alloc;
    c.allocator.free_fn = count_free;
    n_allocs = n_frees = live_bytes = 0;
    t = new_tracer(&c);
    run_traces(t, 500); /* warm up: blocks, buffers and marks reach their size */
    before = n_allocs;
    run_traces(t, 5000);
    CHECK_EQ_U64(n_allocs - before, 0);
    dd_tracer_free(t);
    CHECK_EQ_U64(n_allocs, n_frees);
    CHECK_EQ_U64(live_bytes, 0);
}

static size_t fail_countdown;
static void *failing_alloc(void *u, size_t n) {
    (void)u;
    if (fail_countdown && --fail_countdown == 0) return NULL;
    n_allocs++;
    live_bytes += n;
    return malloc(n);
}
static void test_allocation_failures(void) {
    size_t at;
    int completed = 0;
    for (at = 1; at < 200 && !completed; at++) {
        dd_tracer_config c;
        dd_tracer *t;
        fake_reset();
        c = base_config();
        c.allocator.alloc_fn = failing_alloc;
        c.allocator.free_fn = count_free;
        n_allocs = n_frees = live_bytes = 0;
        fail_countdown = at;
        t = new_tracer(&c);
        if (t) {
            run_traces(t, 60);
            dd_tracer_free(t);
            completed = fail_countdown != 0; /* the failure point was never reached */
        }
        CHECK_EQ_U64(live_bytes, 0); /* nothing leaks, whatever failed */
        CHECK_EQ_U64(n_allocs, n_frees);
    }
    CHECK(completed);
    fail_countdown = 0;
}

static long rss_kib(void) {
    char buf[128];
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fgets(buf, sizeof buf, f)) sscanf(buf, "%ld %ld", &pages, &resident);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}
/* 1,000,000 spans under small limits: memory stays bounded and the counters add up. */
static void test_memory_bound_million(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_counters k, k0;
    size_t traces = 0, attempts = 0;
    long rss0, rss1;
    fake_reset();
    c = base_config();
    c.transport_fn = NULL;      /* nothing leaves: the buffer fills up */
    c.max_buffer_bytes = 256 * 1024;
    c.max_spans_per_segment = 5;
    c.max_tag_bytes = 48;
    c.flush_interval_ms = -1;
    t = new_tracer(&c);
    run_traces(t, 1);
    dd_tracer_flush(t);
    dd_tracer_counters(t, &k0);
    rss0 = rss_kib();
    while (attempts < 1000000) {
        dd_span *root = dd_span_start(t, NULL), *kids[9];
        size_t j;
        traces++;
        attempts++;
        dd_span_set_tag(root, "k", "01234567890123456789012345678901234567890123456789"); /* over 48 */
        dd_span_set_tag(root, "ok", "1");
        for (j = 0; j < 9; j++) {
            kids[j] = dd_span_start_child(root, "c");
            attempts++;
        }
        for (j = 0; j < 9; j++) dd_span_finish(kids[j]);
        dd_span_finish(root);
    }
    rss1 = rss_kib();
    dd_tracer_counters(t, &k);
    CHECK_EQ_U64(k.spans_started - k0.spans_started + k.spans_dropped_limit - k0.spans_dropped_limit, attempts);
    CHECK_EQ_U64(k.spans_dropped_limit - k0.spans_dropped_limit, traces * 5);
    CHECK_EQ_U64(k.spans_finished - k0.spans_finished, traces * 5);
    CHECK_EQ_U64(k.tags_dropped - k0.tags_dropped, traces);
    CHECK_EQ_U64(k.chunks_encoded - k0.chunks_encoded + k.chunks_dropped_buffer - k0.chunks_dropped_buffer, traces);
    CHECK_EQ_U64(k.spans_encoded + k.spans_dropped_buffer, k.spans_finished);
    /* no transport: whatever was not refused by the buffer was dropped at send, and counted */
    CHECK_EQ_U64(k.chunks_sent - k0.chunks_sent, 0);
    CHECK(k.chunks_dropped_buffer - k0.chunks_dropped_buffer + k.chunks_dropped_send - k0.chunks_dropped_send
          > traces / 2);
    CHECK(rss1 - rss0 < 16 * 1024); /* bounded: well under 16 MiB of growth */
    dd_tracer_free(t);
}

/* Span tags named like the tracer's own keys lose to them, and the map counts stay right
 * (body_json decodes the msgpack: a wrong count would not decode). */
static void test_tracer_keys_win(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *root, *child;
    const char *js;
    fake_reset();
    set_env("DD_SERVICE", "svc");
    set_env("DD_ENV", "prod");
    c = base_config();
    t = new_tracer(&c);
    root = dd_span_start_child(NULL, "x"); /* NULL parent: no span */
    CHECK(root == NULL);
    root = dd_span_start(t, NULL);
    dd_span_set_tag(root, "language", "user");
    dd_span_set_tag(root, "_dd.p.dm", "-9");
    dd_span_set_tag(root, "runtime-id", "mine");
    dd_span_set_tag(root, "env", "staging");
    dd_span_set_tag(root, "a", "1");
    dd_span_set_metric(root, "_sampling_priority_v1", 7);
    dd_span_set_metric(root, "process_id", 1);
    dd_span_set_metric(root, "_dd.top_level", 0);
    dd_span_set_metric(root, "m", 2);
    child = dd_span_start_child(root, "db");
    dd_span_set_tag(child, "language", "user2");
    dd_span_set_metric(child, "_dd.measured", 5);
    dd_span_set_measured(child, 1);
    dd_span_finish(child);
    dd_span_finish(root);
    CHECK_EQ_INT(dd_tracer_flush(t), DD_OK);
    js = body_json(0);
    CHECK(js[0] == '[');
    CHECK_EQ_INT(count_of(js, "\"language\":\"c\""), 2);
    CHECK_EQ_INT(count_of(js, "\"language\""), 2);
    CHECK_EQ_INT(count_of(js, "\"_dd.p.dm\":\"-0\""), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.p.dm\""), 1);
    CHECK_EQ_INT(count_of(js, "\"runtime-id\""), 1);
    CHECK_EQ_INT(count_of(js, "\"mine\""), 0);
    CHECK_EQ_INT(count_of(js, "\"env\":\"staging\""), 1);
    CHECK_EQ_INT(count_of(js, "\"env\":\"prod\""), 1);
    CHECK_EQ_INT(count_of(js, "\"_sampling_priority_v1\":1.0"), 1);
    CHECK_EQ_INT(count_of(js, "\"_sampling_priority_v1\""), 1);
    CHECK_EQ_INT(count_of(js, "\"process_id\":1.0"), 0);
    CHECK_EQ_INT(count_of(js, "\"_dd.top_level\":1.0"), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.top_level\""), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.measured\":1.0"), 1);
    CHECK_EQ_INT(count_of(js, "\"_dd.measured\""), 1);
    CHECK(has(js, "\"a\":\"1\""));
    CHECK(has(js, "\"m\":2.0"));
    dd_tracer_free(t);
}


/*--- propagation with the tracer's configuration (issue 16) ---*/

/* A headers writer over a fixed array, read back by name. */
typedef struct hw {
    dd_header items[16];
    char buf[20000];
    dd_headers h;
    char val[9000];
} hw;
static dd_headers *hw_init(hw *x) {
    dd_headers_init(&x->h, x->items, 16, x->buf, sizeof x->buf);
    return &x->h;
}
static const char *hw_get(hw *x, const char *name) {
    size_t i;
    for (i = 0; i < x->h.n; i++)
        if (x->h.items[i].name_len == strlen(name) && memcmp(x->h.items[i].name, name, strlen(name)) == 0) {
            memcpy(x->val, x->h.items[i].value, x->h.items[i].value_len);
            x->val[x->h.items[i].value_len] = 0;
            return x->val;
        }
    return NULL;
}
/* "name: value\n..." into a dd_header array (values point into `text`, which must live on). */
static size_t hdr_list(dd_header *out, size_t cap, const char *text) {
    size_t n = 0;
    while (text && *text && n < cap) {
        const char *nl = strchr(text, '\n'), *sep = strstr(text, ": ");
        size_t ln = nl ? (size_t)(nl - text) : strlen(text);
        if (sep && sep < text + ln) {
            out[n].name = text;
            out[n].name_len = (size_t)(sep - text);
            out[n].value = sep + 2;
            out[n].value_len = (size_t)(text + ln - sep - 2);
            n++;
        }
        text = nl ? nl + 1 : NULL;
    }
    return n;
}
#define XDD "x-datadog-trace-id: 1234\nx-datadog-parent-id: 5678\nx-datadog-sampling-priority: 1\n"

/* docs/http.md §1.5 span tags table (ST Test_Headers_Baggage_Span_Tags) */
static void test_baggage_tag_keys_table(void) {
    static const struct {
        const char *cfg; /* NULL: default */
        const char *baggage;
        const char *want[6];  /* tags that must be there */
        const char *absent[4];
    } rows[] = {
        {NULL, "user.id=doggo,session.id=mysession,foo=bar",
         {"\"baggage.user.id\":\"doggo\"", "\"baggage.session.id\":\"mysession\""}, {"baggage.foo"}},
        {"session.id,foo", "user.id=doggo,session.id=fakesession,account.id=123,foo=bar",
         {"\"baggage.session.id\":\"fakesession\"", "\"baggage.foo\":\"bar\""}, {"baggage.user.id", "baggage.account.id"}},
        {"*", "user.id=bits,session.id=mysession,account.id=9871,serverNode=DF 28,region=us-east-1",
         {"\"baggage.user.id\":\"bits\"", "\"baggage.session.id\":\"mysession\"", "\"baggage.account.id\":\"9871\"",
          "\"baggage.serverNode\":\"DF 28\"", "\"baggage.region\":\"us-east-1\""}, {NULL}},
        {"", "user.id=alice,session.id=s,account.id=a", {NULL}, {"baggage."}},
        {"account.id,feature*flag", "account.id=1,feature*flag=xyz,featureXflag=no",
         {"\"baggage.account.id\":\"1\"", "\"baggage.feature*flag\":\"xyz\""}, {"baggage.featureXflag"}},
        {"account.id,,", "account.id=12345,foo=bar,test=config", {"\"baggage.account.id\":\"12345\""},
         {"baggage.foo", "baggage.test"}},
        {NULL, "user.id=,session.id=mysession,account.id=abcd", {NULL}, {"baggage."}}, /* E7: malformed */
    };
    size_t i, j;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_span_options o;
        dd_trace_context ctx;
        dd_header h[8];
        char text[512];
        const char *js;
        size_t n;
        fake_reset();
        c = base_config();
        if (i == 1) set_env("DD_TRACE_BAGGAGE_TAG_KEYS", rows[i].cfg); /* through the environment */
        else c.baggage_tag_keys = rows[i].cfg;
        t = new_tracer(&c);
        snprintf(text, sizeof text, XDD "baggage: %s", rows[i].baggage);
        n = hdr_list(h, 8, text);
        CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
        memset(&o, 0, sizeof o);
        o.context = &ctx;
        o.name = "server";
        s = dd_span_start(t, &o);
        dd_span_finish(dd_span_start_child(s, "child"));
        dd_span_finish(s);
        dd_tracer_flush(t);
        js = body_json(0);
        for (j = 0; j < 6 && rows[i].want[j]; j++) {
            if (!has(js, rows[i].want[j])) fprintf(stderr, "    row %u\n", (unsigned)i);
            CHECK_EQ_INT(count_of(js, rows[i].want[j]), 1); /* the local root only */
        }
        for (j = 0; j < 4 && rows[i].absent[j]; j++) CHECK(!strstr(js, rows[i].absent[j]));
        dd_tracer_free(t);
    }
}
static void test_baggage_on_the_trace(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s, *child;
    dd_span_options o;
    dd_trace_context ctx;
    dd_header h[8];
    hw *x = (hw *)malloc(sizeof *x);
    const char *v;
    size_t vn, n;
    dd_baggage_iter it = {0, 0};
    const char *k;
    size_t kn;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    /* ST Test_Baggage_Headers_Api_Datadog (I8) through spans */
    n = hdr_list(h, 8, XDD "baggage: foo_case_sensitive_key=value_to_be_replaced,FOO_CASE_SENSITIVE_KEY=UNTOUCHED,"
                           "remove_me_key=remove_me_value");
    CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    s = dd_span_start(t, &o);
    child = dd_span_start_child(s, "child");
    CHECK_EQ_INT(dd_span_baggage_get(child, DD__LIT("FOO_CASE_SENSITIVE_KEY"), &v, &vn), DD_OK); /* shared */
    CHECK_MEM(v, vn, "UNTOUCHED", 9);
    CHECK_EQ_INT(dd_span_baggage_set(child, DD__LIT("foo_case_sensitive_key"), DD__LIT("overwrite_value")), DD_OK);
    CHECK_EQ_INT(dd_span_baggage_set(s, DD__LIT("new_foo"), DD__LIT("new_value")), DD_OK);
    CHECK_EQ_INT(dd_span_baggage_remove(child, DD__LIT("remove_me_key")), DD_OK);
    CHECK_EQ_INT(dd_span_baggage_remove(child, DD__LIT("remove_me_key")), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_baggage_next(dd_span_baggage(s), &it, &k, &kn, &v, &vn), DD_OK);
    CHECK_MEM(k, kn, "foo_case_sensitive_key", 22);
    CHECK_EQ_INT(dd_span_inject_headers(child, hw_init(x)), DD_OK);
    CHECK_STR(hw_get(x, "baggage"),
              "foo_case_sensitive_key=overwrite_value,FOO_CASE_SENSITIVE_KEY=UNTOUCHED,new_foo=new_value");
    CHECK_STR(hw_get(x, "x-datadog-trace-id"), "1234");
    dd_span_baggage_clear(s);
    CHECK_EQ_INT(dd_span_inject_headers(child, hw_init(x)), DD_OK);
    CHECK(hw_get(x, "baggage") == NULL);
    dd_span_finish(child);
    dd_span_finish(s);
    /* a new trace has none until set; set makes it */
    s = dd_span_start(t, NULL);
    CHECK(dd_span_baggage(s) == NULL);
    CHECK_EQ_INT(dd_span_baggage_get(s, "a", 1, &v, &vn), DD_ERR_NOT_FOUND);
    CHECK_EQ_INT(dd_span_baggage_set(s, "", 0, "v", 1), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_baggage_set(s, DD__LIT("user.id"), DD__LIT("Am\xc3\xa9lie")), DD_OK);
    CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
    CHECK_STR(hw_get(x, "baggage"), "user.id=Am%C3%A9lie");
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(!strstr(body_json(0), "baggage.")); /* only extracted items become tags (R-BT-3) */
    CHECK_EQ_INT(dd_span_baggage_set(NULL, "a", 1, "v", 1), DD_ERR_INVALID_ARG);
    dd_tracer_free(t);
    free(x);
}
/* R-BG-18 and R-MS-9 / R-BG-17 at the tracer: test_extract_behavior.py */
static void test_extract_behavior_spans(void) {
    static const char *const modes[] = {"continue", "restart", "ignore"};
    size_t m;
    for (m = 0; m < 3; m++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_span_options o;
        dd_trace_context ctx;
        dd_header h[8];
        hw *x = (hw *)malloc(sizeof *x);
        dd_trace_id id;
        const char *js;
        size_t n;
        int rc;
        fake_reset();
        c = base_config();
        if (m == 1) set_env("DD_TRACE_PROPAGATION_BEHAVIOR_EXTRACT", modes[m]);
        else c.propagation_behavior_extract = modes[m];
        t = new_tracer(&c);
        n = hdr_list(h, 8, XDD "x-datadog-tags: _dd.p.dm=-4\nbaggage: key1=value1,user.id=u");
        rc = dd_tracer_extract_headers(t, h, n, &ctx);
        CHECK_EQ_INT(rc, m == 2 ? DD_ERR_NOT_FOUND : DD_OK);
        memset(&o, 0, sizeof o);
        o.context = rc == DD_OK ? &ctx : NULL;
        o.name = "server";
        s = dd_span_start(t, &o);
        dd_span_trace_id(s, &id);
        CHECK_EQ_INT(id.lo == 1234, m == 0);
        CHECK_EQ_INT(dd_span_parent_id(s) == 5678, m == 0);
        CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
        if (m == 2) CHECK(hw_get(x, "baggage") == NULL);
        else CHECK_STR(hw_get(x, "baggage"), "key1=value1,user.id=u"); /* I9 */
        dd_span_finish(s);
        dd_tracer_flush(t);
        js = body_json(0);
        CHECK_EQ_INT(count_of(js, "\"baggage.user.id\":\"u\""), m == 2 ? 0 : 1); /* PY loses it on restart: kept */
        CHECK_EQ_INT(count_of(js, "\"reason\":\"propagation_behavior_extract\",\"context_headers\":\"datadog\""),
                     m == 1 ? 1 : 0);
        if (m == 1) CHECK(has(js, "\"span_links\":[{\"trace_id\":1234,\"trace_id_high\":0,\"span_id\":5678,"));
        dd_tracer_free(t);
        free(x);
    }
    { /* baggage only: a new trace with the baggage and its tags (R-BG-18) */
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_span_options o;
        dd_trace_context ctx;
        dd_header h[2];
        hw *x = (hw *)malloc(sizeof *x);
        size_t n;
        fake_reset();
        c = base_config();
        t = new_tracer(&c);
        n = hdr_list(h, 2, "baggage: session.id=s1");
        CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
        CHECK_EQ_U64(ctx.trace_id.lo, 0);
        memset(&o, 0, sizeof o);
        o.context = &ctx;
        s = dd_span_start(t, &o);
        CHECK(dd_span_id(s) != 0);
        CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
        CHECK_STR(hw_get(x, "baggage"), "session.id=s1");
        CHECK(hw_get(x, "x-datadog-trace-id") != NULL);
        dd_span_finish(s);
        dd_tracer_flush(t);
        CHECK(has(body_json(0), "\"baggage.session.id\":\"s1\""));
        CHECK(has(body_json(0), "\"_sampling_priority_v1\":1.0")); /* a local decision */
        dd_tracer_free(t);
        free(x);
    }
}
/* docs/http.md §3 R-MT-1, R-MT-2; docs/sampling.md §2, §9 */
static void test_manual_keep_drop_tags(void) {
    static const struct {
        const char *key, *value;
        int upstream;     /* extracted priority, or DD_PRIORITY_UNSET */
        int on_child;
        int inject_first; /* an injection locks the decision first */
        const char *want_prio, *want_dm; /* want_dm NULL: no _dd.p.dm */
    } rows[] = {
        {"manual.keep", "", DD_PRIORITY_UNSET, 0, 0, "2.0", "-4"},
        {"manual.keep", "true", 0, 0, 0, "2.0", "-4"},   /* ST: upstream 0 -> 2, dm -4 */
        {"manual.keep", "1", -1, 1, 0, "2.0", "-4"},     /* any span of the trace */
        {"manual.drop", "", 2, 0, 0, "-1.0", NULL},      /* drop over 2, dm removed */
        {"manual.drop", "yes", DD_PRIORITY_UNSET, 1, 0, "-1.0", NULL},
        {"manual.keep", "false", DD_PRIORITY_UNSET, 0, 0, "1.0", "-0"}, /* no effect */
        {"manual.drop", "0", DD_PRIORITY_UNSET, 0, 0, "1.0", "-0"},
        {"manual.drop", "", DD_PRIORITY_UNSET, 0, 1, "1.0", "-0"},      /* locked by the injection */
        {"manual.kee", "", DD_PRIORITY_UNSET, 0, 0, "1.0", "-0"},       /* other keys are tags */
        {"manual_keep", "", DD_PRIORITY_UNSET, 0, 0, "1.0", "-0"},
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s, *child;
        dd_span_options o;
        dd_trace_context ctx;
        char want[64];
        const char *js;
        hw *x = (hw *)malloc(sizeof *x);
        fake_reset();
        c = base_config();
        t = new_tracer(&c);
        memset(&o, 0, sizeof o);
        memset(&ctx, 0, sizeof ctx);
        if (rows[i].upstream != DD_PRIORITY_UNSET) {
            ctx.trace_id.lo = 77;
            ctx.parent_id = 88;
            ctx.sampling_priority = rows[i].upstream;
            if (rows[i].upstream > 0) strcpy(ctx.ptags, "_dd.p.dm=-3");
            ctx.ptags_len = (uint32_t)strlen(ctx.ptags);
            o.context = &ctx;
        }
        s = dd_span_start(t, &o);
        child = dd_span_start_child(s, "child");
        if (rows[i].inject_first) dd_span_inject_headers(s, hw_init(x));
        if (i % 2) dd_span_set_tag(rows[i].on_child ? child : s, rows[i].key, rows[i].value);
        else dd_span_set_tag_n(rows[i].on_child ? child : s, rows[i].key, strlen(rows[i].key), rows[i].value,
                               strlen(rows[i].value));
        dd_span_inject_headers(child, hw_init(x));
        dd_span_finish(child);
        dd_span_finish(s);
        dd_tracer_flush(t);
        js = body_json(0);
        snprintf(want, sizeof want, "\"_sampling_priority_v1\":%s", rows[i].want_prio);
        if (!has(js, want)) fprintf(stderr, "    row %u\n", (unsigned)i);
        if (rows[i].want_dm) {
            snprintf(want, sizeof want, "\"_dd.p.dm\":\"%s\"", rows[i].want_dm);
            CHECK(has(js, want));
        } else {
            CHECK(!strstr(js, "_dd.p.dm"));
        }
        /* the decision travels (later injections send it) */
        snprintf(want, sizeof want, "%d", rows[i].want_prio[0] == '-' ? -1 : rows[i].want_prio[0] - '0');
        CHECK_STR(hw_get(x, "x-datadog-sampling-priority"), want);
        CHECK_EQ_INT(!!strstr(js, rows[i].key), /* the magic tags are not stored */
                     strcmp(rows[i].key, "manual.keep") != 0 && strcmp(rows[i].key, "manual.drop") != 0);
        dd_tracer_free(t);
        free(x);
    }
}
/* R-DD-14: an unchanged header goes out as the same string; _dd.p.dm updated in place */
static void test_xdd_tags_order_kept(void) {
    static const struct {
        const char *in;   /* x-datadog-tags received (priority 2 unless noted) */
        int manual;       /* 0 none, 1 keep, -1 drop before injecting */
        const char *prio; /* x-datadog-sampling-priority received */
        const char *out;  /* x-datadog-tags sent */
    } rows[] = {
        {"_dd.p.dm=-4,_dd.p.usr.id=baz64", 0, "2", "_dd.p.dm=-4,_dd.p.usr.id=baz64"},
        {"_dd.p.usr.id=baz64,_dd.p.dm=-4", 0, "2", "_dd.p.usr.id=baz64,_dd.p.dm=-4"},
        {"_dd.p.dm=-3,_dd.p.a=1,_dd.p.ksr=0.5,_dd.p.b=2", 0, "2", "_dd.p.dm=-3,_dd.p.a=1,_dd.p.ksr=0.5,_dd.p.b=2"},
        {"_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3,_dd.p.a=1", 0, "2", "_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3,_dd.p.a=1"},
        {"_dd.p.dm=-3,_dd.p.usr.id=baz64", -1, "2", "_dd.p.usr.id=baz64"},          /* dm removed in place */
        {"_dd.p.dm=-3,_dd.p.usr.id=baz64", 1, "-1", "_dd.p.dm=-4,_dd.p.usr.id=baz64"}, /* dm updated in place */
        {"_dd.p.usr.id=baz64", 1, "0", "_dd.p.usr.id=baz64,_dd.p.dm=-4"},             /* new: appended */
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_span_options o;
        dd_trace_context ctx;
        dd_header h[8];
        char text[512];
        hw *x = (hw *)malloc(sizeof *x);
        size_t n;
        fake_reset();
        c = base_config();
        t = new_tracer(&c);
        snprintf(text, sizeof text,
                 "x-datadog-trace-id: 1\nx-datadog-parent-id: 2\nx-datadog-sampling-priority: %s\nx-datadog-tags: %s",
                 rows[i].prio, rows[i].in);
        n = hdr_list(h, 8, text);
        CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
        memset(&o, 0, sizeof o);
        o.context = &ctx;
        s = dd_span_start(t, &o);
        if (rows[i].manual) dd_span_set_priority(s, rows[i].manual);
        CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
        if (!hw_get(x, "x-datadog-tags")) CHECK(0);
        else CHECK_STR(x->val, rows[i].out);
        dd_span_finish(s);
        dd_tracer_free(t);
        free(x);
    }
}
/* R-DM-1, R-DD-15: a local _dd.p.dm that does not fit 512 bytes is never dropped silently */
static void test_dm_never_lost(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_span_options o;
    dd_trace_context ctx;
    hw *x = (hw *)malloc(sizeof *x);
    size_t i;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.lo = 1;
    ctx.parent_id = 2;
    memcpy(ctx.ptags, "_dd.p.a=", 8); /* 506 bytes: fits 512, but not with ",_dd.p.dm=-0" */
    for (i = 8; i < 506; i++) ctx.ptags[i] = 'x';
    ctx.ptags_len = 506;
    ctx.ptags[506] = 0;
    ctx.sampling_priority = DD_PRIORITY_UNSET;
    memset(&o, 0, sizeof o);
    o.context = &ctx; /* no priority: the tracer decides, with _dd.p.dm=-0 */
    s = dd_span_start(t, &o);
    CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
    CHECK(hw_get(x, "x-datadog-tags") == NULL);
    CHECK_STR(hw_get(x, "x-datadog-sampling-priority"), "1");
    CHECK(hw_get(x, "traceparent") != NULL);
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(0), "\"_dd.propagation_error\":\"inject_max_size\""));
    CHECK(has(body_json(0), "\"_dd.p.dm\":\"-0\"")); /* still on the span */
    /* 500 bytes: everything fits, the header goes out whole */
    ctx.ptags_len = 500;
    ctx.ptags[500] = 0;
    s = dd_span_start(t, &o);
    CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
    CHECK(hw_get(x, "x-datadog-tags") != NULL && strlen(x->val) == 512);
    dd_span_finish(s);
    dd_tracer_free(t);
    free(x);
}
/* propagation settings in dd_tracer_config: code beats the environment (R-CFG-3) */
static void test_config_propagation(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_span_options o;
    dd_trace_context ctx;
    dd_header h[8];
    hw *x = (hw *)malloc(sizeof *x);
    const dd_propagation_config *p;
    size_t n;
    fake_reset();
    set_env("DD_TRACE_PROPAGATION_STYLE", "datadog");
    set_env("DD_TRACE_BAGGAGE_MAX_ITEMS", "5");
    c = base_config();
    c.propagation_style_inject = "b3multi,baggage";
    c.baggage_max_bytes = 100;
    t = new_tracer(&c);
    p = dd_tracer_propagation(t);
    CHECK_EQ_INT(p->n_extract, 1);
    CHECK_EQ_INT(p->extract_styles[0], DD_STYLE_DATADOG);
    CHECK_EQ_INT(p->n_inject, 2);
    CHECK_EQ_INT(p->inject_styles[0], DD_STYLE_B3MULTI);
    CHECK_EQ_INT(p->baggage_max_items, 5);
    CHECK_EQ_INT(p->baggage_max_bytes, 100);
    /* the issue's case: b3multi configured, extraction with the tracer's styles */
    n = hdr_list(h, 8, "x-b3-traceid: 00000000000004d2\nx-b3-spanid: 000000000000162e\nx-b3-sampled: 1\n" XDD);
    CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
    CHECK_EQ_INT(ctx.style, DD_STYLE_DATADOG);
    dd_tracer_free(t);
    fake_reset();
    c = base_config();
    c.propagation_style = "b3multi";
    t = new_tracer(&c);
    CHECK_EQ_INT(dd_tracer_extract_headers(t, h, n, &ctx), DD_OK);
    CHECK_EQ_INT(ctx.style, DD_STYLE_B3MULTI);
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    s = dd_span_start(t, &o);
    CHECK_EQ_INT(dd_span_inject_headers(s, hw_init(x)), DD_OK);
    CHECK_STR(hw_get(x, "x-b3-traceid"), "00000000000004d2");
    CHECK(hw_get(x, "x-datadog-trace-id") == NULL);
    dd_span_finish(s);
    dd_tracer_free(t);
    /* the default: datadog,tracecontext,baggage both ways; a negative limit turns baggage off */
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    p = dd_tracer_propagation(t);
    CHECK_EQ_INT(p->n_extract, 3);
    CHECK_EQ_INT(p->inject_styles[2], DD_STYLE_BAGGAGE);
    dd_tracer_free(t);
    fake_reset();
    c = base_config();
    c.baggage_max_items = -1;
    c.propagation_behavior_extract = "sometimes";
    t = new_tracer(&c);
    p = dd_tracer_propagation(t);
    CHECK_EQ_INT(p->n_extract, 2);
    CHECK_EQ_INT(p->n_inject, 2);
    CHECK_EQ_INT(p->extract_behavior, DD_EXTRACT_CONTINUE);
    CHECK(logged("propagation_behavior_extract"));
    dd_tracer_free(t);
    free(x);
}
/* one call per carrier kind, with the tracer's config */
static const char *kv_get(void *u, const char *name) {
    const char *const *kv = (const char *const *)u;
    size_t i;
    for (i = 0; kv[i]; i += 2)
        if (strcmp(kv[i], name) == 0) return kv[i + 1];
    return NULL;
}
typedef struct kv_out {
    char names[16][64], values[16][256];
    size_t n;
} kv_out;
static int kv_set(void *u, const char *name, const char *value) {
    kv_out *o = (kv_out *)u;
    if (o->n >= 16) return DD_ERR_BUFFER_FULL;
    snprintf(o->names[o->n], 64, "%s", name);
    snprintf(o->values[o->n], 256, "%s", value);
    o->n++;
    return DD_OK;
}
static void test_one_call_carriers(void) {
    static const char *const kv[] = {"x-datadog-trace-id", "11", "x-datadog-parent-id", "12", "baggage", "a=1", NULL};
    static const char *const envv[] = {"X_DATADOG_TRACE_ID", "21", "X_DATADOG_PARENT_ID", "22", "BAGGAGE", "b=2", NULL};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    dd_span_options o;
    dd_trace_context ctx;
    kv_out out;
    dd_env_block e;
    char *envp[16], ebuf[1024], json[1024];
    size_t i, n;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    CHECK_EQ_INT(dd_tracer_extract_cstr(t, kv_get, (void *)kv, &ctx), DD_OK);
    CHECK_EQ_U64(ctx.trace_id.lo, 11);
    CHECK_EQ_INT(ctx.baggage.n, 1);
    CHECK_EQ_INT(dd_tracer_extract_env(t, kv_get, (void *)envv, &ctx), DD_OK);
    CHECK_EQ_U64(ctx.trace_id.lo, 21);
    CHECK_EQ_U64(ctx.parent_id, 22);
    CHECK_EQ_INT(ctx.baggage.n, 1);
    CHECK_EQ_INT(dd_tracer_extract_datadog_json(t, DD__LIT("{\"x-datadog-trace-id\":\"31\",\"x-datadog-parent-id\":\"32\","
                                                           "\"baggage\":\"c=3\"}"), &ctx), DD_OK);
    CHECK_EQ_U64(ctx.trace_id.lo, 31);
    CHECK_EQ_INT(ctx.baggage.n, 1);
    memset(&o, 0, sizeof o);
    o.context = &ctx;
    s = dd_span_start(t, &o);
    memset(&out, 0, sizeof out);
    CHECK_EQ_INT(dd_span_inject_cstr(s, kv_set, &out), DD_OK);
    for (i = 0; i < out.n; i++)
        if (strcmp(out.names[i], "baggage") == 0) CHECK_STR(out.values[i], "c=3");
    CHECK(out.n >= 5);
    CHECK_STR(out.names[0], "x-datadog-trace-id");
    CHECK_STR(out.values[0], "31");
    dd_env_block_init(&e, envp, 16, ebuf, sizeof ebuf);
    CHECK_EQ_INT(dd_span_inject_env(s, &e), DD_OK);
    CHECK_STR(envp[0], "X_DATADOG_TRACE_ID=31");
    CHECK_STR(envp[e.n - 1], "BAGGAGE=c=3");
    n = dd_span_inject_datadog_json(s, json, sizeof json);
    CHECK(n > 0 && n < sizeof json);
    CHECK(has(json, "{\"x-datadog-trace-id\":\"31\","));
    CHECK(has(json, ",\"baggage\":\"c=3\"}"));
    CHECK_EQ_INT(dd_span_inject_headers(s, NULL), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_span_inject_cstr(s, NULL, NULL), DD_ERR_INVALID_ARG);
    dd_span_finish(s);
    CHECK_EQ_INT(dd_tracer_extract_headers(NULL, NULL, 0, &ctx), DD_ERR_NOT_FOUND);
    dd_tracer_free(t);
}
static void test_span_ids_on_request(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s, *child;
    dd_span_options o, co;
    dd_trace_id id;
    dd_trace_context ctx;
    const char *js;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    memset(&o, 0, sizeof o);
    o.trace_id.hi = UINT64_C(0x6553f10000000000);
    o.trace_id.lo = UINT64_C(0x1122334455667788);
    o.span_id = 42;
    s = dd_span_start(t, &o);
    dd_span_trace_id(s, &id);
    CHECK_EQ_U64(id.hi, UINT64_C(0x6553f10000000000));
    CHECK_EQ_U64(id.lo, UINT64_C(0x1122334455667788));
    CHECK_EQ_U64(dd_span_id(s), 42);
    memset(&co, 0, sizeof co);
    co.parent = s;
    co.name = "child";
    co.span_id = 43;
    co.trace_id.lo = 999; /* not for a child */
    child = dd_span_start(t, &co);
    dd_span_trace_id(child, &id);
    CHECK_EQ_U64(id.lo, UINT64_C(0x1122334455667788));
    CHECK_EQ_U64(dd_span_id(child), 43);
    CHECK_EQ_U64(dd_span_parent_id(child), 42);
    dd_span_finish(child);
    dd_span_finish(s);
    dd_tracer_flush(t);
    js = body_json(0);
    CHECK(has(js, "\"trace_id\":1234605616436508552,\"span_id\":42,"));
    CHECK(has(js, "\"span_id\":43,\"parent_id\":42,"));
    CHECK(has(js, "\"_dd.p.tid\":\"6553f10000000000\""));
    /* a zero low half is no trace id: a new one */
    o.trace_id.lo = 0;
    o.span_id = 0;
    s = dd_span_start(t, &o);
    dd_span_trace_id(s, &id);
    CHECK(id.lo != 0 && id.hi != UINT64_C(0x6553f10000000000));
    CHECK(dd_span_id(s) != 0);
    dd_span_finish(s);
    /* a context's trace id wins */
    memset(&ctx, 0, sizeof ctx);
    ctx.trace_id.lo = 5;
    ctx.parent_id = 6;
    o.context = &ctx;
    o.trace_id.lo = 7;
    o.span_id = 8;
    s = dd_span_start(t, &o);
    dd_span_trace_id(s, &id);
    CHECK_EQ_U64(id.lo, 5);
    CHECK_EQ_U64(dd_span_id(s), 8);
    CHECK_EQ_U64(dd_span_parent_id(s), 6);
    dd_span_finish(s);
    dd_tracer_free(t);
}
static void test_tag_read_back(void) {
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    const char *v;
    size_t vn;
    double d;
    fake_reset();
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    dd_span_set_tag(s, "http.method", "GET");
    dd_span_set_tag_n(s, "k", 1, "a\0b", 3);
    dd_span_set_metric(s, "m", 1.5);
    CHECK_EQ_INT(dd_span_get_tag(s, DD__LIT("http.method"), &v, &vn), DD_OK);
    CHECK_MEM(v, vn, "GET", 3);
    CHECK_EQ_INT(dd_span_get_tag(s, "k", 1, &v, &vn), DD_OK);
    CHECK_MEM(v, vn, "a\0b", 3);
    dd_span_set_tag(s, "http.method", "POST-LONGER-THAN-BEFORE");
    CHECK_EQ_INT(dd_span_get_tag(s, DD__LIT("http.method"), &v, &vn), DD_OK);
    CHECK_MEM(v, vn, "POST-LONGER-THAN-BEFORE", 23);
    CHECK_EQ_INT(dd_span_get_metric(s, "m", 1, &d), DD_OK);
    CHECK(d == 1.5);
    CHECK_EQ_INT(dd_span_get_metric(s, "k", 1, &d), DD_ERR_TYPE);
    CHECK_EQ_INT(dd_span_get_tag(s, "m", 1, &v, &vn), DD_ERR_TYPE);
    CHECK_EQ_INT(dd_span_get_tag(s, "none", 4, &v, &vn), DD_ERR_NOT_FOUND);
    CHECK(v == NULL && vn == 0);
    dd_span_set_metric(s, "k", 2.0); /* a key changes kind */
    CHECK_EQ_INT(dd_span_get_metric(s, "k", 1, &d), DD_OK);
    CHECK(d == 2.0);
    CHECK_EQ_INT(dd_span_get_tag(NULL, "k", 1, &v, &vn), DD_ERR_NOT_FOUND);
    dd_span_finish(s);
    dd_tracer_free(t);
}

/* docs/http.md §2.9: DD_LOGS_INJECTION, DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED, escaping */
static void test_log_correlation_hosts(void) {
    static const uint64_t r[] = {UINT64_C(0x91a2b3c4d5e6f708), 0x11};
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    char buf[512];
    fake_reset();
    set_env("DD_ENV", "prod\ndd.trace_id=1 dd.span_id=2");
    set_env("DD_VERSION", "1.0 beta\\x\x7f\t\r");
    set_env("DD_TRACE_128_BIT_TRACEID_LOGGING_ENABLED", "false");
    c = base_config();
    c.service = "my svc";
    t = new_tracer(&c);
    set_random(r, 2);
    s = dd_span_start(t, NULL);
    dd_span_log_correlation(s, 0, buf, sizeof buf);
    /* one line, five fields; the low 64 bits in decimal */
    CHECK_STR(buf, "dd.trace_id=10494147739710322440 dd.span_id=17 dd.service=my\\x20svc "
                   "dd.env=prod\\ndd.trace_id=1\\x20dd.span_id=2 dd.version=1.0\\x20beta\\\\x\\x7f\\t\\r");
    CHECK(!strchr(buf, '\n') && count_of(buf, " ") == 4);
    dd_span_log_correlation(s, 1, buf, sizeof buf);
    CHECK(has(buf, "\"dd.env\":\"prod\\u000add.trace_id=1 dd.span_id=2\""));
    dd_span_finish(s);
    dd_tracer_free(t);
    /* off: nothing */
    fake_reset();
    set_env("DD_LOGS_INJECTION", "false");
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    strcpy(buf, "x");
    CHECK_EQ_U64(dd_span_log_correlation(s, 0, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    dd_span_finish(s);
    dd_tracer_free(t);
    /* code beats the environment */
    fake_reset();
    set_env("DD_LOGS_INJECTION", "false");
    c = base_config();
    c.logs_injection = DD_ON;
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    CHECK(dd_span_log_correlation(s, 0, buf, sizeof buf) > 0);
    dd_span_finish(s);
    dd_tracer_free(t);
}

/* docs/http.md §2: HTTP span helpers, with the vectors of §2.3, §2.4 and §2.5 */
static const char *tag_of(dd_span *s, const char *key, char *buf, size_t cap) {
    const char *v;
    size_t n;
    if (dd_span_get_tag(s, key, strlen(key), &v, &n) != DD_OK || n >= cap) return NULL;
    memcpy(buf, v, n);
    buf[n] = 0;
    return buf;
}
static void test_http_query_obfuscation(void) {
    static const struct {
        const char *pattern; /* NULL: the default */
        int client_query_off;
        int kind;
        const char *url, *want;
    } rows[] = {
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?key1=val1&key2=val2&key3=val3", "http://h/p?key1=val1&key2=val2&key3=val3"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?pass=03cb9f67-dbbc-4cb8-b966-329951e10934&key2=val2&key3=val3",
         "http://h/p?<redacted>&key2=val2&key3=val3"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?key1=val1&key2=val2&token=03cb9f67dbbc4cb8b966329951e10934",
         "http://h/p?key1=val1&key2=val2&<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?key1=val1&key2=val2&application_key=123",
         "http://h/p?key1=val1&key2=val2&<redacted>"},
        {NULL, 0, DD_HTTP_SERVER,
         "http://h/p?json=%7B%20%22sign%22%3A%20%22%7B0x03cb9f67%2C0xdbbc%2C0x4cb8%2C%7B0xb9%2C0x66%2C0x32%2C0x99"
         "%2C0x51%2C0xe1%2C0x09%2C0x34%7D%7D%22%7D",
         "http://h/p?json=%7B%20<redacted>%7D"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?token=value", "http://h/p?<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?password=", "http://h/p?password="},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?password%3Dsecret", "http://h/p?<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?password%20=%20value", "http://h/p?<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?\"password\":\"value\"", "http://h/p?<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?token:1234567890abc", "http://h/p?<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?token:12345678901234", "http://h/p?<redacted>4"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?old_password=x&api-key=y&new_pwd1=z", "http://h/p?<redacted>&<redacted>&<redacted>"},
        {NULL, 0, DD_HTTP_SERVER, "http://h/p?A=1&PassWord=x", "http://h/p?A=1&<redacted>"}, /* any case */
        {NULL, 0, DD_HTTP_SERVER, "http://example.com/search?token=03cb9f67dbbc4cb8b963629951e10934&q=query#frag?ment",
         "http://example.com/search?<redacted>&q=query#frag?ment"},
        {NULL, 1, DD_HTTP_CLIENT, "http://example.com/search?token=03cb9f67dbbc4cb8b963629951e10934&q=query#frag?ment",
         "http://example.com/search#frag?ment"},
        {NULL, 1, DD_HTTP_CLIENT, "http://weblog:7777/?hi=monkey", "http://weblog:7777/"},
        {NULL, 0, DD_HTTP_CLIENT, "http://weblog:7777/?hi=monkey", "http://weblog:7777/?hi=monkey"},
        {NULL, 1, DD_HTTP_SERVER, "http://weblog:7777/?hi=monkey", "http://weblog:7777/?hi=monkey"}, /* client only */
        {"ssn=\\d{3}-\\d{2}-\\d{4}", 0, DD_HTTP_SERVER, "http://h/?ssn=123-45-6789&token=a", "http://h/?<redacted>&token=a"},
        {"(?i)(?:secret)[\\w]+", 0, DD_HTTP_SERVER, "http://h/?a=SECRETabc_1&b=2", "http://h/?a=<redacted>&b=2"},
        {"", 0, DD_HTTP_SERVER, "http://h/?token=value", "http://h/?token=value"},      /* R-QS-2 */
        {"(unclosed", 0, DD_HTTP_SERVER, "http://h/p?token=value#f", "http://h/p#f"}, /* R-QS-3 */
        {NULL, 0, DD_HTTP_CLIENT, "https://user:pass@example.com:8080/p?q=1", "https://example.com:8080/p?q=1"},
        {NULL, 0, DD_HTTP_SERVER, "/relative/path?x=1", "/relative/path?x=1"},
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        char buf[1024];
        fake_reset();
        c = base_config();
        if (i == 19) set_env("DD_TRACE_OBFUSCATION_QUERY_STRING_REGEXP", rows[i].pattern); /* the variable */
        else c.obfuscation_query_string_regexp = rows[i].pattern;
        if (rows[i].client_query_off) {
            if (i == 15) set_env("DD_TRACE_HTTP_CLIENT_TAG_QUERY_STRING", "false");
            else c.http_client_tag_query_string = DD_OFF;
        }
        t = new_tracer(&c);
        s = dd_span_start(t, NULL);
        dd_span_set_http_request(s, rows[i].kind, "GET", rows[i].url, NULL, 0);
        if (!tag_of(s, "http.url", buf, sizeof buf)) CHECK(0);
        else if (strcmp(buf, rows[i].want) != 0) {
            fprintf(stderr, "    row %u: %s\n", (unsigned)i, buf);
            CHECK(0);
        }
        dd_span_finish(s);
        dd_tracer_free(t);
    }
}
static void test_http_status_and_headers(void) {
    static const dd_header req[] = {
        {"Header1", 7, "v1", 2}, {"header2", 7, " v a l ", 7}, {"Content-Type", 12, "text/plain", 10},
        {"header1", 7, "second", 6}, {"User-Agent", 10, "curl/8", 6}, {"api.token", 9, "t", 1},
        {"C!#ontent-Type", 14, "x", 1}, {"h**eader", 8, "y", 1}, {"header3", 7, "3", 1},
        {"header4", 7, "4", 1}, {"untagged", 8, "u", 1}, {"header5", 7, "5", 1},
    };
    static const dd_header resp[] = {{"Content-Type", 12, "application/json", 16}, {"X-Pa/th", 7, "z", 1}};
    static const struct {
        const char *key, *want; /* want NULL: no such tag */
    } want_req[] = {
        {"http.request.headers.header1", "v1,second"}, {"mapped-header", "v a l"},
        {"http.request.headers.content-type", "text/plain"}, {"http.request.headers.api_token", "t"},
        {"http.request.headers.c__ontent-type", "x"}, {"http.request.headers.h__eader", "y"},
        {"http.request.headers.header3", "3"}, {"t a g", "4"}, {"t*a.g!", "5"}, {"http.useragent", "curl/8"},
        {"http.request.headers.untagged", NULL}, {"http.method", "POST"}, {"span.kind", "server"},
        {"http.response.headers.content-type", "application/json"},
        {"http.response.headers.x-pa/th", "z"}, {"http.status_code", "503"}, {"http.route", "/users/{id}"},
    };
    static const struct {
        const char *server, *client; /* NULL: the default */
        int kind, status, error;
    } st[] = {
        {NULL, NULL, DD_HTTP_SERVER, 500, 1}, {NULL, NULL, DD_HTTP_SERVER, 599, 1}, {NULL, NULL, DD_HTTP_SERVER, 400, 0},
        {NULL, NULL, DD_HTTP_SERVER, 200, 0}, {NULL, NULL, DD_HTTP_CLIENT, 400, 1}, {NULL, NULL, DD_HTTP_CLIENT, 500, 0},
        {"200-201,202", NULL, DD_HTTP_SERVER, 200, 1}, {"200-201,202", NULL, DD_HTTP_SERVER, 202, 1},
        {"200-201,202", NULL, DD_HTTP_SERVER, 500, 0}, {" 599 - 500 ", NULL, DD_HTTP_SERVER, 550, 1},
        {"500-abc", NULL, DD_HTTP_SERVER, 503, 1}, {"500-abc", NULL, DD_HTTP_SERVER, 200, 0}, /* rejected: default */
        {NULL, "500", DD_HTTP_CLIENT, 500, 1}, {NULL, "500", DD_HTTP_CLIENT, 404, 0},
    };
    dd_tracer_config c;
    dd_tracer *t;
    dd_span *s;
    char buf[256];
    size_t i;
    fake_reset();
    set_env("DD_TRACE_HEADER_TAGS", "header1, header2:mapped-header ,Content-Type,api.token,C!#ontent-Type,h**eader,"
                                    " header3 ,header4: t a g ,header5:t*a.g!,:nothing,untagged:,X-Pa/th");
    c = base_config();
    t = new_tracer(&c);
    s = dd_span_start(t, NULL);
    dd_span_set_http_request(s, DD_HTTP_SERVER, "POST", "http://h/users/1", req, sizeof req / sizeof req[0]);
    dd_span_set_http_route(s, "/users/{id}");
    dd_span_set_http_response(s, 503, resp, sizeof resp / sizeof resp[0]);
    for (i = 0; i < sizeof want_req / sizeof want_req[0]; i++) {
        const char *got = tag_of(s, want_req[i].key, buf, sizeof buf);
        if (!want_req[i].want) CHECK(got == NULL);
        else if (!got || strcmp(got, want_req[i].want) != 0) {
            fprintf(stderr, "    %s = %s\n", want_req[i].key, got ? got : "(none)");
            CHECK(0);
        }
    }
    dd_span_finish(s);
    dd_tracer_flush(t);
    CHECK(has(body_json(0), "\"type\":\"web\""));
    CHECK(has(body_json(0), "\"error\":1"));
    dd_tracer_free(t);
    for (i = 0; i < sizeof st / sizeof st[0]; i++) {
        fake_reset();
        c = base_config();
        if (i == 6) set_env("DD_TRACE_HTTP_SERVER_ERROR_STATUSES", st[i].server);
        else c.http_server_error_statuses = st[i].server;
        c.http_client_error_statuses = st[i].client;
        t = new_tracer(&c);
        s = dd_span_start(t, NULL);
        dd_span_set_http_request(s, st[i].kind, "GET", "http://h/", NULL, 0);
        dd_span_set_http_response(s, st[i].status, NULL, 0);
        dd_span_finish(s);
        dd_tracer_flush(t);
        if (!has(body_json(0), st[i].error ? "\"error\":1" : "\"error\":0")) fprintf(stderr, "    row %u\n", (unsigned)i);
        CHECK(has(body_json(0), st[i].kind == DD_HTTP_CLIENT ? "\"type\":\"http\"" : "\"type\":\"web\""));
        if (st[i].server && st[i].server[4] == 'a') CHECK(logged("DD_TRACE_HTTP_SERVER_ERROR_STATUSES"));
        dd_tracer_free(t);
    }
}

/* docs/http.md §2.6 (R-IP-1..6): ST Test_Config_ClientIPHeader_*, Test_StandardTagsNetworkClientIp */
static void test_http_client_ip(void) {
    static const struct {
        int enabled;
        const char *header_cfg; /* DD_TRACE_CLIENT_IP_HEADER */
        const char *peer;
        const char *hdrs;       /* "name: value\n..." */
        const char *want, *want_peer; /* NULL: no tag */
    } rows[] = {
        {0, NULL, "8.8.8.8", "x-forwarded-for: 1.2.3.4", NULL, NULL},                 /* off by default */
        {0, "custom-ip-header", NULL, "custom-ip-header: 5.6.7.9", NULL, NULL},       /* the header alone: off */
        {1, NULL, "10.0.0.1", "x-cluster-client-ip: 10.42.42.42, 43.43.43.43, fe80::1", "43.43.43.43", "10.0.0.1"},
        {1, "custom-ip-header", NULL, "x-forwarded-for: 1.2.3.4\ncustom-ip-header: 5.6.7.9", "5.6.7.9", NULL},
        {1, NULL, NULL, "x-real-ip: 2.2.2.2\nx-forwarded-for: 1.1.1.1", "1.1.1.1", NULL},   /* precedence */
        {1, NULL, NULL, "x-forwarded-for: 10.1.1.1, 192.168.1.1\nx-real-ip: 172.16.0.9", "10.1.1.1", NULL},
        {1, NULL, "8.8.4.4", "x-forwarded-for: 10.1.1.1", "8.8.4.4", "8.8.4.4"},     /* public peer > private */
        {1, NULL, "127.0.0.1", "", "127.0.0.1", "127.0.0.1"},
        {1, NULL, NULL, "forwarded: for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.0.2.60", "2001:db8:cafe::17", NULL},
        {1, NULL, NULL, "x-forwarded-for: 100.64.0.1, 100.128.0.1:8080", "100.128.0.1", NULL},
        {1, NULL, NULL, "true-client-ip: not-an-ip, ::1\nfastly-client-ip: 2001:0db8:0000::0001", "2001:db8::1", NULL},
        {1, NULL, "garbage", "x-forwarded-for: fc00::1, fe80::2", "fc00::1", NULL},
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        dd_header h[8];
        char buf[128];
        const char *got;
        size_t n;
        fake_reset();
        c = base_config();
        if (i == 2) set_env("DD_TRACE_CLIENT_IP_ENABLED", "true");
        else c.client_ip_enabled = rows[i].enabled ? DD_ON : 0;
        if (i == 1) set_env("DD_TRACE_CLIENT_IP_HEADER", rows[i].header_cfg);
        else c.client_ip_header = rows[i].header_cfg;
        t = new_tracer(&c);
        s = dd_span_start(t, NULL);
        n = hdr_list(h, 8, rows[i].hdrs);
        dd_span_set_http_client_ip(s, rows[i].peer, h, n);
        got = tag_of(s, "http.client_ip", buf, sizeof buf);
        if (!rows[i].want) CHECK(got == NULL);
        else if (!got || strcmp(got, rows[i].want) != 0) {
            fprintf(stderr, "    row %u: %s\n", (unsigned)i, got ? got : "(none)");
            CHECK(0);
        }
        got = tag_of(s, "network.client.ip", buf, sizeof buf);
        if (!rows[i].want_peer) CHECK(got == NULL);
        else CHECK(got && strcmp(got, rows[i].want_peer) == 0);
        dd_span_finish(s);
        dd_tracer_free(t);
    }
}

/* docs/http.md §2.7 R-PS-1, R-PS-4 */
static void test_peer_service_tag(void) {
    static const struct {
        const char *mapping, *set, *want, *from; /* from NULL: not remapped */
    } rows[] = {
        {NULL, "billing-db", "billing-db", NULL},
        {"billing-db:billing, other:x", "billing-db", "billing", "billing-db"},
        {"a:b c:d", "c", "d", "c"},       /* space-separated */
        {"a:b,c:d", "e", "e", NULL},
        {"k:v:w", "k", "v:w", "k"},       /* split at the first ':' */
        {":x,y:", "y", "y", NULL},        /* empty sides ignored */
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dd_tracer_config c;
        dd_tracer *t;
        dd_span *s;
        char buf[64];
        fake_reset();
        c = base_config();
        if (i == 2) set_env("DD_TRACE_PEER_SERVICE_MAPPING", rows[i].mapping);
        else c.peer_service_mapping = rows[i].mapping;
        t = new_tracer(&c);
        s = dd_span_start(t, NULL);
        if (i % 2) dd_span_set_tag(s, "peer.service", rows[i].set);
        else dd_span_set_tag_n(s, "peer.service", 12, rows[i].set, strlen(rows[i].set));
        CHECK_STR(tag_of(s, "peer.service", buf, sizeof buf), rows[i].want);
        CHECK_STR(tag_of(s, "_dd.peer.service.source", buf, sizeof buf), "peer.service");
        if (rows[i].from) CHECK_STR(tag_of(s, "_dd.peer.service.remapped_from", buf, sizeof buf), rows[i].from);
        else CHECK(tag_of(s, "_dd.peer.service.remapped_from", buf, sizeof buf) == NULL);
        dd_span_set_tag(s, "peer.servicf", "x"); /* 12 bytes, another key: an ordinary tag */
        CHECK_STR(tag_of(s, "peer.servicf", buf, sizeof buf), "x");
        dd_span_finish(s);
        dd_tracer_free(t);
    }
}

static const test_case cases[] = {
    TEST(test_config_zeroed),
    TEST(test_tracer_keys_win),
    TEST(test_config_env_table),
    TEST(test_config_bad_utf8),
    TEST(test_config_code_beats_env),
    TEST(test_config_getenv_read_once),
    TEST(test_config_dd_tags),
    TEST(test_ids_from_hook),
    TEST(test_ids_default_generator),
    TEST(test_fork),
    TEST(test_span_fields),
    TEST(test_span_setters_n),
    TEST(test_span_service_type_inherit),
    TEST(test_span_utf8_repair),
    TEST(test_tag_wire_forms),
    TEST(test_span_from_context),
    TEST(test_inject_and_priority),
    TEST(test_default_decision),
    TEST(test_single_span_sampling),
    TEST(test_limit_spans_per_segment),
    TEST(test_limit_open_segments),
    TEST(test_limit_tag_bytes),
    TEST(test_static_strings_same_wire),
    TEST(test_limit_buffer),
    TEST(test_flush_explicit_and_headers),
    TEST(test_cgroup_parsing),
    TEST(test_flush_by_size),
    TEST(test_flush_by_held_memory),
    TEST(test_flush_after_buffer_filled_during_flush),
    TEST(test_flush_by_interval),
    TEST(test_split_payloads),
    TEST(test_transport_failure_and_retry),
    TEST(test_failure_logs_rate_limited),
    TEST(test_service_mapping),
    TEST(test_hook_user_pointers),
    TEST(test_response_parsing),
    TEST(test_partial_flush),
    TEST(test_flush_on_free),
    TEST(test_background_flusher),
    TEST(test_log_correlation),
    TEST(test_debug_logs_payload),
    TEST(test_user_span_links),
    TEST(test_span_links_interleaved),
    TEST(test_span_link_attributes),
    TEST(test_report_hostname),
    TEST(test_set_origin),
    TEST(test_finished_span_is_frozen),
    TEST(test_null_safety),
    TEST(test_zero_alloc_steady_state),
    TEST(test_allocation_failures),
    TEST(test_memory_bound_million),
    TEST(test_baggage_tag_keys_table),
    TEST(test_baggage_on_the_trace),
    TEST(test_extract_behavior_spans),
    TEST(test_manual_keep_drop_tags),
    TEST(test_xdd_tags_order_kept),
    TEST(test_dm_never_lost),
    TEST(test_config_propagation),
    TEST(test_one_call_carriers),
    TEST(test_span_ids_on_request),
    TEST(test_tag_read_back),
    TEST(test_log_correlation_hosts),
    TEST(test_http_query_obfuscation),
    TEST(test_http_status_and_headers),
    TEST(test_http_client_ip),
    TEST(test_peer_service_tag),
};

int main(int argc, char **argv) {
    int rc = argc > 1 ? test_run_filtered("trace", cases, sizeof cases / sizeof cases[0], argv[1])
                      : test_run("trace", cases, sizeof cases / sizeof cases[0]);
    fake_reset();
    return rc;
}
