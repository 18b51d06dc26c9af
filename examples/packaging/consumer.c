/* cc -std=c99 consumer.c $(pkg-config --cflags --libs ddtrace)          (against libddtrace.so)
 * cc -std=c99 -DCONSUMER_HEADER_ONLY -I<dir of dd_trace.h> consumer.c -lpthread -lm   (header-only)
 * examples/packaging/consumer.c - the smallest program that uses an installed dd-trace-c, built by
 * tests/packaging_test.sh through pkg-config, CMake find_package and CMake add_subdirectory.
 * Exits 0 and prints "consumer ok" when the library answers with known values. */
#ifdef CONSUMER_HEADER_ONLY
#define DD_TRACE_IMPLEMENTATION /* header-only: the definitions live in this file */
#endif
#include "dd_trace.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    /* MessagePack of [{"a":300}]: fixarray 1, fixmap 1, fixstr "a", uint16 300 (msgpack spec). */
    static const uint8_t want[] = {0x91, 0x81, 0xa1, 0x61, 0xcd, 0x01, 0x2c};
    uint8_t buf[16];
    size_t used = 0;
    int failures = 0;
    dd_mp_writer w;
    if (dd_version() != DD_VERSION) {
        printf("dd_version() = %d, header says %d\n", dd_version(), DD_VERSION);
        failures++;
    }
    if (strcmp(dd_status_str(DD_ERR_TRANSPORT), "transport failed") != 0) {
        printf("dd_status_str(DD_ERR_TRANSPORT) = %s\n", dd_status_str(DD_ERR_TRANSPORT));
        failures++;
    }
    dd_mp_writer_init_fixed(&w, buf, sizeof buf);
    dd_mp_write_array(&w, 1);
    dd_mp_write_map(&w, 1);
    dd_mp_write_str(&w, "a", 1);
    dd_mp_write_u64(&w, 300);
    if (dd_mp_writer_finish(&w, &used) != DD_OK || used != sizeof want || memcmp(buf, want, used) != 0) {
        printf("msgpack writer produced %u unexpected bytes\n", (unsigned)used);
        failures++;
    }
    printf(failures ? "consumer FAILED (version %s)\n" : "consumer ok (version %s)\n", DD_VERSION_STRING);
    return failures ? 1 : 0;
}
