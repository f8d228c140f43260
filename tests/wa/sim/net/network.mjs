// network: the simulator's directory of accounts and devices, and the per-device
// outbox that makes delivery reliable (a stanza stays in the outbox until the
// device receipts or acks it, and is sent again when the device reconnects, as
// the real server redelivers unacknowledged messages at login). It knows
// nothing about what a stanza means: routing lives in router.mjs, key storage
// in keys.mjs, queries in usync.mjs and groups.mjs.
import * as B from '@whiskeysockets/baileys';

const nowSeconds = () => String(Math.floor(Date.now() / 1000));
export { nowSeconds };

// One device's outbox: the stanzas in the order they were queued, indexed by "tag id" so a
// receipt or ack clears its entries in O(1) (a burst of 10,000 held messages receipted one by
// one must not cost 10,000 scans of the whole box). Cleared entries are marked and dropped
// when they outnumber the live ones.
export class Outbox {
    constructor() { this.list = []; this.index = new Map(); this.length = 0; }
    push(e) {
        const k = `${e.tag} ${e.id}`;
        const same = this.index.get(k);
        if (same) same.push(e); else this.index.set(k, [e]);
        this.list.push(e); this.length++;
    }
    // clears every entry of this tag and id; returns how many there were
    remove(tag, id) {
        const k = `${tag} ${id}`;
        const same = this.index.get(k);
        if (!same) return 0;
        this.index.delete(k);
        for (const e of same) e.gone = true;
        this.length -= same.length;
        if (this.list.length > 64 && this.list.length > 2 * this.length) this.list = this.list.filter((e) => !e.gone);
        return same.length;
    }
    entries() { return this.list.filter((e) => !e.gone); }
}

// An account is a phone number with an optional LID and a push name. Its devices
// are the companions the simulator paired for that number.
export class Network {
    constructor(log) {
        this.log = log;
        this.accounts = new Map();   // number -> account
        this.lids = new Map();       // lid user -> number
        this.devices = new Map();    // "number:device" -> device record (shared with wa-sim's table)
        this.conns = new Map();      // "number:device" -> the logged-in Conn
        this.outbox = new Map();     // "number:device" -> Outbox of {tag, id, node} not yet acknowledged
        this.sent = new Map();       // message id -> {sender: "number:device", chat, group}
        this.held = new Set();       // "number:device" whose stanzas wait for release() (reordering tests)
        this.deaf = new Set();       // "number:device" whose receipts and acks the server loses (redelivery tests)
        this.tally = new Map();      // "number:device" -> what it received and receipted (counters())
    }

    // {receipts, retries, msg, pkmsg, skmsg} of a device: ids it receipted (any type but retry),
    // retry receipts it sent, and the <enc> types routed to it (benchmarks read these)
    counters(dev) {
        const key = this.keyOf(dev);
        let c = this.tally.get(key);
        if (!c) this.tally.set(key, c = { receipts: 0, retries: 0, msg: 0, pkmsg: 0, skmsg: 0 });
        return c;
    }

    // the account for a number, created on first use (LID: "7" + number unless given)
    account(number, opts = {}) {
        number = String(number);
        let a = this.accounts.get(number);
        if (!a) {
            a = { number, lid: opts.lid || `7${number}`, name: opts.name || `User ${number}`, picture: null,
                pictureId: 0, private: false, lidAddressing: false, presence: null, subscribers: new Set() };
            this.accounts.set(number, a);
            this.lids.set(a.lid, number);
        }
        if (opts.lid && opts.lid !== a.lid) { this.lids.delete(a.lid); a.lid = opts.lid; this.lids.set(a.lid, number); }
        if (opts.name) a.name = opts.name;
        return a;
    }

    known(number) { return this.accounts.has(String(number)); }

    // a paired device joins its account: dev.jid is "number:device@s.whatsapp.net"
    register(dev) {
        const d = B.jidDecode(dev.jid);
        dev.number = d.user; dev.deviceId = d.device || 0;
        const a = this.account(d.user);
        dev.lid = `${a.lid}:${dev.deviceId}@lid`;
        dev.keys = dev.keys || null;
        this.devices.set(`${d.user}:${dev.deviceId}`, dev);
        return dev;
    }

    // a companion joined an account that already had one: every other online device hears
    // <notification type="devices"><add><device jid key-index/></add>, so clients that cached
    // the account's device list (Baileys keeps it 5 minutes) fetch it again
    announce(dev) {
        const a = this.account(dev.number);
        if (this.devicesOf(a).length < 2) return;
        const node = { tag: 'notification', attrs: { from: this.userJid(a, false), type: 'devices', id: `dev-${Date.now()}`, t: nowSeconds() },
            content: [{ tag: 'add', attrs: { device_hash: `sim${this.devicesOf(a).length}` }, content: [
                { tag: 'device', attrs: { jid: this.deviceJid(a, dev.deviceId, false), 'key-index': String(dev.keyIndex || 1) } }] }] };
        for (const [key, c] of this.conns) if (key !== this.keyOf(dev)) c.sendNode(node);
    }

    // {account, deviceId|undefined, lid: bool} for a PN or LID jid, or null when unknown
    resolve(jid) {
        const d = jid && B.jidDecode(jid);
        if (!d) return null;
        const lid = d.server === 'lid';
        const number = lid ? this.lids.get(d.user) : d.user;
        const account = number && this.accounts.get(number);
        return account ? { account, deviceId: d.device, lid } : null;
    }

    userJid(a, lid) { return lid ? `${a.lid}@lid` : `${a.number}@s.whatsapp.net`; }
    deviceJid(a, device, lid) {
        const user = lid ? a.lid : a.number;
        return device ? `${user}:${device}@${lid ? 'lid' : 's.whatsapp.net'}` : `${user}@${lid ? 'lid' : 's.whatsapp.net'}`;
    }

    devicesOf(a) { return [...this.devices.values()].filter((d) => d.number === a.number && !d.removed); }
    keyOf(dev) { return `${dev.number}:${dev.deviceId}`; }

    // what a device's backlog holds, for <ib><offline_preview> at login
    preview(dev) {
        const box = this.outbox.has(this.keyOf(dev)) ? this.outbox.get(this.keyOf(dev)).entries() : [];
        const n = (tag) => String(box.filter((e) => e.tag === tag).length);
        return { count: String(box.length), message: n('message'), notification: n('notification'), receipt: n('receipt'), appdata: '0' };
    }
    // a device logged in: everything still in its outbox goes out again, marked offline,
    // then <ib><offline count> ends the backlog (Baileys flushes its event buffer there)
    attach(conn) {
        const key = this.keyOf(conn.device);
        this.conns.set(key, conn);
        const box = this.outbox.has(key) ? this.outbox.get(key).entries() : [];
        if (!this.held.has(key))
            for (const e of box) conn.sendNode({ ...e.node, attrs: { ...e.node.attrs, offline: '1' } });
        conn.sendNode({ tag: 'ib', attrs: { from: '@s.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(box.length) } }] });
    }
    detach(conn) {
        if (!conn.device) return;
        const key = this.keyOf(conn.device);
        if (this.conns.get(key) === conn) this.conns.delete(key);
    }
    connOf(dev) { return this.conns.get(this.keyOf(dev)); }

    // send now if online, keep until acknowledged either way
    deliver(dev, node) {
        const key = this.keyOf(dev);
        if (!this.outbox.has(key)) this.outbox.set(key, new Outbox());
        this.outbox.get(key).push({ tag: node.tag, id: node.attrs.id, node });
        const c = this.conns.get(key);
        if (c && !this.held.has(key)) c.sendNode(node);
    }
    // hold a device's stanzas (they stay in its outbox), or release them, newest first if asked
    hold(dev, on, reverse) {
        const key = this.keyOf(dev);
        if (on) { this.held.add(key); return 0; }
        this.held.delete(key);
        const c = this.conns.get(key);
        const box = this.outbox.has(key) ? this.outbox.get(key).entries() : [];
        if (reverse) box.reverse();
        if (c) for (const e of box) c.sendNode(e.node);
        return box.length;
    }
    // fire and forget (chatstate, presence): online devices only
    push(dev, node) { const c = this.conns.get(this.keyOf(dev)); if (c) c.sendNode(node); }

    // the device acknowledged (receipt or ack) the stanzas of this tag and these ids
    acknowledge(dev, tag, ids) {
        const box = this.outbox.get(this.keyOf(dev));
        if (box) for (const id of ids) box.remove(tag, id);
    }

    summary() {
        return [...this.accounts.values()].map((a) => ({ number: a.number, lid: a.lid, name: a.name, picture: a.picture,
            lidAddressing: a.lidAddressing, presence: a.presence,
            devices: this.devicesOf(a).map((d) => ({ jid: d.jid, lid: d.lid, online: this.conns.has(this.keyOf(d)),
                prekeys: d.keys ? d.keys.prekeys.length : 0, outbox: (this.outbox.get(this.keyOf(d)) || []).length,
                counters: this.counters(d) })) }));
    }
}
