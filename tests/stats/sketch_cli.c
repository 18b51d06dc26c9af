/* tests/stats/sketch_cli.c - the C side of tests/stats_sketch_test.sh.
 *
 *   sketch_cli enc V1 V2 ...        the SDK's sketch of those values (dd__sk_add): its protobuf
 *                                   bytes in hex, then its non-empty bins "index:count ...", then
 *                                   the quantiles Q (below) decoded with sketches-go's rule
 *   sketch_cli dec floor|ceil HEX   decodes any DDSketch protobuf (packed or unpacked
 *                                   contiguousBinCounts, binCounts map, indexOffset, zeroCount)
 *                                   with a small independent decoder; prints count, zero count,
 *                                   the non-empty keys and the quantiles Q. floor: bin i covers
 *                                   [g^i, g^(i+1)) (sketches-go, the SDK); ceil: key k covers
 *                                   (g^(k-1), g^k] (sketches-js). Both give a bin the value at
 *                                   equal relative distance from its ends.
 * Q = 0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1; a quantile q is the bin holding the element of
 * rank floor(q * (count - 1)) (both libraries' rule). One line each, numbers with %.17g. */
#define _POSIX_C_SOURCE 200809L
#define DD_TRACE_IMPLEMENTATION
#include "../../dd_trace.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double Q[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1};
#define NQ (sizeof Q / sizeof Q[0])
#define MAXBINS 70000

typedef struct {
    long key;
    double count;
} bin;
static int cmp_bin(const void *a, const void *b) {
    long x = ((const bin *)a)->key, y = ((const bin *)b)->key;
    return x < y ? -1 : x > y;
}

/* quantiles from sorted (key, count) bins and a zero count; value(key) by the convention */
static void quantiles(const bin *b, size_t n, double zero, double gamma, double offset, int ceil_rule) {
    double total = zero, ra = (gamma - 1) / (gamma + 1);
    size_t i, j;
    for (i = 0; i < n; i++) total += b[i].count;
    printf("count %.17g zero %.17g\n", total, zero);
    printf("keys");
    for (i = 0; i < n; i++)
        if (b[i].count != 0) printf(" %ld:%.17g", b[i].key, b[i].count);
    printf("\nquantiles");
    for (j = 0; j < NQ; j++) {
        double rank = floor(Q[j] * (total - 1)), run = zero, v = 0;
        if (total <= 0) {
            printf(" nan");
            continue;
        }
        if (rank < zero) {
            printf(" 0");
            continue;
        }
        for (i = 0; i < n; i++) {
            run += b[i].count;
            if (run > rank) break;
        }
        if (i == n) i = n - 1;
        v = pow(gamma, (double)b[i].key - offset - (ceil_rule ? 1 : 0)) * (1 + ra);
        printf(" %.17g", v);
    }
    printf("\n");
}

static int encode(int argc, char **argv) {
    dd_tracer_config c;
    dd_tracer *t;
    dd__sketch k;
    uint64_t budget = 0;
    uint8_t *buf;
    size_t n, i;
    bin *b;
    dd_tracer_config_init(&c);
    c.startup_logs = DD_OFF;
    c.cgroup_path = "";
    c.delivery = DD_DELIVERY_MANUAL;
    t = dd_tracer_new(&c);
    memset(&k, 0, sizeof k);
    for (i = 0; i < (size_t)argc; i++) dd__sk_add(t, &k, strtod(argv[i], NULL), &budget);
    n = dd__sk_proto_len(&k);
    buf = (uint8_t *)malloc(n);
    if (dd__sk_proto(&k, buf) != n) return 1;
    for (i = 0; i < n; i++) printf("%02x", buf[i]);
    printf("\n");
    b = (bin *)calloc(k.n + 1, sizeof *b);
    for (i = 0; i < k.n; i++) b[i].key = k.lo + (long)i, b[i].count = (double)k.bins[i];
    quantiles(b, k.n, (double)k.zero, DD__SK_GAMMA, 0, 0);
    free(b);
    free(buf);
    dd__free(&t->alloc, k.bins, (size_t)k.cap * 8);
    dd_tracer_free(t);
    return 0;
}

/* --- an independent protobuf reader (bounded; any error = exit 2) --- */
typedef struct {
    const uint8_t *p, *end;
} rd;
static uint64_t varint(rd *r) {
    uint64_t v = 0;
    int s = 0;
    while (r->p < r->end && s < 64) {
        uint8_t c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80)) return v;
        s += 7;
    }
    fprintf(stderr, "bad varint\n");
    exit(2);
}
static double f64(rd *r) {
    uint64_t b = 0;
    double d;
    int i;
    if (r->end - r->p < 8) exit(2);
    for (i = 0; i < 8; i++) b |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    memcpy(&d, &b, 8);
    return d;
}
static rd sub(rd *r) {
    uint64_t n = varint(r);
    rd s;
    if (n > (uint64_t)(r->end - r->p)) exit(2);
    s.p = r->p;
    s.end = r->p + n;
    r->p += n;
    return s;
}
static void skip(rd *r, int wt) {
    if (wt == 0) varint(r);
    else if (wt == 1) f64(r);
    else if (wt == 2) sub(r);
    else if (wt == 5) {
        if (r->end - r->p < 4) exit(2);
        r->p += 4;
    } else exit(2);
}
static long zz(uint64_t v) { return (long)(int32_t)((uint32_t)(v >> 1) ^ (uint32_t)-(int64_t)(v & 1)); }

static bin bins[MAXBINS];
static size_t nbins;
static void add_bin(long key, double c) {
    if (nbins == MAXBINS) exit(2);
    bins[nbins].key = key;
    bins[nbins].count = c;
    nbins++;
}
static void store(rd s, int positive) {
    double contiguous[MAXBINS];
    size_t nc = 0, i;
    long offset = 0;
    while (s.p < s.end) {
        uint64_t tag = varint(&s);
        int f = (int)(tag >> 3), wt = (int)(tag & 7);
        if (f == 1 && wt == 2) { /* binCounts map entry */
            rd e = sub(&s);
            long key = 0;
            double c = 0;
            while (e.p < e.end) {
                uint64_t et = varint(&e);
                if ((et >> 3) == 1 && (et & 7) == 0) key = zz(varint(&e));
                else if ((et >> 3) == 2 && (et & 7) == 1) c = f64(&e);
                else skip(&e, (int)(et & 7));
            }
            if (positive) add_bin(key, c);
        } else if (f == 2 && wt == 2) { /* packed */
            rd e = sub(&s);
            while (e.p < e.end) {
                if (nc == MAXBINS) exit(2);
                contiguous[nc++] = f64(&e);
            }
        } else if (f == 2 && wt == 1) { /* unpacked */
            if (nc == MAXBINS) exit(2);
            contiguous[nc++] = f64(&s);
        } else if (f == 3 && wt == 0) {
            offset = zz(varint(&s));
        } else {
            skip(&s, wt);
        }
    }
    if (!positive) {
        for (i = 0; i < nc; i++)
            if (contiguous[i] != 0) {
                fprintf(stderr, "negative values present\n");
                exit(2);
            }
        return;
    }
    for (i = 0; i < nc; i++)
        if (contiguous[i] != 0) add_bin(offset + (long)i, contiguous[i]);
}
static int decode(const char *rule, const char *hex) {
    size_t n = strlen(hex) / 2, i;
    uint8_t *buf = (uint8_t *)malloc(n + 1);
    rd r;
    double gamma = 0, offset = 0, zero = 0;
    size_t out = 0;
    for (i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return 2;
        buf[i] = (uint8_t)v;
    }
    r.p = buf;
    r.end = buf + n;
    while (r.p < r.end) {
        uint64_t tag = varint(&r);
        int f = (int)(tag >> 3), wt = (int)(tag & 7);
        if (f == 1 && wt == 2) {
            rd m = sub(&r);
            while (m.p < m.end) {
                uint64_t mt = varint(&m);
                if ((mt >> 3) == 1 && (mt & 7) == 1) gamma = f64(&m);
                else if ((mt >> 3) == 2 && (mt & 7) == 1) offset = f64(&m);
                else if ((mt >> 3) == 3 && (mt & 7) == 0) {
                    if (varint(&m) != 0) {
                        fprintf(stderr, "not a logarithmic mapping\n");
                        return 2;
                    }
                } else skip(&m, (int)(mt & 7));
            }
        } else if ((f == 2 || f == 3) && wt == 2) {
            store(sub(&r), f == 2);
        } else if (f == 4 && wt == 1) {
            zero = f64(&r);
        } else {
            skip(&r, wt);
        }
    }
    if (!(gamma > 1)) return 2;
    printf("gamma %.17g\n", gamma);
    qsort(bins, nbins, sizeof *bins, cmp_bin);
    for (i = 0; i < nbins; i++) { /* merge repeated keys */
        if (out && bins[out - 1].key == bins[i].key) bins[out - 1].count += bins[i].count;
        else bins[out++] = bins[i];
    }
    quantiles(bins, out, zero, gamma, offset, strcmp(rule, "ceil") == 0);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "enc") == 0) return encode(argc - 2, argv + 2);
    if (argc == 4 && strcmp(argv[1], "dec") == 0) return decode(argv[2], argv[3]);
    fprintf(stderr, "usage: sketch_cli enc V... | dec floor|ceil HEX\n");
    return 2;
}
