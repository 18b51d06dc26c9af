// Every header, declarations and implementation, compiled as C++.
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "dd_sender.h"
#include "dd_trace.h"
#include "dd_msgpack.h"
#include "dd_propagation.h"
#include "dd_lambda.h"
int dd_cxx_probe() { return dd_version(); }
