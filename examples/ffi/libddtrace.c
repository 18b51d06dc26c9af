/* cc -std=c99 -O2 -fPIC -fvisibility=hidden -shared -Wl,-Bsymbolic-functions -Wl,-soname,libddtrace.so.0 examples/ffi/libddtrace.c -o libddtrace.so.0.2.0 -lpthread -lm   (or: make shared; make static builds libddtrace.a from this file too) */
/* examples/ffi/libddtrace.c - the shared library, from one file: every public dd_* function of the
 * five headers (dd_lambda.h's Lambda part and dd_sender.h's agent sender included) is exported
 * (DD_BUILD_SHARED gives DD_API default visibility); private helpers stay static, so nothing else
 * leaves the library. -Bsymbolic-functions binds our own calls to our own definitions, so another
 * library exporting dd_* names in the same process cannot interpose. */
#define _POSIX_C_SOURCE 200809L
#define DD_BUILD_SHARED
#define DD_LAMBDA_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../../dd_lambda.h"
#include "../../dd_sender.h"
