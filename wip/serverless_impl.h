/* wip/serverless_impl.h: developed apart, merged into its header before release. */
#include <string.h>

/*=== json reader implementation ===*/

DD__PRIVATE int dd__sls_is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
DD__PRIVATE int dd__sls_is_digit(char c) { return c >= '0' && c <= '9'; }
DD__PRIVATE int dd__sls_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
DD__PRIVATE const char *dd__sls_skip_ws(const char *p, const char *end) {
    while (p < end && dd__sls_is_ws(*p)) p++;
    return p;
}

/* Validating scanners: p at the first byte; return one past the token or NULL when invalid. */
DD__PRIVATE const char *dd__sls_scan_string(const char *p, const char *end) {
    const unsigned char *s = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
    while (s < e) {
        unsigned c = *s;
        if (c == '"') return (const char *)s + 1;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            if (e - s < 2) return NULL;
            c = s[1];
            if (c == 'u') {
                int i;
                if (e - s < 6) return NULL;
                for (i = 2; i < 6; i++)
                    if (dd__sls_hexval((char)s[i]) < 0) return NULL;
                s += 6;
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                       c == 't') {
                s += 2;
            } else {
                return NULL;
            }
            continue;
        }
        if (c < 0x80) { s++; continue; }
        {
            size_t need;
            unsigned lo = 0x80, hi = 0xBF, k;
            if (c >= 0xC2 && c <= 0xDF) need = 1;
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) lo = 0xA0;
                if (c == 0xED) hi = 0x9F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) lo = 0x90;
                if (c == 0xF4) hi = 0x8F;
            } else return NULL;
            if ((size_t)(e - s) < need + 1) return NULL;
            if (s[1] < lo || s[1] > hi) return NULL;
            for (k = 2; k <= need; k++)
                if (s[k] < 0x80 || s[k] > 0xBF) return NULL;
            s += need + 1;
        }
    }
    return NULL;
}
DD__PRIVATE const char *dd__sls_scan_number(const char *p, const char *end) {
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') { while (p < end && dd__sls_is_digit(*p)) p++; }
    else return NULL;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !dd__sls_is_digit(*p)) return NULL;
        while (p < end && dd__sls_is_digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !dd__sls_is_digit(*p)) return NULL;
        while (p < end && dd__sls_is_digit(*p)) p++;
    }
    return p;
}
DD__PRIVATE const char *dd__sls_scan_literal(const char *p, const char *end, const char *lit, size_t n) {
    if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0) return NULL;
    return p + n;
}

/* Non-validating skip over one value of already validated text; never reads at or past end. */
DD__PRIVATE const char *dd__sls_skip_string(const char *p, const char *end) {
    p++;
    while (p < end) {
        if (*p == '\\') { p += 2; continue; }
        if (*p == '"') return p + 1;
        p++;
    }
    return end;
}
DD__PRIVATE const char *dd__sls_skip_value(const char *p, const char *end) {
    if (p >= end) return end;
    if (*p == '"') return dd__sls_skip_string(p, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            char c = *p;
            if (c == '"') { p = dd__sls_skip_string(p, end); continue; }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return p + 1;
            }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ':' && !dd__sls_is_ws(*p)) p++;
    return p;
}
DD__PRIVATE int dd__sls_type_of(char c) {
    switch (c) {
    case '{': return DD_JSON_OBJECT;
    case '[': return DD_JSON_ARRAY;
    case '"': return DD_JSON_STRING;
    case 't': case 'f': return DD_JSON_BOOL;
    case 'n': return DD_JSON_NULL;
    default: return DD_JSON_NUMBER;
    }
}

DD_API int dd_json_parse(const char *text, size_t len, dd_json *root) {
    unsigned char stack[DD_JSON_MAX_DEPTH]; /* 1 = object, 0 = array */
    size_t depth = 0;
    const char *p, *end, *start;
    if (root) memset(root, 0, sizeof *root);
    if (!text || !root) return DD_ERR_INVALID_ARG;
    end = text + len;
    p = dd__sls_skip_ws(text, end);
    start = p;
    for (;;) {
        /* p: at a value */
        if (p >= end) return DD_ERR_MALFORMED;
        switch (*p) {
        case '{':
        case '[':
            if (depth == DD_JSON_MAX_DEPTH) return DD_ERR_DEPTH;
            stack[depth++] = (unsigned char)(*p == '{');
            p = dd__sls_skip_ws(p + 1, end);
            if (p < end && *p == (stack[depth - 1] ? '}' : ']')) {
                depth--;
                p++;
                break;
            }
            if (stack[depth - 1]) {
                if (p >= end || *p != '"') return DD_ERR_MALFORMED;
                if (!(p = dd__sls_scan_string(p, end))) return DD_ERR_MALFORMED;
                p = dd__sls_skip_ws(p, end);
                if (p >= end || *p != ':') return DD_ERR_MALFORMED;
                p = dd__sls_skip_ws(p + 1, end);
            }
            continue;
        case '"': p = dd__sls_scan_string(p, end); break;
        case 't': p = dd__sls_scan_literal(p, end, "true", 4); break;
        case 'f': p = dd__sls_scan_literal(p, end, "false", 5); break;
        case 'n': p = dd__sls_scan_literal(p, end, "null", 4); break;
        default: p = dd__sls_scan_number(p, end); break;
        }
        if (!p) return DD_ERR_MALFORMED;
        /* a value ended: close containers or move to the next member */
        for (;;) {
            if (depth == 0) {
                const char *vend = p;
                p = dd__sls_skip_ws(p, end);
                if (p != end) return DD_ERR_MALFORMED;
                root->p = start;
                root->n = (size_t)(vend - start);
                root->type = dd__sls_type_of(*start);
                return DD_OK;
            }
            p = dd__sls_skip_ws(p, end);
            if (p >= end) return DD_ERR_MALFORMED;
            if (*p == ',') {
                p = dd__sls_skip_ws(p + 1, end);
                if (stack[depth - 1]) {
                    if (p >= end || *p != '"') return DD_ERR_MALFORMED;
                    if (!(p = dd__sls_scan_string(p, end))) return DD_ERR_MALFORMED;
                    p = dd__sls_skip_ws(p, end);
                    if (p >= end || *p != ':') return DD_ERR_MALFORMED;
                    p = dd__sls_skip_ws(p + 1, end);
                }
                break;
            }
            if (*p != (stack[depth - 1] ? '}' : ']')) return DD_ERR_MALFORMED;
            depth--;
            p++;
        }
    }
}

DD_API void dd_json_iter_init(dd_json_iter *it, const dd_json *c) {
    if (!it) return;
    memset(it, 0, sizeof *it);
    it->state = 2;
    if (!c || !c->p || c->n < 2 || (c->type != DD_JSON_OBJECT && c->type != DD_JSON_ARRAY)) return;
    if (c->p[0] != (c->type == DD_JSON_OBJECT ? '{' : '[')) return;
    it->cur = c->p + 1;
    it->end = c->p + c->n - 1; /* the closing bracket */
    it->type = c->type;
    it->state = 0;
}

DD_API int dd_json_next(dd_json_iter *it, dd_json *key, dd_json *val) {
    const char *p, *end, *vs;
    if (key) memset(key, 0, sizeof *key);
    if (val) memset(val, 0, sizeof *val);
    if (!it || it->state == 2 || !it->cur) return DD_ERR_NOT_FOUND;
    end = it->end;
    p = dd__sls_skip_ws(it->cur, end);
    if (it->state == 1) {
        if (p >= end || *p != ',') goto done;
        p = dd__sls_skip_ws(p + 1, end);
    }
    if (p >= end) goto done;
    if (it->type == DD_JSON_OBJECT) {
        const char *ks = p;
        if (*p != '"') goto done;
        p = dd__sls_skip_string(p, end);
        if (key) {
            key->p = ks;
            key->n = (size_t)(p - ks);
            key->type = DD_JSON_STRING;
        }
        p = dd__sls_skip_ws(p, end);
        if (p >= end || *p != ':') goto done;
        p = dd__sls_skip_ws(p + 1, end);
        if (p >= end) goto done;
    }
    vs = p;
    p = dd__sls_skip_value(p, end);
    if (p == vs) goto done;
    if (val) {
        val->p = vs;
        val->n = (size_t)(p - vs);
        val->type = dd__sls_type_of(*vs);
    }
    it->cur = p;
    it->state = 1;
    return DD_OK;
done:
    it->state = 2;
    if (key) memset(key, 0, sizeof *key);
    if (val) memset(val, 0, sizeof *val);
    return DD_ERR_NOT_FOUND;
}

/* One decoding step over a string's body: writes 1..4 UTF-8 bytes to out and returns how many,
 * or 0 at the closing quote / end. */
DD__PRIVATE unsigned dd__sls_hex4(const char *p) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        int h = dd__sls_hexval(p[i]);
        v = (v << 4) | (unsigned)(h < 0 ? 0 : h);
    }
    return v;
}
DD__PRIVATE size_t dd__sls_utf8(uint32_t cp, unsigned char *out) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
DD__PRIVATE size_t dd__sls_str_step(const char **pp, const char *end, unsigned char *out) {
    const char *p = *pp;
    if (p >= end || *p == '"') return 0;
    if (*p != '\\') {
        out[0] = (unsigned char)*p;
        *pp = p + 1;
        return 1;
    }
    if (end - p < 2) { *pp = end; return 0; }
    switch (p[1]) {
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
        uint32_t cp;
        if (end - p < 6) { *pp = end; return 0; }
        cp = dd__sls_hex4(p + 2);
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = dd__sls_hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else cp = 0xFFFD;
            } else cp = 0xFFFD;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;
        *pp = p;
        return dd__sls_utf8(cp, out);
    }
    default: out[0] = (unsigned char)p[1]; break;
    }
    *pp = p + 2;
    return 1;
}

DD_API int dd_json_string(const dd_json *v, char *out, size_t cap, size_t *len) {
    const char *p, *end;
    size_t total = 0, k;
    unsigned char b[4];
    int fits = 1;
    if (len) *len = 0;
    if (out && cap) out[0] = 0;
    if (!v || !v->p || v->type != DD_JSON_STRING || v->n < 2) return DD_ERR_TYPE;
    p = v->p + 1;
    end = v->p + v->n - 1;
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (fits && out && total + k < cap) memcpy(out + total, b, k);
        else fits = 0;
        total += k;
    }
    if (len) *len = total;
    if (!out || total + 1 > cap || !fits) {
        if (out && cap) out[0] = 0;
        return DD_ERR_BUFFER_FULL;
    }
    out[total] = 0;
    return DD_OK;
}

DD_API int dd_json_string_eq(const dd_json *v, const char *s, size_t s_len) {
    const char *p, *end;
    size_t pos = 0, k;
    unsigned char b[4];
    if (!v || !v->p || v->type != DD_JSON_STRING || v->n < 2 || (!s && s_len)) return 0;
    p = v->p + 1;
    end = v->p + v->n - 1;
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (pos + k > s_len || memcmp(s + pos, b, k) != 0) return 0;
        pos += k;
    }
    return pos == s_len;
}

DD_API int dd_json_get(const dd_json *obj, const char *key, size_t key_len, dd_json *out) {
    dd_json_iter it;
    dd_json k, v, found;
    if (out) memset(out, 0, sizeof *out);
    if (!obj || !out || (!key && key_len)) return DD_ERR_INVALID_ARG;
    if (obj->type != DD_JSON_OBJECT) return DD_ERR_TYPE;
    memset(&found, 0, sizeof found);
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &k, &v) == DD_OK)
        if (dd_json_string_eq(&k, key, key_len)) found = v;
    if (!found.p) return DD_ERR_NOT_FOUND;
    *out = found;
    return DD_OK;
}

DD_API int dd_json_at(const dd_json *arr, size_t index, dd_json *out) {
    dd_json_iter it;
    dd_json v;
    size_t i = 0;
    if (out) memset(out, 0, sizeof *out);
    if (!arr || !out) return DD_ERR_INVALID_ARG;
    if (arr->type != DD_JSON_ARRAY) return DD_ERR_TYPE;
    dd_json_iter_init(&it, arr);
    while (dd_json_next(&it, NULL, &v) == DD_OK) {
        if (i++ == index) {
            *out = v;
            return DD_OK;
        }
    }
    return DD_ERR_NOT_FOUND;
}

DD__PRIVATE double dd__sls_pow10(int e) { /* 10^e for 0 <= e <= 22: every one is exact in a double */
    static const double t[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return t[e];
}

DD_API int dd_json_number(const dd_json *v, double *out) {
    const char *p, *end;
    uint64_t m = 0;
    int nd = 0, neg = 0;
    long e10 = 0, ex = 0;
    double d;
    if (out) *out = 0;
    if (!v || !v->p || !out) return DD_ERR_INVALID_ARG;
    if (v->type != DD_JSON_NUMBER) return DD_ERR_TYPE;
    p = v->p;
    end = v->p + v->n;
    if (dd__sls_scan_number(p, end) != end) return DD_ERR_TYPE;
    if (*p == '-') { neg = 1; p++; }
    while (p < end && dd__sls_is_digit(*p)) {
        int dg = *p++ - '0';
        if (m == 0 && dg == 0) continue;
        if (nd < 19) { m = m * 10 + (uint64_t)dg; nd++; }
        else e10++;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && dd__sls_is_digit(*p)) {
            int dg = *p++ - '0';
            if (m == 0 && dg == 0) { e10--; continue; }
            if (nd < 19) { m = m * 10 + (uint64_t)dg; nd++; e10--; }
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        while (p < end && dd__sls_is_digit(*p)) {
            if (ex < 100000) ex = ex * 10 + (*p - '0');
            p++;
        }
        if (eneg) ex = -ex;
    }
    if (m == 0) { *out = neg ? -0.0 : 0.0; return DD_OK; }
    e10 += ex;
    if (e10 + nd > 310) return DD_ERR_LIMIT;
    if (e10 + nd < -330) { *out = neg ? -0.0 : 0.0; return DD_OK; }
    d = (double)m;
    if (m < ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        d = e10 >= 0 ? d * dd__sls_pow10((int)e10) : d / dd__sls_pow10((int)-e10);
    } else {
        while (e10 > 22) { d *= 1e22; e10 -= 22; }
        while (e10 < -22) { d /= 1e22; e10 += 22; }
        d = e10 >= 0 ? d * dd__sls_pow10((int)e10) : d / dd__sls_pow10((int)-e10);
    }
    if (d - d != 0) return DD_ERR_LIMIT; /* infinity */
    *out = neg ? -d : d;
    return DD_OK;
}

DD__PRIVATE int dd__sls_dec_u64(const char *p, size_t n, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (n == 0) return DD_ERR_TYPE;
    for (i = 0; i < n; i++) {
        unsigned dg;
        if (!dd__sls_is_digit(p[i])) return DD_ERR_TYPE;
        dg = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - dg) / 10) return DD_ERR_LIMIT;
        v = v * 10 + dg;
    }
    *out = v;
    return DD_OK;
}

DD_API int dd_json_u64(const dd_json *v, uint64_t *out) {
    if (out) *out = 0;
    if (!v || !v->p || !out) return DD_ERR_INVALID_ARG;
    if (v->type == DD_JSON_NUMBER) return dd__sls_dec_u64(v->p, v->n, out);
    if (v->type == DD_JSON_STRING && v->n >= 2) return dd__sls_dec_u64(v->p + 1, v->n - 2, out);
    return DD_ERR_TYPE;
}

DD_API int dd_json_path(const dd_json *root, const char *dot_path, dd_json *out) {
    dd_json cur;
    const char *s;
    if (out) memset(out, 0, sizeof *out);
    if (!root || !dot_path || !out) return DD_ERR_INVALID_ARG;
    cur = *root;
    s = dot_path;
    if (*s == 0) { *out = cur; return DD_OK; }
    for (;;) {
        const char *e = s;
        size_t n;
        dd_json next;
        int rc;
        while (*e && *e != '.') e++;
        n = (size_t)(e - s);
        if (cur.type == DD_JSON_ARRAY) {
            uint64_t idx;
            if (dd__sls_dec_u64(s, n, &idx) != DD_OK || idx > (uint64_t)(size_t)-1) return DD_ERR_NOT_FOUND;
            rc = dd_json_at(&cur, (size_t)idx, &next);
        } else if (cur.type == DD_JSON_OBJECT) {
            rc = dd_json_get(&cur, s, n, &next);
        } else {
            return DD_ERR_NOT_FOUND;
        }
        if (rc != DD_OK) return DD_ERR_NOT_FOUND;
        cur = next;
        if (*e == 0) break;
        s = e + 1;
    }
    *out = cur;
    return DD_OK;
}
