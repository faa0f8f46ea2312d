/*
 * benchutil.c: what the benchmarks share (benchutil.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchutil.h"

/**
 * bench_now():
 * Return the monotonic clock in seconds.
 */
double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * bench_cpu():
 * Return the CPU seconds this process has used (the machine may be
 * shared).
 */
double
bench_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * bench_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, NUL-terminated; its size to
 * *${len} unless ${len} is NULL), or NULL.
 */
char *
bench_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    if ((buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

/**
 * bench_synth(args, dir):
 * Run the seen-synth beside this binary with ${args} and --out ${dir},
 * its summary not shown.  Returns 0, or -1 (said on stderr).
 */
int
bench_synth(const char *args, const char *dir)
{
    char self[2048], cmd[8192], *p;
    ssize_t n;

    n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    if ((p = strrchr(self, '/')) != NULL)
        *p = '\0';
    snprintf(cmd, sizeof cmd, "%s/seen-synth %s --out %s 2>/dev/null", self,
        args, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "%s: cannot run seen-synth\n",
            program_invocation_short_name);
        return -1;
    }
    return 0;
}
