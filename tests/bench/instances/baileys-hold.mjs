// The Baileys side of ./wagate bench instances: N Baileys 7 sockets in this
// one Node process, logged in (creds with `me` set) to the simulator run with
// --open-logins, with keepalive pings every KEEPALIVE ms. Prints one JSON line
// per phase on stdout: {"phase":"baseline",rss} after importing Baileys,
// {"phase":"open",open,n} when every socket is open, then after HOLD ms
// {"phase":"held",rss,cpuMs,open}. A gc() (node --expose-gc) precedes each
// memory reading so garbage does not count against Baileys.
//   node --expose-gc baileys-hold.mjs <ws-url> <n> <hold-ms> <keepalive-ms>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [wsUrl, nArg, holdArg, kaArg] = process.argv.slice(2);
const N = Number(nArg), HOLD = Number(holdArg), KEEPALIVE = Number(kaArg);
const waDir = process.env.WG_WA_DIR;
const pkg = JSON.parse(fs.readFileSync(path.join(waDir, 'node_modules/@whiskeysockets/baileys/package.json')));
const B = await import(pathToFileURL(path.join(waDir, 'node_modules/@whiskeysockets/baileys', pkg.main)).href);
const logger = { level: 'silent', child() { return logger; }, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const rss = () => { if (global.gc) global.gc(); return process.memoryUsage().rss; };

function memoryKeys() {
    const data = new Map();
    return { get: async (type, ids) => Object.fromEntries(ids.map((id) => [id, data.get(`${type}-${id}`)])),
        set: async (d) => { for (const t in d) for (const id in d[t]) data.set(`${t}-${id}`, d[t][id]); } };
}

say({ phase: 'baseline', rss: rss() });
let open = 0;
const socks = [];
await new Promise((resolve) => {
    for (let i = 0; i < N; i++) {
        const creds = B.initAuthCreds();
        creds.me = { id: `1777${String(i).padStart(7, '0')}:1@s.whatsapp.net`, name: 'Bench' };
        const keys = memoryKeys();
        let counted = false;
        const start = () => {
            const sock = B.makeWASocket({ waWebSocketUrl: wsUrl, auth: { creds, keys }, logger, printQRInTerminal: false,
                markOnlineOnConnect: false, syncFullHistory: false, keepAliveIntervalMs: KEEPALIVE,
                shouldSyncHistoryMessage: () => false, fireInitQueries: false, connectTimeoutMs: 60000 });
            socks.push(sock);
            sock.ev.on('creds.update', (u) => Object.assign(creds, u));
            sock.ev.on('connection.update', (u) => {
                if (u.connection === 'open' && !counted) { counted = true; if (++open === N) resolve(); }
                if (u.connection === 'close') { if (counted) { counted = false; open--; } setTimeout(start, 500); }
            });
        };
        start();
    }
});
say({ phase: 'open', open, n: N });
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, HOLD));
const cpu = process.cpuUsage(cpu0);
say({ phase: 'held', rss: rss(), cpuMs: (cpu.user + cpu.system) / 1000, open });
process.exit(0);
