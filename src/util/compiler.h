/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_UTIL_COMPILER_H
#define FLOWSTATE_UTIL_COMPILER_H

/*
 * The one place flowstate names compiler hints (GCC and clang, the two
 * compilers it builds with). Hints change speed or diagnostics, never
 * meaning: a build without any of them computes the same output.
 *
 *  CC_ALWAYS_INLINE  on a static function: inline it even where the compiler's
 *                    size heuristics would not (a helper shared by a fast and a
 *                    general path, which would otherwise stay out of line)
 *  CC_NOINLINE       keep it out of line (a general path whose caller must stay small)
 *  CC_COLD           rarely run: out of line, optimised for size, and the
 *                    branches leading to it predicted not taken
 *  CC_LIKELY(x)      x is expected true / CC_UNLIKELY(x) false; both
 *                    evaluate to x as an int 0 or 1
 *  CC_WARN_UNUSED    the caller must use the return value
 *  CC_PRINTF(f, a)   argument f is a printf format whose arguments start at a
 */
#define CC_ALWAYS_INLINE inline __attribute__((always_inline))
#define CC_NOINLINE      __attribute__((noinline))
#define CC_COLD          __attribute__((cold, noinline))
#define CC_LIKELY(x)     __builtin_expect(!!(x), 1)
#define CC_UNLIKELY(x)   __builtin_expect(!!(x), 0)
#define CC_WARN_UNUSED   __attribute__((warn_unused_result))
#define CC_PRINTF(f, a)  __attribute__((format(printf, f, a)))

#endif
