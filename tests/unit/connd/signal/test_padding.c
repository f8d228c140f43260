/* connd/signal/padding.c: every pad length round-trips, random pads stay in
 * 1..16 and all occur, across refills of the per-thread random pool and on
 * another thread too, and malformed padding is an error, never a crash or
 * an underflow. */
#include "signal/padding.h"
#include "wg_err.h"
#include "wg_test.h"

#include <pthread.h>

static void every_length_round_trips(void)
{
    const uint8_t msg[] = {0x0a, 0x02, 'h', 'i'};
    for (unsigned n = 1; n <= 16; n++) {
        wg_buf_t b = WG_BUF_INIT;
        size_t len = 99;
        wg_signal_pad_with(msg, sizeof msg, n, &b);
        WG_CHECK_INT(b.len, sizeof msg + n);
        WG_CHECK_INT(wg_signal_unpad(b.p, b.len, &len), 0);
        WG_CHECK_INT(len, sizeof msg);
        wg_buf_free(&b);
    }
    /* an empty message padded is a valid empty message */
    wg_buf_t b = WG_BUF_INIT;
    size_t len = 99;
    wg_signal_pad_with(NULL, 0, 5, &b);
    WG_CHECK_INT(wg_signal_unpad(b.p, b.len, &len), 0);
    WG_CHECK_INT(len, 0);
    wg_buf_free(&b);
}

static void random_pad_in_range(void)
{
    int seen[17] = {0};
    for (int i = 0; i < 2000; i++) {
        wg_buf_t b = WG_BUF_INIT;
        size_t len = 0;
        wg_signal_pad((const uint8_t *)"x", 1, &b);
        WG_CHECK(b.len >= 2 && b.len <= 17);
        WG_CHECK_INT(wg_signal_unpad(b.p, b.len, &len), 0);
        WG_CHECK_INT(len, 1);
        seen[b.len - 1]++;
        wg_buf_free(&b);
    }
    for (int n = 1; n <= 16; n++)
        WG_CHECK(seen[n] > 0);
}

static void *pad_in_thread(void *arg)
{
    (void)arg;
    random_pad_in_range();
    return NULL;
}

static void random_pad_on_another_thread(void)
{
    pthread_t t;
    WG_CHECK_INT(pthread_create(&t, NULL, pad_in_thread, NULL), 0);
    WG_CHECK_INT(pthread_join(t, NULL), 0);
}

static void malformed_is_an_error(void)
{
    size_t len = 12345;
    const uint8_t zero[] = {'a', 0x00};
    const uint8_t big[] = {'a', 17};
    const uint8_t longer[] = {3, 3};            /* claims 3, has 2 */
    const uint8_t unequal[] = {'a', 2, 3, 3};   /* 3 pad bytes must all be 3 */
    const uint8_t ok_all_pad[] = {2, 2};        /* the whole input is padding */
    WG_CHECK_INT(wg_signal_unpad(NULL, 0, &len), WG_EPROTO);
    WG_CHECK_INT(wg_signal_unpad(zero, 0, &len), WG_EPROTO);
    WG_CHECK_INT(wg_signal_unpad(zero, sizeof zero, &len), WG_EPROTO);
    WG_CHECK_INT(wg_signal_unpad(big, sizeof big, &len), WG_EPROTO);
    WG_CHECK_INT(wg_signal_unpad(longer, sizeof longer, &len), WG_EPROTO);
    WG_CHECK_INT(wg_signal_unpad(unequal, sizeof unequal, &len), WG_EPROTO);
    WG_CHECK_INT(len, 12345); /* untouched on error */
    WG_CHECK_INT(wg_signal_unpad(ok_all_pad, sizeof ok_all_pad, &len), 0);
    WG_CHECK_INT(len, 0);
}

int main(void)
{
    WG_RUN(every_length_round_trips);
    WG_RUN(random_pad_in_range);
    WG_RUN(random_pad_on_another_thread);
    WG_RUN(malformed_is_an_error);
    return wg_test_done();
}
