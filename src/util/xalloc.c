/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xalloc: allocation that cannot fail silently. Used for configuration, output
 * buffers and other small allocations made outside the per-packet path.
 */
#include <config.h>

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void *
xmalloc(size_t size)
{
    void *p;

    if (size == 0)
        fatalx("xmalloc: zero size");
    if ((p = malloc(size)) == NULL)
        fatalx("xmalloc: allocating %zu bytes: out of memory", size);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p;

    if (nmemb == 0 || size == 0)
        fatalx("xcalloc: zero size");
    if (SIZE_MAX / nmemb < size)
        fatalx("xcalloc: nmemb * size > SIZE_MAX");
    if ((p = calloc(nmemb, size)) == NULL)
        fatalx("xcalloc: allocating %zu * %zu bytes: out of memory", nmemb, size);
    return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    void *p;

    if (nmemb == 0 || size == 0)
        fatalx("xreallocarray: zero size");
    if (SIZE_MAX / nmemb < size)
        fatalx("xreallocarray: nmemb * size > SIZE_MAX");
    if ((p = realloc(ptr, nmemb * size)) == NULL)
        fatalx("xreallocarray: allocating %zu * %zu bytes: out of memory", nmemb, size);
    return p;
}

char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);

    memcpy(p, s, n);
    return p;
}
