/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_baggage.c -o fuzz_baggage && ./fuzz_baggage -dict=fuzz/dict/baggage.dict fuzz/corpus/baggage
 *
 * The W3C `baggage` style (docs/http.md §1) on hostile headers. Byte 0: bits 0-1 pick the item limit
 * (0 = default 64, else 1, 3, 100 capped at 64), bits 2-3 the byte limit (default 8192, 10, 100, 20000
 * capped at the capacity), bit 4 adds a datadog context, bit 5 extract behaviour restart, bit 6 the name
 * spelled "Baggage". The rest, split at '\n', gives up to three `baggage` fields. Properties: those of
 * fuzz/propagation_fuzz.h (with baggage compared in the round trip), plus:
 *  - dd_baggage_parse: DD_OK or DD_ERR_MALFORMED (then no items); items within both limits and the
 *    capacities, lengths adding up, no empty key or value, no two equal keys;
 *  - every stored string is valid UTF-8 (invalid input became U+FFFD);
 *  - format -> parse -> format is stable from the second pass on, and what format writes parses
 *    without error and within the limits it was given;
 *  - the item API: removing then setting every item in order rebuilds the same map. */
#include "propagation_fuzz.h"

static int fz_utf8_ok(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t need, k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return 0;
        if (i + need >= n) return 0;
        for (k = 1; k <= need; k++) {
            unsigned x = s[i + k];
            if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) return 0;
        }
        i += need + 1;
    }
    return 1;
}
static void fz_check_map(const dd_baggage *b, uint32_t max_items) {
    dd_baggage_iter it = {0, 0}, it2;
    const char *k, *v, *k2;
    size_t kn, vn, k2n, sum = 0;
    uint32_t n = 0;
    REQUIRE(b->n <= max_items && b->n <= DD_BAGGAGE_ITEMS_MAX && b->len <= DD_BAGGAGE_BYTES_MAX);
    while (dd_baggage_next(b, &it, &k, &kn, &v, &vn) == DD_OK) {
        REQUIRE(kn > 0 && vn > 0);
        REQUIRE(fz_utf8_ok((const unsigned char *)k, kn) && fz_utf8_ok((const unsigned char *)v, vn));
        it2 = it;
        while (dd_baggage_next(b, &it2, &k2, &k2n, NULL, NULL) == DD_OK) REQUIRE(!(k2n == kn && memcmp(k, k2, kn) == 0));
        sum += kn + vn;
        n++;
    }
    REQUIRE(n == b->n && sum == b->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint32_t items[] = {0, 1, 3, 100}, bytes[] = {0, 10, 100, 20000};
    static pf_headers in;
    static dd_baggage b1, b2, b3;
    static char s1[DD_BAGGAGE_BYTES_MAX + 1], s2[DD_BAGGAGE_BYTES_MAX + 1];
    static dd_trace_context c1, c2;
    const char *vals[3];
    size_t lens[3], n, i, l1, l2;
    uint32_t mi, mb, eff_items;
    dd_propagation_config cfg;
    int rc, tr;
    if (size == 0) return 0;
    mi = items[data[0] & 3];
    mb = bytes[(data[0] >> 2) & 3];
    eff_items = mi == 0 ? 64 : mi > 64 ? 64 : mi;
    n = pf_split(data + 1, size - 1, vals, lens, 3);
    /* the parser alone, on the first field */
    rc = dd_baggage_parse(vals[0], lens[0], mi, mb, &b1, &tr);
    REQUIRE(rc == DD_OK || rc == DD_ERR_MALFORMED);
    if (rc != DD_OK) REQUIRE(b1.n == 0 && b1.len == 0);
    fz_check_map(&b1, eff_items);
    /* format -> parse -> format */
    l1 = dd_baggage_format(&b1, mi, mb, s1, sizeof s1, &tr);
    REQUIRE(l1 == strlen(s1) && l1 <= (mb == 0 ? 8192u : mb));
    REQUIRE(dd_baggage_parse(s1, l1, mi, mb, &b2, &tr) == DD_OK);
    REQUIRE(tr == 0);
    fz_check_map(&b2, eff_items);
    /* format trims keys and values (R-BG-12), so two stored keys may meet ("k" and a decoded "k ")
     * and the later value wins on parse: from the second pass on, the text is fixed */
    l2 = dd_baggage_format(&b2, mi, mb, s2, sizeof s2, NULL);
    REQUIRE(dd_baggage_parse(s2, l2, mi, mb, &b3, &tr) == DD_OK && tr == 0);
    l1 = dd_baggage_format(&b3, mi, mb, s1, sizeof s1, NULL);
    REQUIRE(l1 == l2 && memcmp(s1, s2, l1) == 0);
    /* the item API rebuilds the map */
    {
        dd_baggage_iter it = {0, 0};
        const char *k, *v;
        size_t kn, vn;
        memset(&b3, 0, sizeof b3);
        while (dd_baggage_next(&b2, &it, &k, &kn, &v, &vn) == DD_OK) REQUIRE(dd_baggage_set(&b3, k, kn, v, vn) == DD_OK);
        REQUIRE(b3.n == b2.n && b3.len == b2.len && memcmp(b3.data, b2.data, b2.len) == 0);
        if (b3.n) {
            it.i = it.off = 0;
            REQUIRE(dd_baggage_next(&b2, &it, &k, &kn, &v, &vn) == DD_OK);
            REQUIRE(dd_baggage_remove(&b3, k, kn) == DD_OK);
            REQUIRE(b3.n == b2.n - 1 && b3.len == b2.len - kn - vn);
            REQUIRE(dd_baggage_get(&b3, k, kn, &v, &vn) == DD_ERR_NOT_FOUND);
        }
    }
    /* through dd_extract / dd_inject */
    dd_propagation_config_default(&cfg);
    cfg.baggage_max_items = (int32_t)mi;
    cfg.baggage_max_bytes = (int32_t)mb;
    cfg.extract_behavior = (data[0] & 0x20) ? DD_EXTRACT_RESTART : DD_EXTRACT_CONTINUE;
    pf_init(&in);
    if (data[0] & 0x10) {
        pf_add(&in, "x-datadog-trace-id", "123", 3);
        pf_add(&in, "x-datadog-parent-id", "456", 3);
    }
    for (i = 0; i < n; i++) pf_add(&in, (data[0] & 0x40) ? "Baggage" : "baggage", vals[i], lens[i]);
    {
        dd_carrier_reader r;
        dd_headers_reader(&r, &in.list);
        rc = dd_extract(&cfg, &r, &c1);
    }
    if (cfg.extract_behavior == DD_EXTRACT_RESTART) { /* a restart link is not a terminated context */
        REQUIRE(rc == DD_OK || rc == DD_ERR_NOT_FOUND);
        if (rc == DD_OK) REQUIRE(c1.trace_id.lo == 0 && c1.n_links == ((data[0] & 0x10) ? 1u : 0u));
        if (rc != DD_OK || c1.n_links) return 0;
    }
    pf_check(&c1, rc);
    if (rc != DD_OK) {
        REQUIRE(!(data[0] & 0x10));
        return 0;
    }
    fz_check_map(&c1.baggage, eff_items);
    /* baggage only, all of it too long once encoded: nothing to inject (DD_ERR_INVALID_ARG); a
     * header dd_inject writes has at most DD_BAGGAGE_HEADER_MAX bytes */
    if (!c1.trace_id.lo && !c1.trace_id.hi &&
        !dd_baggage_format(&c1.baggage, mi, mb > DD_BAGGAGE_HEADER_MAX ? DD_BAGGAGE_HEADER_MAX : mb, s1, sizeof s1, NULL))
        return 0;
    pf_roundtrip(&cfg, &c1, &c2);
    return 0;
}
