/* bench/lambda_events.h — big Lambda events (about 6 MB, the largest Lambda delivers), built in
 * memory and deterministic, for bench/lambda_extract.c and tests/lambda_extract_diff.c.
 *
 *   size_t n; char *ev = dd__bev_make(DD__BEV_SQS, 6000000, &n);   ...   free(ev);
 *
 * Shapes (docs/lambda.md §3, §4):
 *   sqs        one SQS record: a body of plain text and a `_datadog` String attribute whose
 *              carrier holds a 200 KB filler member (the shape of tests/lambda_extension_test.sh)
 *   sns_sqs    one SQS record whose body is an SNS notification (escaped JSON in the string): a
 *              big Message full of escaped quotes, the carrier in its MessageAttributes
 *   kinesis    one Kinesis record whose data is base64 of {"_datadog": {...}, "payload": "..."}
 *   apigw      an API Gateway REST event: context headers and a big JSON body (escaped quotes)
 *   sqs_batch  a batch of 10 SQS records of 600 KB each, the carrier in the first one
 * The events' sizes are `size` within a few hundred bytes. Needs <stdio.h>, <stdlib.h>, <string.h>. */
#ifndef DD_BENCH_LAMBDA_EVENTS_H
#define DD_BENCH_LAMBDA_EVENTS_H

enum { DD__BEV_SQS, DD__BEV_SNS_SQS, DD__BEV_KINESIS, DD__BEV_APIGW, DD__BEV_SQS_BATCH, DD__BEV_COUNT };
static const char *const dd__bev_names[DD__BEV_COUNT] = {"sqs", "sns_sqs", "kinesis", "apigw", "sqs_batch"};

typedef struct dd__bev_buf {
    char *p;
    size_t n, cap;
} dd__bev_buf;

static void dd__bev_put(dd__bev_buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > cap) cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        if (!b->p) { fprintf(stderr, "out of memory\n"); exit(2); }
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void dd__bev_str(dd__bev_buf *b, const char *s) { dd__bev_put(b, s, strlen(s)); }
static void dd__bev_rep(dd__bev_buf *b, const char *unit, size_t count) {
    size_t k = strlen(unit), i;
    for (i = 0; i < count; i++) dd__bev_put(b, unit, k);
}
/* s as the body of a JSON string (quotes and backslashes escaped). */
static void dd__bev_esc(dd__bev_buf *b, const char *s, size_t n) {
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            dd__bev_put(b, s + run, i - run);
            dd__bev_put(b, "\\", 1);
            run = i;
        }
    }
    dd__bev_put(b, s + run, n - run);
}
static void dd__bev_b64(dd__bev_buf *b, const unsigned char *s, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    char q[4];
    for (i = 0; i + 2 < n; i += 3) {
        q[0] = t[s[i] >> 2]; q[1] = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        q[2] = t[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)]; q[3] = t[s[i + 2] & 63];
        dd__bev_put(b, q, 4);
    }
    if (n - i == 1) {
        q[0] = t[s[i] >> 2]; q[1] = t[(s[i] & 3) << 4]; q[2] = '='; q[3] = '=';
        dd__bev_put(b, q, 4);
    } else if (n - i == 2) {
        q[0] = t[s[i] >> 2]; q[1] = t[((s[i] & 3) << 4) | (s[i + 1] >> 4)]; q[2] = t[(s[i + 1] & 15) << 2]; q[3] = '=';
        dd__bev_put(b, q, 4);
    }
}

#define DD__BEV_CARRIER_MEMBERS                                                                              \
    "\"x-datadog-trace-id\":\"4948377316357291421\",\"x-datadog-parent-id\":\"6746998015037429512\","    \
    "\"x-datadog-sampling-priority\":\"2\",\"x-datadog-tags\":\"_dd.p.dm=-0,_dd.p.tid=66bcb5eb00000000\""
#define DD__BEV_SQS_TAIL                                                                                      \
    "\"md5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\",\"attributes\":{\"ApproximateReceiveCount\":\"1\","    \
    "\"SentTimestamp\":\"1700000000000\",\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\","                             \
    "\"ApproximateFirstReceiveTimestamp\":\"1700000000001\"},\"eventSource\":\"aws:sqs\","                    \
    "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:demo-queue\",\"awsRegion\":\"us-east-1\"}"

/* A filler that looks like a JSON document (escaped once per level by the callers). */
static void dd__bev_json_text(dd__bev_buf *b, size_t size) {
    const char *unit = "{\"id\":12345,\"name\":\"item\",\"tags\":[\"a\",\"b\"]},";
    size_t k = strlen(unit);
    dd__bev_str(b, "[");
    while (b->n + k + 40 < size) dd__bev_put(b, unit, k);
    dd__bev_str(b, "{}]");
}

static char *dd__bev_make(int shape, size_t size, size_t *len) {
    dd__bev_buf b = {0, 0, 0}, t = {0, 0, 0}, u = {0, 0, 0};
    switch (shape) {
    case DD__BEV_SQS: {
        size_t filler = size >= 1000000 ? 200000 : size / 30, body;
        dd__bev_str(&b, "{\"Records\":[{\"messageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
                        "\"receiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a\",\"body\":\"");
        body = size - filler - 1200;
        dd__bev_rep(&b, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                    body / 100);
        dd__bev_str(&b, "\",\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"{");
        dd__bev_esc(&t, DD__BEV_CARRIER_MEMBERS, strlen(DD__BEV_CARRIER_MEMBERS));
        dd__bev_put(&b, t.p, t.n);
        dd__bev_str(&b, ",\\\"x-filler\\\":\\\"");
        dd__bev_rep(&b, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                    filler / 100);
        dd__bev_str(&b, "\\\"}\",\"stringListValues\":[],\"binaryListValues\":[],\"dataType\":\"String\"}},");
        dd__bev_str(&b, DD__BEV_SQS_TAIL "]}");
        break;
    }
    case DD__BEV_SNS_SQS: {
        /* the SNS notification, then the same escaped once more as the SQS body */
        dd__bev_str(&t, "{\"Type\":\"Notification\",\"MessageId\":\"95df01b4-ee98-5cb9-9903-4c221d41eb5e\","
                        "\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:demo-topic\",\"Subject\":\"big\","
                        "\"Message\":\"");
        dd__bev_json_text(&u, (size - 3000) / 2);
        dd__bev_esc(&t, u.p, u.n);
        dd__bev_str(&t, "\",\"Timestamp\":\"2023-11-14T22:13:20.000Z\",\"SignatureVersion\":\"1\","
                        "\"MessageAttributes\":{\"_datadog\":{\"Type\":\"String\",\"Value\":\"{");
        {
            dd__bev_buf c = {0, 0, 0};
            dd__bev_esc(&c, DD__BEV_CARRIER_MEMBERS, strlen(DD__BEV_CARRIER_MEMBERS));
            dd__bev_put(&t, c.p, c.n);
            free(c.p);
        }
        dd__bev_str(&t, "}\"}}}");
        dd__bev_str(&b, "{\"Records\":[{\"messageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
                        "\"receiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a\",\"body\":\"");
        dd__bev_esc(&b, t.p, t.n);
        dd__bev_str(&b, "\",\"messageAttributes\":{}," DD__BEV_SQS_TAIL "]}");
        break;
    }
    case DD__BEV_KINESIS: {
        dd__bev_str(&t, "{\"_datadog\":{" DD__BEV_CARRIER_MEMBERS "},\"payload\":\"");
        dd__bev_rep(&t, "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp",
                    (size - 2000) / 4 * 3 / 100);
        dd__bev_str(&t, "\"}");
        dd__bev_str(&b, "{\"Records\":[{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":\"1\","
                        "\"sequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\",\"data\":\"");
        dd__bev_b64(&b, (const unsigned char *)t.p, t.n);
        dd__bev_str(&b, "\",\"approximateArrivalTimestamp\":1545084650.987},\"eventSource\":\"aws:kinesis\","
                        "\"eventVersion\":\"1.0\",\"eventID\":\"shardId-000000000006:49590338271490256608559692538361571095921575989136588898\","
                        "\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":\"arn:aws:iam::123456789012:role/lambda-role\","
                        "\"awsRegion\":\"us-east-2\",\"eventSourceARN\":\"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream\"}]}");
        break;
    }
    case DD__BEV_APIGW: {
        dd__bev_str(&b, "{\"resource\":\"/users/{id}\",\"path\":\"/users/42\",\"httpMethod\":\"POST\",\"headers\":{"
                        "\"Host\":\"abc123.execute-api.us-east-1.amazonaws.com\",\"User-Agent\":\"curl/8.0\","
                        "\"x-datadog-trace-id\":\"4948377316357291421\",\"x-datadog-parent-id\":\"6746998015037429512\","
                        "\"x-datadog-sampling-priority\":\"2\"},\"multiValueHeaders\":{\"Host\":[\"abc123.execute-api.us-east-1.amazonaws.com\"]},"
                        "\"queryStringParameters\":null,\"body\":\"");
        dd__bev_json_text(&u, size - 1500);
        dd__bev_esc(&b, u.p, u.n);
        dd__bev_str(&b, "\",\"isBase64Encoded\":false,\"requestContext\":{\"resourceId\":\"123456\",\"resourcePath\":\"/users/{id}\","
                        "\"httpMethod\":\"POST\",\"requestId\":\"c6af9ac6-7b61-11e6-9a41-93e8deadbeef\",\"path\":\"/prod/users/42\","
                        "\"accountId\":\"123456789012\",\"stage\":\"prod\",\"requestTimeEpoch\":1428582896000,"
                        "\"identity\":{\"sourceIp\":\"127.0.0.1\",\"userAgent\":\"curl/8.0\"},"
                        "\"domainName\":\"abc123.execute-api.us-east-1.amazonaws.com\",\"apiId\":\"abc123\"}}");
        break;
    }
    default: { /* DD__BEV_SQS_BATCH */
        int r;
        size_t per = size / 10 > 1200 ? size / 10 - 1000 : 200;
        dd__bev_str(&b, "{\"Records\":[");
        for (r = 0; r < 10; r++) {
            char id[64];
            snprintf(id, sizeof id, "%s{\"messageId\":\"msg-%d\",\"body\":\"", r ? "," : "", r);
            dd__bev_str(&b, id);
            dd__bev_rep(&b, "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
                        per / 100);
            dd__bev_str(&b, "\",\"messageAttributes\":{\"_datadog\":{\"stringValue\":\"{");
            t.n = 0;
            dd__bev_esc(&t, DD__BEV_CARRIER_MEMBERS, strlen(DD__BEV_CARRIER_MEMBERS));
            dd__bev_put(&b, t.p, t.n);
            dd__bev_str(&b, "}\",\"dataType\":\"String\"}}," DD__BEV_SQS_TAIL);
        }
        dd__bev_str(&b, "]}");
        break;
    }
    }
    free(t.p);
    free(u.p);
    *len = b.n;
    return b.p;
}

#endif
