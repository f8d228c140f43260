// crabline-offline: crabline's WhatsApp Web websocket server (npm
// @openclaw/crabline 0.1.27, called as published, nothing copied) with the one
// server behaviour crabline lacks and a real WhatsApp server has: a message
// that was delivered to the client but never receipted is delivered again when
// the client connects again (WhatsApp's offline queue). connd's crash-safety
// test (tests/integration/wa/test_inbound_crash.py) and the messages benchmark
// (tests/bench/messages) use it.
//
// What is crabline's and what is ours:
//   - crabline: the Noise handshake, <success>, every iq answer (usync,
//     pre-key bundles, ...), decrypting the client's pkmsg/msg and the <ack>
//     for them, the inbound <message><plaintext> stanza and its queue (its
//     attachWhatsAppBaileysWebSocketServer, the same code `crabline serve
//     whatsapp` runs);
//   - ours (this file, ~130 lines): the admin HTTP API below instead of
//     crabline's /_crabline/admin/whatsapp/inbound (which refuses a message id
//     it has seen, so it cannot redeliver, and writes a JSONL record per
//     message), the table of outstanding messages, and the redelivery.
//
// One more adaptation: crabline closes a connection whose client has more than
// 32 websocket messages waiting to be processed ("inbound backlog limit
// exceeded"). A client that receipts a burst of messages at wire speed (one
// websocket message per <receipt>) trips it; a real server does not close for
// that. So websocket messages that arrive in one event-loop turn are handed to
// crabline as one buffer (Noise frames are length-prefixed; crabline's frame
// decoder splits them again, at most 1,024 per buffer).
//
// Rule: a message injected here is outstanding until the client sends
// <receipt id=...> for it (any type). On every new websocket connection all
// outstanding messages are queued again (crabline delivers its queue once the
// session is open), so a client killed between delivery and receipt gets them
// again, with the same id, as it would from WhatsApp. Messages still queued
// at the reconnect may be delivered twice: the client must drop duplicates
// by id anyway.
//
//   node crabline-offline.mjs --ready-file F [--port 0] [--self-jid J]
// ready file: {"wsUrl","adminUrl","selfJid"}
// Admin HTTP (JSON, loopback):
//   POST /inject {from, messages:[{id, text, pushName?}]}  or
//                {from, prefix, count, text?}            -> {queued}
//   GET  /state  -> {injected, outstanding, receipts, redelivered, connections,
//                    acks (server acks of client messages)}
//   GET  /ids    -> {receipted: ids ever receipted, delivered: ids ever written to an
//                    open session, outstanding: ids not receipted yet}
//   POST /reset-counters
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

// crabline's package exports only its CLI index; its server module is loaded
// by path from tests/wa/node_modules (installed by tests/wa/package.json)
const crablineDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules',
    '@openclaw', 'crabline');
const { attachWhatsAppBaileysWebSocketServer } = await import(
    path.join(crablineDir, 'dist/src/servers/whatsapp-baileys-websocket.js'));

// coalesce the client's websocket messages per event-loop turn (see above)
const BATCH = 256;
const emit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (event, ...rest) {
    if (event !== 'message')
        return emit.call(this, event, ...rest);
    const data = rest[0];
    const held = this.wagateHeld || (this.wagateHeld = []);
    held.push(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
    if (held.length === 1) {
        setImmediate(() => {
            const all = this.wagateHeld;
            this.wagateHeld = [];
            for (let i = 0; i < all.length; i += BATCH)
                emit.call(this, 'message', Buffer.concat(all.slice(i, i + BATCH)), true);
        });
    }
    return true;
};

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
}, []));
const selfJid = args['self-jid'] || '15550001111@s.whatsapp.net';
const accessToken = 'offline' + Math.random().toString(36).slice(2);

const outstanding = new Map();   // id -> message, injected and not yet receipted
const receipted = new Set();    // ids receipted at least once
const delivered = new Set();    // ids written to an open session at least once
const counters = { injected: 0, receipts: 0, redelivered: 0, connections: 0, acks: 0 };

const server = http.createServer((req, res) => {
    const reply = (status, doc) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
    };
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
        try {
            if (req.method === 'GET' && req.url === '/state')
                return reply(200, { ...counters, outstanding: outstanding.size });
            if (req.method === 'GET' && req.url === '/ids')
                return reply(200, { receipted: [...receipted], delivered: [...delivered],
                    outstanding: [...outstanding.keys()] });
            if (req.method === 'POST' && req.url === '/reset-counters') {
                for (const k of Object.keys(counters)) counters[k] = 0;
                return reply(200, {});
            }
            if (req.method === 'POST' && req.url === '/inject') {
                const doc = JSON.parse(body || '{}');
                const list = doc.messages || Array.from({ length: doc.count | 0 }, (_, i) => ({
                    id: doc.prefix + String(i).padStart(6, '0'), text: (doc.text || 'm') + ' ' + i }));
                const queued = list.map((m) => {
                    const key = { remoteJid: doc.from, fromMe: false, id: m.id };
                    const message = {
                        message: { conversation: m.text },
                        messageTimestamp: Math.floor(Date.now() / 1000),
                        pushName: m.pushName || 'Offline Peer',
                    };
                    // crabline reads the key only to build the stanza for an open
                    // session: that read marks the message delivered
                    Object.defineProperty(message, 'key', { enumerable: true,
                        get() { delivered.add(m.id); return key; } });
                    outstanding.set(m.id, message);
                    counters.injected++;
                    return queue(message);
                });
                await Promise.all(queued);
                return reply(200, { queued: list.length });
            }
            reply(404, { error: 'not found' });
        } catch (e) {
            reply(500, { error: String(e) });
        }
    });
});

let wss = null;
function queue(message) {
    const d = wss.prepareInboundMessage(message);
    if (!d) throw new Error('crabline inbound queue full');
    // commit() resolves once crabline wrote it to an open session, or left it
    // queued for the next one
    return d.commit();
}

// every client stanza passes here (crabline records it before answering)
const verbose = !!process.env.WA_SIM_VERBOSE;
function onClientEvent(event) {
    const node = event && event.body;
    if (verbose)
        console.error('[crabline-offline] client', JSON.stringify(node || event).slice(0, 300));
    if (node && node.tag === 'receipt' && node.attrs) {
        receipted.add(node.attrs.id);
        if (outstanding.delete(node.attrs.id))
            counters.receipts++;
    }
    // crabline appends an accepted outbound message after decrypting it and
    // before its <ack>: count it as a server ack
    if (event && event.accepted) counters.acks++;
}

server.on('upgrade', () => {
    counters.connections++;
    if (verbose)
        console.error('[crabline-offline] connection', counters.connections, 'outstanding', outstanding.size);
    // the new session is not open yet: crabline keeps these queued and
    // flushes them when it is
    for (const message of outstanding.values()) {
        counters.redelivered++;
        queue(message).catch(() => {});
    }
});
wss = attachWhatsAppBaileysWebSocketServer({
    accessToken, appendEvent: async (e) => onClientEvent(e), httpServer: server,
    maxPendingInboundMessages: 1_000_000, path: '/ws/chat', selfJid,
});

server.listen(Number(args.port || 0), '127.0.0.1', () => {
    const port = server.address().port;
    const info = { wsUrl: `ws://127.0.0.1:${port}/ws/chat?access_token=${accessToken}`,
        adminUrl: `http://127.0.0.1:${port}`, selfJid };
    fs.writeFileSync(args['ready-file'] + '.tmp', JSON.stringify(info));
    fs.renameSync(args['ready-file'] + '.tmp', args['ready-file']);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
