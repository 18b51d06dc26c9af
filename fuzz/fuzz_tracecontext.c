/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_tracecontext.c -o fuzz_tracecontext && ./fuzz_tracecontext -dict=fuzz/dict/tracecontext.dict fuzz/corpus/tracecontext
 *
 * The tracecontext style on hostile headers. Byte 0 picks the header-name spelling (bit 0) and whether a
 * reader without get_nth is used (bit 1); the rest, split at '\n', gives traceparent, tracestate, a
 * second tracestate and a second traceparent. Properties: those of fuzz/propagation_fuzz.h, plus one
 * round trip keeps the trace id, parent and priority exactly. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *lower[] = {"traceparent", "tracestate", "tracestate", "traceparent"};
    static const char *upper[] = {"TraceParent", "TRACESTATE", "TraceState", "TRACEPARENT"};
    static pf_headers in;
    const char *vals[4];
    size_t lens[4], n, i;
    dd_propagation_config cfg;
    dd_carrier_reader r;
    dd_trace_context c1, c2;
    int rc;
    if (size == 0) return 0;
    pf_cfg1(&cfg, DD_STYLE_TRACECONTEXT);
    n = pf_split(data + 1, size - 1, vals, lens, 4);
    pf_init(&in);
    for (i = 0; i < n; i++) pf_add(&in, (data[0] & 1) ? upper[i] : lower[i], vals[i], lens[i]);
    dd_headers_reader(&r, &in.list);
    if (data[0] & 2) r.get_nth = NULL;
    rc = dd_extract(&cfg, &r, &c1);
    pf_check(&c1, rc);
    if (rc != DD_OK) return 0;
    pf_roundtrip(&cfg, &c1, &c2);
    REQUIRE(c1.trace_id.hi == c2.trace_id.hi && c1.trace_id.lo == c2.trace_id.lo);
    REQUIRE(c1.parent_id == c2.parent_id);
    REQUIRE(c1.sampling_priority == c2.sampling_priority);
    return 0;
}
