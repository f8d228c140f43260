/* Socket.IO v5 packet codec (see sio_packet.h; spec §2.1). Parses and
 * prints packets; placeholders are checked, not resolved: attachments stay
 * separate buffers so JSON text can be echoed byte for byte. Never decides
 * what a packet means for a connection (sio_server.c does). */
#include "sio/sio_packet.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void wg_sio_packet_free(wg_sio_packet_t *p)
{
    if (!p)
        return;
    free(p->nsp);
    free(p->json);
    if (p->data)
        json_decref(p->data);
    for (size_t i = 0; p->attachments && i < p->attachment_count; i++)
        wg_buf_free(&p->attachments[i]);
    free(p->attachments);
    memset(p, 0, sizeof *p);
}

int wg_sio_event_name_reserved(const char *name)
{
    static const char *const reserved[] = {"connect",       "connect_error", "disconnect",
                                           "disconnecting", "newListener",   "removeListener"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(name, reserved[i]) == 0)
            return 1;
    return 0;
}

/* Whether the payload shape is allowed for the type (socket.io-parser
 * isPayloadValid, spec §2.1). data is NULL when there is no payload. */
static int payload_valid(wg_sio_type_t type, const json_t *data)
{
    switch (type) {
    case WG_SIO_CONNECT:
        return !data || json_is_object(data);
    case WG_SIO_DISCONNECT:
        return !data;
    case WG_SIO_EVENT:
    case WG_SIO_BINARY_EVENT: {
        if (!json_is_array(data) || json_array_size(data) == 0)
            return 0;
        const json_t *first = json_array_get(data, 0);
        if (json_is_number(first))
            return 1;
        return json_is_string(first) && !wg_sio_event_name_reserved(json_string_value(first));
    }
    case WG_SIO_ACK:
    case WG_SIO_BINARY_ACK:
        return json_is_array(data);
    case WG_SIO_CONNECT_ERROR:
        return json_is_object(data) || json_is_string(data);
    }
    return 0;
}

static json_t *parse_json(const uint8_t *p, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb((const char *)p, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) /* integers beyond int64 are plain numbers in JavaScript */
        v = json_loadb((const char *)p, len,
                       JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err);
    return v;
}

int wg_sio_packet_decode(const uint8_t *text, size_t len, wg_sio_packet_t *out)
{
    int rc = WG_EINVAL;
    size_t i = 0;
    memset(out, 0, sizeof *out);
    out->ack_id = WG_SIO_NO_ACK;
    if (len == 0 || text[0] < '0' || text[0] > '6')
        goto done;
    out->type = (wg_sio_type_t)(text[0] - '0');
    i = 1;
    if (out->type == WG_SIO_BINARY_EVENT || out->type == WG_SIO_BINARY_ACK) {
        size_t start = i, n = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9' && i - start < 4)
            n = n * 10 + (size_t)(text[i++] - '0');
        if (i == start || i >= len || text[i] != '-' || n > WG_SIO_MAX_ATTACHMENTS)
            goto done;
        i++;
        out->attachment_count = n;
        if (n)
            out->attachments = wg_calloc(n, sizeof *out->attachments);
    }
    if (i < len && text[i] == '/') {
        /* namespace runs to the first ',' or the end (spec §2.1) */
        const uint8_t *comma = memchr(text + i, ',', len - i);
        size_t end = comma ? (size_t)(comma - text) : len;
        if (memchr(text + i, 0, end - i))
            goto done;
        out->nsp = wg_strndup((const char *)text + i, end - i);
        i = comma ? end + 1 : len;
    } else {
        out->nsp = wg_strdup("/");
    }
    if (i < len && text[i] >= '0' && text[i] <= '9') {
        size_t start = i;
        int64_t id = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (i - start >= WG_SIO_MAX_ACK_DIGITS)
                goto done;
            id = id * 10 + (text[i++] - '0');
        }
        out->ack_id = id;
    }
    if (i < len) {
        /* a raw NUL is never valid JSON; jansson would stop reading at it */
        if (memchr(text + i, 0, len - i))
            goto done;
        out->data = parse_json(text + i, len - i);
        if (!out->data)
            goto done;
        out->json = wg_malloc(len - i + 1);
        memcpy(out->json, text + i, len - i);
        out->json[len - i] = 0;
        out->json_len = len - i;
    }
    if (!payload_valid(out->type, out->data))
        goto done;
    rc = WG_OK;
done:
    if (rc != WG_OK)
        wg_sio_packet_free(out);
    return rc;
}

void wg_sio_decoder_init(wg_sio_decoder_t *d)
{
    memset(d, 0, sizeof *d);
}

void wg_sio_decoder_free(wg_sio_decoder_t *d)
{
    if (!d)
        return;
    if (d->has_pending)
        wg_sio_packet_free(&d->pending);
    d->has_pending = 0;
}

/* Checks every {"_placeholder":true,...} in v points at an attachment. */
static int placeholders_valid(const json_t *v, size_t count, int depth)
{
    if (depth > 4096)
        return 0; /* unreachable: jansson caps nesting at 2048 */
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!placeholders_valid(json_array_get(v, i), count, depth + 1))
                return 0;
        return 1;
    }
    if (!json_is_object(v))
        return 1;
    if (json_is_true(json_object_get(v, "_placeholder"))) {
        const json_t *num = json_object_get(v, "num");
        if (json_is_integer(num))
            return json_integer_value(num) >= 0 && (size_t)json_integer_value(num) < count;
        if (json_is_real(num)) {
            double d = json_real_value(num);
            return d >= 0 && d < (double)count && d == (double)(size_t)d;
        }
        return 0;
    }
    const char *key;
    const json_t *child;
    json_object_foreach((json_t *)v, key, child)
    {
        if (!placeholders_valid(child, count, depth + 1))
            return 0;
    }
    return 1;
}

/* Moves d->pending to *out once complete; 1 done, error when placeholders lie. */
static int finish_pending(wg_sio_decoder_t *d, wg_sio_packet_t *out)
{
    wg_sio_packet_t *p = &d->pending;
    d->has_pending = 0;
    if (!placeholders_valid(p->data, p->attachment_count, 0)) {
        wg_sio_packet_free(p);
        return WG_EPROTO;
    }
    *out = *p;
    memset(p, 0, sizeof *p);
    return 1;
}

int wg_sio_decoder_feed(wg_sio_decoder_t *d, const uint8_t *data, size_t len, int is_binary,
                        wg_sio_packet_t *out)
{
    if (is_binary) {
        if (!d->has_pending) {
            return WG_EPROTO;
        }
        wg_sio_packet_t *p = &d->pending;
        wg_buf_append(&p->attachments[p->attachments_received], data, len);
        if (!p->attachments[p->attachments_received].p) /* empty attachment: still a buffer */
            wg_buf_append(&p->attachments[p->attachments_received], "", 0);
        p->attachments_received++;
        if (p->attachments_received < p->attachment_count)
            return 0;
        return finish_pending(d, out);
    }
    if (d->has_pending) {
        wg_sio_decoder_free(d);
        return WG_EPROTO;
    }
    wg_sio_packet_t p;
    int rc = wg_sio_packet_decode(data, len, &p);
    if (rc != WG_OK)
        return rc;
    if (p.type == WG_SIO_BINARY_EVENT || p.type == WG_SIO_BINARY_ACK) {
        d->pending = p;
        d->has_pending = 1;
        if (p.attachment_count == 0)
            return finish_pending(d, out);
        return 0;
    }
    *out = p;
    return 1;
}

int wg_sio_packet_encode(wg_buf_t *out, wg_sio_type_t type, const char *nsp, int64_t ack_id,
                         const char *json, size_t json_len, size_t attachments)
{
    if ((unsigned)type > WG_SIO_BINARY_ACK)
        return WG_EINVAL;
    if (attachments) {
        if (type == WG_SIO_EVENT)
            type = WG_SIO_BINARY_EVENT;
        else if (type == WG_SIO_ACK)
            type = WG_SIO_BINARY_ACK;
        else if (type != WG_SIO_BINARY_EVENT && type != WG_SIO_BINARY_ACK)
            return WG_EINVAL;
    }
    wg_buf_append_byte(out, (uint8_t)('0' + type));
    if (type == WG_SIO_BINARY_EVENT || type == WG_SIO_BINARY_ACK)
        wg_buf_printf(out, "%zu-", attachments);
    if (nsp && strcmp(nsp, "/") != 0) {
        wg_buf_append_str(out, nsp);
        wg_buf_append_byte(out, ',');
    }
    if (ack_id >= 0)
        wg_buf_printf(out, "%" PRId64, ack_id);
    if (json && json_len)
        wg_buf_append(out, json, json_len);
    return WG_OK;
}

void wg_sio_json_string(wg_buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    wg_buf_append_byte(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            wg_buf_append_str(out, "\\\"");
            break;
        case '\\':
            wg_buf_append_str(out, "\\\\");
            break;
        case '\b':
            wg_buf_append_str(out, "\\b");
            break;
        case '\f':
            wg_buf_append_str(out, "\\f");
            break;
        case '\n':
            wg_buf_append_str(out, "\\n");
            break;
        case '\r':
            wg_buf_append_str(out, "\\r");
            break;
        case '\t':
            wg_buf_append_str(out, "\\t");
            break;
        default:
            if (c < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
                wg_buf_append_str(out, esc);
            } else {
                wg_buf_append_byte(out, c);
            }
        }
    }
    wg_buf_append_byte(out, '"');
}

static size_t skip_ws(const char *p, size_t i, size_t len)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

int wg_sio_event_json(wg_buf_t *out, const char *name, const char *args_json, size_t args_len)
{
    size_t i = skip_ws(args_json, 0, args_len);
    if (i >= args_len || args_json[i] != '[')
        return WG_EINVAL;
    size_t end = args_len;
    while (end > i && (args_json[end - 1] == ' ' || args_json[end - 1] == '\t' ||
                       args_json[end - 1] == '\n' || args_json[end - 1] == '\r'))
        end--;
    if (end - i < 2 || args_json[end - 1] != ']')
        return WG_EINVAL;
    wg_buf_append_byte(out, '[');
    wg_sio_json_string(out, name, strlen(name));
    size_t body = skip_ws(args_json, i + 1, end);
    if (body < end - 1) { /* non-empty array: splice its elements */
        wg_buf_append_byte(out, ',');
        wg_buf_append(out, args_json + body, end - body);
    } else {
        wg_buf_append_byte(out, ']');
    }
    return WG_OK;
}

/* Returns the offset just past the JSON string or number starting at i
 * (the text is already known to be valid JSON). */
static size_t skip_scalar(const char *p, size_t i, size_t len)
{
    if (p[i] == '"') {
        for (i++; i < len; i++) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                return i + 1;
        }
        return len;
    }
    while (i < len && strchr("+-.eE0123456789", p[i]) && p[i])
        i++;
    return i;
}

int wg_sio_event_split(const wg_sio_packet_t *p, wg_buf_t *name, wg_buf_t *args_out)
{
    if ((p->type != WG_SIO_EVENT && p->type != WG_SIO_BINARY_EVENT) || !p->json ||
        !json_is_array(p->data) || json_array_size(p->data) == 0)
        return WG_EINVAL;
    const char *t = p->json;
    size_t len = p->json_len;
    size_t i = skip_ws(t, 0, len) + 1; /* past '[' */
    i = skip_ws(t, i, len);
    size_t name_start = i;
    i = skip_scalar(t, i, len);
    const json_t *first = json_array_get(p->data, 0);
    if (json_is_string(first))
        wg_buf_append(name, json_string_value(first), json_string_length(first));
    else
        wg_buf_append(name, t + name_start, i - name_start);
    if (!name->p)
        wg_buf_append(name, "", 0);
    i = skip_ws(t, i, len);
    wg_buf_append_byte(args_out, '[');
    if (i < len && t[i] == ',') {
        size_t end = len;
        while (end > i && t[end - 1] != ']')
            end--;
        wg_buf_append(args_out, t + i + 1, end - (i + 1));
    } else {
        wg_buf_append_byte(args_out, ']');
    }
    return WG_OK;
}
