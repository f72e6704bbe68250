// glibc's mallopt, which Swift's Glibc module does not export (malloc.h is not part of it).
#ifndef CMALLOCTUNING_H
#define CMALLOCTUNING_H

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/// Caps glibc's malloc arenas at `count`; returns 0 where that is not possible (not glibc).
static inline int fleet_limit_malloc_arenas(int count) {
#if defined(M_ARENA_MAX)
    return mallopt(M_ARENA_MAX, count);
#else
    (void)count;
    return 0;
#endif
}

#endif
