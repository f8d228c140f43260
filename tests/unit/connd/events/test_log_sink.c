/* Unit tests for connd/events/log_sink.c: at info an event line names the
 * event, the instance and the message key id and carries no payload (no
 * message text in the default log); at debug the same line carries the
 * payload; key ids from the network stay inside their one line. */
#include "events/log_sink.h"
#include "wg_log.h"
#include "wg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What logging ev at level wrote to stderr. Returns a malloc'd string. */
static char *logged(int level, const char *name, json_t *data)
{
    FILE *f = tmpfile();
    if (!f)
        abort();
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(f), 2);
    wg_log_threshold = level;
    wg_event_t ev = {name, "inst1", "9f0c", data, 1700000000000};
    wg_log_sink_on_event(NULL, &ev);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long n = ftell(f);
    char *out = calloc(1, (size_t)n + 1);
    rewind(f);
    if (fread(out, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    return out;
}

static json_t *upsert(const char *id, const char *text)
{
    return json_pack("{s:{s:s,s:b,s:s},s:s,s:{s:s}}", "key", "remoteJid",
                     "15551234567@s.whatsapp.net", "fromMe", 0, "id", id, "pushName", "Bob",
                     "message", "conversation", text);
}

static void info_names_event_instance_and_key(void)
{
    json_t *d = upsert("3EB0AAAA", "secret text");
    char *line = logged(WG_LOG_INFO, "messages.upsert", d);
    WG_CHECK(strstr(line, "level=info") != NULL);
    WG_CHECK(strstr(line, "msg=event event=messages.upsert instance=inst1 key_id=3EB0AAAA\n") !=
             NULL);
    WG_CHECK(strstr(line, "data=") == NULL);
    WG_CHECK(strstr(line, "secret") == NULL);
    WG_CHECK(strstr(line, "Bob") == NULL);
    WG_CHECK(strstr(line, "15551234567") == NULL);
    free(line);
    json_decref(d);
    /* no key id in the payload: event and instance only */
    d = json_pack("{s:s,s:i}", "state", "open", "statusReason", 200);
    line = logged(WG_LOG_INFO, "connection.update", d);
    WG_CHECK(strstr(line, "msg=event event=connection.update instance=inst1\n") != NULL);
    free(line);
    json_decref(d);
}

static void debug_carries_the_payload(void)
{
    json_t *d = upsert("3EB0BBBB", "hello");
    char *line = logged(WG_LOG_DEBUG, "messages.upsert", d);
    WG_CHECK(strstr(line, "level=debug") != NULL);
    WG_CHECK(strstr(line, "msg=event event=messages.upsert instance=inst1 key_id=3EB0BBBB data=") !=
             NULL);
    WG_CHECK(strstr(line, "\\\"conversation\\\":\\\"hello\\\"") != NULL);
    free(line);
    json_decref(d);
}

static void below_info_nothing(void)
{
    json_t *d = upsert("3EB0CCCC", "x");
    char *line = logged(WG_LOG_WARN, "messages.upsert", d);
    WG_CHECK_STR(line, "");
    free(line);
    json_decref(d);
}

static void key_id_shapes(void)
{
    json_t *d = json_pack("{s:s,s:s}", "keyId", "K1", "status", "READ"); /* messages.update */
    WG_CHECK_STR(wg_log_sink_key_id(d), "K1");
    json_decref(d);
    d = json_pack("{s:s,s:b,s:s}", "remoteJid", "1@s.whatsapp.net", "fromMe", 1, "id", "K2");
    WG_CHECK_STR(wg_log_sink_key_id(d), "K2"); /* messages.delete: the key itself */
    json_decref(d);
    d = json_pack("{s:s}", "id", "not-a-key"); /* an id that is not a message key */
    WG_CHECK(wg_log_sink_key_id(d) == NULL);
    json_decref(d);
    d = json_pack("{s:{s:i}}", "key", "id", 5);
    WG_CHECK(wg_log_sink_key_id(d) == NULL);
    json_decref(d);
    WG_CHECK(wg_log_sink_key_id(NULL) == NULL);
    d = json_string("x");
    WG_CHECK(wg_log_sink_key_id(d) == NULL);
    json_decref(d);
}

/* a peer chooses its message ids: one with a space and a newline stays
 * quoted inside one line */
static void hostile_key_id_stays_one_line(void)
{
    json_t *d = upsert("A B\nlevel=error msg=forged", "x");
    char *line = logged(WG_LOG_INFO, "messages.upsert", d);
    WG_CHECK(strchr(line, '\n') == line + strlen(line) - 1);
    WG_CHECK(strstr(line, "key_id=\"A B?level=error msg=forged\"") != NULL);
    free(line);
    json_decref(d);
}

int main(void)
{
    WG_RUN(info_names_event_instance_and_key);
    WG_RUN(debug_carries_the_payload);
    WG_RUN(below_info_nothing);
    WG_RUN(key_id_shapes);
    WG_RUN(hostile_key_id_stays_one_line);
    return wg_test_done();
}
