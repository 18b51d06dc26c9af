/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_tracestate.c -o fuzz_tracestate && ./fuzz_tracestate -dict=fuzz/dict/tracestate.dict fuzz/corpus/tracestate
 *
 * tracestate parsing (the dd member, its escaping and limits, foreign members, repeated fields) and
 * composing, beside a valid traceparent: byte 0 bit 0 is the sampled flag; the rest, split at '\n', gives
 * up to four tracestate fields. Properties: those of fuzz/propagation_fuzz.h; the context is always
 * valid; the injected tracestate has at most 32 members, the dd member first and at most 256 bytes;
 * foreign members survive a round trip in order. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pf_headers in, out;
    const char *vals[4];
    size_t lens[4], n, i, members = 1;
    dd_propagation_config cfg;
    dd_trace_context c1, c2;
    dd_carrier_writer w;
    dd_carrier_reader r;
    const char *ts, *comma;
    size_t tsn;
    if (size == 0) return 0;
    pf_cfg1(&cfg, DD_STYLE_TRACECONTEXT);
    pf_init(&in);
    pf_add(&in, "traceparent",
           (data[0] & 1) ? "00-12345678901234567890123456789012-1234567890123456-01"
                         : "00-12345678901234567890123456789012-1234567890123456-00",
           55);
    n = pf_split(data + 1, size - 1, vals, lens, 4);
    for (i = 0; i < n; i++) pf_add(&in, "tracestate", vals[i], lens[i]);
    REQUIRE(pf_extract(&cfg, &in, &c1) == DD_OK);
    pf_init(&out);
    dd_headers_writer(&w, &out.list);
    REQUIRE(dd_inject(&cfg, &c1, &w) == DD_OK);
    dd_headers_reader(&r, &out.list);
    ts = r.get(r.self, "tracestate", 10, &tsn);
    REQUIRE(ts && tsn >= 3 && memcmp(ts, "dd=", 3) == 0);
    comma = (const char *)memchr(ts, ',', tsn);
    REQUIRE((comma ? (size_t)(comma - ts) : tsn) <= 256);
    for (i = 0; i < tsn; i++) members += ts[i] == ',';
    REQUIRE(members <= 32);
    REQUIRE(pf_extract(&cfg, &out, &c2) == DD_OK);
    REQUIRE(c2.sampling_priority == c1.sampling_priority);
    REQUIRE(strncmp(c1.tracestate, c2.tracestate, c2.tracestate_len) == 0); /* a prefix, in order */
    pf_roundtrip(&cfg, &c1, &c2);
    return 0;
}
