/* A program outside the repository that uses only what `make install` put under PREFIX:
 *   cc -I$PREFIX/include/ddtrace app.c -L$PREFIX/lib -lddtrace -o app      (tests/install_test.sh) */
#include <ddtrace/dd_sender.h>

int main(void) {
    dd_tracer_config cfg = DD_TRACER_CONFIG_INIT;
    dd_tracer *tracer;
    dd_span *root;
    dd_sender_attach(&cfg, dd_sender_new(NULL)); /* the agent from DD_TRACE_AGENT_URL & co. */
    tracer = dd_tracer_new(&cfg);
    root = dd_span_start(tracer, NULL);
    dd_span_set_name(root, "installed.app");
    dd_span_finish(root);
    dd_tracer_free(tracer); /* the worker delivers, within the shutdown deadline */
    return 0;
}
