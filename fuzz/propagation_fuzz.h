/* fuzz/propagation_fuzz.h - shared by the propagation harnesses (fuzz/fuzz_{datadog,tracecontext,b3,xray,
 * xdatadog_tags,tracestate,all_styles}.c); not a harness itself. Defines the implementation.
 *
 * Properties checked (abort on violation), for every extraction:
 *  - the status is DD_OK, DD_ERR_NOT_FOUND or DD_ERR_MALFORMED; on failure the context is exactly the
 *    zeroed one (priority DD_PRIORITY_UNSET), nothing half-filled;
 *  - on success: a non-zero trace id; a non-zero parent unless Datadog synthetics; every string
 *    NUL-terminated, its length field true and within its capacity; origin and tracestate printable
 *    ASCII; ptags valid x-datadog-tags grammar with only _dd.p.* keys and a _dd.p.tid equal to the high
 *    bits; links with non-zero ids and reason "terminated_context"; baggage items within the
 *    capacities, their lengths adding up, no empty key or value; a context without trace id only
 *    when it carries baggage;
 *  - round trip: inject(ctx) extracts back (DD_OK) into c2, inject(c2) extracts into c3, and c2 == c3 on
 *    trace id, parent, priority, origin, propagated tags, tracestate, links and baggage (extract ->
 *    inject -> extract is stable). */
#define DD_PROPAGATION_IMPLEMENTATION
#include "../dd_propagation.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #c);                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#if defined(__GNUC__)
#define PF static __attribute__((unused))
#else
#define PF static
#endif

#define PF_MAXH 32
typedef struct pf_headers {
    dd_header h[PF_MAXH];
    char buf[32768]; /* a baggage header of the 16 KB capacity fits */
    dd_headers list;
} pf_headers;

PF void pf_init(pf_headers *x) {
    dd_headers_init(&x->list, x->h, PF_MAXH, x->buf, sizeof x->buf);
}
PF void pf_add(pf_headers *x, const char *name, const char *v, size_t n) {
    if (x->list.n >= PF_MAXH) return;
    x->h[x->list.n].name = name;
    x->h[x->list.n].name_len = strlen(name);
    x->h[x->list.n].value = v;
    x->h[x->list.n].value_len = n;
    x->list.n++;
}
/* Splits data at '\n' into at most `max` values (the last one keeps the rest). */
PF size_t pf_split(const uint8_t *d, size_t n, const char **vals, size_t *lens, size_t max) {
    size_t k = 0, start = 0, i;
    if (max == 0) return 0;
    for (i = 0; i < n && k + 1 < max; i++) {
        if (d[i] == '\n') {
            vals[k] = (const char *)d + start;
            lens[k++] = i - start;
            start = i + 1;
        }
    }
    vals[k] = (const char *)d + start;
    lens[k++] = n - start;
    return k;
}
PF int pf_printable(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}
PF void pf_check_str(const char *s, size_t cap, uint32_t len) {
    REQUIRE(memchr(s, 0, cap) != NULL);
    REQUIRE(strlen(s) == len);
}
PF void pf_check(const dd_trace_context *c, int rc) {
    if (rc != DD_OK) {
        dd_trace_context z;
        REQUIRE(rc == DD_ERR_NOT_FOUND || rc == DD_ERR_MALFORMED);
        memset(&z, 0, sizeof z);
        z.sampling_priority = DD_PRIORITY_UNSET;
        REQUIRE(memcmp(&z, c, offsetof(dd_trace_context, baggage)) == 0); /* baggage data: not cleared */
        REQUIRE(c->baggage.n == 0 && c->baggage.len == 0);
        return;
    }
    REQUIRE(c->baggage.n <= DD_BAGGAGE_ITEMS_MAX && c->baggage.len <= DD_BAGGAGE_BYTES_MAX);
    {
        uint32_t i, sum = 0;
        for (i = 0; i < c->baggage.n; i++) {
            REQUIRE(c->baggage.key_len[i] > 0 && c->baggage.value_len[i] > 0);
            sum += (uint32_t)c->baggage.key_len[i] + c->baggage.value_len[i];
        }
        REQUIRE(sum == c->baggage.len);
    }
    if (!c->trace_id.hi && !c->trace_id.lo) { /* baggage only */
        REQUIRE(c->baggage.n > 0 && c->n_links == 0 && c->parent_id == 0 && c->ptags_len == 0);
        return;
    }
    REQUIRE(c->trace_id.hi || c->trace_id.lo);
    REQUIRE(c->parent_id || c->style == DD_STYLE_DATADOG);
    REQUIRE(c->style >= DD_STYLE_DATADOG && c->style <= DD_STYLE_XRAY);
    pf_check_str(c->origin, sizeof c->origin, c->origin_len);
    REQUIRE(pf_printable(c->origin, c->origin_len));
    pf_check_str(c->ptags, sizeof c->ptags, c->ptags_len);
    pf_check_str(c->tracestate, sizeof c->tracestate, c->tracestate_len);
    REQUIRE(pf_printable(c->tracestate, c->tracestate_len));
    pf_check_str(c->dd_member_extra, sizeof c->dd_member_extra, c->dd_member_extra_len);
    REQUIRE(memchr(c->last_parent_id, 0, sizeof c->last_parent_id) != NULL);
    REQUIRE(memchr(c->propagation_error, 0, sizeof c->propagation_error) != NULL);
    {
        /* x-datadog-tags grammar, _dd.p.* only, _dd.p.tid consistent with the trace id */
        size_t pos = 0;
        while (pos < c->ptags_len) {
            const char *t = c->ptags + pos, *comma = (const char *)memchr(t, ',', c->ptags_len - pos), *eq;
            size_t tn = comma ? (size_t)(comma - t) : c->ptags_len - pos, i;
            pos += tn + 1;
            REQUIRE(tn > 0);
            REQUIRE(!comma || pos < c->ptags_len); /* no trailing comma */
            eq = (const char *)memchr(t, '=', tn);
            REQUIRE(eq && eq > t && (size_t)(eq - t) + 1 < tn);
            REQUIRE((size_t)(eq - t) > 6 && memcmp(t, "_dd.p.", 6) == 0);
            for (i = 0; i < (size_t)(eq - t); i++) REQUIRE(t[i] > 0x20 && t[i] < 0x7f && t[i] != '=');
            for (i = (size_t)(eq - t) + 1; i < tn; i++) REQUIRE(t[i] >= 0x20 && t[i] < 0x7f);
            if ((size_t)(eq - t) == 9 && memcmp(t, "_dd.p.tid", 9) == 0) {
                char hex[17];
                dd_u64_to_hex16(c->trace_id.hi, hex);
                REQUIRE(c->trace_id.hi != 0);
                REQUIRE(tn == 26 && memcmp(eq + 1, hex, 16) == 0);
            }
        }
    }
    REQUIRE(c->n_links <= DD_SPAN_LINKS_MAX);
    {
        uint32_t i;
        for (i = 0; i < c->n_links; i++) {
            const dd_span_link *l = &c->links[i];
            REQUIRE(l->trace_id.hi || l->trace_id.lo);
            REQUIRE(l->span_id != 0);
            REQUIRE(strcmp(l->reason, "terminated_context") == 0);
            REQUIRE(memchr(l->tracestate, 0, sizeof l->tracestate) != NULL);
            REQUIRE(l->trace_id.hi != c->trace_id.hi || l->trace_id.lo != c->trace_id.lo);
        }
    }
}
PF int pf_extract(const dd_propagation_config *cfg, const pf_headers *x, dd_trace_context *c) {
    dd_carrier_reader r;
    int rc;
    dd_headers_reader(&r, &x->list);
    rc = dd_extract(cfg, &r, c);
    pf_check(c, rc);
    return rc;
}
/* `narrowing`: xray is among several styles. It carries 63-bit trace ids (docs/lambda.md §6.3), so
 * the first round trip may turn a 128-bit context into links to the other styles that the second no
 * longer has: links and merged tracestate are then compared only without xray. */
static int pf_narrowing;
PF void pf_same(const dd_trace_context *a, const dd_trace_context *b) {
    uint32_t i;
    REQUIRE(a->trace_id.hi == b->trace_id.hi && a->trace_id.lo == b->trace_id.lo);
    REQUIRE(a->parent_id == b->parent_id);
    REQUIRE(a->sampling_priority == b->sampling_priority);
    REQUIRE(strcmp(a->origin, b->origin) == 0);
    REQUIRE(strcmp(a->ptags, b->ptags) == 0);
    REQUIRE(a->baggage.n == b->baggage.n && a->baggage.len == b->baggage.len);
    REQUIRE(memcmp(a->baggage.data, b->baggage.data, a->baggage.len) == 0);
    if (pf_narrowing) return;
    REQUIRE(strcmp(a->tracestate, b->tracestate) == 0);
    REQUIRE(a->n_links == b->n_links);
    for (i = 0; i < a->n_links; i++) {
        REQUIRE(a->links[i].trace_id.lo == b->links[i].trace_id.lo && a->links[i].trace_id.hi == b->links[i].trace_id.hi);
        REQUIRE(a->links[i].span_id == b->links[i].span_id);
    }
}
/* extract -> inject -> extract is stable; returns the context after one round trip in *c2. */
PF void pf_roundtrip(const dd_propagation_config *cfg, const dd_trace_context *c1, dd_trace_context *c2) {
    static pf_headers h2, h3;
    dd_trace_context c3;
    dd_carrier_writer w;
    pf_init(&h2);
    dd_headers_writer(&w, &h2.list);
    REQUIRE(dd_inject(cfg, c1, &w) == DD_OK);
    REQUIRE(pf_extract(cfg, &h2, c2) == DD_OK);
    pf_init(&h3);
    dd_headers_writer(&w, &h3.list);
    REQUIRE(dd_inject(cfg, c2, &w) == DD_OK);
    REQUIRE(pf_extract(cfg, &h3, &c3) == DD_OK);
    pf_same(c2, &c3);
}
/* A configuration with one style both ways. */
PF void pf_cfg1(dd_propagation_config *cfg, int style) {
    dd_propagation_config_default(cfg);
    cfg->extract_styles[0] = cfg->inject_styles[0] = style;
    cfg->n_extract = cfg->n_inject = 1;
}
