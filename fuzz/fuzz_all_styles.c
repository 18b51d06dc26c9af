/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_all_styles.c -o fuzz_all_styles && ./fuzz_all_styles -dict=fuzz/dict/all_styles.dict fuzz/corpus/all_styles
 *
 * Every style at once. Byte 0 picks the styles: bits 0-4 switch datadog, tracecontext, b3multi, b3 and
 * xray on, bit 5 reverses their order, bit 6 sets extract-first, bit 7 adds "none". The rest, split at
 * '\n', gives the values of x-datadog-trace-id, x-datadog-parent-id, x-datadog-sampling-priority,
 * x-datadog-origin, x-datadog-tags, traceparent, tracestate, x-b3-traceid, x-b3-spanid, x-b3-sampled,
 * b3, x-amzn-trace-id and a second tracestate. Properties: those of fuzz/propagation_fuzz.h (including
 * extract -> inject -> extract stability with the same styles both ways; with xray among them, links
 * and merged tracestate are left out of the comparison, see pf_narrowing). */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *names[] = {"x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
                                  "x-datadog-origin", "x-datadog-tags", "traceparent", "tracestate",
                                  "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "b3", "x-amzn-trace-id",
                                  "tracestate"};
    static const int all[] = {DD_STYLE_DATADOG, DD_STYLE_TRACECONTEXT, DD_STYLE_B3MULTI, DD_STYLE_B3, DD_STYLE_XRAY};
    static pf_headers in;
    const char *vals[13];
    size_t lens[13], n, i;
    dd_propagation_config cfg;
    dd_trace_context c1, c2;
    int k = 0;
    if (size == 0) return 0;
    dd_propagation_config_default(&cfg);
    for (i = 0; i < 5; i++) {
        size_t j = (data[0] & 0x20) ? 4 - i : i;
        if (data[0] & (1u << j)) cfg.extract_styles[k++] = all[j];
    }
    if (data[0] & 0x80) cfg.extract_styles[k++] = DD_STYLE_NONE;
    if (k == 0) return 0; /* an empty list means the defaults; the datadog harness covers those */
    cfg.n_extract = cfg.n_inject = k;
    memcpy(cfg.inject_styles, cfg.extract_styles, sizeof cfg.inject_styles);
    cfg.extract_first = (data[0] >> 6) & 1;
    pf_narrowing = (data[0] & 0x10) && k > 1;
    n = pf_split(data + 1, size - 1, vals, lens, 13);
    pf_init(&in);
    for (i = 0; i < n; i++) pf_add(&in, names[i], vals[i], lens[i]);
    if (pf_extract(&cfg, &in, &c1) != DD_OK) return 0;
    pf_roundtrip(&cfg, &c1, &c2);
    return 0;
}
