// Admin hook of the simulator for tests of stanzas a real server sends and crabline cannot:
// POST /inject-record {jid?, node?, onWhatsApp?} sends `node` (JSON binary node: {tag, attrs, content};
// string content stays text, {hex} becomes bytes) to the logged-in connection(s) of jid, and from
// the first call on records every node those connections send; the answer lists what was sent
// and the nodes recorded since the previous call (bytes as hex), so a test can see e.g.
// <call><reject>. onWhatsApp (digits) sets the numbers a usync contact query finds: from then on
// such queries get a server-like answer (<user jid><contact type="in"|"out">+digits</contact>
// <lid val/></user>) instead of the simulator's empty result.
// Hooked into wa-sim.mjs with one line; nothing here runs unless /inject-record is called.
// (The network's own /inject, tests/wa/sim/net/index.mjs, only sends a stanza.)

let registered = new Set();

const toJson = (n) => ({
    tag: n.tag,
    attrs: n.attrs || {},
    content: Array.isArray(n.content) ? n.content.map(toJson)
        : Buffer.isBuffer(n.content) || n.content instanceof Uint8Array ? Buffer.from(n.content).toString('hex')
            : n.content,
});

const fromJson = (n) => ({
    tag: n.tag,
    attrs: n.attrs || {},
    content: Array.isArray(n.content) ? n.content.map(fromJson)
        : n.content && typeof n.content === 'object' && n.content.hex !== undefined ? Buffer.from(n.content.hex, 'hex')
            : n.content,
});

const kidsOf = (n) => (Array.isArray(n && n.content) ? n.content : []);
const textOf = (n) => (n && n.content !== undefined && !Array.isArray(n.content) ? Buffer.from(n.content).toString() : '');

// a usync query with <contact/> in its <query>: answered as the server would
async function answerContacts(c, node) {
    const usync = kidsOf(node).find((k) => k.tag === 'usync');
    const query = kidsOf(usync).find((k) => k.tag === 'query');
    if (!query || !kidsOf(query).some((k) => k.tag === 'contact')) return false;
    const list = kidsOf(usync).find((k) => k.tag === 'list');
    const users = kidsOf(list).map((u) => {
        const digits = textOf(kidsOf(u).find((k) => k.tag === 'contact')).replace(/\D/g, '');
        const on = registered.has(digits);
        const content = [{ tag: 'contact', attrs: { type: on ? 'in' : 'out' }, content: Buffer.from('+' + digits) }];
        if (on) content.push({ tag: 'lid', attrs: { val: `${digits.split('').reverse().join('')}@lid` } });
        return { tag: 'user', attrs: { jid: `${digits}@s.whatsapp.net` }, content };
    });
    await c.sendNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'result', id: node.attrs.id },
        content: [{ tag: 'usync', attrs: { sid: usync.attrs.sid || '', index: '0', last: 'true' },
            content: [{ tag: 'list', attrs: {}, content: users }] }] });
    return true;
}

export async function inject(conns, q) {
    if (Array.isArray(q.onWhatsApp)) registered = new Set(q.onWhatsApp.map(String));
    const recorded = [];
    for (const c of conns) {
        if (!c.injectLog) {
            c.injectLog = [];
            const onNode = c.onNode.bind(c);
            c.onNode = async (node) => {
                c.injectLog.push(toJson(node));
                if (node.tag === 'iq' && node.attrs.xmlns === 'usync' && registered.size && await answerContacts(c, node)) return;
                return onNode(node);
            };
        }
        recorded.push(...c.injectLog.splice(0));
        if (q.node) await c.sendNode(fromJson(q.node));
    }
    return { sent: q.node ? conns.length : 0, recorded };
}
