// Writes two vector files for tests/unit/connd/wa/vectors/:
//   xeddsa.json       signatures made by Baileys 7 Curve.sign (curve25519-js,
//                     deterministic) and the verdict of libsignal-node's
//                     curve.verifySignature (true/false; Baileys' own
//                     Curve.verify accepts anything well-formed, so it is not used).
//   wa_handshake.json a full WhatsApp Noise handshake + transport transcript:
//                     Baileys 7 makeNoiseHandler is the client (fixed keys), our
//                     own small responder below (node:crypto + libsignal DH) is
//                     the server, with a test root key and a cert chain signed
//                     by Baileys' Curve.sign.
// Usage: node gen-noise.mjs OUTDIR
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBaileys, loadLibsignal } from './baileys.mjs';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node gen-noise.mjs OUTDIR');
const { B, version } = await loadBaileys();
const curve = loadLibsignal().curve;
const logger = { level: 'silent', child() { return logger; }, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const hex = (b) => Buffer.from(b).toString('hex');
// Deterministic clamped X25519 private key from a label.
function priv(label) {
    const k = createHash('sha256').update('wagate test key ' + label).digest();
    k[0] &= 248; k[31] &= 127; k[31] |= 64;
    return k;
}
const pub = (k) => Buffer.from(curve.getPublicFromPrivateKey(k)).subarray(1);
const keyPair = (label) => { const p = priv(label); return { private: p, public: pub(p) }; };
const verify = (pubKey, msg, sig) => {
    try { return curve.verifySignature(Buffer.concat([Buffer.from([5]), pubKey]), msg, sig) === true; }
    catch { return false; }
};

// ---- XEdDSA ---------------------------------------------------------------
const xeddsa = [];
let signBitSet = 0;
for (let i = 0; i < 24; i++) {
    const kp = keyPair('xeddsa ' + i);
    const msg = createHash('sha512').update('msg ' + i).digest().subarray(0, [0, 1, 32, 33, 64][i % 5]);
    const sig = B.Curve.sign(kp.private, msg);
    if (sig[63] & 0x80) signBitSet++;
    xeddsa.push({ name: `valid ${i}`, pub: hex(kp.public), msg: hex(msg), sig: hex(sig), valid: verify(kp.public, msg, sig) });
    if (i < 8) {
        const badMsg = Buffer.from(msg.length ? msg : Buffer.from([0]));
        badMsg[0] ^= 1;
        xeddsa.push({ name: `wrong message ${i}`, pub: hex(kp.public), msg: hex(badMsg), sig: hex(sig), valid: verify(kp.public, badMsg, sig) });
        for (const pos of [0, 31, 32, 63]) {
            const badSig = Buffer.from(sig);
            badSig[pos] ^= pos === 63 ? 0x80 : 0x01;
            xeddsa.push({ name: `flipped sig byte ${pos} ${i}`, pub: hex(kp.public), msg: hex(msg), sig: hex(badSig), valid: verify(kp.public, msg, badSig) });
        }
        const other = keyPair('xeddsa other ' + i);
        xeddsa.push({ name: `wrong key ${i}`, pub: hex(other.public), msg: hex(msg), sig: hex(sig), valid: verify(other.public, msg, sig) });
        xeddsa.push({ name: `zero signature ${i}`, pub: hex(kp.public), msg: hex(msg), sig: hex(Buffer.alloc(64)), valid: verify(kp.public, msg, Buffer.alloc(64)) });
    }
}
// Signal's own use: a signed pre-key signature over 0x05 || key.
const ident = keyPair('identity');
const spk = B.signedKeyPair(ident, 7);
xeddsa.push({ name: 'signedKeyPair signature', pub: hex(ident.public), msg: hex(B.generateSignalPubKey(spk.keyPair.public)),
    sig: hex(spk.signature), valid: verify(ident.public, B.generateSignalPubKey(spk.keyPair.public), spk.signature) });
writeFileSync(join(outDir, 'xeddsa.json'), JSON.stringify({
    generator: 'tests/tools/wa-vectors/gen-noise.mjs',
    oracle: `@whiskeysockets/baileys@${version} Curve.sign; libsignal curve.verifySignature for the verdict`,
    sign_bit_set_in_valid: signBitSet, vectors: xeddsa }, null, 1) + '\n');

// ---- WhatsApp handshake transcript ------------------------------------------
const root = keyPair('root'), inter = keyPair('intermediate'), serverStatic = keyPair('server static');
const serverEph = keyPair('server ephemeral'), clientEph = keyPair('client ephemeral'), noiseKey = keyPair('client noise');
const Details = B.proto.CertChain.NoiseCertificate.Details;
const interDetails = Buffer.from(Details.encode({ serial: 7, issuerSerial: 0, key: inter.public, notBefore: 1700000000, notAfter: 2000000000 }).finish());
const leafDetails = Buffer.from(Details.encode({ serial: 99, issuerSerial: 7, key: serverStatic.public, notBefore: 1750000000, notAfter: 1900000000 }).finish());
const interSig = B.Curve.sign(root.private, interDetails), leafSig = B.Curve.sign(inter.private, leafDetails);
const certChain = Buffer.from(B.proto.CertChain.encode({
    leaf: { details: leafDetails, signature: leafSig },
    intermediate: { details: interDetails, signature: interSig } }).finish());

// Our responder: WhatsApp Noise XX, server side.
const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
function hkdf64(salt, ikm) {
    const prk = createHmac('sha256', salt).update(ikm).digest();
    const t1 = createHmac('sha256', prk).update(Buffer.from([1])).digest();
    const t2 = createHmac('sha256', prk).update(Buffer.concat([t1, Buffer.from([2])])).digest();
    return [t1, t2];
}
const iv = (n) => { const b = Buffer.alloc(12); b.writeUInt32BE(n, 8); return b; };
function gcmEnc(key, n, ad, pt) {
    const c = createCipheriv('aes-256-gcm', key, iv(n)); c.setAAD(ad);
    return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
function gcmDec(key, n, ad, ct) {
    const d = createDecipheriv('aes-256-gcm', key, iv(n)); d.setAAD(ad); d.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
}
const dh = (privKey, pubKey) => Buffer.from(curve.calculateAgreement(Buffer.concat([Buffer.from([5]), pubKey]), privKey));
const server = { h: Buffer.from(B.NOISE_MODE), n: 0 };
server.ck = server.h;
server.mixHash = (d) => { server.h = sha256(server.h, d); };
server.mixKey = (ikm) => { [server.ck, server.k] = hkdf64(server.ck, ikm); server.n = 0; };
server.enc = (pt) => { const ct = gcmEnc(server.k, server.n++, server.h, pt); server.mixHash(ct); return ct; };
server.dec = (ct) => { const pt = gcmDec(server.k, server.n++, server.h, ct); server.mixHash(ct); return pt; };

B.WA_CERT_DETAILS.PUBLIC_KEY = root.public; // Baileys' documented test hook
const client = B.makeNoiseHandler({ keyPair: clientEph, NOISE_HEADER: B.NOISE_WA_HEADER, logger });
const HM = B.proto.HandshakeMessage;
const clientHelloFrame = client.encodeFrame(HM.encode({ clientHello: { ephemeral: clientEph.public } }).finish());

// server reads the hello (skip the 4-byte intro and the 3-byte length)
const hello = HM.decode(clientHelloFrame.subarray(7));
server.mixHash(B.NOISE_WA_HEADER);
server.mixHash(hello.clientHello.ephemeral);
server.mixHash(serverEph.public);
server.mixKey(dh(serverEph.private, hello.clientHello.ephemeral));
const encStatic = server.enc(serverStatic.public);
server.mixKey(dh(serverStatic.private, hello.clientHello.ephemeral));
const encCert = server.enc(certChain);
const serverHelloPayload = Buffer.from(HM.encode({ serverHello: { ephemeral: serverEph.public, static: encStatic, payload: encCert } }).finish());

// Baileys client processes it (verifies the chain with the patched root key).
const serverHelloDecoded = HM.decode(serverHelloPayload);
const keyEnc = client.processHandshake(serverHelloDecoded, noiseKey);
const clientPayload = Buffer.from(B.proto.ClientPayload.encode({
    username: 15551234567, device: 2, passive: true, pull: true, connectType: 1, connectReason: 1,
    userAgent: { platform: 14, appVersion: { primary: 2, secondary: 3000, tertiary: 1035194821 }, mcc: '000', mnc: '000',
        osVersion: '0.1', device: 'Desktop', osBuildNumber: '0.1', releaseChannel: 0, localeLanguageIso6391: 'en', localeCountryIso31661Alpha2: 'US' },
    webInfo: { webSubPlatform: 0 } }).finish());
const payloadEnc = client.encrypt(clientPayload);
const clientFinishFrame = client.encodeFrame(HM.encode({ clientFinish: { static: keyEnc, payload: payloadEnc } }).finish());
await client.finishInit();

// server reads the finish
const finish = HM.decode(clientFinishFrame.subarray(3)).clientFinish;
const clientStatic = server.dec(Buffer.from(finish.static));
if (!clientStatic.equals(noiseKey.public)) throw new Error('responder: client static mismatch');
server.mixKey(dh(serverEph.private, clientStatic));
const gotPayload = server.dec(Buffer.from(finish.payload));
if (!gotPayload.equals(clientPayload)) throw new Error('responder: payload mismatch');
const [clientTx, clientRx] = hkdf64(server.ck, Buffer.alloc(0));

// transport: client -> server frames from Baileys, server -> client from us
const ping = B.encodeBinaryNode({ tag: 'iq', attrs: { id: '1', to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });
const c2sPlain = [ping, B.encodeBinaryNode({ tag: 'presence', attrs: { type: 'available', name: 'wagate' } }), Buffer.alloc(0)];
const c2s = c2sPlain.map((p, i) => {
    const frame = client.encodeFrame(p);
    const pt = gcmDec(clientTx, i, Buffer.alloc(0), frame.subarray(3));
    if (!pt.equals(p)) throw new Error('responder: transport decrypt mismatch');
    return { plain: hex(p), frame: hex(frame) };
});
const s2cPlain = [
    B.encodeBinaryNode({ tag: 'success', attrs: { t: '1750000000', lid: '123456789012345@lid' } }),
    B.encodeBinaryNode({ tag: 'iq', attrs: { from: '@s.whatsapp.net', id: '1', type: 'result' } }),
];
const s2c = [];
for (const [i, p] of s2cPlain.entries()) {
    const ct = gcmEnc(clientRx, i, Buffer.alloc(0), p);
    const frame = Buffer.concat([Buffer.from([ct.length >> 16, (ct.length >> 8) & 255, ct.length & 255]), ct]);
    const nodes = [];
    await client.decodeFrame(frame, (n) => nodes.push(n));
    if (nodes.length !== 1 || nodes[0].tag !== ['success', 'iq'][i])
        throw new Error('client did not decode the server frame');
    s2c.push({ plain: hex(p), frame: hex(frame), baileys_tag: nodes[0].tag });
}

writeFileSync(join(outDir, 'wa_handshake.json'), JSON.stringify({
    generator: 'tests/tools/wa-vectors/gen-noise.mjs',
    oracle: `@whiskeysockets/baileys@${version} makeNoiseHandler (client) against the generator's responder; certificates signed with Baileys Curve.sign`,
    keys: {
        root_public: hex(root.public), intermediate_public: hex(inter.public),
        server_static_private: hex(serverStatic.private), server_static_public: hex(serverStatic.public),
        server_ephemeral_private: hex(serverEph.private), server_ephemeral_public: hex(serverEph.public),
        client_ephemeral_private: hex(clientEph.private), client_ephemeral_public: hex(clientEph.public),
        client_noise_private: hex(noiseKey.private), client_noise_public: hex(noiseKey.public),
    },
    cert: { chain: hex(certChain), intermediate_details: hex(interDetails), intermediate_signature: hex(interSig),
        leaf_details: hex(leafDetails), leaf_signature: hex(leafSig), valid_at: 1800000000,
        intermediate_window: [1700000000, 2000000000], leaf_window: [1750000000, 1900000000] },
    client_hello_bytes: hex(clientHelloFrame),
    server_hello_payload: hex(serverHelloPayload),
    client_payload: hex(clientPayload),
    client_finish_frame: hex(clientFinishFrame),
    client_tx: hex(clientTx), client_rx: hex(clientRx),
    client_to_server: c2s, server_to_client: s2c,
}, null, 1) + '\n');
process.stderr.write(`xeddsa: ${xeddsa.length} vectors (${signBitSet} valid with sign bit set); handshake ok\n`);
