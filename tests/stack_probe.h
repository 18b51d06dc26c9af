/* tests/stack_probe.h - run one function on a thread with a small, guarded stack and measure the
 * deepest point its stack reached (test-side only; POSIX threads, mmap, signals).
 *
 *   static void call(void *arg) { dd_extract(cfg, reader, (dd_trace_context *)arg); }
 *   stack_probe_result r;
 *   stack_probe(16384, call, &ctx, &r);   r.ok: it returned; r.used: bytes of stack it used
 *
 * How: the thread's stack (budget + 8 KiB for the thread descriptor and TLS, so that libc sees a
 * small-stack thread) is an mmap'd region painted with a pattern, above a 64 KiB guard zone. On entry the thread notes
 * its stack pointer and turns every page more than `budget` bytes below it PROT_NONE (at least
 * 64 KiB of them, so that even a large frame that skips a page still lands in the guard), then
 * calls fn. A fault in the guard is caught by a SIGSEGV handler on an alternate signal stack that
 * jumps back to the thread's entry: the probe reports r.ok = 0 instead of letting the call write
 * into memory it does not own (the call's state is abandoned: whatever locks it held stay held,
 * so a failed probe should end the test run). A fault elsewhere is not ours: the previous handler
 * (or the default action) gets it. After the thread ends, the lowest byte of the region that lost
 * the pattern gives the high-water mark, measured from the entry frame, so it is fn's own use plus
 * a few words of the entry's call (measure an empty fn for that baseline). In a lazily bound
 * program the first call of a library function also pays the dynamic linker's resolver (a few
 * KiB of saved vector registers): run with LD_BIND_NOW=1 to measure the calls alone. Arguments should live off the probed stack (static, heap or the
 * caller's frame) so that the figure is the call's own.
 * Not thread-safe: one probe at a time per process (it swaps the process's SIGSEGV action).
 * Define _DEFAULT_SOURCE (MAP_ANONYMOUS, SA_ONSTACK) before the first #include of the program. */
#ifndef DD_STACK_PROBE_H
#define DD_STACK_PROBE_H
#if !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE)
#error "stack_probe.h: #define _DEFAULT_SOURCE before the first #include"
#endif
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STACK_PROBE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(STACK_PROBE_ASAN)
#define STACK_PROBE_ASAN 1
#endif
#ifdef STACK_PROBE_ASAN
#define STACK_PROBE_NO_ASAN __attribute__((no_sanitize_address))
#else
#define STACK_PROBE_NO_ASAN
#endif

typedef struct stack_probe_result {
    int ok;       /* 1: fn returned within the budget; 0: it hit the guard (or the probe could not run) */
    size_t used;  /* deepest stack use of fn, bytes below the entry frame */
    size_t avail; /* bytes fn had before the guard (budget rounded down to the page below) */
} stack_probe_result;

#define STACK_PROBE_GUARD_MIN (64 * 1024) /* guard bytes below the budget, at least */
#define STACK_PROBE_TOP (8 * 1024)        /* room above the entry frame: thread descriptor, TLS */
#define STACK_PROBE_ALT (64 * 1024)       /* the alternate signal stack */
#define STACK_PROBE_WORD UINT64_C(0x5a17c0de5a17c0de)

typedef struct stack_probe__run {
    void (*fn)(void *);
    void *arg;
    size_t budget;
    unsigned char *base;  /* the region: guard, budget, top */
    size_t size;
    uintptr_t guard_end;  /* [base, guard_end) is PROT_NONE while fn runs */
    uintptr_t entry_sp;
    sigjmp_buf jb;
    volatile sig_atomic_t in_fn;
    volatile int ok;
    int ran;              /* the guard was in place and fn was called */
} stack_probe__run;

static stack_probe__run *volatile stack_probe__cur;
static struct sigaction stack_probe__old;

static void stack_probe__on_segv(int sig, siginfo_t *si, void *uc) {
    stack_probe__run *r = stack_probe__cur;
    uintptr_t a = (uintptr_t)si->si_addr;
    (void)uc;
    if (r && r->in_fn && a >= (uintptr_t)r->base && a < r->guard_end) {
        r->in_fn = 0;
        siglongjmp(r->jb, 1); /* back to the entry frame, above the guard */
    }
    /* not a fault of the probed call: let the previous action have it when it re-faults */
    sigaction(sig, &stack_probe__old, NULL);
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void stack_probe__call(stack_probe__run *r) {
    r->fn(r->arg);
}

/* Paints again what the entry's own calls (sigaltstack, mprotect, malloc) used below it, so
 * that the figure is fn's alone: from a little below this frame down to the guard. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
STACK_PROBE_NO_ASAN static void stack_probe__repaint(const stack_probe__run *r) {
    volatile char mark = 0;
    volatile uint64_t *w = (volatile uint64_t *)r->guard_end;
    volatile uint64_t *end = (volatile uint64_t *)(((uintptr_t)&mark - 160) & ~(uintptr_t)7);
    while (w < end) *w++ = STACK_PROBE_WORD;
    (void)mark;
}

static void *stack_probe__main(void *p) {
    stack_probe__run *r = (stack_probe__run *)p;
    volatile char here = 0;
    long page = sysconf(_SC_PAGESIZE);
    stack_t alt, prev;
    void *alt_mem = malloc(STACK_PROBE_ALT);
    r->entry_sp = (uintptr_t)&here;
    r->guard_end = (r->entry_sp - r->budget) & ~(uintptr_t)(page - 1);
    r->ok = 0;
    if (!alt_mem || r->guard_end < (uintptr_t)r->base + STACK_PROBE_GUARD_MIN) {
        free(alt_mem);
        return NULL;
    }
    memset(&alt, 0, sizeof alt);
    alt.ss_sp = alt_mem;
    alt.ss_size = STACK_PROBE_ALT;
    if (sigaltstack(&alt, &prev) != 0 ||
        mprotect(r->base, r->guard_end - (uintptr_t)r->base, PROT_NONE) != 0) {
        free(alt_mem);
        return NULL;
    }
    r->ran = 1;
    stack_probe__repaint(r);
    if (sigsetjmp(r->jb, 1) == 0) {
        r->in_fn = 1;
        stack_probe__call(r);
        r->in_fn = 0;
        r->ok = 1;
    }
    mprotect(r->base, r->guard_end - (uintptr_t)r->base, PROT_READ | PROT_WRITE);
    sigaltstack(&prev, NULL); /* a sanitizer's own alternate stack goes back in place */
    free(alt_mem);
    (void)here;
    return NULL;
}

/* The lowest painted word that changed, from the guard up. */
STACK_PROBE_NO_ASAN static uintptr_t stack_probe__lowest(const stack_probe__run *r) {
    const volatile uint64_t *w = (const volatile uint64_t *)r->guard_end;
    const volatile uint64_t *end = (const volatile uint64_t *)r->entry_sp;
    while (w < end && *w == STACK_PROBE_WORD) w++;
    return (uintptr_t)w;
}

STACK_PROBE_NO_ASAN static void stack_probe__paint(unsigned char *p, size_t n) {
    volatile uint64_t *w = (volatile uint64_t *)p;
    size_t i;
    for (i = 0; i < n / 8; i++) w[i] = STACK_PROBE_WORD;
}

/* Runs fn(arg) on a fresh thread whose stack has `budget` bytes (at least) below its entry frame.
 * Returns 0 when the probe ran (see out->ok), -1 when it could not be set up. */
static int stack_probe(size_t budget, void (*fn)(void *), void *arg, stack_probe_result *out) {
    static stack_probe__run run; /* off every stack: the handler reads it */
    stack_probe__run *r = &run;
    long page = sysconf(_SC_PAGESIZE);
    pthread_attr_t attr;
    pthread_t th;
    struct sigaction sa;
    int rc = -1;
    memset(out, 0, sizeof *out);
    memset(r, 0, sizeof *r);
    r->fn = fn;
    r->arg = arg;
    r->budget = budget;
    r->size = STACK_PROBE_GUARD_MIN + ((budget + STACK_PROBE_TOP + (size_t)page - 1) & ~((size_t)page - 1));
    r->base = (unsigned char *)mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->base == (unsigned char *)MAP_FAILED) return -1;
    stack_probe__paint(r->base, r->size);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = stack_probe__on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    stack_probe__cur = r;
    if (sigaction(SIGSEGV, &sa, &stack_probe__old) == 0) {
        if (pthread_attr_init(&attr) == 0) {
            /* the thread's stack block is budget + TOP, as a real small-stack thread's: glibc sizes
             * some of its own stack use (alloca cut-offs) from it; the guard zone lies below */
            if (pthread_attr_setstack(&attr, r->base + STACK_PROBE_GUARD_MIN, r->size - STACK_PROBE_GUARD_MIN) == 0 &&
                pthread_create(&th, &attr, stack_probe__main, r) == 0) {
                pthread_join(th, NULL);
                if (r->ran) {
                    out->ok = r->ok;
                    out->avail = r->entry_sp - r->guard_end;
                    out->used = r->ok ? r->entry_sp - stack_probe__lowest(r) : out->avail;
                    rc = 0;
                }
            }
            pthread_attr_destroy(&attr);
        }
        sigaction(SIGSEGV, &stack_probe__old, NULL);
    }
    stack_probe__cur = NULL;
    munmap(r->base, r->size);
    return rc;
}
/* Adds to api[0..*n) (at most max names, each under 64 bytes) every public function named in the
 * header at `path`: each `DD_API <type> dd_name(` up to the next ';' or '{'. -1 when it cannot be
 * read. The stack tests compare this list with their probes, so a new function cannot be missed. */
static inline int stack_probe_read_api(const char *path, char (*api)[64], size_t max, size_t *n_api) {
    static char text[1 << 20];
    FILE *f = fopen(path, "rb");
    size_t n;
    const char *p;
    if (!f) return -1;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    for (p = text; (p = strstr(p, "DD_API ")) != NULL; p += 7) {
        const char *end = p + 7, *paren, *id;
        size_t k, len;
        while (*end && *end != ';' && *end != '{' && *end != '(') end++;
        if (*end != '(') continue;
        paren = end;
        while (paren > p && (paren[-1] == ' ' || paren[-1] == '\n')) paren--;
        for (id = paren; id > p && (isalnum((unsigned char)id[-1]) || id[-1] == '_'); id--) {}
        len = (size_t)(paren - id);
        if (len < 4 || len >= 64 || strncmp(id, "dd_", 3) != 0) continue;
        for (k = 0; k < *n_api; k++)
            if (strlen(api[k]) == len && memcmp(api[k], id, len) == 0) break;
        if (k == *n_api && *n_api < max) {
            memcpy(api[*n_api], id, len);
            api[(*n_api)++][len] = 0;
        }
    }
    return 0;
}

#endif
