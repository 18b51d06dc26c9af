/* wip/serverless_impl.h: developed apart, merged into its header before release. */
#include <string.h>
#include <time.h>

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

/*=== base64, sha-256 implementation ===*/

DD__PRIVATE int dd__sls_b64val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

DD_API int dd_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t pad = 0, i, need, o = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (out_len) *out_len = 0;
    if (!in && len) return DD_ERR_INVALID_ARG;
    while (pad < 2 && len > 0 && in[len - 1] == '=') { len--; pad++; }
    if (pad && (len + pad) % 4 != 0) return DD_ERR_MALFORMED;
    if (len % 4 == 1) return DD_ERR_MALFORMED;
    need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    for (i = 0; i < len; i++)
        if (dd__sls_b64val((unsigned char)in[i]) < 0) return DD_ERR_MALFORMED;
    if (out_len) *out_len = need;
    if (need > cap || (!out && need)) return DD_ERR_BUFFER_FULL;
    for (i = 0; i < len; i++) {
        acc = (acc << 6) | (uint32_t)dd__sls_b64val((unsigned char)in[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* leftover bits must be zero (canonical encoding is not required by AWS; ignore them) */
    return DD_OK;
}

DD__PRIVATE uint32_t dd__sls_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

DD__PRIVATE void dd__sls_sha256_block(uint32_t h[8], const uint8_t *b) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t w[64], a, bb, c, d, e, f, g, hh;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)b[i * 4] << 24) | ((uint32_t)b[i * 4 + 1] << 16) | ((uint32_t)b[i * 4 + 2] << 8) |
               (uint32_t)b[i * 4 + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = dd__sls_rotr(w[i - 15], 7) ^ dd__sls_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = dd__sls_rotr(w[i - 2], 17) ^ dd__sls_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; bb = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        uint32_t S1 = dd__sls_rotr(e, 6) ^ dd__sls_rotr(e, 11) ^ dd__sls_rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + k[i] + w[i];
        uint32_t S0 = dd__sls_rotr(a, 2) ^ dd__sls_rotr(a, 13) ^ dd__sls_rotr(a, 22);
        uint32_t maj = (a & bb) ^ (a & c) ^ (bb & c);
        uint32_t t2 = S0 + maj;
        hh = g; g = f; f = e; e = d + t1; d = c; c = bb; bb = a; a = t1 + t2;
    }
    h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

DD_API void dd_sha256(const void *data, size_t len, uint8_t digest[32]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = (const uint8_t *)data;
    uint8_t tail[128];
    size_t rest, tn, i;
    uint64_t bits = (uint64_t)len * 8;
    while (len >= 64) {
        dd__sls_sha256_block(h, p);
        p += 64;
        len -= 64;
    }
    rest = len;
    memset(tail, 0, sizeof tail);
    if (rest) memcpy(tail, p, rest);
    tail[rest] = 0x80;
    tn = rest + 1 + 8 <= 64 ? 64 : 128;
    for (i = 0; i < 8; i++) tail[tn - 1 - i] = (uint8_t)(bits >> (8 * i));
    dd__sls_sha256_block(h, tail);
    if (tn == 128) dd__sls_sha256_block(h, tail + 64);
    for (i = 0; i < 8; i++) {
        digest[i * 4] = (uint8_t)(h[i] >> 24);
        digest[i * 4 + 1] = (uint8_t)(h[i] >> 16);
        digest[i * 4 + 2] = (uint8_t)(h[i] >> 8);
        digest[i * 4 + 3] = (uint8_t)h[i];
    }
}

DD_API uint64_t dd_sfn_hash(const char *s, size_t len, int high) {
    uint8_t d[32];
    uint64_t v = 0;
    int i, off = high ? 0 : 8;
    dd_sha256(s, s ? len : 0, d);
    for (i = 0; i < 8; i++) v = (v << 8) | d[off + i];
    v &= UINT64_C(0x7FFFFFFFFFFFFFFF);
    return v ? v : 1;
}

/*=== _datadog carrier implementation ===*/

DD__PRIVATE int dd__sls_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 1 when string v, unescaped, equals s[0..n) ignoring ASCII case. */
DD__PRIVATE int dd__sls_str_ieq(const dd_json *v, const char *s, size_t n) {
    const char *p, *end;
    size_t pos = 0, k, i;
    unsigned char b[4];
    if (!v || v->type != DD_JSON_STRING || v->n < 2) return 0;
    p = v->p + 1;
    end = v->p + v->n - 1;
    while ((k = dd__sls_str_step(&p, end, b)) != 0) {
        if (pos + k > n) return 0;
        for (i = 0; i < k; i++)
            if (dd__sls_lower(b[i]) != dd__sls_lower((unsigned char)s[pos + i])) return 0;
        pos += k;
    }
    return pos == n;
}

/* The last member of obj whose key equals key[0..n) ignoring case. */
DD__PRIVATE int dd__sls_iget(const dd_json *obj, const char *key, size_t n, dd_json *out) {
    dd_json_iter it;
    dd_json k, v;
    int found = 0;
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    dd_json_iter_init(&it, obj);
    while (dd_json_next(&it, &k, &v) == DD_OK)
        if (dd__sls_str_ieq(&k, key, n)) { *out = v; found = 1; }
    return found;
}

/* Exact-key member lookup of a literal. */
#define DD__SLS_GET(obj, lit, out) (dd_json_get((obj), (lit), sizeof(lit) - 1, (out)) == DD_OK)

DD__PRIVATE const char *dd__sls_jc_get(void *self, const char *key, size_t key_len, size_t *value_len) {
    dd_json_carrier *c = (dd_json_carrier *)self;
    dd_json v;
    size_t n;
    if (value_len) *value_len = 0;
    if (!dd__sls_iget(&c->obj, key, key_len, &v) || v.type == DD_JSON_NULL) {
        dd_json arr;
        if (!dd__sls_iget(&c->multi, key, key_len, &arr)) return NULL;
        if (arr.type == DD_JSON_ARRAY) {
            if (dd_json_at(&arr, 0, &v) != DD_OK) return NULL;
        } else {
            v = arr;
        }
    }
    if (v.type == DD_JSON_NUMBER) {
        if (value_len) *value_len = v.n;
        return v.p;
    }
    if (v.type != DD_JSON_STRING) return NULL;
    if (!memchr(v.p + 1, '\\', v.n - 2)) {
        if (value_len) *value_len = v.n - 2;
        return v.p + 1;
    }
    if (dd_json_string(&v, c->buf + c->used, sizeof c->buf - c->used, &n) != DD_OK) return NULL;
    {
        const char *r = c->buf + c->used;
        c->used += n + 1;
        if (value_len) *value_len = n;
        return r;
    }
}

DD_API void dd_json_carrier_init(dd_json_carrier *c, dd_carrier_reader *r, const dd_json *obj, const dd_json *multi) {
    if (!c) return;
    memset(&c->obj, 0, sizeof c->obj);
    memset(&c->multi, 0, sizeof c->multi);
    c->used = 0;
    c->buf[0] = 0;
    if (obj && obj->type == DD_JSON_OBJECT) c->obj = *obj;
    if (multi && multi->type == DD_JSON_OBJECT) c->multi = *multi;
    if (r) {
        memset(r, 0, sizeof *r);
        r->self = c;
        r->get = dd__sls_jc_get;
    }
}

DD__PRIVATE int dd__sls_ctx_complete(const dd_trace_context *c) {
    return (c->trace_id.lo || c->trace_id.hi) && c->parent_id != 0;
}

/* Extracts from a JSON object with the configured styles; 1 when a complete context was found. */
DD__PRIVATE int dd__sls_extract_obj(const dd_propagation_config *cfg, const dd_json *obj, const dd_json *multi,
                                    dd_trace_context *out) {
    dd_json_carrier jc;
    dd_carrier_reader r;
    dd_propagation_config def;
    if ((!obj || obj->type != DD_JSON_OBJECT) && (!multi || multi->type != DD_JSON_OBJECT)) return 0;
    if (!cfg) {
        dd_propagation_config_default(&def);
        cfg = &def;
    }
    dd_json_carrier_init(&jc, &r, obj, multi);
    if (dd_extract(cfg, &r, out) != DD_OK || !dd__sls_ctx_complete(out)) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return 1;
}

DD_API int dd_datadog_extract(const dd_propagation_config *cfg, const char *json, size_t len, dd_trace_context *out) {
    dd_json root;
    if (out) memset(out, 0, sizeof *out);
    if (!json || !out) return DD_ERR_INVALID_ARG;
    if (dd_json_parse(json, len, &root) != DD_OK || root.type != DD_JSON_OBJECT) return DD_ERR_MALFORMED;
    return dd__sls_extract_obj(cfg, &root, NULL, out) ? DD_OK : DD_ERR_NOT_FOUND;
}

typedef struct dd__sls_jw {
    char *out;
    size_t cap;
    size_t len;
    int members;
} dd__sls_jw;

DD__PRIVATE void dd__sls_jw_raw(dd__sls_jw *w, const char *s, size_t n) {
    if (w->out && w->len + n < w->cap) memcpy(w->out + w->len, s, n);
    w->len += n;
}
#define DD__SLS_RAW(w, lit) dd__sls_jw_raw((w), (lit), sizeof(lit) - 1)
DD__PRIVATE void dd__sls_jw_str(dd__sls_jw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    dd__sls_jw_raw(w, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2];
            e[0] = '\\';
            e[1] = (char)c;
            dd__sls_jw_raw(w, e, 2);
        } else if (c < 0x20) {
            char e[6];
            e[0] = '\\'; e[1] = 'u'; e[2] = '0'; e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            dd__sls_jw_raw(w, e, 6);
        } else {
            dd__sls_jw_raw(w, (const char *)&s[i], 1);
        }
    }
    dd__sls_jw_raw(w, "\"", 1);
}
DD__PRIVATE int dd__sls_jw_set(void *self, const char *key, size_t key_len, const char *value, size_t value_len) {
    dd__sls_jw *w = (dd__sls_jw *)self;
    if (w->members++) dd__sls_jw_raw(w, ",", 1);
    dd__sls_jw_str(w, key, key_len);
    dd__sls_jw_raw(w, ":", 1);
    dd__sls_jw_str(w, value, value_len);
    return DD_OK;
}

DD_API size_t dd_datadog_inject(const dd_propagation_config *cfg, const dd_trace_context *ctx, char *out, size_t cap) {
    dd__sls_jw w;
    dd_carrier_writer cw;
    dd_propagation_config def;
    if (out && cap) out[0] = 0;
    if (!ctx || !(ctx->trace_id.lo || ctx->trace_id.hi)) return 0;
    if (!cfg) {
        dd_propagation_config_default(&def);
        cfg = &def;
    }
    memset(&w, 0, sizeof w);
    w.out = out;
    w.cap = cap;
    memset(&cw, 0, sizeof cw);
    cw.self = &w;
    cw.set = dd__sls_jw_set;
    DD__SLS_RAW(&w, "{");
    if (dd_inject(cfg, ctx, &cw) != DD_OK || w.members == 0) {
        if (out && cap) out[0] = 0;
        return 0;
    }
    DD__SLS_RAW(&w, "}");
    if (out && cap) out[w.len < cap ? w.len : 0] = 0;
    return w.len;
}

/*=== lambda events implementation ===*/

typedef struct dd__sls_x {
    const dd_lambda_config *cfg;
    const dd_propagation_config *prop;
    char *scratch;
    size_t cap, used;
    dd_trace_context *out;
} dd__sls_x;

DD_API const char *dd_lambda_event_source_name(int s) {
    switch (s) {
    case DD_LAMBDA_EVENT_API_GATEWAY: return "api-gateway";
    case DD_LAMBDA_EVENT_ALB: return "application-load-balancer";
    case DD_LAMBDA_EVENT_FUNCTION_URL: return "lambda-function-url";
    case DD_LAMBDA_EVENT_SQS: return "sqs";
    case DD_LAMBDA_EVENT_SNS: return "sns";
    case DD_LAMBDA_EVENT_EVENTBRIDGE: return "eventbridge";
    case DD_LAMBDA_EVENT_KINESIS: return "kinesis";
    case DD_LAMBDA_EVENT_DYNAMODB: return "dynamodb";
    case DD_LAMBDA_EVENT_S3: return "s3";
    case DD_LAMBDA_EVENT_STATES: return "states";
    case DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS: return "cloudwatch-events";
    case DD_LAMBDA_EVENT_CLOUDWATCH_LOGS: return "cloudwatch-logs";
    case DD_LAMBDA_EVENT_CLOUDFRONT: return "cloudfront";
    default: return "unknown";
    }
}

DD__PRIVATE const char *dd__sls_getenv(const dd_lambda_config *cfg, const char *name) {
    if (cfg && cfg->getenv_fn) return cfg->getenv_fn(cfg->hook_user, name);
    return getenv(name);
}

/* Unescapes JSON string s into scratch; returns its text or NULL. */
DD__PRIVATE const char *dd__sls_unescape(dd__sls_x *x, const dd_json *s, size_t *n) {
    char *buf;
    *n = 0;
    if (!s || s->type != DD_JSON_STRING || x->used >= x->cap) return NULL;
    buf = x->scratch + x->used;
    if (dd_json_string(s, buf, x->cap - x->used, n) != DD_OK) return NULL;
    x->used += *n + 1;
    return buf;
}
/* A JSON document held inside JSON string s (an SQS body, a String attribute). */
DD__PRIVATE int dd__sls_parse_jstr(dd__sls_x *x, const dd_json *s, dd_json *out) {
    size_t n;
    const char *t = dd__sls_unescape(x, s, &n);
    memset(out, 0, sizeof *out);
    return t && dd_json_parse(t, n, out) == DD_OK;
}
/* A JSON document held base64-encoded inside JSON string s (a Binary attribute, Kinesis data). */
DD__PRIVATE int dd__sls_parse_b64(dd__sls_x *x, const dd_json *s, dd_json *out) {
    size_t n, m;
    const char *t = dd__sls_unescape(x, s, &n);
    uint8_t *buf;
    memset(out, 0, sizeof *out);
    if (!t || x->used >= x->cap) return 0;
    buf = (uint8_t *)x->scratch + x->used;
    if (dd_base64_decode(t, n, buf, x->cap - x->used, &m) != DD_OK) return 0;
    x->used += m;
    return dd_json_parse((const char *)buf, m, out) == DD_OK;
}
/* Copies string v unescaped into dst (cap bytes); "" when it is not a string or does not fit. */
DD__PRIVATE size_t dd__sls_copy(const dd_json *v, char *dst, size_t cap) {
    size_t n = 0;
    if (dd_json_string(v, dst, cap, &n) != DD_OK) {
        if (cap) dst[0] = 0;
        return 0;
    }
    return n;
}
DD__PRIVATE int dd__sls_has(const dd_json *obj, const char *key, size_t n) {
    dd_json v;
    return dd_json_get(obj, key, n, &v) == DD_OK;
}
#define DD__SLS_HAS(obj, lit) dd__sls_has((obj), (lit), sizeof(lit) - 1)
DD__PRIVATE int dd__sls_str_is(const dd_json *v, const char *lit) { return dd_json_string_eq(v, lit, strlen(lit)); }

DD__PRIVATE int dd__sls_hex_u64(const char *s, size_t n, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    *out = 0;
    if (n == 0 || n > 16) return 0;
    for (i = 0; i < n; i++) {
        int h = dd__sls_hexval(s[i]);
        if (h < 0) return 0;
        v = (v << 4) | (uint64_t)h;
    }
    *out = v;
    return 1;
}
/* Lower-case hex without leading zeros, as Python's hex()[2:] and Rust's {:x}. */
DD__PRIVATE size_t dd__sls_hex_min(uint64_t v, char out[17]) {
    static const char hex[] = "0123456789abcdef";
    char t[16];
    size_t n = 0, i;
    do { t[n++] = hex[v & 15]; v >>= 4; } while (v);
    for (i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}
DD__PRIVATE size_t dd__sls_dec(uint64_t v, char out[21]) {
    char t[20];
    size_t n = 0, i;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}

/* Appends "k=v" to ctx->ptags (comma separated); 0 when it does not fit. */
DD__PRIVATE int dd__sls_ptag_add(dd_trace_context *c, const char *kv, size_t n) {
    size_t need = n + (c->ptags_len ? 1 : 0);
    if (c->ptags_len + need > DD_PTAGS_MAX) { c->dropped++; return 0; }
    if (c->ptags_len) c->ptags[c->ptags_len++] = ',';
    memcpy(c->ptags + c->ptags_len, kv, n);
    c->ptags_len += (uint32_t)n;
    c->ptags[c->ptags_len] = 0;
    return 1;
}
/* Copies the _dd.p.* members of an x-datadog-tags value; sets trace_id.hi from _dd.p.tid. */
DD__PRIVATE void dd__sls_ptags_from(dd_trace_context *c, const char *s, size_t n, int only_tid) {
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',') j++;
        if (j - i > 6 && memcmp(s + i, "_dd.p.", 6) == 0) {
            int is_tid = j - i > 10 && memcmp(s + i, "_dd.p.tid=", 10) == 0;
            if (is_tid) {
                uint64_t hi;
                if (dd__sls_hex_u64(s + i + 10, j - i - 10, &hi)) c->trace_id.hi = hi;
            }
            if (is_tid || !only_tid) dd__sls_ptag_add(c, s + i, j - i);
        }
        i = j + 1;
    }
}

/* Step Functions (spec 3.3, 4.9). */
DD__PRIVATE int dd__sls_sfn_shape(const dd_json *o) {
    dd_json e, s;
    return DD__SLS_GET(o, "Execution", &e) && e.type == DD_JSON_OBJECT && DD__SLS_GET(o, "State", &s) &&
           s.type == DD_JSON_OBJECT && DD__SLS_HAS(o, "StateMachine");
}
DD__PRIVATE int dd__sls_is_sfn(const dd_json *obj, dd_json *ctxo) {
    dd_json o = *obj, p, d;
    if (o.type != DD_JSON_OBJECT) return 0;
    if (DD__SLS_GET(&o, "Payload", &p) && p.type == DD_JSON_OBJECT) o = p;
    if (dd__sls_sfn_shape(&o)) { *ctxo = o; return 1; }
    if (DD__SLS_GET(&o, "_datadog", &d) && d.type == DD_JSON_OBJECT && dd__sls_sfn_shape(&d) &&
        DD__SLS_HAS(&d, "serverless-version")) {
        *ctxo = d;
        return 1;
    }
    return 0;
}
DD__PRIVATE uint64_t dd__sls_u64_or0(const dd_json *o, const char *path) {
    dd_json v;
    uint64_t u = 0;
    if (dd_json_path(o, path, &v) == DD_OK) dd_json_u64(&v, &u);
    return u;
}
DD__PRIVATE int dd__sls_sfn_extract(dd__sls_x *x, const dd_json *o, dd_trace_context *c) {
    dd_json exec_id, name, entered, v, sv, root_id, in_dd;
    size_t mark = x->used, n1, n2, n3, len;
    const char *s1, *s2, *s3;
    char *buf;
    uint64_t retry, redrive;
    char num[21], tid[32];
    memset(c, 0, sizeof *c);
    if (dd_json_path(o, "Execution.Id", &exec_id) != DD_OK || dd_json_path(o, "State.Name", &name) != DD_OK ||
        dd_json_path(o, "State.EnteredTime", &entered) != DD_OK)
        return 0;
    s1 = dd__sls_unescape(x, &exec_id, &n1);
    s2 = dd__sls_unescape(x, &name, &n2);
    s3 = dd__sls_unescape(x, &entered, &n3);
    if (!s1 || !s2 || !s3) { x->used = mark; return 0; }
    retry = dd__sls_u64_or0(o, "State.RetryCount");
    redrive = dd__sls_u64_or0(o, "Execution.RedriveCount");
    len = n1 + n2 + n3 + 2 + 2 + 40;
    if (x->cap - x->used < len) { x->used = mark; return 0; }
    buf = x->scratch + x->used;
    len = 0;
    memcpy(buf + len, s1, n1); len += n1; buf[len++] = '#';
    memcpy(buf + len, s2, n2); len += n2; buf[len++] = '#';
    memcpy(buf + len, s3, n3); len += n3;
    if (retry || redrive) {
        size_t k;
        buf[len++] = '#';
        k = dd__sls_dec(retry, num); memcpy(buf + len, num, k); len += k;
        buf[len++] = '#';
        k = dd__sls_dec(redrive, num); memcpy(buf + len, num, k); len += k;
    }
    c->parent_id = dd_sfn_hash(buf, len, 1);
    c->sampling_priority = DD_PRIORITY_AUTO_KEEP;
    if (DD__SLS_GET(o, "serverless-version", &sv) && dd__sls_str_is(&sv, "v1") &&
        DD__SLS_GET(o, "x-datadog-trace-id", &v) && dd_json_u64(&v, &c->trace_id.lo) == DD_OK) {
        /* Lambda root: the upstream trace; every _dd.p.* of its tags (as the extension does) */
        dd_json tags;
        size_t tn;
        const char *ts;
        if (DD__SLS_GET(o, "x-datadog-tags", &tags) && (ts = dd__sls_unescape(x, &tags, &tn)) != NULL)
            dd__sls_ptags_from(c, ts, tn, 0);
    } else if (DD__SLS_GET(o, "serverless-version", &sv) && dd__sls_str_is(&sv, "v1") &&
               DD__SLS_GET(o, "RootExecutionId", &root_id) && (s1 = dd__sls_unescape(x, &root_id, &n1)) != NULL) {
        c->trace_id.lo = dd_sfn_hash(s1, n1, 0);
        c->trace_id.hi = dd_sfn_hash(s1, n1, 1);
    } else if (dd_json_path(o, "Execution.Input._datadog", &in_dd) == DD_OK && in_dd.type == DD_JSON_OBJECT &&
               DD__SLS_GET(&in_dd, "x-datadog-trace-id", &v) && dd_json_u64(&v, &c->trace_id.lo) == DD_OK) {
        dd_json tags;
        size_t tn;
        const char *ts;
        if (DD__SLS_GET(&in_dd, "x-datadog-tags", &tags) && (ts = dd__sls_unescape(x, &tags, &tn)) != NULL)
            dd__sls_ptags_from(c, ts, tn, 1);
    } else {
        s1 = dd__sls_unescape(x, &exec_id, &n1);
        if (!s1) { x->used = mark; memset(c, 0, sizeof *c); return 0; }
        c->trace_id.lo = dd_sfn_hash(s1, n1, 0);
        c->trace_id.hi = dd_sfn_hash(s1, n1, 1);
    }
    if (c->trace_id.hi && !c->ptags_len) {
        size_t k;
        memcpy(tid, "_dd.p.tid=", 10);
        k = dd__sls_hex_min(c->trace_id.hi, tid + 10);
        dd__sls_ptag_add(c, tid, 10 + k);
    }
    x->used = mark;
    if (!c->trace_id.lo && !c->trace_id.hi) { memset(c, 0, sizeof *c); return 0; }
    return 1;
}

/* A carrier object: a Step Functions context object or the text-map keys. */
DD__PRIVATE int dd__sls_carrier(dd__sls_x *x, const dd_json *obj) {
    dd_json so;
    if (!obj || obj->type != DD_JSON_OBJECT) return 0;
    if (dd__sls_is_sfn(obj, &so)) return dd__sls_sfn_extract(x, &so, x->out);
    return dd__sls_extract_obj(x->prop, obj, NULL, x->out);
}

/* Raw fields of an X-Ray header: Root, Parent, Sampled (any order; later duplicates win). */
typedef struct dd__sls_xray {
    const char *root, *parent, *sampled;
    size_t root_n, parent_n, sampled_n;
} dd__sls_xray;
DD__PRIVATE void dd__sls_xray_fields(const char *h, size_t n, dd__sls_xray *f) {
    size_t i = 0;
    memset(f, 0, sizeof *f);
    while (h && i < n) {
        size_t j = i, k;
        while (j < n && h[j] != ';') j++;
        k = i;
        while (k < j && h[k] == ' ') k++;
        if (j - k > 5 && memcmp(h + k, "Root=", 5) == 0) { f->root = h + k + 5; f->root_n = j - k - 5; }
        else if (j - k > 7 && memcmp(h + k, "Parent=", 7) == 0) { f->parent = h + k + 7; f->parent_n = j - k - 7; }
        else if (j - k > 8 && memcmp(h + k, "Sampled=", 8) == 0) { f->sampled = h + k + 8; f->sampled_n = j - k - 8; }
        i = j + 1;
    }
}
/* AWSTraceHeader / _X_AMZN_TRACE_ID written by dd-trace-java's X-Ray style: Root=1-<8 hex>-00000000<16 hex>;
 * trace id = those 16 hex digits (unmasked), parent = Parent, priority = Sampled (spec 4.3). */
DD__PRIVATE int dd__sls_xray_dd_marker(const char *h, size_t n, dd_trace_context *c) {
    dd__sls_xray f;
    uint64_t s;
    memset(c, 0, sizeof *c);
    dd__sls_xray_fields(h, n, &f);
    if (!f.root || f.root_n != 35 || f.root[0] != '1' || f.root[1] != '-' || f.root[10] != '-') return 0;
    if (memcmp(f.root + 11, "00000000", 8) != 0) return 0;
    if (!dd__sls_hex_u64(f.root + 19, 16, &c->trace_id.lo) || !f.parent ||
        !dd__sls_hex_u64(f.parent, f.parent_n, &c->parent_id) || f.parent_n != 16) {
        memset(c, 0, sizeof *c);
        return 0;
    }
    c->sampling_priority = DD_PRIORITY_UNSET;
    if (f.sampled && dd__sls_dec_u64(f.sampled, f.sampled_n, &s) == DD_OK && s <= 2)
        c->sampling_priority = (int32_t)s;
    if (!dd__sls_ctx_complete(c)) { memset(c, 0, sizeof *c); return 0; }
    return 1;
}

/* The Lambda-authorizer hand-off (spec 4.1.4): the decoded requestContext.authorizer._datadog
 * (or .lambda._datadog) object when it applies to this request; it stays in scratch. */
DD__PRIVATE int dd__sls_authorizer(dd__sls_x *x, const dd_json *ev, dd_json *obj) {
    dd_json auth, inj, v, rid, arid;
    double latency = 0;
    size_t n;
    const char *t;
    memset(obj, 0, sizeof *obj);
    if (dd_json_path(ev, "requestContext.authorizer", &auth) != DD_OK || auth.type != DD_JSON_OBJECT) return 0;
    if (!DD__SLS_GET(&auth, "_datadog", &inj) && dd_json_path(&auth, "lambda._datadog", &inj) != DD_OK) return 0;
    if (!dd__sls_parse_b64(x, &inj, obj) || obj->type != DD_JSON_OBJECT) return 0;
    if (DD__SLS_GET(&auth, "integrationLatency", &v) && dd_json_number(&v, &latency) == DD_OK && latency > 0) return 1;
    if (dd_json_path(ev, "requestContext.requestId", &rid) == DD_OK && rid.type == DD_JSON_STRING &&
        DD__SLS_GET(obj, "x-datadog-authorizing-requestid", &arid) && (t = dd__sls_unescape(x, &rid, &n)) != NULL &&
        dd_json_string_eq(&arid, t, n))
        return 1;
    return 0;
}

DD__PRIVATE int dd__sls_http(dd__sls_x *x, const dd_json *ev, int event_source) {
    dd_json h, mh, obj;
    if (event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        size_t mark = x->used;
        if (dd__sls_authorizer(x, ev, &obj) && dd__sls_extract_obj(x->prop, &obj, NULL, x->out)) return 1;
        x->used = mark;
    }
    dd__sls_iget(ev, "headers", 7, &h);
    dd__sls_iget(ev, "multiValueHeaders", 17, &mh);
    return dd__sls_extract_obj(x->prop, &h, &mh, x->out);
}

/* SNS message attributes object: _datadog {Type, Value}. */
DD__PRIVATE int dd__sls_sns_attrs(dd__sls_x *x, const dd_json *attrs) {
    dd_json a, t, val, obj;
    if (!DD__SLS_GET(attrs, "_datadog", &a) || !DD__SLS_GET(&a, "Value", &val)) return 0;
    (void)DD__SLS_GET(&a, "Type", &t);
    if (dd__sls_str_is(&t, "Binary")) {
        if (!dd__sls_parse_b64(x, &val, &obj)) return 0;
    } else if (dd__sls_str_is(&t, "String")) {
        if (!dd__sls_parse_jstr(x, &val, &obj)) return 0;
    } else {
        return 0;
    }
    return dd__sls_carrier(x, &obj);
}

DD__PRIVATE int dd__sls_prefix(const dd_json *v, const char *lit) {
    size_t n = strlen(lit);
    return v->type == DD_JSON_STRING && v->n >= n + 2 && memcmp(v->p + 1, lit, n) == 0;
}

DD__PRIVATE int dd__sls_sqs(dd__sls_x *x, const dd_json *rec) {
    dd_json body, b, d, a, dt, val, obj, t;
    size_t mark = x->used;
    if (DD__SLS_GET(rec, "body", &body) && dd__sls_parse_jstr(x, &body, &b) && b.type == DD_JSON_OBJECT) {
        if (dd_json_path(&b, "detail._datadog", &d) == DD_OK && dd__sls_carrier(x, &d)) return 1;
        if (DD__SLS_GET(&b, "Type", &t) && dd__sls_str_is(&t, "Notification") && DD__SLS_HAS(&b, "TopicArn") &&
            DD__SLS_GET(&b, "MessageAttributes", &a) && dd__sls_sns_attrs(x, &a))
            return 1;
    }
    x->used = mark;
    if (dd_json_path(rec, "messageAttributes._datadog", &a) == DD_OK && a.type == DD_JSON_OBJECT) {
        int binary = 0, ok = 0;
        if (DD__SLS_GET(&a, "dataType", &dt)) binary = dd__sls_prefix(&dt, "Binary");
        else binary = !DD__SLS_HAS(&a, "stringValue");
        if (binary) ok = DD__SLS_GET(&a, "binaryValue", &val) && dd__sls_parse_b64(x, &val, &obj);
        else ok = DD__SLS_GET(&a, "stringValue", &val) && dd__sls_parse_jstr(x, &val, &obj);
        if (ok && dd__sls_carrier(x, &obj)) return 1;
        x->used = mark;
    }
    if (dd_json_path(rec, "attributes.AWSTraceHeader", &val) == DD_OK) {
        size_t n;
        const char *h = dd__sls_unescape(x, &val, &n);
        if (h && dd__sls_xray_dd_marker(h, n, x->out)) return 1;
    }
    x->used = mark;
    return 0;
}

DD__PRIVATE int dd__sls_durable(dd__sls_x *x, const dd_json *ev) {
    dd_json ops, k, op, name, res, best, obj;
    dd_json_iter it;
    uint64_t best_n = 0;
    int have = 0;
    if (dd_json_path(ev, "InitialExecutionState.Operations", &ops) != DD_OK) return 0;
    dd_json_iter_init(&it, &ops);
    while (dd_json_next(&it, &k, &op) == DD_OK) {
        uint64_t n;
        if (op.type != DD_JSON_OBJECT || !DD__SLS_GET(&op, "Name", &name) || !dd__sls_prefix(&name, "_datadog_"))
            continue;
        if (dd__sls_dec_u64(name.p + 10, name.n - 11, &n) != DD_OK) continue;
        if (dd_json_path(&op, "StepDetails.Result", &res) != DD_OK) continue;
        if (!have || n >= best_n) { best = res; best_n = n; have = 1; }
    }
    if (!have) return 0;
    if (best.type == DD_JSON_STRING) {
        if (!dd__sls_parse_jstr(x, &best, &obj)) return 0;
        best = obj;
    }
    return dd__sls_extract_obj(x->prop, &best, NULL, x->out);
}

/* Classification, spec 3.1 (Python order: a later match overrides an earlier one). */
DD__PRIVATE void dd__sls_classify(const dd_json *ev, dd_lambda_trigger *t) {
    dd_json rc, v, rec, es, so;
    t->event_source = DD_LAMBDA_EVENT_UNKNOWN;
    t->event_subtype = 0;
    if (ev->type != DD_JSON_OBJECT) return;
    if (DD__SLS_GET(ev, "requestContext", &rc) && rc.type == DD_JSON_OBJECT) {
        if (DD__SLS_HAS(&rc, "stage")) {
            dd_json dn;
            char dom[256];
            if (DD__SLS_GET(&rc, "domainName", &dn) && dd__sls_copy(&dn, dom, sizeof dom)) {
                const char *d1 = strchr(dom, '.');
                if (d1 && strncmp(d1 + 1, "lambda-url.", 11) == 0) {
                    t->event_source = DD_LAMBDA_EVENT_FUNCTION_URL;
                    return;
                }
            }
            t->event_source = DD_LAMBDA_EVENT_API_GATEWAY;
            if (DD__SLS_HAS(ev, "httpMethod")) t->event_subtype = DD_LAMBDA_HTTP_REST;
            else if (DD__SLS_HAS(ev, "routeKey")) t->event_subtype = DD_LAMBDA_HTTP_API;
            else if (DD__SLS_HAS(&rc, "messageDirection")) t->event_subtype = DD_LAMBDA_HTTP_WEBSOCKET;
        }
        if (DD__SLS_HAS(&rc, "elb")) {
            t->event_source = DD_LAMBDA_EVENT_ALB;
            t->event_subtype = DD__SLS_HAS(ev, "multiValueHeaders") ? DD_LAMBDA_HTTP_ALB_MULTI : 0;
        }
    }
    if (DD__SLS_HAS(ev, "awslogs")) t->event_source = DD_LAMBDA_EVENT_CLOUDWATCH_LOGS;
    if (DD__SLS_HAS(ev, "detail-type")) t->event_source = DD_LAMBDA_EVENT_EVENTBRIDGE;
    if ((DD__SLS_GET(ev, "source", &v) && dd__sls_str_is(&v, "aws.events")) ||
        dd_json_path(ev, "detail.EventCategories", &v) == DD_OK)
        t->event_source = DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS;
    if (dd__sls_is_sfn(ev, &so)) t->event_source = DD_LAMBDA_EVENT_STATES;
    if (dd_json_path(ev, "Records.0", &rec) == DD_OK && rec.type == DD_JSON_OBJECT) {
        if (DD__SLS_GET(&rec, "eventSource", &es) || DD__SLS_GET(&rec, "EventSource", &es)) {
            if (dd__sls_str_is(&es, "aws:dynamodb")) t->event_source = DD_LAMBDA_EVENT_DYNAMODB;
            else if (dd__sls_str_is(&es, "aws:kinesis")) t->event_source = DD_LAMBDA_EVENT_KINESIS;
            else if (dd__sls_str_is(&es, "aws:s3")) t->event_source = DD_LAMBDA_EVENT_S3;
            else if (dd__sls_str_is(&es, "aws:sns")) t->event_source = DD_LAMBDA_EVENT_SNS;
            else if (dd__sls_str_is(&es, "aws:sqs")) t->event_source = DD_LAMBDA_EVENT_SQS;
        } else if (DD__SLS_HAS(&rec, "cf")) {
            t->event_source = DD_LAMBDA_EVENT_CLOUDFRONT;
        }
    }
}

DD__PRIVATE int dd__sls_event_context(dd__sls_x *x, const dd_json *ev, int src) {
    dd_json v, rec, obj, so;
    if (ev->type != DD_JSON_OBJECT) return 0;
    if (DD__SLS_GET(ev, "request", &v)) {
        dd_json h;
        return v.type == DD_JSON_OBJECT && DD__SLS_GET(&v, "headers", &h) && dd__sls_extract_obj(x->prop, &h, NULL, x->out);
    }
    if (dd__sls_iget(ev, "headers", 7, &v) || dd__sls_iget(ev, "multiValueHeaders", 17, &v)) return dd__sls_http(x, ev, src);
    dd_json_path(ev, "Records.0", &rec);
    switch (src) {
    case DD_LAMBDA_EVENT_SQS: return dd__sls_sqs(x, &rec);
    case DD_LAMBDA_EVENT_SNS:
        if (dd_json_path(&rec, "Sns.MessageAttributes", &v) == DD_OK && dd__sls_sns_attrs(x, &v)) return 1;
        { /* datadog-lambda-js: a Datadog id in _X_AMZN_TRACE_ID, written by dd-trace-java */
            const char *h = dd__sls_getenv(x->cfg, "_X_AMZN_TRACE_ID");
            return h && dd__sls_xray_dd_marker(h, strlen(h), x->out);
        }
    case DD_LAMBDA_EVENT_EVENTBRIDGE:
        return dd_json_path(ev, "detail._datadog", &v) == DD_OK && dd__sls_carrier(x, &v);
    case DD_LAMBDA_EVENT_KINESIS:
        return dd_json_path(&rec, "kinesis.data", &v) == DD_OK && dd__sls_parse_b64(x, &v, &obj) &&
               DD__SLS_GET(&obj, "_datadog", &v) && dd__sls_carrier(x, &v);
    case DD_LAMBDA_EVENT_STATES: return dd__sls_is_sfn(ev, &so) && dd__sls_sfn_extract(x, &so, x->out);
    default: break;
    }
    if (DD__SLS_HAS(ev, "DurableExecutionArn")) return dd__sls_durable(x, ev);
    return 0;
}

DD__PRIVATE int dd__sls_client_context(dd__sls_x *x, const char *cc, size_t cc_len) {
    dd_json root, custom, d;
    if (!cc || !cc_len || dd_json_parse(cc, cc_len, &root) != DD_OK) return 0;
    if (!DD__SLS_GET(&root, "custom", &custom) || custom.type != DD_JSON_OBJECT) return 0;
    if (DD__SLS_GET(&custom, "_datadog", &d) && d.type == DD_JSON_OBJECT) return dd__sls_extract_obj(x->prop, &d, NULL, x->out);
    return dd__sls_extract_obj(x->prop, &custom, NULL, x->out);
}

DD__PRIVATE int dd__sls_xray_env(const dd_lambda_config *cfg, dd_trace_context *c) {
    const char *h = dd__sls_getenv(cfg, "_X_AMZN_TRACE_ID");
    memset(c, 0, sizeof *c);
    if (!h || dd_xray_parse(h, strlen(h), c) != DD_OK || !dd__sls_ctx_complete(c)) {
        memset(c, 0, sizeof *c);
        return 0;
    }
    return 1;
}

DD__PRIVATE void dd__sls_set(char *dst, size_t cap, const char *s, size_t n) {
    if (n >= cap) n = 0;
    if (n) memcpy(dst, s, n);
    dst[n] = 0;
}
DD__PRIVATE void dd__sls_tag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_tags >= DD_LAMBDA_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || strlen(key) > DD_LAMBDA_TAG_KEY_MAX) return;
    g = &t->tags[t->n_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* The same for the upstream span's tags. */
DD__PRIVATE void dd__sls_utag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_upstream_tags >= DD_LAMBDA_UPSTREAM_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || strlen(key) > DD_LAMBDA_TAG_KEY_MAX)
        return;
    g = &t->upstream_tags[t->n_upstream_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* A string member of obj as an upstream tag ("" and non-strings skipped, as Python's `if subject`). */
DD__PRIVATE void dd__sls_utag_json(dd_lambda_trigger *t, const char *key, const dd_json *obj, const char *name) {
    dd_json v;
    char buf[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t n;
    if (dd_json_get(obj, name, strlen(name), &v) == DD_OK && v.type == DD_JSON_STRING &&
        dd_json_string(&v, buf, sizeof buf, &n) == DD_OK && n)
        dd__sls_utag(t, key, buf, n);
}
DD__PRIVATE void dd__sls_tag_json(dd_lambda_trigger *t, const char *key, const dd_json *obj, const char *path) {
    dd_json v;
    char buf[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t n;
    if (dd_json_path(obj, path, &v) != DD_OK) return;
    if (v.type == DD_JSON_STRING) {
        if (dd_json_string(&v, buf, sizeof buf, &n) == DD_OK) dd__sls_tag(t, key, buf, n);
    } else if (v.type == DD_JSON_NUMBER && v.n <= DD_LAMBDA_TAG_VALUE_MAX) {
        dd__sls_tag(t, key, v.p, v.n);
    }
}
/* The part after the last `sep` of s. */
DD__PRIVATE const char *dd__sls_last(const char *s, char sep) {
    const char *r = strrchr(s, sep);
    return r ? r + 1 : s;
}
/* A timestamp (a JSON number or numeric string "1545082649183", "1545084650.987") in units of
 * unit_ns to ns, decimally (no double rounding); 0 when not a plain non-negative decimal. */
DD__PRIVATE int64_t dd__sls_ms_to_ns(const dd_json *v, int64_t unit_ns) {
    const char *p, *end;
    uint64_t ip = 0, frac = 0, scale = (uint64_t)unit_ns;
    if (v->type == DD_JSON_STRING && v->n >= 2) { p = v->p + 1; end = v->p + v->n - 1; }
    else if (v->type == DD_JSON_NUMBER) { p = v->p; end = v->p + v->n; }
    else return 0;
    if (p >= end || !dd__sls_is_digit(*p)) return 0;
    while (p < end && dd__sls_is_digit(*p)) {
        if (ip > (uint64_t)INT64_MAX / 10) return 0;
        ip = ip * 10 + (uint64_t)(*p++ - '0');
    }
    if (p < end && *p == '.') {
        for (p++; p < end && dd__sls_is_digit(*p); p++) {
            if (scale >= 10) { scale /= 10; frac += (uint64_t)(*p - '0') * scale; }
        }
    }
    if (p != end || ip > (uint64_t)INT64_MAX / (uint64_t)unit_ns) return 0;
    return (int64_t)(ip * (uint64_t)unit_ns + frac);
}
/* ISO 8601 UTC "2021-12-17T21:46:58.040Z" (fraction optional) to epoch ns; 0 when not that shape. */
DD__PRIVATE int64_t dd__sls_iso_to_ns(const dd_json *v) {
    char s[40];
    size_t n = dd__sls_copy(v, s, sizeof s), i;
    int64_t y, mo, d, h, mi, se, days, frac = 0, scale = 1000000000;
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return 0;
    for (i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !dd__sls_is_digit(s[i])) return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mo = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    h = (s[11] - '0') * 10 + (s[12] - '0');
    mi = (s[14] - '0') * 10 + (s[15] - '0');
    se = (s[17] - '0') * 10 + (s[18] - '0');
    i = 19;
    if (s[i] == '.') {
        for (i++; i < n && dd__sls_is_digit(s[i]); i++) {
            if (scale > 1) { scale /= 10; frac += (s[i] - '0') * scale; }
        }
    }
    if (i != n - 1 || s[i] != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 2261) return 0;
    { /* days from civil (Howard Hinnant's algorithm) */
        int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
        int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = era * 146097 + doe - 719468;
    }
    return ((days * 86400 + h * 3600 + mi * 60 + se) * 1000000000) + frac;
}

/* API Gateway and Function URL ARNs from the function's ARN parts p[0..7] (spec 7.3). */
DD__PRIVATE void dd__sls_arn_build(dd_lambda_trigger *t, const dd_json *ev, const dd_json *rc, const char **p,
                                   const char *end) {
    char buf[DD_LAMBDA_ARN_MAX + 1], api[128], stage[128];
    dd_json v;
    size_t n = 0, rl = (size_t)(p[4] - p[3] - 1), al = (size_t)(p[5] - p[4] - 1);
    const char *part = "aws";
    (void)ev;
    if (rl >= 7 && memcmp(p[3], "us-gov-", 7) == 0) part = "aws-us-gov";
    else if (rl >= 3 && memcmp(p[3], "cn-", 3) == 0) part = "aws-cn";
#define DD__SLS_PUT(s, len) do { size_t l_ = (len); if (n + l_ < sizeof buf) { memcpy(buf + n, (s), l_); } n += l_; } while (0)
    if (t->event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        size_t a = DD__SLS_GET(rc, "apiId", &v) ? dd__sls_copy(&v, api, sizeof api) : 0;
        size_t s = DD__SLS_GET(rc, "stage", &v) ? dd__sls_copy(&v, stage, sizeof stage) : 0;
        if (!a || !s) return;
        DD__SLS_PUT("arn:", 4); DD__SLS_PUT(part, strlen(part)); DD__SLS_PUT(":apigateway:", 12);
        DD__SLS_PUT(p[3], rl); DD__SLS_PUT("::/restapis/", 12); DD__SLS_PUT(api, a);
        DD__SLS_PUT("/stages/", 8); DD__SLS_PUT(stage, s);
    } else {
        size_t fl = (size_t)((p[7] ? p[7] - 1 : end) - p[6]);
        DD__SLS_PUT("arn:aws:lambda:", 15); DD__SLS_PUT(p[3], rl); DD__SLS_PUT(":", 1); DD__SLS_PUT(p[4], al);
        DD__SLS_PUT(":url:", 5); DD__SLS_PUT(p[6], fl);
        if (p[7]) { DD__SLS_PUT(":", 1); DD__SLS_PUT(p[7], (size_t)(end - p[7])); }
    }
#undef DD__SLS_PUT
    dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, buf, n < sizeof buf ? n : 0);
}

/* "<a><b>" into dst; "" when it does not fit. */
DD__PRIVATE size_t dd__sls_cat(char *dst, size_t cap, const char *a, size_t an, const char *b, size_t bn) {
    if (an + bn + 1 > cap) { dst[0] = 0; return 0; }
    memcpy(dst, a, an);
    memcpy(dst + an, b, bn);
    dst[an + bn] = 0;
    return an + bn;
}
DD__PRIVATE void dd__sls_ttag(dd_lambda_trigger *t, const char *key, const char *val, size_t n) {
    dd_lambda_tag *g;
    if (t->n_trigger_tags >= DD_LAMBDA_TRIGGER_TAGS_MAX || n > DD_LAMBDA_TAG_VALUE_MAX || !n) return;
    g = &t->trigger_tags[t->n_trigger_tags++];
    memcpy(g->key, key, strlen(key) + 1);
    memcpy(g->value, val, n);
    g->value[n] = 0;
}
/* String at path (exact keys) copied into dst; its length, 0 when absent. */
DD__PRIVATE size_t dd__sls_get_str(const dd_json *o, const char *path, char *dst, size_t cap) {
    dd_json v;
    dst[0] = 0;
    if (dd_json_path(o, path, &v) != DD_OK) return 0;
    return dd__sls_copy(&v, dst, cap);
}
/* A header value (case-insensitive name) from headers, else the first of multiValueHeaders. */
DD__PRIVATE size_t dd__sls_header(const dd_json *ev, const char *name, char *dst, size_t cap) {
    dd_json h, m, v;
    dst[0] = 0;
    if (dd__sls_iget(ev, "headers", 7, &h) && dd__sls_iget(&h, name, strlen(name), &v) && v.type == DD_JSON_STRING)
        return dd__sls_copy(&v, dst, cap);
    if (dd__sls_iget(ev, "multiValueHeaders", 17, &m) && dd__sls_iget(&m, name, strlen(name), &v) &&
        dd_json_at(&v, 0, &h) == DD_OK)
        return dd__sls_copy(&h, dst, cap);
    return 0;
}

/* API Gateway (REST, HTTP API, WebSocket), Function URL and ALB: ARN, inferred span, trigger tags. */
DD__PRIVATE void dd__sls_http_details(dd__sls_x *x, const dd_json *ev, const dd_json *rc, dd_lambda_trigger *t) {
    const dd_lambda_config *cfg = x->cfg;
    char dom[DD_LAMBDA_NAME_MAX + 1], method[16], path[DD_LAMBDA_NAME_MAX + 1], url[DD_LAMBDA_TAG_VALUE_MAX + 1];
    char route[DD_LAMBDA_NAME_MAX + 1], tmp[DD_LAMBDA_TAG_VALUE_MAX + 1];
    size_t dl, ml, pl, ul, rl, n;
    const char *fa = cfg ? cfg->invoked_function_arn : NULL;
    dd_json v;
    memcpy(t->span_type, "web", 4);
    if (t->event_source == DD_LAMBDA_EVENT_ALB) {
        if (dd_json_path(rc, "elb.targetGroupArn", &v) == DD_OK) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        memcpy(t->span_name, "aws.alb", 8);
        memcpy(t->span_type, "http", 5);
        dl = dd__sls_header(ev, "host", dom, sizeof dom);
        ml = dd__sls_get_str(ev, "httpMethod", method, sizeof method);
        pl = dd__sls_get_str(ev, "path", path, sizeof path);
        dd__sls_set(t->service, sizeof t->service, dom, dl);
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "target_group_arn", t->event_source_arn, strlen(t->event_source_arn));
        n = dd__sls_header(ev, "x-forwarded-proto", tmp, sizeof tmp);
        if (!n) n = dd__sls_cat(tmp, sizeof tmp, "http", 4, "", 0);
        n = dd__sls_cat(url, sizeof url, tmp, n, "://", 3);
        n = dd__sls_cat(tmp, sizeof tmp, url, n, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.route", path, pl);
        n = dd__sls_header(ev, "user-agent", tmp, sizeof tmp);
        dd__sls_ttag(t, "http.useragent", tmp, n);
        n = dd__sls_header(ev, "referer", tmp, sizeof tmp);
        dd__sls_ttag(t, "http.referer", tmp, n);
        return;
    }
    dl = dd__sls_get_str(rc, "domainName", dom, sizeof dom);
    if (fa) { /* region and account of the function's ARN: arn:<partition>:lambda:<region>:<account>:function:<name> */
        const char *p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t k = 0, i, fl = strlen(fa);
        p[0] = fa;
        for (i = 0; i < fl && k < 7; i++)
            if (fa[i] == ':') p[++k] = fa + i + 1;
        if (k >= 6) dd__sls_arn_build(t, ev, rc, p, fa + fl);
    }
    dd__sls_set(t->service, sizeof t->service, dom, dl);
    n = dd__sls_header(ev, "x-amz-invocation-type", tmp, sizeof tmp);
    t->is_async = n == 5 && memcmp(tmp, "Event", 5) == 0;
    if (t->event_source == DD_LAMBDA_EVENT_FUNCTION_URL || t->event_subtype == DD_LAMBDA_HTTP_API) {
        ml = dd__sls_get_str(rc, "http.method", method, sizeof method);
        pl = dd__sls_get_str(rc, "http.path", path, sizeof path);
        if (DD__SLS_GET(rc, "timeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        if (t->event_source == DD_LAMBDA_EVENT_FUNCTION_URL) {
            memcpy(t->span_name, "aws.lambda.url", 15);
            memcpy(t->span_type, "http", 5);
            rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
        } else {
            char rk[DD_LAMBDA_NAME_MAX + 1];
            size_t kl = dd__sls_get_str(ev, "routeKey", rk, sizeof rk);
            const char *sp = (const char *)memchr(rk, ' ', kl);
            memcpy(t->span_name, "aws.httpapi", 12);
            /* the route template when routeKey has one ("GET /users/{id}"), else the raw path */
            if (sp && memchr(rk, '{', kl)) rl = dd__sls_cat(route, sizeof route, sp + 1, kl - (size_t)(sp + 1 - rk), "", 0);
            else rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
            if (sp) dd__sls_ttag(t, "http.route", sp + 1, kl - (size_t)(sp + 1 - rk));
        }
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, route, rl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag_json(t, "http.protocol", rc, "http.protocol");
        dd__sls_tag_json(t, "http.source_ip", rc, "http.sourceIp");
        dd__sls_tag_json(t, "http.useragent", rc, "http.userAgent");
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
    } else if (t->event_subtype == DD_LAMBDA_HTTP_WEBSOCKET) {
        char rk[DD_LAMBDA_NAME_MAX + 1];
        size_t kl = dd__sls_get_str(rc, "routeKey", rk, sizeof rk);
        memcpy(t->span_name, "aws.apigateway.websocket", 25);
        if (DD__SLS_GET(rc, "requestTimeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        dd__sls_set(t->resource, sizeof t->resource, rk, kl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, rk, kl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", rk, kl);
        dd__sls_tag_json(t, "connection_id", rc, "connectionId");
        dd__sls_tag_json(t, "event_type", rc, "eventType");
        dd__sls_tag_json(t, "message_direction", rc, "messageDirection");
        dd__sls_ttag(t, "http.url", tmp, n);
    } else { /* REST */
        char rp[DD_LAMBDA_NAME_MAX + 1];
        size_t rpl;
        memcpy(t->span_name, "aws.apigateway", 15);
        if (DD__SLS_GET(rc, "requestTimeEpoch", &v)) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        ml = dd__sls_get_str(ev, "httpMethod", method, sizeof method);
        pl = dd__sls_get_str(ev, "path", path, sizeof path);
        rl = dd__sls_get_str(ev, "resource", route, sizeof route);
        if (!rl) rl = dd__sls_get_str(rc, "resourcePath", route, sizeof route);
        if (!rl) rl = dd__sls_cat(route, sizeof route, path, pl, "", 0);
        n = dd__sls_cat(tmp, sizeof tmp, method, ml, " ", ml ? 1 : 0);
        dd__sls_cat(t->resource, sizeof t->resource, tmp, n, route, rl);
        n = dd__sls_cat(tmp, sizeof tmp, "https://", 8, dom, dl);
        ul = dd__sls_cat(url, sizeof url, tmp, n, path, pl);
        dd__sls_tag(t, "http.url", url, ul);
        dd__sls_tag(t, "endpoint", path, pl);
        dd__sls_tag(t, "http.method", method, ml);
        dd__sls_tag_json(t, "http.useragent", rc, "identity.userAgent");
        rpl = dd__sls_get_str(rc, "path", rp, sizeof rp);
        ul = dd__sls_cat(url, sizeof url, tmp, n, rp, rpl);
        dd__sls_ttag(t, "http.url", url, ul);
        dd__sls_ttag(t, "http.method", method, ml);
        dd__sls_ttag(t, "http.route", route, rl);
    }
    dd__sls_tag_json(t, "apiid", rc, "apiId");
    dd__sls_tag_json(t, "apiname", rc, "apiId");
    dd__sls_tag_json(t, "stage", rc, "stage");
    n = dd__sls_header(ev, "referer", tmp, sizeof tmp);
    dd__sls_ttag(t, "http.referer", tmp, n);
    if (t->event_source == DD_LAMBDA_EVENT_API_GATEWAY) {
        /* an instrumented Lambda authorizer ran first: REST and WebSocket get an
         * aws.apigateway.authorizer span from its finish time (ns, as Python reads it) to
         * max(that, requestTimeEpoch + integrationLatency ms), where the API span then starts;
         * HTTP APIs only start their span at the authorizer's finish time */
        dd_json obj, ft, lat;
        size_t mark = x->used;
        if (dd__sls_authorizer(x, ev, &obj) && DD__SLS_GET(&obj, "x-datadog-parent-span-finish-time", &ft)) {
            int64_t fin = dd__sls_ms_to_ns(&ft, 1);
            if (t->event_subtype == DD_LAMBDA_HTTP_API) {
                if (fin) t->start_ns = fin;
            } else if (fin) {
                int64_t end = 0;
                if (dd_json_path(rc, "authorizer.integrationLatency", &lat) == DD_OK && DD__SLS_GET(rc, "requestTimeEpoch", &v))
                {
                    int64_t a = dd__sls_ms_to_ns(&v, 1000000), b = dd__sls_ms_to_ns(&lat, 1000000);
                    end = a <= INT64_MAX - b ? a + b : 0;
                }
                memcpy(t->upstream_span_name, "aws.apigateway.authorizer", 26);
                dd__sls_set(t->upstream_service, sizeof t->upstream_service, t->service, strlen(t->service));
                dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, t->resource, strlen(t->resource));
                t->upstream_start_ns = fin;
                t->start_ns = end > fin ? end : fin;
            }
        }
        x->used = mark;
    }
}

/* The start of an aws.eventbridge span (datadog-lambda-python): the event's `time`, or the Step
 * Functions State.EnteredTime when detail._datadog is a context object (a PutEvents task). */
DD__PRIVATE int64_t dd__sls_eb_start(const dd_json *ev) {
    dd_json d, so, v;
    int64_t ns = 0;
    if (DD__SLS_GET(ev, "detail", &d) && dd__sls_is_sfn(&d, &so) && dd_json_path(&d, "_datadog.State.EnteredTime", &v) == DD_OK)
        ns = dd__sls_iso_to_ns(&v);
    if (!ns && DD__SLS_GET(ev, "time", &v)) ns = dd__sls_iso_to_ns(&v);
    return ns;
}

/* Event source ARN and inferred-span description (spec 7.3 and 8). */
DD__PRIVATE void dd__sls_trigger_details(dd__sls_x *x, const dd_json *ev, dd_lambda_trigger *t) {
    dd_json rec, v, rc;
    char name[DD_LAMBDA_NAME_MAX + 1], arn[DD_LAMBDA_ARN_MAX + 1];
    size_t n;
    dd_json_path(ev, "Records.0", &rec);
    (void)DD__SLS_GET(ev, "requestContext", &rc);
    memcpy(t->span_type, "web", 4);
    if (DD__SLS_GET(&rec, "eventSourceARN", &v) || DD__SLS_GET(&rec, "eventSourceArn", &v))
        dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
    switch (t->event_source) {
    case DD_LAMBDA_EVENT_S3:
        if (dd_json_path(&rec, "s3.bucket.arn", &v) == DD_OK) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        memcpy(t->span_name, "aws.s3", 7);
        if (dd_json_path(&rec, "s3.bucket.name", &v) == DD_OK) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_set(t->service, sizeof t->service, name, n);
            dd__sls_set(t->resource, sizeof t->resource, name, n);
            dd__sls_tag(t, "bucketname", name, n);
        }
        dd__sls_tag_json(t, "bucket_arn", &rec, "s3.bucket.arn");
        dd__sls_tag_json(t, "object_key", &rec, "s3.object.key");
        dd__sls_tag_json(t, "object_size", &rec, "s3.object.size");
        dd__sls_tag_json(t, "object_etag", &rec, "s3.object.eTag");
        dd__sls_tag_json(t, "event_name", &rec, "eventName");
        if (DD__SLS_GET(&rec, "eventTime", &v)) t->start_ns = dd__sls_iso_to_ns(&v);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_SNS:
        if (dd_json_path(&rec, "Sns.TopicArn", &v) == DD_OK) {
            n = dd__sls_copy(&v, arn, sizeof arn);
            dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, arn, n);
            memcpy(t->span_name, "aws.sns", 8);
            n = strlen(dd__sls_last(arn, ':'));
            dd__sls_set(t->service, sizeof t->service, dd__sls_last(arn, ':'), n);
            dd__sls_set(t->resource, sizeof t->resource, dd__sls_last(arn, ':'), n);
            dd__sls_tag(t, "topicname", t->service, strlen(t->service));
            dd__sls_tag(t, "topic_arn", arn, strlen(arn));
        }
        dd__sls_tag_json(t, "message_id", &rec, "Sns.MessageId");
        dd__sls_tag_json(t, "type", &rec, "Sns.Type");
        dd__sls_tag_json(t, "subject", &rec, "Sns.Subject");
        if (dd_json_path(&rec, "Sns.Timestamp", &v) == DD_OK) t->start_ns = dd__sls_iso_to_ns(&v);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_SQS:
        memcpy(t->span_name, "aws.sqs", 8);
        n = strlen(dd__sls_last(t->event_source_arn, ':'));
        dd__sls_set(t->service, sizeof t->service, dd__sls_last(t->event_source_arn, ':'), n);
        dd__sls_set(t->resource, sizeof t->resource, t->service, n);
        dd__sls_tag(t, "queuename", t->service, n);
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(t, "receipt_handle", &rec, "receiptHandle");
        dd__sls_tag_json(t, "sender_id", &rec, "attributes.SenderId");
        if (dd_json_path(&rec, "attributes.SentTimestamp", &v) == DD_OK) t->start_ns = dd__sls_ms_to_ns(&v, 1000000);
        t->is_async = 1;
        { /* SNS envelope or EventBridge event in the body: an upstream span */
            dd_json body, b, ty;
            if (DD__SLS_GET(&rec, "body", &body) && dd__sls_parse_jstr(x, &body, &b) && b.type == DD_JSON_OBJECT) {
                if (DD__SLS_GET(&b, "Type", &ty) && dd__sls_str_is(&ty, "Notification") &&
                    DD__SLS_GET(&b, "TopicArn", &v)) {
                    dd__sls_copy(&v, arn, sizeof arn);
                    memcpy(t->upstream_span_name, "aws.sns", 8);
                    n = strlen(dd__sls_last(arn, ':'));
                    dd__sls_set(t->upstream_service, sizeof t->upstream_service, dd__sls_last(arn, ':'), n);
                    dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, dd__sls_last(arn, ':'), n);
                    if (DD__SLS_GET(&b, "Timestamp", &v)) t->upstream_start_ns = dd__sls_iso_to_ns(&v);
                    /* the tags of a direct SNS trigger, from the envelope (Subject only when set) */
                    dd__sls_utag(t, "topicname", t->upstream_service, strlen(t->upstream_service));
                    dd__sls_utag(t, "topic_arn", arn, strlen(arn));
                    dd__sls_utag_json(t, "message_id", &b, "MessageId");
                    dd__sls_utag_json(t, "type", &b, "Type");
                    dd__sls_utag_json(t, "subject", &b, "Subject");
                } else if (dd_json_path(&b, "detail._datadog", &ty) == DD_OK &&
                           (ty.type == DD_JSON_OBJECT || ty.type == DD_JSON_STRING) &&
                           DD__SLS_GET(&b, "source", &v)) {
                    /* EventBridge -> SQS: only a traced producer's event (detail._datadog), as Python */
                    n = dd__sls_copy(&v, name, sizeof name);
                    memcpy(t->upstream_span_name, "aws.eventbridge", 16);
                    dd__sls_set(t->upstream_service, sizeof t->upstream_service, name, n);
                    dd__sls_set(t->upstream_resource, sizeof t->upstream_resource, name, n);
                    t->upstream_start_ns = dd__sls_eb_start(&b);
                    dd__sls_utag_json(t, "detail_type", &b, "detail-type");
                }
            }
        }
        break;
    case DD_LAMBDA_EVENT_KINESIS:
        memcpy(t->span_name, "aws.kinesis", 12);
        {
            const char *s = dd__sls_last(t->event_source_arn, '/');
            n = s == t->event_source_arn ? 0 : strlen(s);
            dd__sls_set(t->service, sizeof t->service, s, n);
            dd__sls_set(t->resource, sizeof t->resource, s, n);
            dd__sls_tag(t, "streamname", s, n);
        }
        if (DD__SLS_GET(&rec, "eventID", &v)) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_tag(t, "event_id", name, n);
            { const char *c = strchr(name, ':'); dd__sls_tag(t, "shardid", name, c ? (size_t)(c - name) : n); }
        }
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(t, "event_name", &rec, "eventName");
        dd__sls_tag_json(t, "event_version", &rec, "eventVersion");
        dd__sls_tag_json(t, "partition_key", &rec, "kinesis.partitionKey");
        if (dd_json_path(&rec, "kinesis.approximateArrivalTimestamp", &v) == DD_OK)
            t->start_ns = dd__sls_ms_to_ns(&v, 1000000000);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_DYNAMODB:
        memcpy(t->span_name, "aws.dynamodb", 13);
        {
            const char *s = strchr(t->event_source_arn, '/');
            const char *e = s ? strchr(s + 1, '/') : NULL;
            n = s ? (e ? (size_t)(e - s - 1) : strlen(s + 1)) : 0;
            dd__sls_set(t->service, sizeof t->service, s ? s + 1 : "", n);
            dd__sls_set(t->resource, sizeof t->resource, s ? s + 1 : "", n);
            dd__sls_tag(t, "tablename", t->service, n);
        }
        dd__sls_tag(t, "event_source_arn", t->event_source_arn, strlen(t->event_source_arn));
        dd__sls_tag_json(t, "event_id", &rec, "eventID");
        dd__sls_tag_json(t, "event_name", &rec, "eventName");
        dd__sls_tag_json(t, "event_version", &rec, "eventVersion");
        dd__sls_tag_json(t, "stream_view_type", &rec, "dynamodb.StreamViewType");
        dd__sls_tag_json(t, "size_bytes", &rec, "dynamodb.SizeBytes");
        if (dd_json_path(&rec, "dynamodb.ApproximateCreationDateTime", &v) == DD_OK)
            t->start_ns = dd__sls_ms_to_ns(&v, 1000000000);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_EVENTBRIDGE:
        memcpy(t->span_name, "aws.eventbridge", 16);
        if (DD__SLS_GET(ev, "source", &v)) {
            n = dd__sls_copy(&v, name, sizeof name);
            dd__sls_set(t->service, sizeof t->service, name, n);
            dd__sls_set(t->resource, sizeof t->resource, name, n);
        }
        dd__sls_tag_json(t, "detail_type", ev, "detail-type");
        t->start_ns = dd__sls_eb_start(ev);
        t->is_async = 1;
        break;
    case DD_LAMBDA_EVENT_CLOUDWATCH_EVENTS:
        if (dd_json_path(ev, "resources.0", &v) == DD_OK) dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        break;
    case DD_LAMBDA_EVENT_CLOUDFRONT: {
        /* arn:<partition>:cloudfront::<account>:distribution/<id>, region and account from the
         * function's ARN arn:<p>:lambda:<region>:<account>:... (datadog-lambda-python) */
        const char *fa = x->cfg ? x->cfg->invoked_function_arn : NULL, *p[5] = {0, 0, 0, 0, 0};
        size_t k = 0, i, fl = fa ? strlen(fa) : 0, rl, al, dn, m;
        const char *part = "aws";
        if (!fa || dd_json_path(&rec, "cf.config.distributionId", &v) != DD_OK) break;
        for (i = 0; i < fl && k < 4; i++)
            if (fa[i] == ':') p[++k] = fa + i + 1;
        if (k < 4) break;
        for (i = (size_t)(p[4] - fa); i < fl && fa[i] != ':'; i++) {}
        rl = (size_t)(p[4] - p[3] - 1);
        al = (size_t)(fa + i - p[4]);
        if (rl >= 7 && memcmp(p[3], "us-gov-", 7) == 0) part = "aws-us-gov";
        else if (rl >= 3 && memcmp(p[3], "cn-", 3) == 0) part = "aws-cn";
        dn = dd__sls_copy(&v, name, sizeof name);
        m = 4 + strlen(part) + 13 + al + 14 + dn;
        if (!dn || !al || m >= sizeof arn) break;
        m = 0;
        memcpy(arn + m, "arn:", 4); m += 4;
        memcpy(arn + m, part, strlen(part)); m += strlen(part);
        memcpy(arn + m, ":cloudfront::", 13); m += 13;
        memcpy(arn + m, p[4], al); m += al;
        memcpy(arn + m, ":distribution/", 14); m += 14;
        memcpy(arn + m, name, dn); m += dn;
        dd__sls_set(t->event_source_arn, sizeof t->event_source_arn, arn, m);
        break;
    }
    case DD_LAMBDA_EVENT_STATES: {
        dd_json so;
        if (dd__sls_is_sfn(ev, &so) && dd_json_path(&so, "StateMachine.Id", &v) == DD_OK)
            dd__sls_copy(&v, t->event_source_arn, sizeof t->event_source_arn);
        break;
    }
    case DD_LAMBDA_EVENT_API_GATEWAY:
    case DD_LAMBDA_EVENT_FUNCTION_URL:
    case DD_LAMBDA_EVENT_ALB:
        dd__sls_http_details(x, ev, &rc, t);
        break;
    default: break;
    }
}

DD_API int dd_lambda_extract(const dd_lambda_config *cfg, const char *event, size_t event_len,
                             const char *client_context, size_t cc_len, dd_trace_context *out,
                             dd_lambda_trigger *trigger) {
    char local[16384];
    dd__sls_x x;
    dd_json ev;
    dd_lambda_trigger tmp;
    dd_lambda_trigger *t = trigger ? trigger : &tmp;
    int found = 0, builtins = 1;
    if (out) memset(out, 0, sizeof *out);
    if (trigger) memset(trigger, 0, sizeof *trigger);
    if (!out || (!event && event_len) || (!client_context && cc_len)) return DD_ERR_INVALID_ARG;
    memset(&tmp, 0, sizeof tmp);
    memset(&x, 0, sizeof x);
    x.cfg = cfg;
    x.prop = cfg ? cfg->propagation : NULL;
    x.out = out;
    if (cfg && cfg->scratch && cfg->scratch_len) {
        x.scratch = cfg->scratch;
        x.cap = cfg->scratch_len;
    } else {
        x.scratch = local;
        x.cap = sizeof local;
    }
    memset(&ev, 0, sizeof ev);
    if (!event || dd_json_parse(event, event_len, &ev) != DD_OK) memset(&ev, 0, sizeof ev);
    if (ev.type) {
        dd__sls_classify(&ev, t);
        dd__sls_trigger_details(&x, &ev, t);
        x.used = 0;
    }
    if (cfg && cfg->extractor_fn) {
        int rc = cfg->extractor_fn(cfg->extractor_user, event, event_len, out);
        if (rc == DD_OK && dd__sls_ctx_complete(out)) found = 1;
        else if (rc != DD_ERR_NOT_FOUND) builtins = 0;
        if (!found) memset(out, 0, sizeof *out);
    }
    if (!found && builtins) {
        if (ev.type) found = dd__sls_event_context(&x, &ev, t->event_source);
        if (!found) { memset(out, 0, sizeof *out); x.used = 0; found = dd__sls_client_context(&x, client_context, cc_len); }
        if (!found) memset(out, 0, sizeof *out);
    }
    if (found) {
        t->context_source = DD_LAMBDA_CONTEXT_EVENT;
        return DD_OK;
    }
    if (dd__sls_xray_env(cfg, out)) {
        t->context_source = DD_LAMBDA_CONTEXT_XRAY;
        return DD_OK;
    }
    memset(out, 0, sizeof *out);
    t->context_source = DD_LAMBDA_CONTEXT_NONE;
    return DD_ERR_NOT_FOUND;
}

DD__PRIVATE int dd__sls_merge_on(const dd_lambda_config *cfg) {
    const char *v;
    if (cfg && cfg->merge_xray == DD_ON) return 1;
    if (cfg && cfg->merge_xray == DD_OFF) return 0;
    v = dd__sls_getenv(cfg, "DD_MERGE_XRAY_TRACES");
    if (!v) return 0;
    return (dd__sls_lower(v[0]) == 't' && dd__sls_lower(v[1]) == 'r' && dd__sls_lower(v[2]) == 'u' &&
            dd__sls_lower(v[3]) == 'e' && v[4] == 0) || (v[0] == '1' && v[1] == 0);
}

DD_API int dd_lambda_parent(const dd_lambda_config *cfg, const dd_trace_context *extracted, int context_source,
                            dd_trace_context *parent) {
    dd_trace_context xr;
    if (parent) memset(parent, 0, sizeof *parent);
    if (!extracted || !parent) return DD_ERR_INVALID_ARG;
    if (!dd__sls_ctx_complete(extracted)) return DD_ERR_NOT_FOUND;
    if (!dd__sls_merge_on(cfg)) {
        if (context_source != DD_LAMBDA_CONTEXT_EVENT) return DD_ERR_NOT_FOUND;
        *parent = *extracted;
        return DD_OK;
    }
    *parent = *extracted;
    if (context_source == DD_LAMBDA_CONTEXT_EVENT && dd__sls_xray_env(cfg, &xr)) parent->parent_id = xr.parent_id;
    return DD_OK;
}

/*=== x-ray subsegment implementation ===*/

DD_API size_t dd_xray_subsegment(char *out, size_t cap, const char *xray_header, size_t header_len,
                                 const char *id, size_t id_len, int64_t now_ns, const char *key,
                                 size_t key_len, const char *value_json, size_t value_len) {
    dd__sls_xray f;
    dd__sls_jw w;
    char t[48];
    size_t tn;
    int64_t sec, ms;
    if (out && cap) out[0] = 0;
    dd__sls_xray_fields(xray_header, xray_header ? header_len : 0, &f);
    if (!f.root || !f.parent || !f.root_n || !f.parent_n) return 0;
    if (f.sampled && f.sampled_n == 1 && f.sampled[0] == '0') return 0;
    for (tn = 0; tn < f.root_n; tn++) /* ids are printable ASCII; anything else is not a header */
        if ((unsigned char)f.root[tn] <= 0x20 || (unsigned char)f.root[tn] >= 0x7f) return 0;
    for (tn = 0; tn < f.parent_n; tn++)
        if ((unsigned char)f.parent[tn] <= 0x20 || (unsigned char)f.parent[tn] >= 0x7f) return 0;
    if (now_ns < 0) now_ns = 0;
    sec = now_ns / 1000000000;
    ms = now_ns / 1000000 % 1000;
    tn = dd__sls_dec((uint64_t)sec, t);
    if (ms) {
        t[tn++] = '.';
        t[tn++] = (char)('0' + ms / 100);
        t[tn++] = (char)('0' + ms / 10 % 10);
        t[tn++] = (char)('0' + ms % 10);
        while (t[tn - 1] == '0') tn--;
    }
    memset(&w, 0, sizeof w);
    w.out = out;
    w.cap = cap;
    DD__SLS_RAW(&w, "{\"format\": \"json\", \"version\": 1}\n{\"id\":");
    dd__sls_jw_str(&w, id ? id : "", id ? id_len : 0);
    DD__SLS_RAW(&w, ",\"trace_id\":");
    dd__sls_jw_str(&w, f.root, f.root_n);
    DD__SLS_RAW(&w, ",\"parent_id\":");
    dd__sls_jw_str(&w, f.parent, f.parent_n);
    DD__SLS_RAW(&w, ",\"name\":\"datadog-metadata\",\"start_time\":");
    dd__sls_jw_raw(&w, t, tn);
    DD__SLS_RAW(&w, ",\"end_time\":");
    dd__sls_jw_raw(&w, t, tn);
    DD__SLS_RAW(&w, ",\"type\":\"subsegment\",\"metadata\":{\"datadog\":{");
    dd__sls_jw_str(&w, key ? key : "", key ? key_len : 0);
    DD__SLS_RAW(&w, ":");
    dd__sls_jw_raw(&w, value_json ? value_json : "null", value_json ? value_len : 4);
    DD__SLS_RAW(&w, "}}}");
    if (out && cap) out[w.len < cap ? w.len : 0] = 0;
    return w.len;
}

DD_API int dd_xray_send_metadata(const dd_lambda_config *cfg, const char *key, size_t key_len,
                                 const char *value_json, size_t value_len) {
    char buf[2048], id[17];
    const char *h;
    int64_t now;
    uint64_t r;
    size_t n, i;
    if (!cfg || !cfg->send_fn) return DD_ERR_DISABLED;
    h = dd__sls_getenv(cfg, "_X_AMZN_TRACE_ID");
    if (!h) return DD_ERR_NOT_FOUND;
    now = cfg->wall_ns_fn ? cfg->wall_ns_fn(cfg->hook_user) : (int64_t)time(NULL) * 1000000000;
    if (cfg->random_fn) {
        r = cfg->random_fn(cfg->hook_user);
    } else { /* not random, only distinct: a hash of the time and the header */
        uint8_t d[32];
        char seed[64 + 21];
        size_t hn = strlen(h) < 64 ? strlen(h) : 64;
        memcpy(seed, h, hn);
        n = dd__sls_dec((uint64_t)now, seed + hn);
        dd_sha256(seed, hn + n, d);
        for (r = 0, i = 0; i < 8; i++) r = (r << 8) | d[i];
    }
    for (i = 0; i < 16; i++) id[i] = "0123456789abcdef"[(r >> (60 - 4 * i)) & 15];
    id[16] = 0;
    n = dd_xray_subsegment(buf, sizeof buf, h, strlen(h), id, 16, now, key, key_len, value_json, value_len);
    if (n == 0) return DD_ERR_NOT_FOUND;
    if (n >= sizeof buf) return DD_ERR_LIMIT;
    return cfg->send_fn(cfg->hook_user, buf, n) == 0 ? DD_OK : DD_ERR_TRANSPORT;
}

DD_API int dd_lambda_send_trace_metadata(const dd_lambda_config *cfg, const dd_trace_context *ctx, int context_source) {
    dd__sls_jw w;
    char buf[160], num[24];
    size_t n;
    if (!cfg || !cfg->send_fn) return DD_ERR_DISABLED;
    if (!ctx || context_source != DD_LAMBDA_CONTEXT_EVENT || !dd__sls_ctx_complete(ctx)) return DD_ERR_NOT_FOUND;
    memset(&w, 0, sizeof w);
    w.out = buf;
    w.cap = sizeof buf;
    DD__SLS_RAW(&w, "{");
    n = dd__sls_dec(ctx->trace_id.lo, num);
    dd__sls_jw_set(&w, "trace-id", 8, num, n);
    n = dd__sls_dec(ctx->parent_id, num);
    dd__sls_jw_set(&w, "parent-id", 9, num, n);
    if (ctx->sampling_priority != DD_PRIORITY_UNSET) {
        int32_t p = ctx->sampling_priority;
        if (p < 0) {
            n = dd__sls_dec((uint64_t)(-(int64_t)p), num + 1);
            num[0] = '-';
            n++;
        } else {
            n = dd__sls_dec((uint64_t)p, num);
        }
        dd__sls_jw_set(&w, "sampling-priority", 17, num, n);
    }
    DD__SLS_RAW(&w, "}");
    return dd_xray_send_metadata(cfg, "trace", 5, buf, w.len);
}
