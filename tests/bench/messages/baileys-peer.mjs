// The Baileys side of ./wagate bench messages: one Baileys 7 socket
// (makeWASocket, creds with `me` set, as test-peers.md §3 logs in to crabline;
// or, given the simulator's admin URL, linked by QR through tests/wa/sim's own
// flow as account <self-user>, then logged in again after its 515 as any
// companion is) in this Node process, driven by JSON lines on stdin, answering
// JSON lines on stdout:
//   start            -> {"phase":"open"} once the socket is open
//   {"op":"send","to":JID,"n":N,"concurrency":C}
//                    -> sendMessage({text}) N times, at most C in flight;
//                       {"phase":"sent","n","ms","errors"} when every call resolved
//                       (the server acks are counted by the peer, as for connd)
//   {"op":"count"}   -> {"phase":"count","upserts","stored"}: messages.upsert
//                       events seen and messages kept in the in-memory store
// The in-memory store is a Map from message id to the WAMessage Baileys
// emitted (what an application would keep); Baileys' own Signal keys are in
// memory too. connd keeps both in SQLite (WAL, synchronous=NORMAL).
//   node baileys-peer.mjs <ws-url> <self-user> [<sim-admin-url>]
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [wsUrl, selfUser, simAdmin] = process.argv.slice(2);
const waDir = process.env.WG_WA_DIR;
const pkg = JSON.parse(fs.readFileSync(path.join(waDir, 'node_modules/@whiskeysockets/baileys/package.json')));
const B = await import(pathToFileURL(path.join(waDir, 'node_modules/@whiskeysockets/baileys', pkg.main)).href);
const logger = { level: 'silent', child() { return logger; }, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

function memoryKeys() {
    const data = new Map();
    return { get: async (type, ids) => Object.fromEntries(ids.map((id) => [id, data.get(`${type}-${id}`)])),
        set: async (d) => { for (const t in d) for (const id in d[t]) data.set(`${t}-${id}`, d[t][id]); } };
}

const creds = B.initAuthCreds();
if (!simAdmin) creds.me = { id: `${selfUser}:2@s.whatsapp.net`, name: 'Bench' };
const keys = memoryKeys();
const store = new Map();
let upserts = 0, sock = null, scanned = false;

function start() {
    sock = B.makeWASocket({ waWebSocketUrl: wsUrl, auth: { creds, keys }, logger,
        printQRInTerminal: false, markOnlineOnConnect: false, syncFullHistory: false,
        shouldSyncHistoryMessage: () => false, fireInitQueries: false, connectTimeoutMs: 60000 });
    sock.ev.on('creds.update', (u) => Object.assign(creds, u));
    sock.ev.on('messages.upsert', ({ messages }) => {
        for (const m of messages) {
            if (m.key.fromMe) continue;
            upserts++;
            store.set(m.key.id, m);
        }
    });
    sock.ev.on('connection.update', async (u) => {
        if (u.qr && simAdmin && !scanned) {
            // the simulator's phone scans the QR (POST /scan), as tests/wa/sim/peer.mjs links
            scanned = true;
            const r = await fetch(simAdmin + '/scan', { method: 'POST', headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ qr: u.qr, number: selfUser, name: 'Bench' }) }).then((x) => x.json());
            if (!r.paired) say({ phase: 'closed', error: 'scan: ' + JSON.stringify(r) });
        }
        if (u.connection === 'open') say({ phase: 'open' });
        if (u.connection === 'close') {
            const code = u.lastDisconnect?.error?.output?.statusCode;
            // paired: the server closes with 515 and the companion logs in with its new creds
            if (simAdmin && code === B.DisconnectReason.restartRequired) start();
            else say({ phase: 'closed', error: String(u.lastDisconnect?.error || '') });
        }
    });
}
start();

async function send(to, n, concurrency) {
    const t0 = process.hrtime.bigint();
    let next = 0, errors = 0;
    const worker = async () => {
        while (next < n) {
            const i = next++;
            try {
                await sock.sendMessage(to, { text: `bench ${i}` });
            } catch {
                errors++;
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    say({ phase: 'sent', n, errors, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
    const cmd = JSON.parse(line);
    if (cmd.op === 'send') send(cmd.to, cmd.n, cmd.concurrency);
    else if (cmd.op === 'count') say({ phase: 'count', upserts, stored: store.size });
    else if (cmd.op === 'exit') process.exit(0);
});
