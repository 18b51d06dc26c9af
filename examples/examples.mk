# examples/examples.mk - the library's and the examples' targets, included by the Makefile (which
# sets CC, BUILD, PREFIX and STRICT):
#   make lib        both libraries (make shared and make static)
#   make shared     $(BUILD)/libddtrace.so.$(VERSION) (SONAME libddtrace.so.$(MAJOR), with the symlinks
#                   libddtrace.so.$(MAJOR) and libddtrace.so) from examples/ffi/libddtrace.c; only the
#                   public API exported
#   make static     $(BUILD)/libddtrace.a from the same file
#   make install    headers under $(INCLUDEDIR)/ddtrace; both libraries, ddtrace.pc and the CMake
#                   package under $(LIBDIR) (defaults $(PREFIX)/include and $(PREFIX)/lib; DESTDIR honoured)
#   make examples   the agent, the libcurl sender (when curl/curl.h is there) and the Lambda bootstrap
#                   under $(BUILD)/examples
#   make demo       the connected host -> queue -> Lambda trace printed by the local agent
# This file is included before the Makefile's first rule: keep `make` alone meaning `make all`.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
DDTRACE_VERSION_STR := $(shell sed -n 's/^\#define DDTRACE_VERSION_STRING "\(.*\)"/\1/p' dd_trace.h | head -n 1)
DDTRACE_MAJOR := $(firstword $(subst ., ,$(DDTRACE_VERSION_STR)))
SO_FILE = libddtrace.so.$(DDTRACE_VERSION_STR)
SO_NAME = libddtrace.so.$(DDTRACE_MAJOR)
DD_HEADERS = dd_msgpack.h dd_propagation.h dd_trace.h dd_lambda.h dd_sender.h
EX = $(BUILD)/examples
EX_CFLAGS = -std=c99 -O2 -g $(STRICT) -I.
LIB_CFLAGS = -std=c99 -O2 $(STRICT) -fPIC -fvisibility=hidden

.PHONY: lib shared static install examples demo

lib: shared static

shared: $(BUILD)/libddtrace.so

static: $(BUILD)/libddtrace.a

$(BUILD)/$(SO_FILE): examples/ffi/libddtrace.c $(DD_HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(LIB_CFLAGS) -shared -Wl,-Bsymbolic-functions -Wl,-soname,$(SO_NAME) examples/ffi/libddtrace.c -o $@ -lpthread -lm

$(BUILD)/libddtrace.so: $(BUILD)/$(SO_FILE)
	ln -sf $(SO_FILE) $(BUILD)/$(SO_NAME)
	ln -sf $(SO_FILE) $@

$(BUILD)/libddtrace.o: examples/ffi/libddtrace.c $(DD_HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(LIB_CFLAGS) -c examples/ffi/libddtrace.c -o $@

$(BUILD)/libddtrace.a: $(BUILD)/libddtrace.o
	rm -f $@
	$(AR) rcs $@ $(BUILD)/libddtrace.o

install: lib
	install -d $(DESTDIR)$(INCLUDEDIR)/ddtrace $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/ddtrace
	install -m 644 $(DD_HEADERS) $(DESTDIR)$(INCLUDEDIR)/ddtrace/
	install -m 755 $(BUILD)/$(SO_FILE) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/libddtrace.so
	install -m 644 $(BUILD)/libddtrace.a $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtrace.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/ddtrace.pc
	sed -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@SO_NAME@|$(SO_NAME)|g' \
	    -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtraceConfig.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/ddtrace/ddtraceConfig.cmake
	sed -e 's|@VERSION@|$(DDTRACE_VERSION_STR)|g' cmake/ddtraceConfigVersion.cmake.in \
	    > $(DESTDIR)$(LIBDIR)/cmake/ddtrace/ddtraceConfigVersion.cmake

$(EX)/agent: examples/agent.c examples/agent_parse.h dd_msgpack.h
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/agent.c -o $@ -lpthread

$(EX)/sender_curl.o: examples/sender_curl.c examples/sender_curl.h $(DD_HEADERS)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) -c examples/sender_curl.c -o $@

$(EX)/bootstrap: examples/lambda/bootstrap.c examples/lambda/runtime_api.h $(DD_HEADERS)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/lambda/bootstrap.c -o $@ -lpthread -lm

# The libcurl sender needs curl/curl.h (libcurl4-openssl-dev); `make` builds the others without it.
HAVE_CURL_H := $(shell printf '\#include <curl/curl.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
examples: $(EX)/agent $(if $(HAVE_CURL_H),$(EX)/sender_curl.o) $(EX)/bootstrap $(EX)/demo_host $(EX)/demo_queue

$(EX)/demo_host: examples/demo/host.c examples/demo/http_serve.h $(DD_HEADERS)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/demo/host.c -o $@ -lpthread -lm

$(EX)/demo_queue: examples/demo/queue.c examples/demo/http_serve.h $(DD_HEADERS)
	@mkdir -p $(EX)
	@echo "  CC    $@"
	@$(CC) $(EX_CFLAGS) examples/demo/queue.c -o $@ -lpthread -lm

# Builds, then runs examples/demo/demo.sh: host -> queue -> Lambda, one trace printed.
.PHONY: demo-deps
demo-deps:
	@bash scripts/demo_deps.sh

demo: demo-deps $(EX)/agent $(EX)/bootstrap $(EX)/demo_host $(EX)/demo_queue
	@bash examples/demo/demo.sh $(EX)

# make lambda-package: $(BUILD)/lambda/function.zip, a ready AWS Lambda function for the
# provided.al2023 / provided.al2 runtimes: `bootstrap` (examples/lambda/bootstrap.c: the Runtime API
# loop, the demo handler and dd-trace-c; linked statically so that it does not depend on the
# build machine's glibc) at the root of the zip, as Lambda wants it. Needs Debian's `zip`.
.PHONY: lambda-package
lambda-package: $(BUILD)/lambda/function.zip

$(BUILD)/lambda/function.zip: examples/lambda/bootstrap.c examples/lambda/runtime_api.h $(DD_HEADERS)
	@mkdir -p $(BUILD)/lambda
	@command -v zip >/dev/null || { echo "lambda-package: install zip (make setup)"; exit 1; }
	$(CC) -std=c99 -O2 $(STRICT) -I. -static examples/lambda/bootstrap.c -o $(BUILD)/lambda/bootstrap -lpthread -lm
	@chmod 755 $(BUILD)/lambda/bootstrap
	@rm -f $@
	cd $(BUILD)/lambda && zip -q -X function.zip bootstrap
	@echo "lambda-package: $@ (deploy with --runtime provided.al2023 --handler bootstrap)"
