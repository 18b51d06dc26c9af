#include "dd_msgpack.h"
#include "dd_propagation.h"
#include "dd_trace.h"
#include "dd_lambda.h"
int unit_b_status(void) { return dd_version(); }
