/* The failed-delivery API of connd (GET /webhook/failed/:name, POST
 * /webhook/retry/:name): store jobs that list an instance's failed
 * deliveries and put them back in the queue (then wake the delivery thread).
 * Loop thread; completions run on the loop thread. */
#ifndef WG_WEBHOOK_REPLAY_H
#define WG_WEBHOOK_REPLAY_H
#include "core/daemon.h"

#define WG_WEBHOOK_FAILED_DEFAULT_LIMIT 100
#define WG_WEBHOOK_FAILED_MAX_LIMIT 1000

/* cb gets rc (0 or WG_E*) and the list (owned by cb: free with
 * wg_store_outbox_list_free; NULL on failure). limit 0 = the default;
 * bigger than the maximum is clamped. */
void wg_webhook_failed_list(wg_connd_t *d, const char *instance_id, unsigned limit,
                            void (*cb)(void *ctx, int rc, Wg__Ipc__WebhookDeliveryList *list),
                            void *ctx);

/* Re-queues failed deliveries of the instance: ids[0..n) (copied), or all
 * when n is 0. cb gets rc and how many were re-queued. */
void wg_webhook_retry(wg_connd_t *d, const char *instance_id, char *const *ids, size_t n,
                      void (*cb)(void *ctx, int rc, unsigned count), void *ctx);

#endif
