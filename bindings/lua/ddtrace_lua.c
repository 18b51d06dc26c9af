/* bindings/lua/ddtrace_lua.c - the shared library the LuaJIT binding (ddtrace.lua) loads: the
 * tracer and the native agent sender, every public dd_* function of dd_trace.h, dd_propagation.h,
 * dd_msgpack.h and dd_sender.h exported (DD_BUILD_SHARED), private helpers static.
 *
 *   make -C bindings/lua               (libddtrace_lua.so beside ddtrace.lua), or by hand:
 *   cc -std=c99 -O2 -fPIC -fvisibility=hidden -shared -Wl,-Bsymbolic-functions -Wl,-z,nodelete \
 *      bindings/lua/ddtrace_lua.c -o bindings/lua/libddtrace_lua.so -lpthread -lm
 *
 * -z nodelete: the background worker thread runs code of this library; LuaJIT unloads the
 * libraries it loaded when its state closes, possibly before a tracer's finaliser has stopped the
 * worker, so the library must stay mapped until the process ends. */
#define _POSIX_C_SOURCE 200809L
#define DD_BUILD_SHARED
#define DD_TRACE_IMPLEMENTATION
#define DD_SENDER_IMPLEMENTATION
#include "../../dd_sender.h"
