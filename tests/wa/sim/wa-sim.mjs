// wa-sim: a WhatsApp Web server-and-phone simulator for connd's linking tests
// (QR and pairing code) and logged-in lifecycle (keepalive, pre-keys, stream
// errors, drops), and (net/) the server that routes messages, receipts,
// presence and groups between several accounts' devices (connd, Baileys
// peers). Written on Baileys 7 primitives from npm (binary nodes,
// WAProto, Curve/XEdDSA, pairing-code key) and Node's crypto (HKDF, AES), so
// nothing in it shares code with the C client it tests. No Baileys source is
// copied here; it only calls the published package.
//
//   node wa-sim.mjs --ready-file F [--port 0] [--admin-port 0] [--refs 6] [--open-logins 1]
// --open-logins: a login from credentials the simulator never paired is
// accepted as an already linked device (the Baileys side of
// tests/bench/instances logs in this way).
//
// ready file: {"wsUrl","adminUrl","rootKey"(hex)}: connd trusts rootKey as
// WA_ROOT_KEY, so it runs with WA_CERT_CHECK=on against this peer.
// Admin HTTP (JSON): GET /state; POST /scan {qr, number?, name?}; POST /pair-code {phone, code};
// POST /drop {jid?}; POST /stream-error {jid?, code?, conflict?}; POST /refs {count}.
// Several accounts (each number linked with /scan {number}) message each other through
// the routing half in net/ (see net/index.mjs): GET /net; POST /account {number, lid?, name?,
// lidAddressing?}; POST /group {id, subject, participants, admins?, addressingMode?};
// POST /inject {jid, node}; POST /picture {jid, url|null, private?}; GET /stanzas?jid=&since=&tag=;
// POST /lid-addressing {jid, on}; POST /hold {jid, on, reverse?} (queue a device's stanzas, then
// release them, newest first when reverse); POST /lose-receipts {jid, on} (the server loses a
// device's receipts and acks, so what it got is redelivered at its next login);
// GET /counters?jid=<device jid> -> {receipts, retries, msg, pkmsg, skmsg, outbox, held}: the ids
// that device receipted, its retry receipts, the <enc> types routed to it (tests/bench/messages).
// --record-dir D also appends each device's stanzas to D/<number>_<device>.jsonl.
import * as B from '@whiskeysockets/baileys';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { createNetwork } from './net/index.mjs';

const require = createRequire(import.meta.url);
const libsignal = require('libsignal');

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
}, []));
const log = (...m) => { if (process.env.WA_SIM_VERBOSE) console.error('[wa-sim]', ...m); };

// ---------------------------------------------------------------- keys and certificates
const root = B.Curve.generateKeyPair();
const intermediate = B.Curve.generateKeyPair();
const serverStatic = B.Curve.generateKeyPair();
const phone = { account: B.Curve.generateKeyPair(), number: args.phone || '15550001111', lid: '987654321' };
const now = Math.floor(Date.now() / 1000);
const Details = B.proto.CertChain.NoiseCertificate.Details;
const interDetails = Details.encode({ serial: 1, issuerSerial: 0, key: intermediate.public,
    notBefore: now - 3600, notAfter: now + 86400 * 30 }).finish();
const leafDetails = Details.encode({ serial: 2, issuerSerial: 1, key: serverStatic.public,
    notBefore: now - 3600, notAfter: now + 86400 * 30 }).finish();
const certChain = B.proto.CertChain.encode({
    leaf: { details: leafDetails, signature: B.Curve.sign(intermediate.private, leafDetails) },
    intermediate: { details: interDetails, signature: B.Curve.sign(root.private, interDetails) },
}).finish();

// ---------------------------------------------------------------- crypto helpers (Node crypto)
const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const hkdf = (ikm, len, salt, info) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt || Buffer.alloc(0), info || Buffer.alloc(0), len));
const ivOf = (n) => { const iv = Buffer.alloc(12); iv.writeUInt32BE(n, 8); return iv; };
function gcmEnc(key, n, ad, pt) {
    const c = crypto.createCipheriv('aes-256-gcm', key, ivOf(n));
    c.setAAD(ad);
    return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
function gcmDec(key, n, ad, ct) {
    const d = crypto.createDecipheriv('aes-256-gcm', key, ivOf(n));
    d.setAAD(ad);
    d.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
}
const ctr = (key, iv, data) => { const c = crypto.createDecipheriv('aes-256-ctr', key, iv); return Buffer.concat([c.update(data), c.final()]); };
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const verifyXed = (pub32, msg, sig) => libsignal.curve.verifySignature(Buffer.concat([Buffer.from([5]), pub32]), msg, sig);

// ---------------------------------------------------------------- state
const devices = new Map();   // noise pub hex -> {jid, lid, identity, name, removed}
const conns = new Set();
const pending = new Map();   // qr ref -> conn (registration connections showing QRs)
let refCount = Number(args.refs || 6);
// device ids are per phone number, as on a real phone, and fit the one byte an AD_JID gives them
const nextDevice = new Map(); // phone number -> next companion device id
function allocDevice(number) {
    const device = nextDevice.get(number) || 10;
    if (device > 255) throw new Error(`phone ${number} has no companion device ids left`);
    nextDevice.set(number, device + 1);
    return device;
}
// the routing half (net/): accounts, keys, usync, fan-out, receipts, groups
const network = createNetwork({ log, recordDir: args['record-dir'] });
network.net.account(phone.number, { lid: phone.lid, name: args.name || 'Sim Phone' });
const stats = { logins: 0, registrations: 0, pings: 0, prekeyUploads: 0, prekeysUploaded: 0,
    presences: [], removed: 0, pairSigns: 0, failures: 0, connections: 0 };

// ---------------------------------------------------------------- one connection
class Conn {
    constructor(ws) {
        this.ws = ws; this.buf = Buffer.alloc(0); this.gotIntro = false; this.state = 'hello';
        const mode = Buffer.from(B.NOISE_MODE);
        this.h = mode.length === 32 ? mode : sha256(mode); this.ck = this.h; this.k = null; this.n = 0;
        this.mixHash(Buffer.from([87, 65, 6, 3]));
        this.nextId = 1; this.waiting = new Map(); this.prekeys = 0;
        conns.add(this); stats.connections++;
        ws.on('message', (d) => this.onData(Buffer.from(d)).catch((e) => { log('error', e.stack); this.ws.terminate(); }));
        ws.on('close', () => { conns.delete(this); network.net.detach(this); for (const r of this.refs || []) pending.delete(r); });
    }
    mixHash(d) { this.h = sha256(this.h, d); }
    mixKey(dh) { const o = hkdf(dh, 64, this.ck, Buffer.alloc(0)); this.ck = o.subarray(0, 32); this.k = o.subarray(32); this.n = 0; }
    encHash(pt) { const ct = gcmEnc(this.k, this.n++, this.h, pt); this.mixHash(ct); return ct; }
    decHash(ct) { const pt = gcmDec(this.k, this.n++, this.h, ct); this.mixHash(ct); return pt; }
    sendFrame(payload) { const f = Buffer.alloc(3); f.writeUIntBE(payload.length, 0, 3); this.ws.send(Buffer.concat([f, payload])); }
    async sendNode(node) {
        if (this.ws.readyState !== 1) return;
        const plain = B.encodeBinaryNode(node);
        this.sendFrame(gcmEnc(this.txKey, this.txN++, Buffer.alloc(0), plain));
    }
    id() { return 'sim-' + (this.nextId++); }
    query(node) { return new Promise((resolve) => { this.waiting.set(node.attrs.id, resolve); this.sendNode(node); }); }

    async onData(data) {
        this.buf = Buffer.concat([this.buf, data]);
        if (!this.gotIntro) {
            if (this.buf.length < 4) return;
            if (this.buf.subarray(0, 4).toString('hex') !== '57410603') throw new Error('bad intro');
            this.buf = this.buf.subarray(4); this.gotIntro = true;
        }
        while (this.buf.length >= 3) {
            const len = this.buf.readUIntBE(0, 3);
            if (this.buf.length < 3 + len) break;
            const frame = this.buf.subarray(3, 3 + len);
            this.buf = this.buf.subarray(3 + len);
            await this.onFrame(frame);
        }
    }

    async onFrame(frame) {
        if (this.state === 'hello') {
            const hello = B.proto.HandshakeMessage.decode(frame).clientHello;
            const ce = Buffer.from(hello.ephemeral);
            this.mixHash(ce);
            this.e = B.Curve.generateKeyPair();
            this.mixHash(this.e.public);
            this.mixKey(B.Curve.sharedKey(this.e.private, ce));
            const st = this.encHash(serverStatic.public);
            this.mixKey(B.Curve.sharedKey(serverStatic.private, ce));
            const cert = this.encHash(certChain);
            this.sendFrame(B.proto.HandshakeMessage.encode({ serverHello: { ephemeral: this.e.public, static: st, payload: cert } }).finish());
            this.state = 'finish';
        } else if (this.state === 'finish') {
            const fin = B.proto.HandshakeMessage.decode(frame).clientFinish;
            this.clientStatic = this.decHash(Buffer.from(fin.static));
            this.mixKey(B.Curve.sharedKey(this.e.private, this.clientStatic));
            const payload = B.proto.ClientPayload.decode(this.decHash(Buffer.from(fin.payload)));
            const t = hkdf(Buffer.alloc(0), 64, this.ck, Buffer.alloc(0));
            this.rxKey = t.subarray(0, 32); this.txKey = t.subarray(32); this.rxN = 0; this.txN = 0;
            this.state = 'open';
            await this.onPayload(payload);
        } else {
            const plain = gcmDec(this.rxKey, this.rxN++, Buffer.alloc(0), frame);
            await this.onNode(await B.decodeBinaryNode(plain));
        }
    }

    async onPayload(p) {
        this.payload = p;
        const key = this.clientStatic.toString('hex');
        if (p.devicePairingData) {
            stats.registrations++;
            this.identity = Buffer.from(p.devicePairingData.eIdent);
            const props = B.proto.DeviceProps.decode(p.devicePairingData.deviceProps);
            this.deviceName = props.os;
            this.refs = Array.from({ length: refCount }, (_, i) => `2@SIMREF${i + 1}-${crypto.randomBytes(6).toString('hex')}`);
            for (const r of this.refs) pending.set(r, this);
            log('registration', this.deviceName, 'refs', refCount);
            await this.sendNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'set', id: this.id(), xmlns: 'md' },
                content: [{ tag: 'pair-device', attrs: {}, content: this.refs.map((r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) })) }] });
            return;
        }
        let dev = devices.get(key);
        const user = String(p.username);
        if (!dev && args['open-logins'] && p.username) {
            // --open-logins (benchmarks): any login is a linked device with enough pre-keys
            dev = { jid: `${user}:${p.device}@s.whatsapp.net`, lid: `${user}:${p.device}@lid`, name: 'Bench',
                prekeys: 812, open: true };
            devices.set(key, dev);
            network.net.register(dev);
        }
        if (!dev || dev.removed || dev.jid !== `${user}:${p.device}@s.whatsapp.net`) {
            stats.failures++;
            log('login refused', user, p.device);
            await this.sendNode({ tag: 'failure', attrs: { reason: '401' } });
            setTimeout(() => this.ws.close(), 50);
            return;
        }
        this.device = dev; stats.logins++;
        dev.online = (dev.online || 0) + 1;
        log('login', dev.jid);
        await this.sendNode({ tag: 'success', attrs: { t: String(Math.floor(Date.now() / 1000)), lid: dev.lid, display_name: dev.name, props: '27' } });
        if (!dev.number) network.net.register(dev);
        await this.sendNode({ tag: 'ib', attrs: { from: '@s.whatsapp.net' }, content: [{ tag: 'offline_preview', attrs: network.net.preview(dev) }] });
        network.net.attach(this);
    }

    async onNode(node) {
        const { tag, attrs } = node;
        const kids = Array.isArray(node.content) ? node.content : [];
        const child = (t) => kids.find((c) => c.tag === t);
        if (tag === 'iq' && this.waiting.has(attrs.id)) {
            const r = this.waiting.get(attrs.id); this.waiting.delete(attrs.id); r(node); return;
        }
        if (this.device && network.onNode(this, node, stats)) return;
        if (tag === 'iq' && (attrs.type === 'result' || attrs.type === 'error')) return;
        if (tag === 'iq') {
            const result = (content) => this.sendNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'result', id: attrs.id }, content });
            if (attrs.xmlns === 'w:p') { stats.pings++; return result(); }
            if (attrs.xmlns === 'passive') return result();
            if (attrs.xmlns === 'w:profile:picture' && child('picture')) {
                // the linked account's own picture; others have none (404, as the server says)
                const me = this.device && this.device.jid.split(':')[0];
                if (attrs.target && me && attrs.target === `${me}@s.whatsapp.net`)
                    return result([{ tag: 'picture', attrs: { id: '1', type: 'image',
                        url: `https://pps.whatsapp.net/sim/${me}.jpg` } }]);
                return this.sendNode({ tag: 'iq', attrs: { id: attrs.id, type: 'error', from: 's.whatsapp.net' },
                    content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
            }
            if (attrs.xmlns === 'encrypt' && attrs.type === 'get' && child('count'))
                return result([{ tag: 'count', attrs: { value: String(this.device ? this.device.prekeys || 0 : 0) } }]);
            if (attrs.xmlns === 'encrypt' && attrs.type === 'set' && child('list')) {
                const n = child('list').content.length;
                stats.prekeyUploads++; stats.prekeysUploaded += n;
                if (this.device) this.device.prekeys = (this.device.prekeys || 0) + n;
                return result();
            }
            if (attrs.xmlns === 'md' && child('remove-companion-device')) {
                const jid = child('remove-companion-device').attrs.jid;
                for (const d of devices.values()) if (d.jid === jid) d.removed = true;
                stats.removed++;
                return result();
            }
            if (attrs.xmlns === 'md' && child('link_code_companion_reg')) return this.onLinkCode(node, child('link_code_companion_reg'));
            return result();
        }
        if (tag === 'presence') { stats.presences.push(attrs.type); return; }
    }

    // ---------------- pairing code (companion side messages)
    async onLinkCode(node, reg) {
        const get = (t) => Buffer.from(reg.content.find((c) => c.tag === t).content);
        if (reg.attrs.stage === 'companion_hello') {
            this.linkCode = { wrapped: get('link_code_pairing_wrapped_companion_ephemeral_pub'), phone: reg.attrs.jid.split('@')[0],
                ref: 'SIMLINK-' + crypto.randomBytes(4).toString('hex') };
            return this.sendNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'result', id: node.attrs.id },
                content: [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(this.linkCode.ref) }] }] });
        }
        if (reg.attrs.stage === 'companion_finish') {
            await this.sendNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'result', id: node.attrs.id } });
            const lc = this.linkCode;
            const bundle = get('link_code_pairing_wrapped_key_bundle');
            const compIdent = get('companion_identity_public');
            const shared = B.Curve.sharedKey(lc.phoneEph.private, lc.companionEph);
            const kbKey = hkdf(shared, 32, bundle.subarray(0, 32), Buffer.from('link_code_pairing_key_bundle_encryption_key'));
            const d = crypto.createDecipheriv('aes-256-gcm', kbKey, bundle.subarray(32, 44));
            d.setAuthTag(bundle.subarray(bundle.length - 16));
            const plain = Buffer.concat([d.update(bundle.subarray(44, bundle.length - 16)), d.final()]);
            if (!plain.subarray(0, 32).equals(compIdent) || !plain.subarray(32, 64).equals(phone.account.public)) throw new Error('key bundle mismatch');
            const identShared = B.Curve.sharedKey(phone.account.private, compIdent);
            this.advSecret = hkdf(Buffer.concat([shared, identShared, plain.subarray(64, 96)]), 32, null, Buffer.from('adv_secret'));
            log('pairing code accepted, pairing');
            await this.pairSuccess(lc.phone);
        }
    }

    // the phone typed the code: primary_hello
    async phoneEntersCode(code) {
        const lc = this.linkCode;
        const key = await B.derivePairingCodeKey(code, lc.wrapped.subarray(0, 32));
        lc.companionEph = ctr(key, lc.wrapped.subarray(32, 48), lc.wrapped.subarray(48, 80));
        lc.phoneEph = B.Curve.generateKeyPair();
        const salt = crypto.randomBytes(32), iv = crypto.randomBytes(16);
        const pkey = await B.derivePairingCodeKey(code, salt);
        const wrapped = Buffer.concat([salt, iv, ctr(pkey, iv, lc.phoneEph.public)]);
        await this.sendNode({ tag: 'notification', attrs: { from: '@s.whatsapp.net', type: 'link_code_companion_reg', id: this.id() },
            content: [{ tag: 'link_code_companion_reg', attrs: { stage: 'primary_hello' }, content: [
                { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(lc.ref) },
                { tag: 'primary_identity_pub', attrs: {}, content: phone.account.public },
                { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrapped }] }] });
    }

    // ---------------- pair-success (phone side of §5.1)
    async pairSuccess(number, name) {
        const device = allocDevice(number);
        const account = network.net.account(number, { name });
        const jid = `${number}:${device}@s.whatsapp.net`, lid = `${account.lid}:${device}@lid`;
        const details = B.proto.ADVDeviceIdentity.encode({ rawId: crypto.randomInt(1, 2 ** 31), timestamp: Math.floor(Date.now() / 1000), keyIndex: 1 }).finish();
        const accountSignature = B.Curve.sign(phone.account.private, Buffer.concat([Buffer.from([6, 0]), details, this.identity]));
        const signed = B.proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: phone.account.public, accountSignature }).finish();
        const container = B.proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmac(this.advSecret, signed) }).finish();
        const reply = await this.query({ tag: 'iq', attrs: { from: '@s.whatsapp.net', type: 'set', id: this.id(), xmlns: 'md' },
            content: [{ tag: 'pair-success', attrs: {}, content: [
                { tag: 'device-identity', attrs: {}, content: container },
                { tag: 'platform', attrs: { name: 'smba' } },
                { tag: 'device', attrs: { jid, lid } }] }] });
        const sign = reply.content && reply.content.find((c) => c.tag === 'pair-device-sign');
        if (reply.attrs.type !== 'result' || !sign) { log('pair rejected', JSON.stringify(reply.attrs)); return false; }
        const di = sign.content.find((c) => c.tag === 'device-identity');
        const back = B.proto.ADVSignedDeviceIdentity.decode(di.content);
        const ok = !back.accountSignatureKey?.length && verifyXed(this.identity,
            Buffer.concat([Buffer.from([6, 1]), back.details, this.identity, phone.account.public]), Buffer.from(back.deviceSignature));
        if (!ok) throw new Error('device signature invalid');
        stats.pairSigns++;
        const dev = network.net.register({ jid, lid, identity: this.identity, name: account.name, prekeys: 0, keyIndex: di.attrs['key-index'] });
        devices.set(this.clientStatic.toString('hex'), dev);
        network.net.announce(dev);
        for (const r of this.refs || []) pending.delete(r);
        log('paired', jid);
        await this.sendNode({ tag: 'stream:error', attrs: { code: '515' } });
        setTimeout(() => this.ws.close(), 20);
        return true;
    }
}

// ---------------------------------------------------------------- servers
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(args.port || 0), path: '/ws/chat' });
wss.on('connection', (ws, req) => {
    if (req.headers.origin !== 'https://web.whatsapp.com') log('unexpected origin', req.headers.origin);
    new Conn(ws);
});

const findConn = (jid) => [...conns].filter((c) => c.device && (!jid || c.device.jid === jid || c.device.jid.split(':')[0] === jid.split(':')[0].split('@')[0]));
const admin = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
        const send = (code, obj) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
        try {
            const q = body ? JSON.parse(body) : {};
            if (req.method === 'GET' && req.url === '/state')
                return send(200, { stats, devices: [...devices.values()].map(({ identity, keys, ...d }) => d),
                    online: [...conns].filter((c) => c.device).map((c) => c.device.jid), pendingRefs: pending.size,
                    linking: [...conns].filter((c) => c.refs || c.linkCode).length,
                    linkCodes: [...conns].filter((c) => c.linkCode).map((c) => c.linkCode.phone) });
            if (req.url === '/scan') {
                const frag = String(q.qr).split('#').pop().split(',');
                const conn = pending.get(frag[0]);
                if (!conn) return send(404, { error: 'unknown or expired ref' });
                if (Buffer.from(frag[1], 'base64').toString('hex') !== conn.clientStatic.toString('hex')) return send(400, { error: 'noise key mismatch' });
                if (!Buffer.from(frag[2], 'base64').equals(conn.identity)) return send(400, { error: 'identity mismatch' });
                conn.advSecret = Buffer.from(frag[3], 'base64');
                return send(200, { paired: await conn.pairSuccess(String(q.number || phone.number), q.name) });
            }
            if (req.url === '/pair-code') {
                const conn = [...conns].find((c) => c.linkCode && (!q.phone || c.linkCode.phone === q.phone));
                if (!conn) return send(404, { error: 'no pairing-code request' });
                await conn.phoneEntersCode(q.code);
                return send(200, { sent: true });
            }
            if (req.url === '/drop') { const list = findConn(q.jid); list.forEach((c) => c.ws.terminate()); return send(200, { dropped: list.length }); }
            if (req.url === '/stream-error') {
                const list = findConn(q.jid);
                for (const c of list) {
                    const content = q.conflict ? [{ tag: 'conflict', attrs: { type: q.conflict } }] : undefined;
                    const attrs = q.code ? { code: String(q.code) } : {};
                    await c.sendNode({ tag: 'stream:error', attrs, content });
                    if (q.conflict === 'device_removed') for (const d of devices.values()) if (d.jid === c.device.jid) d.removed = true;
                    setTimeout(() => c.ws.close(), 20);
                }
                return send(200, { sent: list.length });
            }
            if (req.url === '/refs') { refCount = Number(q.count); return send(200, { refs: refCount }); }
            if (req.url === '/inject-record') return send(200, await (await import('./inject.mjs')).inject(findConn(q.jid), q));
            const answer = await network.admin(req.method, req.url, q);
            if (answer) return send(answer[0], answer[1]);
            send(404, { error: 'no such endpoint' });
        } catch (e) { send(500, { error: String(e.stack || e) }); }
    });
});

wss.on('listening', () => admin.listen(Number(args['admin-port'] || 0), '127.0.0.1', () => {
    const info = { wsUrl: `ws://127.0.0.1:${wss.address().port}/ws/chat`, adminUrl: `http://127.0.0.1:${admin.address().port}`,
        rootKey: Buffer.from(root.public).toString('hex') };
    if (args['ready-file']) fs.writeFileSync(args['ready-file'] + '.tmp', JSON.stringify(info)), fs.renameSync(args['ready-file'] + '.tmp', args['ready-file']);
    console.log(JSON.stringify(info));
}));
process.on('SIGTERM', () => process.exit(0));
