// router: what the server does with the stanzas one device sends to others:
// <message> fan-out (per-device <enc> from <participants>, the group's shared
// skmsg, <device-identity>) with the server <ack>; <receipt> routing back to the
// sender's devices (delivery, read, played, retry) with the <ack class="receipt">;
// <ack> from a device clearing its outbox; <chatstate> and <presence>
// (subscribe, available/unavailable) to subscribers. Addressing follows the
// sender account's flag: PN (from=<pn device>, sender_lid) or LID (from=<lid
// device>, addressing_mode="lid", sender_pn).
import { nowSeconds } from './network.mjs';

const kids = (n) => (Array.isArray(n && n.content) ? n.content : []);
const child = (n, tag) => kids(n).find((c) => c.tag === tag);

export class Router {
    constructor(net, groups) { this.net = net; this.groups = groups; }

    // the attributes that say who sent a 1:1 stanza, in the sender's addressing
    senderAttrs(a, deviceId) {
        const lid = a.lidAddressing;
        return lid ? { from: this.net.deviceJid(a, deviceId, true), addressing_mode: 'lid', sender_pn: this.net.userJid(a, false) }
            : { from: this.net.deviceJid(a, deviceId, false), sender_lid: this.net.userJid(a, true) };
    }

    onMessage(conn, node) {
        const net = this.net, dev = conn.device, me = net.account(dev.number);
        const { id, to } = node.attrs;
        const t = nowSeconds();
        const ack = (extra = {}) => conn.sendNode({ tag: 'ack', attrs: { class: 'message', id, from: to, t, ...extra } });
        const direct = new Map();   // "number:device" -> [enc]
        for (const p of kids(child(node, 'participants')))
            if (p.tag === 'to') {
                const r = net.resolve(p.attrs.jid);
                if (r) direct.set(`${r.account.number}:${r.deviceId || 0}`, kids(p).filter((c) => c.tag === 'enc'));
            }
        const shared = kids(node).filter((c) => c.tag === 'enc');    // skmsg, or a single-device resend
        const identity = child(node, 'device-identity');
        const base = { id, t, type: node.attrs.type || 'text', notify: me.name };
        if (node.attrs.edit) base.edit = node.attrs.edit;
        if (node.attrs.category) base.category = node.attrs.category;
        const group = to.endsWith('@g.us') ? this.groups.get(to) : null;
        if (to.endsWith('@g.us')) {
            if (!group || !group.numbers.includes(me.number)) return ack({ error: '403' });
            const lid = group.addressingMode === 'lid';
            const who = lid ? { participant: net.deviceJid(me, dev.deviceId, true), addressing_mode: 'lid', participant_pn: net.userJid(me, false) }
                : { participant: net.deviceJid(me, dev.deviceId, false), participant_lid: net.userJid(me, true), addressing_mode: 'pn' };
            for (const a of this.groups.members(group))
                for (const d of net.devicesOf(a)) {
                    if (d === dev) continue;
                    const encs = [...(direct.get(net.keyOf(d)) || []), ...shared];
                    if (!encs.length) continue;
                    net.deliver(d, { tag: 'message', attrs: { ...base, from: to, ...who },
                        content: identity ? [...encs, identity] : encs });
                }
            net.sent.set(id, { sender: net.keyOf(dev), chat: to, group: true });
            return ack();
        }
        const target = net.resolve(to);
        if (!target) return ack({ error: '404' });
        for (const [key, encs] of direct) {
            const d = net.devices.get(key);
            if (!d || d === dev || !encs.length) continue;
            const c = net.counters(d);
            for (const e of encs) if (e.attrs.type in c) c[e.attrs.type]++;
            const own = d.number === me.number;
            const attrs = { ...base, ...this.senderAttrs(me, dev.deviceId) };
            if (own) attrs.recipient = to;
            net.deliver(d, { tag: 'message', attrs, content: identity ? [...encs, identity] : encs });
        }
        // a resend to one device (<message to=<device jid>><enc/>): straight to it
        if (shared.length && target.deviceId !== undefined) {
            const d = net.devices.get(`${target.account.number}:${target.deviceId || 0}`);
            if (d && d !== dev) net.deliver(d, { tag: 'message', attrs: { ...base, ...this.senderAttrs(me, dev.deviceId),
                ...(node.attrs.recipient ? { recipient: node.attrs.recipient } : {}) }, content: identity ? [...shared, identity] : shared });
        }
        net.sent.set(id, { sender: net.keyOf(dev), chat: to, group: false });
        return ack();
    }

    onReceipt(conn, node) {
        const net = this.net, dev = conn.device, me = net.account(dev.number);
        const { id, type } = node.attrs;
        const ids = [id, ...kids(child(node, 'list')).map((i) => i.attrs.id)];
        net.acknowledge(dev, 'message', ids);
        const c = net.counters(dev);
        if (type === 'retry') c.retries++; else c.receipts += ids.length;
        conn.sendNode({ tag: 'ack', attrs: { class: 'receipt', id, from: node.attrs.to || '', ...(type ? { type } : {}) } });
        if (['sender', 'peer_msg', 'hist_sync', 'server-error'].includes(type)) return;
        const sent = net.sent.get(id);
        let targets;
        if (sent && sent.sender) {
            const origin = net.devices.get(sent.sender);
            if (!origin) return;
            targets = type === 'retry' ? [origin] : net.devicesOf(net.account(origin.number));
        } else {
            const r = net.resolve(node.attrs.to);
            if (!r) return;
            targets = net.devicesOf(r.account);
        }
        const attrs = { id, t: node.attrs.t || nowSeconds() };
        if (type && type !== 'inactive') attrs.type = type;
        const gid = (sent && sent.group && sent.chat) || (node.attrs.to || '').endsWith('@g.us') && node.attrs.to;
        if (gid) {
            const g = this.groups.get(gid);
            Object.assign(attrs, { from: gid, participant: net.deviceJid(me, dev.deviceId, g && g.addressingMode === 'lid') });
        } else Object.assign(attrs, this.senderAttrs(me, dev.deviceId));
        for (const d of targets) {
            if (d === dev) continue;
            const a = { ...attrs };
            if (d.number === me.number && sent) a.recipient = sent.chat;   // our other device read it
            net.deliver(d, { tag: 'receipt', attrs: a, content: node.content });
        }
    }

    onAck(conn, node) {
        const cls = node.attrs.class;
        if (cls) this.net.acknowledge(conn.device, cls, [node.attrs.id]);
    }

    onChatstate(conn, node) {
        const net = this.net, me = net.account(conn.device.number);
        const to = node.attrs.to || '';
        const state = kids(node)[0];
        if (!state) return;
        if (to.endsWith('@g.us')) {
            const g = this.groups.get(to);
            if (!g) return;
            for (const a of this.groups.members(g))
                for (const d of net.devicesOf(a)) if (d !== conn.device && a !== me)
                    net.push(d, { tag: 'chatstate', attrs: { from: to, participant: net.userJid(me, g.addressingMode === 'lid') }, content: [state] });
            return;
        }
        const r = net.resolve(to);
        if (!r) return;
        for (const d of net.devicesOf(r.account))
            net.push(d, { tag: 'chatstate', attrs: { from: net.userJid(me, me.lidAddressing) }, content: [state] });
    }

    onPresence(conn, node) {
        const net = this.net, me = net.account(conn.device.number);
        const { type } = node.attrs;
        if (type === 'subscribe') {
            const r = net.resolve(node.attrs.to);
            if (!r) return;
            r.account.subscribers.add(me.number);
            if (r.account.presence) net.push(conn.device, this.presenceNode(r.account));
            return;
        }
        if (type !== 'available' && type !== 'unavailable') return;
        if (node.attrs.name) me.name = node.attrs.name;
        me.presence = { type, last: nowSeconds() };
        for (const n of me.subscribers)
            for (const d of net.devicesOf(net.account(n))) net.push(d, this.presenceNode(me));
    }

    presenceNode(a) {
        const attrs = { from: this.net.userJid(a, a.lidAddressing), type: a.presence.type };
        if (a.presence.type === 'unavailable') attrs.last = a.presence.last;
        return { tag: 'presence', attrs };
    }
}
