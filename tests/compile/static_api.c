/* A private copy: DD_API static gives every function internal linkage. */
#define DD_API static
#define DD_LAMBDA_IMPLEMENTATION
#include "dd_lambda.h"
int main(void) { return dd_version() == DDTRACE_VERSION && dd_status_str(DD_OK)[0] == 'o' ? 0 : 1; }
