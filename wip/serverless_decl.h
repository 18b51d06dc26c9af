/* wip/serverless_decl.h: developed apart, merged into its header before release. */

/*=== json reader ===*/

/* A small, strict, bounded JSON reader (RFC 8259) that never allocates and never recurses.
 * dd_json_parse validates a whole document once; the other calls then walk the validated text.
 * A dd_json names one value's text inside the caller's buffer (borrowed: the buffer must outlive
 * it): `p` points at its first byte and `n` counts its bytes; a string's text includes its quotes.
 * Duplicate object keys: lookups return the LAST member with that key, as Python's json and
 * JavaScript's JSON.parse do. */
#define DD_JSON_NULL 1
#define DD_JSON_BOOL 2
#define DD_JSON_NUMBER 3
#define DD_JSON_STRING 4
#define DD_JSON_ARRAY 5
#define DD_JSON_OBJECT 6
#define DD_JSON_MAX_DEPTH 64 /* arrays/objects nested deeper are DD_ERR_DEPTH */

typedef struct dd_json {
    const char *p; /* first byte of the value's text */
    size_t n;      /* bytes of the value's text      */
    int type;      /* DD_JSON_*, 0 for "no value"    */
} dd_json;

/* Members of an object or elements of an array, in document order. Plain data. */
typedef struct dd_json_iter {
    const char *cur; /* next byte to read            */
    const char *end; /* one past the container's text */
    int type;        /* the container's DD_JSON_*    */
    int state;       /* 0 before the first, 1 inside, 2 finished */
} dd_json_iter;

/* Validates `text` (len bytes, not NUL-terminated necessarily) as exactly one JSON value with
 * optional surrounding whitespace: RFC 8259 grammar, valid UTF-8 (no surrogates, no overlongs),
 * no control characters in strings, at most DD_JSON_MAX_DEPTH nested containers. On DD_OK *root
 * names the top value (whitespace excluded). Errors: DD_ERR_INVALID_ARG (NULL), DD_ERR_MALFORMED,
 * DD_ERR_DEPTH; *root is zeroed on failure. [any thread] */
DD_API int dd_json_parse(const char *text, size_t len, dd_json *root);

/* The member of object `obj` whose key, after unescaping, equals key[0..key_len) (the last one
 * when a key repeats). DD_OK, DD_ERR_NOT_FOUND, DD_ERR_TYPE (obj is not an object) or
 * DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_get(const dd_json *obj, const char *key, size_t key_len, dd_json *out);

/* Element `index` (0-based) of array `arr`. DD_OK, DD_ERR_NOT_FOUND, DD_ERR_TYPE,
 * DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_at(const dd_json *arr, size_t index, dd_json *out);

/* Starts a walk over an object's members or an array's elements. A non-container (or NULL)
 * gives a walk that ends at once. [any thread] */
DD_API void dd_json_iter_init(dd_json_iter *it, const dd_json *container);

/* The next member: *key gets the member's key as a DD_JSON_STRING (objects; may be NULL, and is
 * zeroed for arrays), *val its value. DD_OK, or DD_ERR_NOT_FOUND at the end (both zeroed).
 * [any thread] */
DD_API int dd_json_next(dd_json_iter *it, dd_json *key, dd_json *val);

/* Unescapes string `v` into out[0..cap) as UTF-8 and NUL-terminates it; \uXXXX surrogate pairs
 * become one code point, a lone surrogate becomes U+FFFD. *len (may be NULL) gets the decoded
 * length without the NUL. DD_OK; DD_ERR_BUFFER_FULL when cap < length + 1 (*len still gets the
 * length needed, out gets ""); DD_ERR_TYPE when v is not a string. [any thread] */
DD_API int dd_json_string(const dd_json *v, char *out, size_t cap, size_t *len);

/* Compares string `v`, unescaped, with s[0..s_len): 1 when equal, 0 otherwise (and for a
 * non-string). [any thread] */
DD_API int dd_json_string_eq(const dd_json *v, const char *s, size_t s_len);

/* A number's value, parsed without strtod (no locale): exact (correctly rounded) when the
 * significand has at most 15 digits and the decimal exponent is within +-22, within a few ulps
 * otherwise; magnitudes beyond double give DD_ERR_LIMIT. DD_ERR_TYPE for a non-number; *out = 0
 * unless DD_OK. [any thread] */
DD_API int dd_json_number(const dd_json *v, double *out);

/* An unsigned 64-bit integer: either a JSON number written as plain decimal digits (no sign,
 * fraction or exponent) or a JSON string holding only 1..20 decimal digits (ids travel as strings
 * in carriers). DD_ERR_TYPE for anything else, DD_ERR_LIMIT above 2^64-1; *out = 0 unless DD_OK.
 * [any thread] */
DD_API int dd_json_u64(const dd_json *v, uint64_t *out);

/* Walks `dot_path` ("Records.0.messageAttributes._datadog") from root: each dot-separated segment
 * is an array index (decimal digits, when the current value is an array) or an object key (keys
 * containing a dot cannot be named this way: use dd_json_get). An empty path gives root itself.
 * DD_OK, DD_ERR_NOT_FOUND, DD_ERR_INVALID_ARG; *out zeroed unless DD_OK. [any thread] */
DD_API int dd_json_path(const dd_json *root, const char *dot_path, dd_json *out);
