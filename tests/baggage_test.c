/* tests/baggage_test.c - the W3C `baggage` style of dd_propagation.h against hand-written wire
 * values: docs/http.md §1.8 (system-tests D001-D017, dd-trace-py, dd-trace-go, dd-trace-js and
 * dd-trace-cpp vectors; the row names carry the vector or rule ids), the item API, the limits,
 * and the extract behaviours of docs/propagation.md §7.5. Every table row is one case. */
#define DD_PROPAGATION_IMPLEMENTATION
#include "../dd_propagation.h"
#include "test.h"
#include <stdlib.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#define OK DD_OK
#define NF DD_ERR_NOT_FOUND
#define BAD DD_ERR_MALFORMED

/*=== helpers ===*/

/* Parses "name: value\nname: value" (value verbatim to the end of the line). */
#define MAXH 32
typedef struct hdrs {
    dd_header h[MAXH];
    dd_headers list;
} hdrs;
static void hdrs_parse(hdrs *x, const char *text) {
    size_t n = 0;
    const char *p = text;
    memset(x, 0, sizeof *x);
    while (p && *p && n < MAXH) {
        const char *nl = strchr(p, '\n');
        size_t ln = nl ? (size_t)(nl - p) : strlen(p);
        const char *sep = memchr(p, ':', ln);
        if (sep) {
            x->h[n].name = p;
            x->h[n].name_len = (size_t)(sep - p);
            x->h[n].value = sep + 1 < p + ln && sep[1] == ' ' ? sep + 2 : sep + 1;
            x->h[n].value_len = (size_t)(p + ln - x->h[n].value);
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    x->list.items = x->h;
    x->list.n = n;
}
static void cfg_of(dd_propagation_config *cfg, const char *styles, int behavior) {
    dd_propagation_config_default(cfg);
    if (styles) CHECK_EQ_INT(dd_propagation_parse_styles(styles, strlen(styles), cfg->extract_styles, &cfg->n_extract), OK);
    if (styles) CHECK_EQ_INT(dd_propagation_parse_styles(styles, strlen(styles), cfg->inject_styles, &cfg->n_inject), OK);
    cfg->extract_behavior = behavior;
}
/* The items as "k=v|k=v" (bytes as they are). */
static const char *items_text(const dd_baggage *b) {
    static char out[20000];
    dd_baggage_iter it = {0, 0};
    const char *k, *v;
    size_t kn, vn, len = 0;
    out[0] = 0;
    while (dd_baggage_next(b, &it, &k, &kn, &v, &vn) == OK && len + kn + vn + 3 < sizeof out) {
        if (len) out[len++] = '|';
        memcpy(out + len, k, kn);
        len += kn;
        out[len++] = '=';
        memcpy(out + len, v, vn);
        len += vn;
        out[len] = 0;
    }
    return out;
}
/* The value of `name` among injected headers, or NULL. */
typedef struct injected {
    dd_header items[16];
    char buf[20000];
    dd_headers h;
    char value[9000];
} injected;
static int inject_into(injected *x, const dd_propagation_config *cfg, const dd_trace_context *c) {
    dd_carrier_writer w;
    dd_headers_init(&x->h, x->items, 16, x->buf, sizeof x->buf);
    dd_headers_writer(&w, &x->h);
    return dd_inject(cfg, c, &w);
}
static const char *header_of(injected *x, const char *name) {
    size_t i;
    for (i = 0; i < x->h.n; i++)
        if (x->h.items[i].name_len == strlen(name) && memcmp(x->h.items[i].name, name, strlen(name)) == 0) {
            memcpy(x->value, x->h.items[i].value, x->h.items[i].value_len);
            x->value[x->h.items[i].value_len] = 0;
            return x->value;
        }
    return NULL;
}
static char *repeat(char *dst, char c, size_t n) {
    memset(dst, c, n);
    dst[n] = 0;
    return dst;
}

/*=== table: extract (docs/http.md §1.2, §1.8) ===*/

#define DDH "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\nx-datadog-sampling-priority: 1\n"
typedef struct ex_row {
    const char *name;
    const char *styles; /* NULL: the default datadog,tracecontext,baggage */
    const char *hdrs;
    int rc;
    uint64_t lo;        /* trace id expected (0: none) */
    const char *items;  /* items_text */
} ex_row;
static const ex_row ex_rows[] = {
    {"E1 with datadog ST-D001", NULL, DDH "baggage: foo=bar", OK, 123, "foo=bar"},
    {"E2 decoding ST-D005", NULL,
     DDH "baggage: foo=bar,userId=Am%C3%A9lie,serverNode=DF%2028,"
         "%22%2C%3B%5C%28%29%2F%3A%3C%3D%3E%3F%40%5B%5D%7B%7D=%22%2C%3B%5C",
     OK, 123, "foo=bar|userId=Am\xc3\xa9lie|serverNode=DF 28|\",;\\()/:<=>?@[]{}=\",;\\"},
    {"E3 no equal sign ST-D012", NULL, DDH "baggage: no-equal-sign,foo=gets-dropped-because-previous-pair-is-malformed",
     OK, 123, ""},
    {"E4 no key ST-D013", NULL, DDH "baggage: =no-key", OK, 123, ""},
    {"E5 no value ST-D014", NULL, DDH "baggage: no-value=", OK, 123, ""},
    {"E6 malformed after ST-D015", NULL, DDH "baggage: foo=gets-dropped-because-subsequent-pair-is-malformed,=", OK,
     123, ""},
    {"E7 empty value ST", NULL, DDH "baggage: user.id=,session.id=mysession,account.id=abcd", OK, 123, ""},
    {"E8 trailing comma R-BG-7", NULL, DDH "baggage: key1=value1,", OK, 123, ""},
    {"E8 leading empty R-BG-7", NULL, DDH "baggage: =,key1=value1", OK, 123, ""},
    {"E8 empty last value R-BG-7", NULL, DDH "baggage: key1=value1,key2=", OK, 123, ""},
    {"E8 empty member R-BG-7", NULL, DDH "baggage: a=b,,c=d", OK, 123, ""},
    {"E9 key decoded PY", NULL, DDH "baggage: user!d%28me%29=false", OK, 123, "user!d(me)=false"},
    {"E10 spaces trimmed CPP", NULL, DDH "baggage:     key1    = value1  , key2  =   value2  ", OK, 123,
     "key1=value1|key2=value2"},
    {"E11 properties stripped CPP", NULL, DDH "baggage: key1=value1;a=b,key2=value2", OK, 123,
     "key1=value1|key2=value2"},
    {"E12 properties and inner space JS", NULL, DDH "baggage: name=  test value;prop=1; prop2=2", OK, 123,
     "name=test value"},
    {"E13 invalid utf-8 replaced JS", NULL, DDH "baggage: k=%C3%28,valid=ok", OK, 123, "k=\xef\xbf\xbd(|valid=ok"},
    {"E14 plus stays R-BG-8", NULL, DDH "baggage: userId=Am%C3%A9lie,serverNode=DF+28", OK, 123,
     "userId=Am\xc3\xa9lie|serverNode=DF+28"},
    {"inner space kept R-BG-9", NULL, DDH "baggage: serverNode=DF 28", OK, 123, "serverNode=DF 28"},
    {"bare percent stays R-BG-8", NULL, DDH "baggage: a=100%,b=%zz,c=%4", OK, 123, "a=100%|b=%zz|c=%4"},
    {"lowercase hex R-BG-8", NULL, DDH "baggage: a=%c3%a9", OK, 123, "a=\xc3\xa9"},
    {"percent 00 is a byte R-BG-8", NULL, DDH "baggage: a=x%00y", OK, 123, "a=x"}, /* items_text stops at NUL */
    {"raw invalid byte replaced R-BG-8", NULL, DDH "baggage: a=\xff", OK, 123, "a=\xef\xbf\xbd"},
    {"truncated utf-8 replaced R-BG-8", NULL, DDH "baggage: a=%E2%82", OK, 123, "a=\xef\xbf\xbd"},
    {"surrogate replaced R-BG-8", NULL, DDH "baggage: a=%ED%A0%80", OK, 123, "a=\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"duplicate key last wins R-BG-6", NULL, DDH "baggage: a=1,b=2,a=3", OK, 123, "a=3|b=2"},
    {"keys case-sensitive R-BG-1", NULL, DDH "baggage: foo=1,FOO=2", OK, 123, "foo=1|FOO=2"},
    {"equals inside value R-BG-6", NULL, DDH "baggage: a=b=c", OK, 123, "a=b=c"},
    {"empty header no error R-BG-5", NULL, DDH "baggage:", OK, 123, ""},
    {"blank header no error R-BG-5", NULL, DDH "baggage:   ", OK, 123, ""},
    {"header name any case R-BG-5", NULL, DDH "BaGgAgE: a=1", OK, 123, "a=1"},
    {"two fields joined R-BG-5", NULL, DDH "baggage: a=1,b=2\nbaggage: c=3", OK, 123, "a=1|b=2|c=3"},
    {"malformed second field drops all R-BG-5", NULL, DDH "baggage: a=1\nbaggage: c", OK, 123, ""},
    {"baggage only new trace R-BG-18", NULL, "baggage: a=1", OK, 0, "a=1"},
    {"baggage only malformed R-BG-18", NULL, "baggage: a", NF, 0, ""},
    {"malformed trace, baggage kept R-BG-6", NULL, "x-datadog-trace-id: x\nx-datadog-parent-id: 1\nbaggage: a=1", OK,
     0, "a=1"},
    {"not in the list R-BG-3", "datadog,tracecontext", DDH "baggage: a=1", OK, 123, ""},
    {"baggage alone R-BG-3", "baggage", DDH "baggage: a=1", OK, 0, "a=1"},
    {"baggage first R-BG-16", "baggage,datadog", DDH "baggage: a=1", OK, 123, "a=1"},
    {"none R-CFG-5", "none", DDH "baggage: a=1", NF, 0, ""},
    {"no header", NULL, DDH, OK, 123, ""},
};
static void run_ex(const void *p) {
    const ex_row *r = (const ex_row *)p;
    dd_propagation_config cfg;
    dd_carrier_reader rd;
    dd_trace_context c;
    hdrs x;
    cfg_of(&cfg, r->styles, DD_EXTRACT_CONTINUE);
    hdrs_parse(&x, r->hdrs);
    dd_headers_reader(&rd, &x.list);
    memset(&c, 0xab, sizeof c);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), r->rc);
    CHECK_EQ_U64(c.trace_id.lo, r->lo);
    CHECK_STR(items_text(&c.baggage), r->items);
    if (!r->lo) CHECK_EQ_U64(c.parent_id, 0);
}

/*=== table: inject (docs/http.md §1.3, §1.8) ===*/

typedef struct in_row {
    const char *name;
    const char *styles;
    const char *kv[12]; /* key, value, key, value, ..., NULL */
    const char *want;   /* the baggage header, NULL: absent */
} in_row;
static const in_row in_rows[] = {
    {"I1 encoding ST-D004", NULL,
     {"foo", "bar", "baz", "qux", "userId", "Am\xc3\xa9lie", "serverNode", "DF 28", "\",;\\()/:<=>?@[]{}", "\",;\\"},
     "foo=bar,baz=qux,userId=Am%C3%A9lie,serverNode=DF%2028,"
     "%22%2C%3B%5C%28%29%2F%3A%3C%3D%3E%3F%40%5B%5D%7B%7D=%22%2C%3B%5C"},
    {"I2 two items PY", NULL, {"key1", "val1", "key2", "val2"}, "key1=val1,key2=val2"},
    {"I3 key encoding PY", NULL, {"user!d(me)", "false"}, "user!d%28me%29=false"},
    {"percent always encoded R-BG-11", NULL, {"100%", "%41"}, "100%25=%2541"},
    {"value safe set R-BG-11", NULL, {"k", "!#$&'()*+-./:<>?@[]^_`{|}~"}, "k=!#$&'()*+-./:<>?@[]^_`{|}~"},
    {"key safe set R-BG-11", NULL, {"!#$&'*+-.^_`|~az09", "v"}, "!#$&'*+-.^_`|~az09=v"},
    {"key unsafe set R-BG-11", NULL, {"a(b)c/d:e", "v"}, "a%28b%29c%2Fd%3Ae=v"},
    {"equals and comma encoded R-BG-11", NULL, {"a=b", "c,d=e"}, "a%3Db=c%2Cd%3De"},
    {"controls encoded R-BG-11", NULL, {"k", "a\tb\r\nc"}, "k=a%09b%0D%0Ac"},
    {"trimmed R-BG-12", NULL, {" key1 ", "  value 1\t"}, "key1=value%201"},
    {"blank value skipped", NULL, {"a", "  ", "b", "2"}, "b=2"},
    {"I10 not in the list ST-D003", "datadog,tracecontext", {"a", "1"}, NULL},
    {"only baggage R-BG-3", "baggage", {"a", "1"}, "a=1"},
    {"none R-CFG-5", "none", {"a", "1"}, NULL},
    {"no items no header R-BG-14", NULL, {NULL}, NULL},
};
static void run_in(const void *p) {
    const in_row *r = (const in_row *)p;
    dd_propagation_config cfg;
    dd_trace_context c;
    injected x;
    int i;
    cfg_of(&cfg, r->styles, 0);
    memset(&c, 0, sizeof c);
    c.trace_id.lo = 1;
    c.parent_id = 2;
    c.sampling_priority = 1;
    for (i = 0; i < 12 && r->kv[i]; i += 2) CHECK_EQ_INT(dd_baggage_set(&c.baggage, r->kv[i], strlen(r->kv[i]), r->kv[i + 1], strlen(r->kv[i + 1])), OK);
    CHECK_EQ_INT(inject_into(&x, &cfg, &c), OK);
    if (r->want) CHECK_STR(header_of(&x, "baggage"), r->want);
    else CHECK(header_of(&x, "baggage") == NULL);
    if (r->styles && strcmp(r->styles, "baggage") == 0) CHECK(header_of(&x, "x-datadog-trace-id") == NULL);
}

/*=== single cases ===*/

static void test_api_I8(void) { /* ST Test_Baggage_Headers_Api_Datadog */
    dd_baggage b;
    const char *v;
    size_t vn;
    char out[256];
    CHECK_EQ_INT(dd_baggage_parse(DD__LIT("foo_case_sensitive_key=value_to_be_replaced,FOO_CASE_SENSITIVE_KEY=UNTOUCHED,"
                                          "remove_me_key=remove_me_value"), 0, 0, &b, NULL), OK);
    CHECK_EQ_INT(dd_baggage_set(&b, DD__LIT("foo_case_sensitive_key"), DD__LIT("overwrite_value")), OK);
    CHECK_EQ_INT(dd_baggage_set(&b, DD__LIT("new_foo"), DD__LIT("new_value")), OK);
    CHECK_EQ_INT(dd_baggage_remove(&b, DD__LIT("remove_me_key")), OK);
    CHECK_EQ_INT(dd_baggage_remove(&b, DD__LIT("remove_me_key")), NF);
    dd_baggage_format(&b, 0, 0, out, sizeof out, NULL);
    CHECK_STR(out, "foo_case_sensitive_key=overwrite_value,FOO_CASE_SENSITIVE_KEY=UNTOUCHED,new_foo=new_value");
    CHECK_EQ_INT(dd_baggage_get(&b, DD__LIT("FOO_CASE_SENSITIVE_KEY"), &v, &vn), OK);
    CHECK_MEM(v, vn, "UNTOUCHED", 9);
    CHECK_EQ_INT(dd_baggage_get(&b, DD__LIT("foo_CASE_sensitive_key"), &v, &vn), NF);
    CHECK(v == NULL && vn == 0);
    dd_baggage_clear(&b);
    CHECK_EQ_INT(b.n, 0);
    CHECK_EQ_INT(dd_baggage_format(&b, 0, 0, out, sizeof out, NULL), 0);
}
static void test_api_bytes_and_limits(void) {
    static dd_baggage b;
    static char big[DD_BAGGAGE_BYTES_MAX + 1];
    char key[8];
    const char *v;
    size_t vn;
    int i;
    memset(&b, 0, sizeof b);
    CHECK_EQ_INT(dd_baggage_set(&b, "k\0z", 3, "v\0\xff", 3), OK); /* any bytes */
    CHECK_EQ_INT(dd_baggage_get(&b, "k\0z", 3, &v, &vn), OK);
    CHECK_MEM(v, vn, "v\0\xff", 3);
    CHECK_EQ_INT(dd_baggage_set(&b, "", 0, "v", 1), DD_ERR_INVALID_ARG);
    CHECK_EQ_INT(dd_baggage_set(&b, DD__LIT("e"), "", 0), OK); /* an empty value is an item */
    dd_baggage_clear(&b);
    for (i = 0; i < DD_BAGGAGE_ITEMS_MAX; i++) {
        int n = sprintf(key, "k%d", i);
        CHECK_EQ_INT(dd_baggage_set(&b, key, (size_t)n, "v", 1), OK);
    }
    CHECK_EQ_INT(dd_baggage_set(&b, DD__LIT("one-more"), "v", 1), DD_ERR_LIMIT);
    CHECK_EQ_INT(dd_baggage_set(&b, DD__LIT("k7"), DD__LIT("replaced")), OK); /* a known key still changes */
    CHECK_EQ_INT(dd_baggage_get(&b, DD__LIT("k7"), &v, &vn), OK);
    CHECK_MEM(v, vn, "replaced", 8);
    dd_baggage_clear(&b);
    repeat(big, 'x', DD_BAGGAGE_BYTES_MAX - 1);
    CHECK_EQ_INT(dd_baggage_set(&b, "k", 1, big, DD_BAGGAGE_BYTES_MAX - 1), OK);
    CHECK_EQ_INT(dd_baggage_set(&b, "j", 1, "v", 1), DD_ERR_LIMIT);
    CHECK_EQ_INT(dd_baggage_set(&b, "k", 1, big, DD_BAGGAGE_BYTES_MAX), DD_ERR_LIMIT);
    CHECK_EQ_INT(b.len, DD_BAGGAGE_BYTES_MAX); /* unchanged */
    CHECK_EQ_INT(dd_baggage_set(&b, "k", 1, "short", 5), OK);
    CHECK_EQ_INT(b.len, 6);
}
static void test_extract_max_items(void) { /* ST D016 on extract, GO TestExtractBaggagePropagatorMaxItems */
    static char h[4000];
    dd_baggage b;
    int tr = 0, i;
    size_t n = 0;
    for (i = 0; i < 66; i++) n += (size_t)sprintf(h + n, "%skey%d=val%d", i ? "," : "", i, i);
    CHECK_EQ_INT(dd_baggage_parse(h, n, 0, 0, &b, &tr), OK);
    CHECK_EQ_INT(b.n, 64);
    CHECK_EQ_INT(tr, 1);
    /* GO ...MalformedPastLimit: a malformed member after the limit is never inspected */
    n = 0;
    for (i = 0; i < 64; i++) n += (size_t)sprintf(h + n, "%skey%d=val%d", i ? "," : "", i, i);
    n += (size_t)sprintf(h + n, ",malformed");
    CHECK_EQ_INT(dd_baggage_parse(h, n, 0, 0, &b, &tr), OK);
    CHECK_EQ_INT(b.n, 64);
    CHECK_EQ_INT(dd_baggage_parse(h, n, 3, 0, &b, &tr), OK); /* a configured limit */
    CHECK_STR(items_text(&b), "key0=val0|key1=val1|key2=val2");
    CHECK_EQ_INT(dd_baggage_parse(h, n, 100, 0, &b, &tr), OK); /* capped at the capacity, 64 */
    CHECK_EQ_INT(b.n, 64);
}
static void test_extract_max_bytes(void) { /* R-BG-6: raw member length + 1 per comma */
    static char h[10000], a[5000];
    dd_baggage b;
    int tr = 0;
    size_t n;
    /* "k1=" + 4093 a = 4096; ",k2=" + 4092 b = 4096 more: exactly 8192 */
    repeat(a, 'a', 4093);
    n = (size_t)sprintf(h, "k1=%s,k2=", a);
    repeat(h + n, 'b', 4092);
    n += 4092;
    CHECK_EQ_INT(dd_baggage_parse(h, n, 0, 0, &b, &tr), OK);
    CHECK_EQ_INT(b.n, 2);
    CHECK_EQ_INT(tr, 0);
    h[n] = 'b'; /* 8193: the second member is dropped, the first kept */
    CHECK_EQ_INT(dd_baggage_parse(h, n + 1, 0, 0, &b, &tr), OK);
    CHECK_EQ_INT(b.n, 1);
    CHECK_EQ_INT(tr, 1);
    CHECK_EQ_INT(dd_baggage_parse(h, n + 1, 0, 100, &b, &tr), OK); /* a configured limit */
    CHECK_EQ_INT(b.n, 0);
    CHECK_EQ_INT(tr, 1);
}
static void test_inject_limits(void) {
    static dd_trace_context c;
    static char a[8200], out[9000];
    dd_propagation_config cfg;
    injected *x = (injected *)malloc(sizeof *x);
    char key[16];
    int i, tr;
    size_t n;
    dd_propagation_config_default(&cfg);
    memset(&c, 0, sizeof c);
    c.trace_id.lo = 1;
    c.parent_id = 2;
    /* I4 ST D016 (66 items -> 64 members): the 65th item cannot even be stored */
    for (i = 0; i < 64; i++) {
        int kn = sprintf(key, "key%d", i);
        dd_baggage_set(&c.baggage, key, (size_t)kn, "v", 1);
    }
    n = dd_baggage_format(&c.baggage, 0, 0, out, sizeof out, &tr);
    CHECK_EQ_INT(tr, 0);
    CHECK(n > 0 && strncmp(out, "key0=v,key1=v,", 14) == 0);
    n = dd_baggage_format(&c.baggage, 10, 0, out, sizeof out, &tr); /* DD_TRACE_BAGGAGE_MAX_ITEMS=10 */
    CHECK_EQ_INT(tr, 1);
    CHECK_STR(out + n - 6, "key9=v");
    /* I5 ST D017: three 2730-byte values and key4=d: exactly two members, 5471 bytes */
    dd_baggage_clear(&c.baggage);
    dd_baggage_set(&c.baggage, "key1", 4, repeat(a, 'a', 2730), 2730);
    dd_baggage_set(&c.baggage, "key2", 4, repeat(a, 'b', 2730), 2730);
    dd_baggage_set(&c.baggage, "key3", 4, repeat(a, 'c', 2730), 2730);
    dd_baggage_set(&c.baggage, "key4", 4, "d", 1);
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK(header_of(x, "baggage") != NULL);
    CHECK_EQ_INT(strlen(x->value), 5471);
    CHECK(strncmp(x->value + 2735, ",key2=bbb", 9) == 0);
    /* I6 PY: one 8193-byte member -> no header (R-BG-14) */
    dd_baggage_clear(&c.baggage);
    dd_baggage_set(&c.baggage, "foo", 3, repeat(a, 'a', 8189), 8189); /* "foo=" + 8189 = 8193 */
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK(header_of(x, "baggage") == NULL);
    CHECK(header_of(x, "x-datadog-trace-id") != NULL);
    dd_baggage_set(&c.baggage, "foo", 3, a, 8188); /* 8192: written */
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK(header_of(x, "baggage") != NULL && strlen(x->value) == 8192);
    /* I7 JS: raccoon=chunky then 8192 NUL characters (3 bytes each encoded) */
    dd_baggage_clear(&c.baggage);
    dd_baggage_set(&c.baggage, DD__LIT("raccoon"), DD__LIT("chunky"));
    memset(a, 0, 8190);
    dd_baggage_set(&c.baggage, "foo", 3, a, 8190);
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK_STR(header_of(x, "baggage"), "raccoon=chunky");
    /* a configured byte limit */
    cfg.baggage_max_bytes = 10;
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK(header_of(x, "baggage") == NULL); /* "raccoon=chunky" is 14 */
    free(x);
}
static void test_inject_without_trace_id(void) { /* R-BG-15 */
    static dd_trace_context c;
    dd_propagation_config cfg;
    injected *x = (injected *)malloc(sizeof *x);
    dd_propagation_config_default(&cfg);
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(inject_into(x, &cfg, &c), DD_ERR_INVALID_ARG);
    dd_baggage_set(&c.baggage, "a", 1, "1", 1);
    CHECK_EQ_INT(inject_into(x, &cfg, &c), OK);
    CHECK_EQ_INT(x->h.n, 1);
    CHECK_STR(header_of(x, "baggage"), "a=1");
    cfg_of(&cfg, "datadog", 0);
    CHECK_EQ_INT(inject_into(x, &cfg, &c), DD_ERR_INVALID_ARG);
    free(x);
}
/* docs/propagation.md §7.5 R-MS-9, docs/http.md R-BG-17: test_extract_behavior.py */
#define TWO "x-datadog-trace-id: 123\nx-datadog-parent-id: 456\nx-datadog-sampling-priority: 2\n" \
            "x-datadog-tags: _dd.p.dm=-4\n" \
            "traceparent: 00-000000000000000000000000000007b0-00000000000001c8-01\nbaggage: key1=value1\n"
static void test_behavior_continue(void) {
    dd_propagation_config cfg;
    dd_carrier_reader rd;
    dd_trace_context c;
    hdrs x;
    cfg_of(&cfg, NULL, DD_EXTRACT_CONTINUE);
    hdrs_parse(&x, TWO);
    dd_headers_reader(&rd, &x.list);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), OK);
    CHECK_EQ_U64(c.trace_id.lo, 123);
    CHECK_EQ_U64(c.parent_id, 456);
    CHECK_EQ_INT(c.n_links, 1); /* the W3C context of another trace: terminated_context */
    CHECK_STR(c.links[0].reason, "terminated_context");
    CHECK_STR(items_text(&c.baggage), "key1=value1");
}
static void test_behavior_restart(void) {
    dd_propagation_config cfg;
    dd_carrier_reader rd;
    dd_trace_context c;
    hdrs x;
    injected *in = (injected *)malloc(sizeof *in);
    cfg_of(&cfg, NULL, DD_EXTRACT_RESTART);
    hdrs_parse(&x, TWO);
    dd_headers_reader(&rd, &x.list);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), OK);
    CHECK_EQ_U64(c.trace_id.lo, 0);
    CHECK_EQ_U64(c.trace_id.hi, 0);
    CHECK_EQ_U64(c.parent_id, 0);
    CHECK_EQ_INT(c.sampling_priority, DD_PRIORITY_UNSET);
    CHECK_EQ_INT(c.ptags_len, 0);
    CHECK_EQ_INT(c.n_links, 1); /* one link, to the context that would have been continued */
    CHECK_EQ_U64(c.links[0].trace_id.lo, 123);
    CHECK_EQ_U64(c.links[0].span_id, 456);
    CHECK_EQ_INT(c.links[0].flags, (int32_t)(1u | 0x80000000u));
    CHECK_STR(c.links[0].reason, "propagation_behavior_extract");
    CHECK_STR(c.links[0].context_headers, "datadog");
    CHECK_STR(c.links[0].tracestate, "");
    CHECK_STR(items_text(&c.baggage), "key1=value1"); /* kept */
    /* I9: the baggage goes on */
    CHECK_EQ_INT(inject_into(in, &cfg, &c), OK);
    CHECK_STR(header_of(in, "baggage"), "key1=value1");
    /* a tracecontext primary: its tracestate is on the link */
    cfg_of(&cfg, "tracecontext,datadog", DD_EXTRACT_RESTART);
    hdrs_parse(&x, "traceparent: 00-000000000000000000000000000007b0-00000000000001c8-00\ntracestate: dd=s:0,foo=bar");
    dd_headers_reader(&rd, &x.list);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), OK);
    CHECK_EQ_INT(c.n_links, 1);
    CHECK_EQ_U64(c.links[0].trace_id.lo, 0x7b0);
    CHECK_EQ_U64(c.links[0].span_id, 0x1c8);
    CHECK_EQ_INT(c.links[0].flags, (int32_t)0x80000000u);
    CHECK_STR(c.links[0].context_headers, "tracecontext");
    CHECK_STR(c.links[0].tracestate, "dd=s:0,foo=bar");
    CHECK_EQ_INT(c.baggage.n, 0);
    /* nothing to restart: no link */
    hdrs_parse(&x, "baggage: a=1");
    dd_headers_reader(&rd, &x.list);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), NF); /* tracecontext,datadog: no baggage style */
    cfg_of(&cfg, NULL, DD_EXTRACT_RESTART);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), OK);
    CHECK_EQ_INT(c.n_links, 0);
    CHECK_STR(items_text(&c.baggage), "a=1");
    free(in);
}
static void test_behavior_ignore(void) {
    dd_propagation_config cfg;
    dd_carrier_reader rd;
    dd_trace_context c;
    hdrs x;
    cfg_of(&cfg, NULL, DD_EXTRACT_IGNORE);
    hdrs_parse(&x, TWO);
    dd_headers_reader(&rd, &x.list);
    memset(&c, 0xab, sizeof c);
    CHECK_EQ_INT(dd_extract(&cfg, &rd, &c), NF);
    CHECK_EQ_U64(c.trace_id.lo, 0);
    CHECK_EQ_INT(c.n_links, 0);
    CHECK_EQ_INT(c.baggage.n, 0); /* I9: no baggage */
}
static void test_round_trip(void) {
    static const char *const in[] = {
        "foo=bar,userId=Am%C3%A9lie,serverNode=DF%2028",
        "a=1,b=2,c=3",
        "%22%2C%3B%5C%28%29%2F%3A%3C%3D%3E%3F%40%5B%5D%7B%7D=%22%2C%3B%5C",
        "k=%25%2541",
    };
    size_t i;
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        dd_baggage b;
        char out[256];
        CHECK_EQ_INT(dd_baggage_parse(in[i], strlen(in[i]), 0, 0, &b, NULL), OK);
        dd_baggage_format(&b, 0, 0, out, sizeof out, NULL);
        CHECK_STR(out, in[i]);
    }
}
static void test_other_carriers(void) { /* the environment carrier: BAGGAGE; the cstr carrier */
    dd_propagation_config cfg;
    dd_trace_context c;
    dd_carrier_writer w;
    dd_carrier_reader r;
    dd_env_block e;
    dd_env_source src;
    char *envp[8], buf[512];
    size_t i;
    dd_propagation_config_default(&cfg);
    memset(&c, 0, sizeof c);
    c.trace_id.lo = 5;
    c.parent_id = 6;
    dd_baggage_set(&c.baggage, DD__LIT("user.id"), DD__LIT("a b"));
    dd_env_block_init(&e, envp, 8, buf, sizeof buf);
    dd_env_block_writer(&w, &e);
    CHECK_EQ_INT(dd_inject(&cfg, &c, &w), OK);
    for (i = 0; i < e.n; i++)
        if (strncmp(envp[i], "BAGGAGE=", 8) == 0) break;
    CHECK(i < e.n);
    if (i < e.n) CHECK_STR(envp[i], "BAGGAGE=user.id=a%20b");
    (void)src;
    (void)r;
}

/*=== runner ===*/

typedef struct row_case {
    const char *name;
    void (*run)(const void *);
    const void *row;
} row_case;
#define MAX_CASES 256
static row_case row_cases[MAX_CASES];
static test_case all_cases[MAX_CASES];
static size_t n_cases;
static void run_row(void) {
    size_t i;
    for (i = 0; i < n_cases; i++)
        if (row_cases[i].name == test__case_name) { row_cases[i].run(row_cases[i].row); return; }
    CHECK(0);
}
static void add_rows(const void *rows, size_t size, size_t count, void (*run)(const void *)) {
    size_t i;
    for (i = 0; i < count && n_cases < MAX_CASES; i++) {
        const void *row = (const char *)rows + i * size;
        row_cases[n_cases].name = *(const char *const *)row;
        row_cases[n_cases].run = run;
        row_cases[n_cases].row = row;
        all_cases[n_cases].name = row_cases[n_cases].name;
        all_cases[n_cases].fn = run_row;
        n_cases++;
    }
}
#define ADD_ROWS(t, fn) add_rows(t, sizeof t[0], sizeof t / sizeof t[0], fn)
static const test_case single_cases[] = {
    TEST(test_api_I8), TEST(test_api_bytes_and_limits), TEST(test_extract_max_items), TEST(test_extract_max_bytes),
    TEST(test_inject_limits), TEST(test_inject_without_trace_id), TEST(test_behavior_continue),
    TEST(test_behavior_restart), TEST(test_behavior_ignore), TEST(test_round_trip), TEST(test_other_carriers),
};
int main(int argc, char **argv) {
    size_t i;
    ADD_ROWS(ex_rows, run_ex);
    ADD_ROWS(in_rows, run_in);
    for (i = 0; i < sizeof single_cases / sizeof single_cases[0] && n_cases < MAX_CASES; i++)
        all_cases[n_cases++] = single_cases[i];
    if (argc > 1) return test_run_filtered("baggage", all_cases, n_cases, argv[1]);
    return test_run("baggage", all_cases, n_cases);
}
