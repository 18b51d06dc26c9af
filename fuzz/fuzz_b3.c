/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_b3.c -o fuzz_b3 && ./fuzz_b3 -dict=fuzz/dict/b3.dict fuzz/corpus/b3
 *
 * The b3multi and b3 (single header) styles on hostile headers. Byte 0 picks the style (bit 0: b3 single,
 * else b3multi) and the name spelling (bit 1); the rest, split at '\n', gives x-b3-traceid,
 * x-b3-spanid, x-b3-sampled, b3 and x-b3-flags. Properties: those of fuzz/propagation_fuzz.h, plus one
 * round trip keeps the trace id and parent exactly, and the priority's sampled bit. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *lower[] = {"x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "b3", "x-b3-flags"};
    static const char *upper[] = {"X-B3-TraceId", "X-B3-SPANID", "X-B3-Sampled", "B3", "X-B3-Flags"};
    static pf_headers in;
    const char *vals[5];
    size_t lens[5], n, i;
    dd_propagation_config cfg;
    dd_trace_context c1, c2;
    if (size == 0) return 0;
    pf_cfg1(&cfg, (data[0] & 1) ? DD_STYLE_B3 : DD_STYLE_B3MULTI);
    n = pf_split(data + 1, size - 1, vals, lens, 5);
    pf_init(&in);
    for (i = 0; i < n; i++) pf_add(&in, (data[0] & 2) ? upper[i] : lower[i], vals[i], lens[i]);
    if (pf_extract(&cfg, &in, &c1) != DD_OK) return 0;
    REQUIRE(c1.origin_len == 0 && c1.tracestate_len == 0 && c1.n_links == 0);
    pf_roundtrip(&cfg, &c1, &c2);
    REQUIRE(c1.trace_id.hi == c2.trace_id.hi && c1.trace_id.lo == c2.trace_id.lo);
    REQUIRE(c1.parent_id == c2.parent_id);
    if (c1.sampling_priority == DD_PRIORITY_UNSET) REQUIRE(c2.sampling_priority == DD_PRIORITY_UNSET);
    else REQUIRE(c2.sampling_priority == (c1.sampling_priority > 0 ? 1 : 0));
    return 0;
}
