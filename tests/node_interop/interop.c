/* cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I../.. interop.c -o interop
 *
 * The C side of tests/node_interop_test.sh: a thin command-line wrapper over dd_propagation.h.
 *   interop extract <styles>     headers on stdin, one "name: value" per line; prints the context as JSON:
 *                                {"rc":0,"trace_id":"<32 hex>","parent_id":"<16 hex>","priority":1|null,
 *                                 "origin":"...","ptags":{"_dd.p.dm":"-4",...}}
 *                                plus "baggage":{"key":"value",...} (UTF-8 as is) and "links":[{"trace_id":"<32 hex>",
 *                                "span_id":"<16 hex>","reason":"...","context_headers":"..."}]; a context
 *                                without trace id (baggage only, extract behaviour restart) prints
 *                                "trace_id":null
 *   interop inject <styles> <trace id, 32 hex> <parent id, 16 hex> <priority|unset> <origin|-> <ptags|->
 *                                baggage items on stdin, one "key<TAB>value" per line (may be empty);
 *                                trace id 0 injects baggage only;
 *                                prints the written headers as one JSON object {"name":"value",...}
 * The configuration is the default, then the DD_TRACE_PROPAGATION_* / DD_TRACE_BAGGAGE_* environment
 * (extract behaviour, limits), then <styles>.
 * Exit status 0 unless the arguments are wrong. */
#define DD_PROPAGATION_IMPLEMENTATION
#include "../../dd_propagation.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_str(const char *s, size_t n) {
    size_t i;
    putchar('"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
        else putchar(c); /* UTF-8 as is: extraction repairs it */
    }
    putchar('"');
}

static int do_extract(const dd_propagation_config *cfg) {
    static char text[65536];
    static dd_header items[256];
    size_t len = fread(text, 1, sizeof text - 1, stdin), n = 0, pos = 0;
    dd_headers h;
    dd_carrier_reader r;
    dd_trace_context c;
    char hex[33];
    int rc;
    text[len] = 0;
    while (pos < len && n < 256) {
        char *line = text + pos, *nl = strchr(line, '\n'), *sep;
        size_t ln = nl ? (size_t)(nl - line) : strlen(line);
        pos += ln + 1;
        line[ln] = 0;
        sep = strstr(line, ": ");
        if (!sep) continue;
        items[n].name = line;
        items[n].name_len = (size_t)(sep - line);
        items[n].value = sep + 2;
        items[n].value_len = strlen(sep + 2);
        n++;
    }
    memset(&h, 0, sizeof h);
    h.items = items;
    h.n = n;
    dd_headers_reader(&r, &h);
    rc = dd_extract(cfg, &r, &c);
    printf("{\"rc\":%d", rc);
    if (rc == DD_OK) {
        dd_baggage_iter it = {0, 0};
        const char *k, *v;
        size_t kn, vn;
        uint32_t i;
        int firstb = 1;
        printf(",\"baggage\":{");
        while (dd_baggage_next(&c.baggage, &it, &k, &kn, &v, &vn) == DD_OK) {
            if (!firstb) putchar(',');
            firstb = 0;
            json_str(k, kn);
            putchar(':');
            json_str(v, vn);
        }
        printf("},\"links\":[");
        for (i = 0; i < c.n_links; i++) {
            dd_trace_id_to_hex32(&c.links[i].trace_id, hex);
            printf("%s{\"trace_id\":\"%s\"", i ? "," : "", hex);
            dd_u64_to_hex16(c.links[i].span_id, hex);
            printf(",\"span_id\":\"%s\",\"reason\":", hex);
            json_str(c.links[i].reason, strlen(c.links[i].reason));
            printf(",\"context_headers\":");
            json_str(c.links[i].context_headers, strlen(c.links[i].context_headers));
            putchar('}');
        }
        putchar(']');
    }
    if (rc == DD_OK && !c.trace_id.hi && !c.trace_id.lo) {
        printf(",\"trace_id\":null}\n");
        return 0;
    }
    if (rc == DD_OK) {
        size_t p = 0;
        int first = 1;
        dd_trace_id_to_hex32(&c.trace_id, hex);
        printf(",\"trace_id\":\"%s\"", hex);
        dd_u64_to_hex16(c.parent_id, hex);
        printf(",\"parent_id\":\"%s\"", hex);
        if (c.sampling_priority == DD_PRIORITY_UNSET) printf(",\"priority\":null");
        else printf(",\"priority\":%d", (int)c.sampling_priority);
        printf(",\"origin\":");
        json_str(c.origin, c.origin_len);
        printf(",\"ptags\":{");
        while (p < c.ptags_len) {
            const char *t = c.ptags + p, *comma = memchr(t, ',', c.ptags_len - p), *eq;
            size_t tn = comma ? (size_t)(comma - t) : c.ptags_len - p;
            p += tn + 1;
            eq = memchr(t, '=', tn);
            if (!eq) continue;
            if (!first) putchar(',');
            first = 0;
            json_str(t, (size_t)(eq - t));
            putchar(':');
            json_str(eq + 1, tn - (size_t)(eq - t) - 1);
        }
        printf("},\"propagation_error\":");
        json_str(c.propagation_error, strlen(c.propagation_error));
    }
    printf("}\n");
    return 0;
}

static int do_inject(const dd_propagation_config *cfg, char **argv) {
    static dd_trace_context c;
    static char text[65536];
    dd_header items[16];
    char buf[32768];
    dd_headers h;
    size_t len, pos = 0;
    dd_carrier_writer w;
    size_t i;
    int rc;
    memset(&c, 0, sizeof c);
    if (dd_trace_id_from_hex(argv[0], strlen(argv[0]), &c.trace_id) != DD_OK ||
        dd_u64_from_hex(argv[1], strlen(argv[1]), &c.parent_id) != DD_OK)
        return 2;
    c.sampling_priority = strcmp(argv[2], "unset") == 0 ? DD_PRIORITY_UNSET : atoi(argv[2]);
    if (strcmp(argv[3], "-") != 0) {
        c.origin_len = (uint32_t)strlen(argv[3]);
        if (c.origin_len > DD_ORIGIN_MAX) return 2;
        memcpy(c.origin, argv[3], c.origin_len);
    }
    if (strcmp(argv[4], "-") != 0) {
        c.ptags_len = (uint32_t)strlen(argv[4]);
        if (c.ptags_len > DD_PTAGS_MAX) return 2;
        memcpy(c.ptags, argv[4], c.ptags_len);
    }
    len = fread(text, 1, sizeof text - 1, stdin);
    text[len] = 0;
    while (pos < len) {
        char *line = text + pos, *nl = strchr(line, '\n'), *tab;
        size_t ln = nl ? (size_t)(nl - line) : strlen(line);
        pos += ln + 1;
        line[ln] = 0;
        tab = strchr(line, '\t');
        if (!tab) continue;
        if (dd_baggage_set(&c.baggage, line, (size_t)(tab - line), tab + 1, strlen(tab + 1)) != DD_OK) return 2;
    }
    dd_headers_init(&h, items, 16, buf, sizeof buf);
    dd_headers_writer(&w, &h);
    rc = dd_inject(cfg, &c, &w);
    if (rc != DD_OK) {
        printf("{\"rc\":%d}\n", rc);
        return 0;
    }
    putchar('{');
    for (i = 0; i < h.n; i++) {
        if (i) putchar(',');
        json_str(items[i].name, items[i].name_len);
        putchar(':');
        json_str(items[i].value, items[i].value_len);
    }
    printf("}\n");
    return 0;
}

int main(int argc, char **argv) {
    dd_propagation_config cfg;
    int *styles, *n;
    if (argc < 3) return 2;
    dd_propagation_config_default(&cfg);
    dd_propagation_config_from_env(&cfg, NULL, NULL, NULL);
    styles = strcmp(argv[1], "extract") == 0 ? cfg.extract_styles : cfg.inject_styles;
    n = strcmp(argv[1], "extract") == 0 ? &cfg.n_extract : &cfg.n_inject;
    if (dd_propagation_parse_styles(argv[2], strlen(argv[2]), styles, n) != DD_OK) return 2;
    if (strcmp(argv[1], "extract") == 0) return do_extract(&cfg);
    if (strcmp(argv[1], "inject") == 0 && argc == 8) return do_inject(&cfg, argv + 3);
    return 2;
}
