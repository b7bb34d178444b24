/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * onefile: replays fuzz inputs through a harness without libFuzzer, so
 * `make check` runs the saved corpora (libpcap testprogs/fuzz/onefile.c and
 * Suricata do the same).
 *
 *   onefile decode PATH...   each file through fuzz_decode_one()
 *   onefile pcap PATH...     each file through fuzz_pcap_one()
 *   onefile pcapfile PATH... each file through fuzz_pcapfile_one()
 *   onefile pcapng PATH...   each file through fuzz_pcapng_one()
 *
 * A PATH that is a directory is walked recursively, entries in name order
 * (dot files skipped), so runs are reproducible. All inputs run in this one
 * process: leaks and state carried between inputs show up too. A broken
 * invariant aborts; the signal handler first names the input on stderr.
 * Exit status: 0 all inputs replayed, 2 usage or unreadable path.
 */
#include <config.h>

#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*onefile_fn)(const uint8_t *data, size_t size);

static const char *volatile onefile_current;
static unsigned long onefile_files;
static unsigned long long onefile_bytes;
static int onefile_errors;

static void
onefile_on_signal(int sig)
{
    const char *cur = onefile_current;
    static const char pre[] = "onefile: crashed on input: ";

    if (cur != NULL) {
        ssize_t w = write(STDERR_FILENO, pre, sizeof(pre) - 1);
        w = write(STDERR_FILENO, cur, strlen(cur));
        w = write(STDERR_FILENO, "\n", 1);
        (void)w;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static int
onefile_read(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = -1;

    if (f == NULL)
        return -1;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, ncap);

            if (nb == NULL)
                goto out;
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);

        n += r;
        if (r == 0) {
            if (ferror(f))
                goto out;
            break;
        }
    }
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

static void
onefile_run_file(onefile_fn fn, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;

    if (onefile_read(path, &data, &len) != 0) {
        fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
        onefile_errors++;
        return;
    }
    onefile_current = path;
    /* Hand over an exact-size copy so ASan catches a read one past the end. */
    uint8_t *exact = malloc(len ? len : 1);

    if (exact == NULL)
        abort();
    if (len)
        memcpy(exact, data, len);
    fn(exact, len);
    free(exact);
    free(data);
    onefile_current = NULL;
    onefile_files++;
    onefile_bytes += len;
}

static int
onefile_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void onefile_run_path(onefile_fn fn, const char *path);

static void
onefile_run_dir(onefile_fn fn, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (d == NULL) {
        fprintf(stderr, "onefile: %s: %s\n", dir, strerror(errno));
        onefile_errors++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));

            if (nn == NULL)
                abort();
            names = nn;
        }
        size_t need = strlen(dir) + strlen(e->d_name) + 2;

        names[n] = malloc(need);
        if (names[n] == NULL)
            abort();
        snprintf(names[n], need, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), onefile_cmp);
    for (size_t i = 0; i < n; i++) {
        onefile_run_path(fn, names[i]);
        free(names[i]);
    }
    free(names);
}

static void
onefile_run_path(onefile_fn fn, const char *path)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
        onefile_errors++;
        return;
    }
    if (S_ISDIR(sb.st_mode))
        onefile_run_dir(fn, path);
    else if (S_ISREG(sb.st_mode))
        onefile_run_file(fn, path);
}

int
main(int argc, char **argv)
{
    onefile_fn fn;

    if (argc < 3) {
        fprintf(stderr, "usage: onefile decode|pcap|pcapfile|pcapng PATH...\n");
        return 2;
    }
    if (strcmp(argv[1], "decode") == 0)
        fn = fuzz_decode_one;
    else if (strcmp(argv[1], "pcap") == 0)
        fn = fuzz_pcap_one;
    else if (strcmp(argv[1], "pcapfile") == 0)
        fn = fuzz_pcapfile_one;
    else if (strcmp(argv[1], "pcapng") == 0)
        fn = fuzz_pcapng_one;
    else {
        fprintf(stderr, "onefile: unknown harness '%s' (decode, pcap, pcapfile or pcapng)\n", argv[1]);
        return 2;
    }
    signal(SIGABRT, onefile_on_signal);
    signal(SIGSEGV, onefile_on_signal);
    signal(SIGBUS, onefile_on_signal);
    signal(SIGFPE, onefile_on_signal);
    for (int i = 2; i < argc; i++)
        onefile_run_path(fn, argv[i]);
    printf("onefile %s: %lu inputs, %llu bytes replayed\n", argv[1], onefile_files,
           onefile_bytes);
    return onefile_errors ? 2 : 0;
}
