/* clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_xray.c -o fuzz_xray && ./fuzz_xray -dict=fuzz/dict/xray.dict fuzz/corpus/xray
 *
 * X-Amzn-Trace-Id / _X_AMZN_TRACE_ID parsing (dd_xray_parse) and the xray style on hostile input: the
 * whole input is the header value. Properties: those of fuzz/propagation_fuzz.h; dd_xray_parse and the
 * style agree; an accepted value has a 63-bit trace id, priority 2 or -1; dd_xray_format of it parses back
 * to the same ids, priority and origin, and never writes past the buffer it is given. */
#include "propagation_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pf_headers in;
    dd_propagation_config cfg;
    dd_trace_context c1, c2, c3;
    char out[256], small[24];
    size_t n, m;
    int rc;
    rc = dd_xray_parse((const char *)data, size, &c1);
    pf_check(&c1, rc);
    pf_cfg1(&cfg, DD_STYLE_XRAY);
    pf_init(&in);
    pf_add(&in, "X-Amzn-Trace-Id", (const char *)data, size);
    REQUIRE(pf_extract(&cfg, &in, &c2) == rc || (size == 0 && rc == DD_ERR_NOT_FOUND));
    if (rc != DD_OK) return 0;
    REQUIRE(c1.trace_id.hi == 0 && c1.trace_id.lo <= 0x7fffffffffffffffULL);
    REQUIRE(c1.sampling_priority == 2 || c1.sampling_priority == -1);
    n = dd_xray_format(&c1, out, sizeof out);
    REQUIRE(n < sizeof out && strlen(out) == n);
    memset(small, 'z', sizeof small);
    m = dd_xray_format(&c1, small, 10);
    REQUIRE(m == n && strlen(small) == 9 && memcmp(small, out, 9) == 0 && small[10] == 'z');
    REQUIRE(dd_xray_parse(out, n, &c3) == DD_OK);
    REQUIRE(c3.trace_id.lo == c1.trace_id.lo && c3.parent_id == c1.parent_id);
    REQUIRE(c3.sampling_priority == c1.sampling_priority);
    REQUIRE(strcmp(c3.origin, c1.origin) == 0);
    pf_roundtrip(&cfg, &c1, &c2);
    return 0;
}
