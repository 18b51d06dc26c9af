/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_xdatadog_tags.c -o fuzz_xdatadog_tags && ./fuzz_xdatadog_tags -dict=fuzz/dict/xdatadog_tags.dict fuzz/corpus/xdatadog_tags
 *
 * The x-datadog-tags decoder and encoder: the whole input is the header value, beside valid ids.
 * Properties: those of fuzz/propagation_fuzz.h; the context is always valid (bad tags never cost the
 * trace); more than 512 bytes gives no tags and extract_max_size; tags, when any, are re-encoded and
 * decoded to the same string, and the inject error is empty unless the limit was reached. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pf_headers in, out;
    dd_propagation_config cfg;
    dd_trace_context c1, c2;
    dd_carrier_writer w;
    char err[DD_PROPAGATION_ERROR_MAX + 1];
    pf_cfg1(&cfg, DD_STYLE_DATADOG);
    pf_init(&in);
    pf_add(&in, "x-datadog-trace-id", "123", 3);
    pf_add(&in, "x-datadog-parent-id", "456", 3);
    pf_add(&in, "x-datadog-tags", (const char *)data, size);
    REQUIRE(pf_extract(&cfg, &in, &c1) == DD_OK);
    REQUIRE(c1.trace_id.lo == 123 && c1.parent_id == 456);
    if (size > 512) REQUIRE(c1.ptags_len == 0 && strcmp(c1.propagation_error, "extract_max_size") == 0);
    if (c1.propagation_error[0] == 'd') REQUIRE(c1.ptags_len == 0); /* decoding_error drops every tag */
    pf_init(&out);
    dd_headers_writer(&w, &out.list);
    REQUIRE(dd_inject_checked(&cfg, &c1, &w, err) == DD_OK);
    REQUIRE(err[0] == 0);
    REQUIRE(pf_extract(&cfg, &out, &c2) == DD_OK);
    REQUIRE(strcmp(c1.ptags, c2.ptags) == 0);
    REQUIRE(c1.trace_id.hi == c2.trace_id.hi);
    REQUIRE(c2.propagation_error[0] == 0);
    return 0;
}
