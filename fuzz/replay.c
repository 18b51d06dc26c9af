/* fuzz/replay.c - runs a libFuzzer harness over a corpus without libFuzzer, inside `make test`.
 *   clang -std=c11 -O1 -g -fsanitize=address,undefined -I. fuzz/replay.c fuzz/fuzz_msgpack.c -o replay_msgpack
 *   ./replay_msgpack fuzz/corpus/msgpack [more dirs or files]
 * Each file is one case (a crash or sanitizer report fails the run); prints "replay: N passed, 0 failed". */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the harness, in an exact-size heap copy so ASan sees any overrun. */
static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    buf = (uint8_t *)malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(n > 0 ? buf : NULL, (size_t)n);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    unsigned passed = 0, failed = 0;
    int a;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (a = 1; a < argc; a++) {
        struct stat st;
        DIR *d;
        struct dirent *e;
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "replay: cannot open %s\n", argv[a]);
            failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[a]) == 0) passed++;
            else failed++;
            continue;
        }
        d = opendir(argv[a]);
        if (!d) {
            failed++;
            continue;
        }
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            if (e->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
            if (run_file(path) == 0) passed++;
            else {
                fprintf(stderr, "replay: cannot read %s\n", path);
                failed++;
            }
        }
        closedir(d);
    }
    printf("replay: %u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
