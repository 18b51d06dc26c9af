# examples/examples.mk - targets of the examples, included by the Makefile (which sets CC, BUILD,
# PREFIX and STRICT):
#   make shared     $(BUILD)/libddtrace.so from examples/ffi/libddtrace.c (only the public API exported)
#   make install    headers, libddtrace.so, ddtrace.pc and the CMake package under $(PREFIX) (DESTDIR honoured)
#   make examples   the agent, the libcurl sender and the Lambda bootstrap under $(BUILD)/examples
#   make demo       the connected host -> queue -> Lambda trace printed by the local agent
# This file is included before the Makefile's first rule: keep `make` alone meaning `make all`.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
DDTRACE_VERSION_STR := $(shell sed -n 's/^\#define DDTRACE_VERSION_STRING "\(.*\)"/\1/p' dd_trace.h | head -n 1)
DD_HEADERS = dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h
EX = $(BUILD)/examples
EX_CFLAGS = -std=c99 -O2 -g $(STRICT) -I.

.PHONY: shared install examples demo

shared: $(BUILD)/libddtrace.so

$(BUILD)/libddtrace.so: examples/ffi/libddtrace.c $(DD_HEADERS) $(wildcard wip/*.h)
	@mkdir -p $(BUILD)
	$(CC) -std=c99 -O2 $(STRICT) -fPIC -fvisibility=hidden -shared -Wl,-Bsymbolic-functions -Wl,-soname,libddtrace.so \
	    examples/ffi/libddtrace.c -o $@ -lpthread -lm

install: shared
	install -d $(DESTDIR)$(PREFIX)/include/ddtrace $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/ddtrace
	install -m 644 $(DD_HEADERS) $(DESTDIR)$(PREFIX)/include/ddtrace/
	@if [ -d wip ]; then install -d $(DESTDIR)$(PREFIX)/include/ddtrace/wip && \
	    install -m 644 wip/*.h $(DESTDIR)$(PREFIX)/include/ddtrace/wip/; fi
	install -m 755 $(BUILD)/libddtrace.so $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtrace.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ddtrace.pc
	sed -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtraceConfig.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/ddtrace/ddtraceConfig.cmake
	sed -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtraceConfigVersion.cmake.in \
	    > $(DESTDIR)$(PREFIX)/lib/cmake/ddtrace/ddtraceConfigVersion.cmake

$(EX)/agent: examples/agent.c dd_msgpack.h
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/agent.c -o $@ -lpthread

$(EX)/sender_curl.o: examples/sender_curl.c examples/sender_curl.h $(DD_HEADERS)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) -c examples/sender_curl.c -o $@

$(EX)/bootstrap: examples/lambda/bootstrap.c $(DD_HEADERS) $(wildcard wip/*.h)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/lambda/bootstrap.c -o $@ -lpthread -lm

examples: $(EX)/agent $(EX)/sender_curl.o $(EX)/bootstrap $(EX)/demo_host $(EX)/demo_queue

$(EX)/demo_host: examples/demo/host.c examples/demo/http_serve.h $(DD_HEADERS) $(wildcard wip/*.h)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/demo/host.c -o $@ -lpthread -lm

$(EX)/demo_queue: examples/demo/queue.c examples/demo/http_serve.h $(DD_HEADERS) $(wildcard wip/*.h)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/demo/queue.c -o $@ -lpthread -lm

# Builds, then runs examples/demo/demo.sh: host -> queue -> Lambda, one trace printed.
.PHONY: demo-deps
demo-deps:
	@bash scripts/demo_deps.sh

demo: demo-deps $(EX)/agent $(EX)/bootstrap $(EX)/demo_host $(EX)/demo_queue
	@bash examples/demo/demo.sh $(EX)
