/* ClientPayload construction (see payload.h). Field values follow Baileys 7
 * (validate-connection.ts) because that is what the server already accepts
 * from companions: WEB platform, version 2.3000.N, mcc/mnc "000", locale
 * en-US, WIFI_UNKNOWN / USER_ACTIVATED. */
#include "wa/payload.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "waproto.pb-c.h"
#include "wg_err.h"

void wg_wa_pb_append(const ProtobufCMessage *m, wg_buf_t *out)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    wg_buf_reserve(out, n);
    protobuf_c_message_pack(m, out->p + out->len);
    out->len += n;
    out->p[out->len] = '\0';
}

int wg_wa_browser_platform_type(const char *browser)
{
    static const struct {
        const char *name; /* browser[1] as Baileys spells it */
        int type;         /* DeviceProps.PlatformType */
    } map[] = {{"Chrome", WA__DEVICE_PROPS__PLATFORM_TYPE__CHROME},
               {"Firefox", WA__DEVICE_PROPS__PLATFORM_TYPE__FIREFOX},
               {"IE", WA__DEVICE_PROPS__PLATFORM_TYPE__IE},
               {"Opera", WA__DEVICE_PROPS__PLATFORM_TYPE__OPERA},
               {"Safari", WA__DEVICE_PROPS__PLATFORM_TYPE__SAFARI},
               {"Edge", WA__DEVICE_PROPS__PLATFORM_TYPE__EDGE},
               {"Desktop", WA__DEVICE_PROPS__PLATFORM_TYPE__DESKTOP}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (browser && strcasecmp(browser, map[i].name) == 0)
            return map[i].type;
    return WA__DEVICE_PROPS__PLATFORM_TYPE__CHROME;
}

const char *wg_wa_browser_platform_id(const char *browser)
{
    static const struct {
        const char *name; /* browser name */
        const char *id;   /* companion platform id */
    } map[] = {{"Chrome", "1"}, {"Edge", "2"},  {"Firefox", "3"}, {"IE", "4"},
               {"Opera", "5"},  {"Safari", "6"}, {"Desktop", "7"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (browser && strcasecmp(browser, map[i].name) == 0)
            return map[i].id;
    return "1";
}

typedef struct {
    Wa__ClientPayload payload; /* the message */
    Wa__UserAgent agent;       /* payload.user_agent */
    Wa__AppVersion version;    /* agent.app_version */
    Wa__WebInfo web;           /* payload.web_info */
} base_t;

static void base_init(base_t *b)
{
    wa__client_payload__init(&b->payload);
    wa__user_agent__init(&b->agent);
    wa__app_version__init(&b->version);
    wa__web_info__init(&b->web);
    b->version.has_primary = b->version.has_secondary = b->version.has_tertiary = 1;
    b->version.primary = 2;
    b->version.secondary = 3000;
    b->version.tertiary = WG_WA_VERSION_TERTIARY;
    b->agent.has_platform = 1;
    b->agent.platform = WA__USER_AGENT__PLATFORM__WEB;
    b->agent.app_version = &b->version;
    b->agent.mcc = "000";
    b->agent.mnc = "000";
    b->agent.os_version = "0.1";
    b->agent.device = "Desktop";
    b->agent.os_build_number = "0.1";
    b->agent.has_release_channel = 1;
    b->agent.release_channel = WA__USER_AGENT__RELEASE_CHANNEL__RELEASE;
    b->agent.locale_language_iso6391 = "en";
    b->agent.locale_country_iso31661_alpha2 = "US";
    b->web.has_web_sub_platform = 1;
    b->web.web_sub_platform = WA__WEB_INFO__WEB_SUB_PLATFORM__WEB_BROWSER;
    b->payload.user_agent = &b->agent;
    b->payload.web_info = &b->web;
    b->payload.has_connect_type = 1;
    b->payload.connect_type = WA__CLIENT_PAYLOAD__CONNECT_TYPE__WIFI_UNKNOWN;
    b->payload.has_connect_reason = 1;
    b->payload.connect_reason = WA__CLIENT_PAYLOAD__CONNECT_REASON__USER_ACTIVATED;
}

static ProtobufCBinaryData bin(const void *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

int wg_wa_payload_registration(const wg_wa_creds_t *c, const wg_wa_browser_t *br, wg_buf_t *out)
{
    base_t b;
    base_init(&b);
    b.payload.has_passive = b.payload.has_pull = 1;
    b.payload.passive = b.payload.pull = 0;

    Wa__AppVersion os_version = WA__APP_VERSION__INIT;
    os_version.has_primary = os_version.has_secondary = os_version.has_tertiary = 1;
    os_version.primary = 10;
    os_version.secondary = 15;
    os_version.tertiary = 7;
    Wa__DeviceProps__HistorySyncConfig sync = WA__DEVICE_PROPS__HISTORY_SYNC_CONFIG__INIT;
    sync.has_storage_quota_mb = 1;
    sync.storage_quota_mb = 10240;
    sync.has_inline_initial_payload_in_e2ee_msg = 1;
    sync.inline_initial_payload_in_e2ee_msg = 1;
    Wa__DeviceProps props = WA__DEVICE_PROPS__INIT;
    props.os = (char *)(br && br->client && *br->client ? br->client : "wagate");
    props.version = &os_version;
    props.has_platform_type = 1;
    props.platform_type = wg_wa_browser_platform_type(br ? br->browser : NULL);
    props.has_require_full_sync = 1;
    props.require_full_sync = 0; /* a gateway wants no history backfill on link */
    props.history_sync_config = &sync;
    wg_buf_t props_bytes = WG_BUF_INIT;
    wg_wa_pb_append(&props.base, &props_bytes);

    uint8_t regid[4] = {(uint8_t)(c->registration_id >> 24), (uint8_t)(c->registration_id >> 16),
                        (uint8_t)(c->registration_id >> 8), (uint8_t)c->registration_id};
    uint8_t skey_id[3] = {(uint8_t)(c->spk_id >> 16), (uint8_t)(c->spk_id >> 8), (uint8_t)c->spk_id};
    static const uint8_t key_type = 0x05;
    char version[32];
    snprintf(version, sizeof version, "2.3000.%u", WG_WA_VERSION_TERTIARY);
    uint8_t build_hash[16];
    unsigned int hash_len = sizeof build_hash;
    EVP_Digest(version, strlen(version), build_hash, &hash_len, EVP_md5(), NULL);

    Wa__DevicePairingRegistrationData reg = WA__DEVICE_PAIRING_REGISTRATION_DATA__INIT;
    reg.has_e_regid = reg.has_e_keytype = reg.has_e_ident = reg.has_e_skey_id = 1;
    reg.has_e_skey_val = reg.has_e_skey_sig = reg.has_build_hash = reg.has_device_props = 1;
    reg.e_regid = bin(regid, 4);
    reg.e_keytype = bin(&key_type, 1);
    reg.e_ident = bin(c->identity_pub, 32);
    reg.e_skey_id = bin(skey_id, 3);
    reg.e_skey_val = bin(c->spk_pub, 32);
    reg.e_skey_sig = bin(c->spk_sig, 64);
    reg.build_hash = bin(build_hash, sizeof build_hash);
    reg.device_props = bin(props_bytes.p, props_bytes.len);
    b.payload.device_pairing_data = &reg;
    wg_wa_pb_append(&b.payload.base, out);
    wg_buf_free(&props_bytes);
    return 0;
}

int wg_wa_payload_login(const wg_wa_creds_t *c, wg_buf_t *out)
{
    uint64_t phone;
    uint32_t device;
    if (wg_wa_creds_me(c, &phone, &device) != 0)
        return WG_EINVAL;
    base_t b;
    base_init(&b);
    b.payload.has_username = 1;
    b.payload.username = phone;
    b.payload.has_device = 1;
    b.payload.device = device;
    b.payload.has_passive = b.payload.has_pull = 1;
    b.payload.passive = b.payload.pull = 1;
    b.payload.has_lid_db_migrated = 1;
    b.payload.lid_db_migrated = 0;
    wg_wa_pb_append(&b.payload.base, out);
    return 0;
}
