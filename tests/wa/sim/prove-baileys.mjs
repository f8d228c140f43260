// Proves wa-sim against the real Baileys 7 client (npm): QR linking (pair-success, the
// pair-device-sign check, 515), login with the new credentials (<success>, pre-key upload,
// keepalive), and the pairing-code flow. Prints "PROVED" and exits 0 on success.
//   node prove-baileys.mjs <wsUrl> <adminUrl>
import * as B from '@whiskeysockets/baileys';

const [wsUrl, adminUrl] = process.argv.slice(2);
const logger = { level: 'silent', child() { return logger; }, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const admin = async (path, body) => {
    const r = await fetch(adminUrl + path, { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined,
        headers: { 'content-type': 'application/json' } });
    return r.json();
};
const fail = (m) => { console.error('FAIL', m); process.exit(1); };
setTimeout(() => fail('timeout'), 60000);

function memoryKeys() {
    const data = {};
    return { get: async (type, ids) => Object.fromEntries(ids.map((id) => [id, data[`${type}-${id}`]])),
        set: async (d) => { for (const t in d) for (const id in d[t]) data[`${t}-${id}`] = d[t][id]; } };
}

// one link: resolves when Baileys reports open on a socket built from the paired creds
function link(mode) {
    return new Promise((resolve) => {
        const creds = B.initAuthCreds();
        const keys = memoryKeys();
        let scanned = false;
        const start = () => {
            const sock = B.makeWASocket({ waWebSocketUrl: wsUrl, auth: { creds, keys }, logger, printQRInTerminal: false,
                browser: ['Proof', 'Chrome', '1.0'], markOnlineOnConnect: false, syncFullHistory: false });
            sock.ev.on('creds.update', (u) => Object.assign(creds, u));
            sock.ev.on('connection.update', async (u) => {
                if (u.qr && !scanned && mode === 'qr') {
                    scanned = true;
                    const r = await admin('/scan', { qr: u.qr, number: '15557770001' });
                    if (!r.paired) fail('scan: ' + JSON.stringify(r));
                }
                if (u.qr && !scanned && mode === 'code') {
                    scanned = true;
                    const code = await sock.requestPairingCode('15557770002');
                    await new Promise((r) => setTimeout(r, 200));
                    const r = await admin('/pair-code', { phone: '15557770002', code });
                    if (!r.sent) fail('pair-code: ' + JSON.stringify(r));
                }
                if (u.connection === 'open') { resolve({ sock, creds }); }
                if (u.connection === 'close') {
                    const code = u.lastDisconnect?.error?.output?.statusCode;
                    if (code === B.DisconnectReason.restartRequired) start();
                    else if (!creds.me) fail('closed before pairing: ' + code);
                }
            });
        };
        start();
    });
}

const qr = await link('qr');
if (!qr.creds.me || !qr.creds.me.id.startsWith('15557770001:')) fail('QR: creds.me not set by pairing');
console.log('ok QR link opened as', qr.creds.me.id);
await new Promise((r) => setTimeout(r, 1500));
let state = await admin('/state');
if (state.stats.prekeysUploaded < 1) fail('no pre-key upload seen');
console.log('ok pre-keys uploaded', state.stats.prekeysUploaded);
qr.sock.end(undefined);
const code = await link('code');
if (!code.creds.me || !code.creds.me.id.startsWith('15557770002:')) fail('code: creds.me not set');
console.log('ok pairing-code link opened as', code.creds.me.id);
code.sock.end(undefined);
state = await admin('/state');
if (state.stats.pairSigns !== 2 || state.stats.logins < 2) fail('unexpected stats ' + JSON.stringify(state.stats));
console.log('PROVED');
process.exit(0);
