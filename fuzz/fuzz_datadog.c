/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_datadog.c -o fuzz_datadog && ./fuzz_datadog -dict=fuzz/dict/datadog.dict fuzz/corpus/datadog
 *
 * The datadog style on hostile headers. Byte 0 picks the header-name spelling (bit 0: upper case) and
 * extract-first (bit 1); the rest, split at '\n', gives x-datadog-trace-id, -parent-id,
 * -sampling-priority, -origin and -tags in that order (a header is absent when the input has fewer
 * values). Properties: those of fuzz/propagation_fuzz.h, plus one round trip keeps the trace id, parent,
 * priority, origin and propagated tags exactly. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *lower[] = {"x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
                                  "x-datadog-origin", "x-datadog-tags"};
    static const char *upper[] = {"X-DATADOG-TRACE-ID", "X-Datadog-Parent-Id", "X-DATADOG-SAMPLING-PRIORITY",
                                  "X-Datadog-Origin", "X-DATADOG-TAGS"};
    static pf_headers in;
    const char *vals[5];
    size_t lens[5], n, i;
    dd_propagation_config cfg;
    dd_trace_context c1, c2;
    if (size == 0) return 0;
    pf_cfg1(&cfg, DD_STYLE_DATADOG);
    cfg.extract_first = (data[0] >> 1) & 1;
    n = pf_split(data + 1, size - 1, vals, lens, 5);
    pf_init(&in);
    for (i = 0; i < n; i++) pf_add(&in, (data[0] & 1) ? upper[i] : lower[i], vals[i], lens[i]);
    if (pf_extract(&cfg, &in, &c1) != DD_OK) return 0;
    pf_roundtrip(&cfg, &c1, &c2);
    REQUIRE(c1.trace_id.hi == c2.trace_id.hi && c1.trace_id.lo == c2.trace_id.lo);
    REQUIRE(c1.parent_id == c2.parent_id);
    REQUIRE(c1.sampling_priority == c2.sampling_priority);
    REQUIRE(strcmp(c1.origin, c2.origin) == 0);
    REQUIRE(strcmp(c1.ptags, c2.ptags) == 0);
    return 0;
}
