/* A minimal unit-test harness: WG_CHECK records failures and keeps going;
 * WG_RUN runs one test function; wg_test_done() prints the tally
 * ("N passed, N failed") and gives main's exit code. Exit 77 = skip. */
#ifndef WG_TEST_H
#define WG_TEST_H
#include <stdio.h>
#include <string.h>

static int wg_test_failures_;
static int wg_test_passed_;
static int wg_test_failed_;

#define WG_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
            wg_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

#define WG_CHECK_INT(a, b)                                                                         \
    do {                                                                                           \
        long long wg_a_ = (long long)(a), wg_b_ = (long long)(b);                                  \
        if (wg_a_ != wg_b_) {                                                                      \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, wg_a_,  \
                    wg_b_);                                                                        \
            wg_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

#define WG_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *wg_a_ = (a), *wg_b_ = (b);                                                     \
        if (!wg_a_ || !wg_b_ || strcmp(wg_a_, wg_b_) != 0) {                                       \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,     \
                    wg_a_ ? wg_a_ : "(null)", wg_b_ ? wg_b_ : "(null)");                           \
            wg_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

#define WG_RUN(fn)                                                                                 \
    do {                                                                                           \
        int wg_before_ = wg_test_failures_;                                                        \
        fn();                                                                                      \
        if (wg_test_failures_ == wg_before_) {                                                     \
            wg_test_passed_++;                                                                     \
        } else {                                                                                   \
            wg_test_failed_++;                                                                     \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
        }                                                                                          \
    } while (0)

static inline int wg_test_done(void)
{
    printf("%d passed, %d failed\n", wg_test_passed_, wg_test_failed_);
    return wg_test_failed_ ? 1 : 0;
}

#endif
