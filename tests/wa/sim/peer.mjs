// peer: the real Baileys 7 client (makeWASocket from npm) as one account of the
// simulated network: linked by QR through wa-sim's own flow (POST /scan {number,
// name}) on first start, logged in from its auth directory afterwards. A
// loopback HTTP control API drives it and lists what it received.
//
//   node peer.mjs --ws URL --admin URL --number N [--name NAME] --auth-dir D --ready-file F
//
// ready file: {"controlUrl","me","lid"} once the socket is open.
// Control (JSON): GET /events?since=SEQ -> {events:[{seq,event,data}]} (messages.upsert,
//   messages.update, message-receipt.update, presence.update, messages.reaction, call,
//   groups.*, connection.update); GET /state; POST /send {jid, text, conversation?, quoted?: {key, text}}
//   -> {key}; POST /read {keys}; POST /receipt {jid, participant?, ids, type} (e.g. played); POST /presence {type, jid?}; POST /subscribe {jid};
//   POST /edit {jid, id, text}; POST /revoke {jid, id}; POST /react {jid, key, emoji};
//   POST /on-whatsapp {numbers}; POST /picture {jid} -> {url | {error: status}}; POST /group-metadata {jid}; POST /reset-session {jid};
//   POST /send-many {jid, text, n, concurrency?} -> {sent, errors, ms}: sendMessage({text}) n times
//   ("<text> <i>"), at most concurrency (16) in flight; POST /record {on} (off: events are no longer
//   kept, nor sent messages for retries: a benchmark sender); POST /stop.
import * as B from '@whiskeysockets/baileys';
import fs from 'node:fs';
import http from 'node:http';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
}, []));
const say = (...m) => console.error(new Date().toISOString(), '[peer ' + args.number + ']', ...m);
const quiet = { level: 'silent', child() { return quiet; }, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const verbose = process.env.WA_PEER_VERBOSE;
const logger = verbose ? { level: 'debug', child() { return logger; }, trace() {}, debug: (o, m) => say('debug', m || '', JSON.stringify(o).slice(0, 400)),
    info: (o, m) => say('info', m || '', JSON.stringify(o).slice(0, 400)), warn: (o, m) => say('warn', m || '', JSON.stringify(o).slice(0, 600)),
    error: (o, m) => say('error', m || '', JSON.stringify(o).slice(0, 800)), fatal: (o, m) => say('fatal', m || '', JSON.stringify(o)) } : quiet;

const admin = async (path, body) => {
    const r = await fetch(args.admin + path, { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined,
        headers: { 'content-type': 'application/json' } });
    return r.json();
};

// ---------------------------------------------------------------- what we received
const events = [];
let seq = 0;
const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => {
    if (x && x.type === 'Buffer' && Array.isArray(x.data)) return { b64: Buffer.from(x.data).toString('base64') };
    if (x instanceof Uint8Array) return { b64: Buffer.from(x).toString('base64') };
    if (typeof x === 'bigint') return Number(x);
    if (x && typeof x === 'object' && typeof x.low === 'number' && typeof x.high === 'number' && 'unsigned' in x) return Number(x.toString());
    return x;
}));
let recording = true;
const record = (event, data) => { if (!recording) return; events.push({ seq: ++seq, event, data: plain(data) }); if (verbose) say('event', event, JSON.stringify(plain(data)).slice(0, 300)); };
const sentMessages = new Map();   // id -> proto Message (for retries)
// Baileys asks for a message to resend when a retry receipt comes; that can be before our
// sendMessage() call has returned, so the store waits a little for it
const getMessage = async (key) => {
    for (let i = 0; i < 40 && !sentMessages.has(key.id); i++) await new Promise((r) => setTimeout(r, 50));
    return sentMessages.get(key.id);
};

// ---------------------------------------------------------------- the socket
const { state, saveCreds } = await B.useMultiFileAuthState(args['auth-dir']);
let sock = null, open = false, scanned = false;

function start() {
    sock = B.makeWASocket({ waWebSocketUrl: args.ws, auth: state, logger, printQRInTerminal: false,
        browser: ['WagatePeer', 'Chrome', '1.0'], markOnlineOnConnect: true, syncFullHistory: false,
        // no phone pushes a history sync here: don't hold events 20 s waiting for one
        shouldSyncHistoryMessage: () => false,
        getMessage });
    sock.ev.on('creds.update', saveCreds);
    sock.ev.on('connection.update', async (u) => {
        record('connection.update', { connection: u.connection, qr: !!u.qr, code: u.lastDisconnect?.error?.output?.statusCode });
        if (u.qr && !scanned) {
            scanned = true;
            const r = await admin('/scan', { qr: u.qr, number: args.number, name: args.name });
            if (!r.paired) { say('scan failed', JSON.stringify(r)); process.exit(2); }
        }
        if (u.connection === 'open') {
            open = true;
            // the phone gives a companion its push name through app-state sync, which the
            // simulator does not run; Baileys sends no presence without one
            if (!state.creds.me.name) { state.creds.me.name = args.name || args.number; sock.ev.emit('creds.update', { me: state.creds.me }); }
            const info = { controlUrl: `http://127.0.0.1:${control.address().port}`, me: state.creds.me.id, lid: state.creds.me.lid };
            fs.writeFileSync(args['ready-file'] + '.tmp', JSON.stringify(info));
            fs.renameSync(args['ready-file'] + '.tmp', args['ready-file']);
            say('open as', info.me, info.lid);
        }
        if (u.connection === 'close') {
            open = false;
            const code = u.lastDisconnect?.error?.output?.statusCode;
            if (code === B.DisconnectReason.loggedOut) { say('logged out'); process.exit(3); }
            if (!stopping) setTimeout(start, code === B.DisconnectReason.restartRequired ? 0 : 500);
        }
    });
    sock.ev.on('messages.upsert', ({ messages }) => {
        if (recording) for (const m of messages) if (m.key.fromMe && m.message) sentMessages.set(m.key.id, m.message);
    });
    for (const name of ['messages.upsert', 'messages.update', 'message-receipt.update', 'presence.update', 'messages.reaction',
        'call', 'groups.upsert', 'groups.update', 'group-participants.update', 'messages.delete'])
        sock.ev.on(name, (d) => record(name, d));
}
let stopping = false;

// ---------------------------------------------------------------- control API
const routes = {
    'GET /events': (q, u) => ({ events: events.filter((e) => e.seq > Number(u.searchParams.get('since') || 0)) }),
    'GET /state': () => ({ open, me: state.creds.me, seq }),
    'POST /send': async (q) => {
        if (q.conversation) {
            // a plain Message{conversation}, as phones send short text (sendMessage makes extendedTextMessage)
            const message = { conversation: q.text };
            const id = await sock.relayMessage(q.jid, message, { messageId: B.generateMessageIDV2(sock.user?.id) });
            sentMessages.set(id, message);
            return { key: { remoteJid: q.jid, fromMe: true, id }, message };
        }
        const content = { text: q.text };
        const opts = q.quoted ? { quoted: { key: q.quoted.key, message: { conversation: q.quoted.text || '' } } } : {};
        const m = await sock.sendMessage(q.jid, content, opts);
        sentMessages.set(m.key.id, m.message);
        return { key: m.key, message: plain(m.message) };
    },
    'POST /send-many': async (q) => {
        const t0 = process.hrtime.bigint();
        let next = 0, sent = 0, errors = 0;
        const worker = async () => {
            while (next < q.n) {
                const i = next++;
                try { await sock.sendMessage(q.jid, { text: `${q.text} ${i}` }); sent++; } catch { errors++; }
            }
        };
        await Promise.all(Array.from({ length: q.concurrency || 16 }, worker));
        return { sent, errors, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    },
    'POST /record': async (q) => { recording = q.on !== false; return { recording }; },
    'POST /read': async (q) => { await sock.readMessages(q.keys); return { read: q.keys.length }; },
    'POST /receipt': async (q) => { await sock.sendReceipt(q.jid, q.participant, q.ids, q.type); return { sent: q.type || 'delivery' }; },
    'POST /presence': async (q) => { await sock.sendPresenceUpdate(q.type, q.jid); return { sent: q.type }; },
    'POST /subscribe': async (q) => { await sock.presenceSubscribe(q.jid); return { subscribed: q.jid }; },
    'POST /edit': async (q) => {
        const m = await sock.sendMessage(q.jid, { text: q.text, edit: { remoteJid: q.jid, fromMe: true, id: q.id } });
        sentMessages.set(m.key.id, m.message);
        return { key: m.key };
    },
    'POST /revoke': async (q) => {
        const m = await sock.sendMessage(q.jid, { delete: { remoteJid: q.jid, fromMe: q.fromMe !== false, id: q.id, participant: q.participant } });
        sentMessages.set(m.key.id, m.message);
        return { key: m.key };
    },
    'POST /react': async (q) => {
        const m = await sock.sendMessage(q.jid, { react: { text: q.emoji, key: q.key } });
        sentMessages.set(m.key.id, m.message);
        return { key: m.key };
    },
    'POST /picture': async (q) => ({ url: await sock.profilePictureUrl(q.jid, 'image').catch((e) => ({ error: e.data ?? e.output?.statusCode ?? String(e) })) }),
    'POST /on-whatsapp': async (q) => ({ result: await sock.onWhatsApp(...q.numbers) }),
    'POST /group-metadata': async (q) => ({ metadata: plain(await sock.groupMetadata(q.jid)) }),
    'POST /reset-session': async (q) => {
        // forget the Signal session(s) with this user's devices, PN and LID addressed
        const repo = sock.signalRepository;
        const jids = [q.jid];
        const lid = await repo.lidMapping.getLIDForPN(q.jid).catch(() => null);
        if (lid) jids.push(lid);
        const ids = [];
        for (const j of jids) {
            const d = B.jidDecode(j);
            for (const dev of q.devices || [0, d.device || 0]) ids.push(`${d.user}${d.server === 'lid' ? '_1' : ''}.${dev}`);
        }
        await state.keys.set({ session: Object.fromEntries(ids.map((i) => [i, null])) });
        return { deleted: ids };
    },
    'POST /stop': async () => { stopping = true; sock.end(undefined); setTimeout(() => process.exit(0), 100); return { stopping: true }; },
};

const control = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
        const send = (code, obj) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
        const u = new URL(req.url, 'http://peer');
        const route = routes[`${req.method} ${u.pathname}`];
        if (!route) return send(404, { error: 'no such endpoint' });
        try {
            if (!open && req.method === 'POST' && u.pathname !== '/stop') return send(503, { error: 'not connected' });
            send(200, await route(body ? JSON.parse(body) : {}, u));
        } catch (e) { send(500, { error: String(e && e.stack || e) }); }
    });
});
control.listen(Number(args['control-port'] || 0), '127.0.0.1', start);
process.on('SIGTERM', () => { stopping = true; try { sock.end(undefined); } catch { /* closing */ } setTimeout(() => process.exit(0), 100); });
