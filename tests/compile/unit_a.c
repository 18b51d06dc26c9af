/* Two translation units include every header; only this one implements them. Linking both
 * catches a symbol defined in a declaration part. */
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"
int unit_b_status(void);
int main(void) { return dd_version() == DDTRACE_VERSION && unit_b_status() == DDTRACE_VERSION ? 0 : 1; }
