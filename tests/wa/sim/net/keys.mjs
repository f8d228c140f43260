// keys: each device's uploaded Signal keys (<iq xmlns="encrypt" type="set">:
// registration id, key type, identity, one-time pre-keys, signed pre-key), the
// real remaining count, and pre-key bundles for <iq xmlns="encrypt" type="get"><key>
// that consume one one-time pre-key each, as the server does.
const kids = (n) => (Array.isArray(n && n.content) ? n.content : []);
const child = (n, tag) => kids(n).find((c) => c.tag === tag);
const bytes = (n) => (n && n.content ? Buffer.from(n.content) : Buffer.alloc(0));

// upload (or top-up) from a device; returns the number of one-time pre-keys received
export function storeUpload(dev, iq) {
    const k = dev.keys || (dev.keys = { prekeys: [] });
    if (child(iq, 'registration')) k.registration = bytes(child(iq, 'registration'));
    if (child(iq, 'type')) k.type = bytes(child(iq, 'type'));
    if (child(iq, 'identity')) k.identity = bytes(child(iq, 'identity'));
    if (child(iq, 'skey')) k.skey = child(iq, 'skey');
    const list = kids(child(iq, 'list')).filter((c) => c.tag === 'key');
    const known = new Set(k.prekeys.map((p) => bytes(child(p, 'id')).toString('hex')));
    for (const key of list) if (!known.has(bytes(child(key, 'id')).toString('hex'))) k.prekeys.push(key);
    dev.prekeys = k.prekeys.length;
    return list.length;
}

export const remaining = (dev) => (dev.keys ? dev.keys.prekeys.length : dev.prekeys || 0);

// one <user jid> bundle node, consuming a one-time pre-key when any is left;
// an <error> child when the device never uploaded keys
export function bundleNode(jid, dev) {
    const k = dev && dev.keys;
    if (!k || !k.identity || !k.skey)
        return { tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
    const content = [
        { tag: 'registration', attrs: {}, content: k.registration },
        { tag: 'type', attrs: {}, content: k.type && k.type.length ? k.type : Buffer.from([5]) },
        { tag: 'identity', attrs: {}, content: k.identity },
    ];
    const one = k.prekeys.shift();
    dev.prekeys = k.prekeys.length;
    if (one) content.push(one);
    content.push(k.skey);
    return { tag: 'user', attrs: { jid }, content };
}
