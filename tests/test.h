/* tests/test.h - the project's test harness: an explicit table of cases, no registration magic.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_EQ_U64(a, b); CHECK_STR(got, "want"); }
 *   static const test_case cases[] = { TEST(test_x), ... };
 *   int main(void) { return test_run("msgpack", cases, sizeof cases / sizeof cases[0]); }
 *
 * Each case passes when no CHECK in it failed. The last line printed is "N passed, N failed";
 * tests/run.sh sums those lines across every program and script. */
#ifndef DD_TEST_H
#define DD_TEST_H
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;
#define TEST(fn) {#fn, fn}

static int test__case_failures;
static const char *test__case_name = "";

#define CHECK(c) test__check((c) ? 1 : 0, #c, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b) test__check_i((long long)(a), (long long)(b), #a, __FILE__, __LINE__)
#define CHECK_EQ_U64(a, b) test__check_u((uint64_t)(a), (uint64_t)(b), #a, __FILE__, __LINE__)
#define CHECK_STR(a, b) test__check_s((a), (b), #a, __FILE__, __LINE__)
#define CHECK_MEM(a, alen, b, blen) test__check_m((a), (alen), (b), (blen), #a, __FILE__, __LINE__)

static int test__check(int ok, const char *what, const char *file, int line) {
    if (!ok) {
        if (test__case_failures++ < 10)
            fprintf(stderr, "  FAIL %s: %s:%d: %s\n", test__case_name, file, line, what);
    }
    return ok;
}
static int test__check_i(long long a, long long b, const char *what, const char *file, int line) {
    if (a != b && test__case_failures < 10)
        fprintf(stderr, "  FAIL %s: %s:%d: %s = %lld, want %lld\n", test__case_name, file, line, what, a, b);
    if (a != b) test__case_failures++;
    return a == b;
}
static int test__check_u(uint64_t a, uint64_t b, const char *what, const char *file, int line) {
    if (a != b && test__case_failures < 10)
        fprintf(stderr, "  FAIL %s: %s:%d: %s = %" PRIu64 ", want %" PRIu64 "\n", test__case_name, file, line,
                what, a, b);
    if (a != b) test__case_failures++;
    return a == b;
}
static int test__check_s(const char *a, const char *b, const char *what, const char *file, int line) {
    int ok = a && b && strcmp(a, b) == 0;
    if (!ok && test__case_failures < 10)
        fprintf(stderr, "  FAIL %s: %s:%d: %s = \"%s\", want \"%s\"\n", test__case_name, file, line, what,
                a ? a : "(null)", b ? b : "(null)");
    if (!ok) test__case_failures++;
    return ok;
}
static int test__check_m(const void *a, size_t alen, const void *b, size_t blen, const char *what,
                         const char *file, int line) {
    int ok = alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
    if (!ok && test__case_failures < 10) {
        size_t i;
        fprintf(stderr, "  FAIL %s: %s:%d: %s differs\n    got  (%u):", test__case_name, file, line, what,
                (unsigned)alen);
        for (i = 0; i < alen && i < 48; i++) fprintf(stderr, " %02x", ((const unsigned char *)a)[i]);
        fprintf(stderr, "\n    want (%u):", (unsigned)blen);
        for (i = 0; i < blen && i < 48; i++) fprintf(stderr, " %02x", ((const unsigned char *)b)[i]);
        fprintf(stderr, "\n");
    }
    if (!ok) test__case_failures++;
    return ok;
}

/* Runs every case (or those whose name contains argv-style `filter`, when not NULL). */
static int test_run_filtered(const char *suite, const test_case *cases, size_t n, const char *filter) {
    size_t i, passed = 0, failed = 0;
    for (i = 0; i < n; i++) {
        if (filter && !strstr(cases[i].name, filter)) continue;
        test__case_failures = 0;
        test__case_name = cases[i].name;
        cases[i].fn();
        if (test__case_failures) {
            failed++;
            fprintf(stderr, "%s: %s FAILED (%d checks)\n", suite, cases[i].name, test__case_failures);
        } else {
            passed++;
        }
    }
    printf("%s: %u passed, %u failed\n", suite, (unsigned)passed, (unsigned)failed);
    return failed ? 1 : 0;
}
static int test_run(const char *suite, const test_case *cases, size_t n) {
    return test_run_filtered(suite, cases, n, NULL);
}
#endif
