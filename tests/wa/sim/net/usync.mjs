// usync: answers <iq xmlns="usync"> queries from the directory: the device list
// of each user (own and recipients: <devices><device-list><device id key-index>),
// contact lookups by phone number (whatsappNumbers / onWhatsApp: <contact
// type="in|out">), and the <lid val> of each known user when the query asks.
// Unknown users get an empty device list and contact type "out".
const kids = (n) => (Array.isArray(n && n.content) ? n.content : []);
const child = (n, tag) => kids(n).find((c) => c.tag === tag);

export function answerUsync(net, iq) {
    const usync = child(iq, 'usync');
    const query = child(usync, 'query');
    const asks = new Set(kids(query).map((q) => q.tag));
    const users = kids(child(usync, 'list')).filter((u) => u.tag === 'user');
    const list = users.map((u) => {
        const phoneNode = child(u, 'contact');
        const phone = phoneNode && phoneNode.content ? Buffer.from(phoneNode.content).toString().replace(/[^0-9]/g, '') : null;
        const jid = u.attrs.jid || (phone ? `${phone}@s.whatsapp.net` : '');
        const found = u.attrs.jid ? net.resolve(jid) : (phone && net.known(phone) ? { account: net.account(phone), lid: false } : null);
        const content = [];
        if (asks.has('devices')) {
            const devs = found ? net.devicesOf(found.account) : [];
            content.push({ tag: 'devices', attrs: {}, content: [
                { tag: 'device-list', attrs: {}, content: devs.map((d) => ({ tag: 'device',
                    attrs: d.deviceId ? { id: String(d.deviceId), 'key-index': String(d.keyIndex || 1) } : { id: '0' } })) }] });
        }
        if (asks.has('contact')) content.push({ tag: 'contact', attrs: { type: found ? 'in' : 'out' } });
        if (asks.has('lid') && found && !found.lid) content.push({ tag: 'lid', attrs: { val: net.userJid(found.account, true) } });
        return { tag: 'user', attrs: { jid }, content };
    });
    return [{ tag: 'usync', attrs: { ...(usync ? usync.attrs : {}) }, content: [
        { tag: 'result', attrs: {}, content: [...asks].map((t) => ({ tag: t, attrs: {} })) },
        { tag: 'list', attrs: {}, content: list }] }];
}
