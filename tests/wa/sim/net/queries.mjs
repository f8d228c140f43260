// queries: the <iq> answers that read or change the network's directory:
// encrypt (key upload, remaining count, pre-key bundles), usync, w:g2 group
// metadata and w:profile:picture. Each returns true when it answered.
import { storeUpload, remaining, bundleNode } from './keys.mjs';
import { answerUsync } from './usync.mjs';

const kids = (n) => (Array.isArray(n && n.content) ? n.content : []);
const child = (n, tag) => kids(n).find((c) => c.tag === tag);

export function answerQuery(sim, conn, iq, stats) {
    const { net, groups } = sim;
    const { xmlns, type, id } = iq.attrs;
    const dev = conn.device;
    const result = (content) => conn.sendNode({ tag: 'iq', attrs: { from: iq.attrs.to || '@s.whatsapp.net', type: 'result', id }, content });
    const error = (code, text) => conn.sendNode({ tag: 'iq', attrs: { from: iq.attrs.to || 's.whatsapp.net', type: 'error', id },
        content: [{ tag: 'error', attrs: { code, text } }] });
    if (xmlns === 'encrypt' && type === 'set' && (child(iq, 'list') || child(iq, 'skey'))) {
        const n = storeUpload(dev, iq);
        stats.prekeyUploads++; stats.prekeysUploaded += n;
        result();
        return true;
    }
    if (xmlns === 'encrypt' && type === 'get' && child(iq, 'count')) {
        result([{ tag: 'count', attrs: { value: String(remaining(dev)) } }]);
        return true;
    }
    if (xmlns === 'encrypt' && type === 'get' && child(iq, 'key')) {
        const users = kids(child(iq, 'key')).filter((u) => u.tag === 'user');
        result([{ tag: 'list', attrs: {}, content: users.map((u) => {
            const r = net.resolve(u.attrs.jid);
            const d = r && net.devices.get(`${r.account.number}:${r.deviceId || 0}`);
            return bundleNode(u.attrs.jid, d && !d.removed ? d : null);
        }) }]);
        return true;
    }
    if (xmlns === 'privacy' && type === 'get' && child(iq, 'privacy')) {
        // everyone sees read receipts and presence, so receipts are 'read', not 'read-self'
        result([{ tag: 'privacy', attrs: {}, content: ['readreceipts', 'last', 'online', 'profile', 'status', 'groupadd']
            .map((name) => ({ tag: 'category', attrs: { name, value: 'all' } })) }]);
        return true;
    }
    if (xmlns === 'usync' && child(iq, 'usync')) { result(answerUsync(net, iq)); return true; }
    if (xmlns === 'w:g2' && type === 'get') {
        const a = groups.answer(iq, net.account(dev.number));
        if (a.error) error(a.error.code, a.error.text); else result(a.content);
        return true;
    }
    if (xmlns === 'w:profile:picture' && type === 'get' && child(iq, 'picture')) {
        // the linked account's own picture defaults to the simulator's URL; others need one set
        const target = net.resolve(iq.attrs.target || iq.attrs.to) || (iq.attrs.target ? null : { account: net.account(dev.number) });
        const a = target && target.account;
        const url = a && (a.picture || (a.number === dev.number && !a.private ? `https://pps.whatsapp.net/sim/${a.number}.jpg` : null));
        if (a && a.private && a.number !== dev.number) error('401', 'not-authorized');
        else if (!url) error('404', 'item-not-found');
        else result([{ tag: 'picture', attrs: { id: String(a.pictureId || 1), type: child(iq, 'picture').attrs.type || 'image', url,
            direct_path: new URL(url).pathname } }]);
        return true;
    }
    return false;
}
