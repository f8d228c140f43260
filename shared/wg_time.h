/* Wall-clock and monotonic time in milliseconds, and ISO-8601 rendering.
 * Modules that need deterministic time take a clock function instead. */
#ifndef WG_TIME_H
#define WG_TIME_H
#include <stdint.h>

int64_t wg_now_ms(void);  /* milliseconds since the Unix epoch (UTC) */
int64_t wg_mono_ms(void); /* milliseconds on a monotonic clock */
/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (true UTC) into out; returns out. */
char *wg_time_iso8601(int64_t epoch_ms, char out[32]);

#endif
