// Signal interop peer for tests/integration/signal: Baileys 7's own Signal
// repository (makeLibSignalRepository over npm libsignal 6.0.0, and Baileys'
// Signal/Group sender keys) with in-memory key stores, driven by the C test
// driver over stdin/stdout, one JSON object per line each way. Bytes are hex.
// Plaintexts are padded/unpadded with Baileys' writeRandomPadMax16 /
// unpadRandomMax16, as Baileys does around every Signal call.
//   {"op":"new","peer":P,"prekey_id":N}            -> {"bundle":{...}} fresh identity (reinstall)
//   {"op":"inject","peer":P,"jid":J,"bundle":{...}}  -> {} session from the C side's bundle
//   {"op":"encrypt","peer":P,"jid":J,"pt":H}         -> {"type":"pkmsg|msg","ct":H}
//   {"op":"decrypt","peer":P,"jid":J,"type":T,"ct":H}-> {"pt":H}
//   {"op":"gprocess","peer":P,"group":G,"author":J,"skdm":H} -> {}
//   {"op":"gencrypt","peer":P,"group":G,"me":J,"pt":H} -> {"ct":H,"skdm":H}
//   {"op":"gdecrypt","peer":P,"group":G,"author":J,"ct":H} -> {"pt":H}
// Any failure answers {"error": message}.
import * as B from '@whiskeysockets/baileys';
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js';
import readline from 'node:readline';

const logger = { level: 'silent', child() { return logger; }, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const peers = new Map();
const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (h) => Buffer.from(h, 'hex');
const typed = (raw) => Buffer.concat([Buffer.from([5]), raw]);

function memoryKeys() {
    const data = {};
    return {
        async get(type, ids) {
            const out = {};
            for (const id of ids) {
                const v = data[type]?.[id];
                if (v !== undefined) out[id] = v;
            }
            return out;
        },
        async set(d) {
            for (const type of Object.keys(d)) {
                data[type] ??= {};
                for (const [id, v] of Object.entries(d[type])) {
                    if (v === null || v === undefined) delete data[type][id];
                    else data[type][id] = v;
                }
            }
        },
        async transaction(fn) { return fn(); },
        isInTransaction() { return false; },
    };
}

async function newPeer(name, prekeyId) {
    const creds = B.initAuthCreds();
    const keys = memoryKeys();
    const pre = B.Curve.generateKeyPair();
    await keys.set({ 'pre-key': { [prekeyId]: pre } });
    const repo = makeLibSignalRepository({ creds, keys }, logger);
    peers.set(name, { creds, keys, repo });
    return {
        bundle: {
            registration_id: creds.registrationId,
            identity: hex(creds.signedIdentityKey.public),
            spk_id: creds.signedPreKey.keyId,
            spk: hex(creds.signedPreKey.keyPair.public),
            spk_sig: hex(creds.signedPreKey.signature),
            prekey_id: prekeyId,
            prekey: hex(pre.public),
        },
    };
}

async function handle(m) {
    if (m.op === 'new') return newPeer(m.peer, m.prekey_id);
    const p = peers.get(m.peer);
    if (!p) throw new Error('no such peer ' + m.peer);
    switch (m.op) {
    case 'inject': {
        const b = m.bundle;
        const session = {
            registrationId: b.registration_id,
            identityKey: typed(unhex(b.identity)),
            signedPreKey: { keyId: b.spk_id, publicKey: typed(unhex(b.spk)), signature: unhex(b.spk_sig) },
        };
        if (b.prekey) session.preKey = { keyId: b.prekey_id, publicKey: typed(unhex(b.prekey)) };
        await p.repo.injectE2ESession({ jid: m.jid, session });
        return {};
    }
    case 'encrypt': {
        const r = await p.repo.encryptMessage({ jid: m.jid, data: B.writeRandomPadMax16(unhex(m.pt)) });
        return { type: r.type, ct: hex(r.ciphertext) };
    }
    case 'decrypt': {
        const pt = await p.repo.decryptMessage({ jid: m.jid, type: m.type, ciphertext: unhex(m.ct) });
        return { pt: hex(B.unpadRandomMax16(pt)) };
    }
    case 'gprocess':
        await p.repo.processSenderKeyDistributionMessage({
            item: { groupId: m.group, axolotlSenderKeyDistributionMessage: unhex(m.skdm) },
            authorJid: m.author,
        });
        return {};
    case 'gencrypt': {
        const r = await p.repo.encryptGroupMessage({ group: m.group, meId: m.me, data: B.writeRandomPadMax16(unhex(m.pt)) });
        return { ct: hex(r.ciphertext), skdm: hex(r.senderKeyDistributionMessage) };
    }
    case 'gdecrypt': {
        const pt = await p.repo.decryptGroupMessage({ group: m.group, authorJid: m.author, msg: unhex(m.ct) });
        return { pt: hex(B.unpadRandomMax16(pt)) };
    }
    }
    throw new Error('unknown op ' + m.op);
}

const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
    chain = chain.then(async () => {
        let reply;
        try {
            reply = await handle(JSON.parse(line));
        } catch (e) {
            reply = { error: String(e && e.message || e) };
        }
        process.stdout.write(JSON.stringify(reply) + '\n');
    });
});
rl.on('close', () => chain.then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
