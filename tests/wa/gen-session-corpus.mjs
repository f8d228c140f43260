// Writes the seed corpus of tests/fuzz/fuzz_wa_session.c: server node
// sequences encoded with Baileys 7's encodeBinaryNode (an encoder independent
// of ours). Record format: byte 0 = flags (1 paired, 2 pairing-code phone),
// byte 1 = clock step (x100 ms), then [u16 BE length][flag byte || node]...
//   cd tests/wa && node gen-session-corpus.mjs ../fuzz/corpus/wa_session
import * as B from '@whiskeysockets/baileys';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });
const S = '@s.whatsapp.net';
const iq = (attrs, content) => ({ tag: 'iq', attrs: { from: S, ...attrs }, content });
const ref = (r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) });
const seeds = {
  'qr-rotation': [0, 20, [iq({ type: 'set', id: '1', xmlns: 'md' }, [{ tag: 'pair-device', attrs: {}, content: [ref('2@A'), ref('2@B'), ref('2@C')] }])]],
  'pair-success-garbage': [0, 1, [iq({ type: 'set', id: '2', xmlns: 'md' }, [{ tag: 'pair-success', attrs: {}, content: [
    { tag: 'device-identity', attrs: {}, content: Buffer.from('0a0408011001', 'hex') }, { tag: 'platform', attrs: { name: 'smba' } },
    { tag: 'device', attrs: { jid: '1555:3@s.whatsapp.net', lid: '99:3@lid' } }] }])]],
  'pairing-code': [2, 1, [iq({ type: 'set', id: '3', xmlns: 'md' }, [{ tag: 'pair-device', attrs: {}, content: [ref('2@P')] }]),
    { tag: 'notification', attrs: { from: S, id: 'n1', type: 'link_code_companion_reg' }, content: [{ tag: 'link_code_companion_reg', attrs: { stage: 'primary_hello' }, content: [
      { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from('REF') }, { tag: 'primary_identity_pub', attrs: {}, content: Buffer.alloc(32, 9) },
      { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: Buffer.alloc(80, 7) }] }] }]],
  'login-open': [1, 5, [{ tag: 'success', attrs: { t: '1700000000', lid: '987:10@lid', display_name: 'Fuzz' } },
    { tag: 'ib', attrs: { from: S }, content: [{ tag: 'offline_preview', attrs: { count: '0' } }] },
    iq({ type: 'result', id: 'x' }, [{ tag: 'count', attrs: { value: '0' } }]),
    iq({ type: 'get', id: 'p1', xmlns: 'urn:xmpp:ping' }),
    { tag: 'notification', attrs: { from: S, id: 'n2', type: 'encrypt' }, content: [{ tag: 'count', attrs: { value: '1' } }] },
    { tag: 'message', attrs: { from: '1555@s.whatsapp.net', id: 'm1', type: 'text', participant: '1666@s.whatsapp.net' } },
    { tag: 'receipt', attrs: { from: '1555@s.whatsapp.net', id: 'r1', type: 'read' } }]],
  'keepalive-lost': [1, 80, [{ tag: 'success', attrs: { lid: '1@lid' } }, { tag: 'ib', attrs: {} }]],
  'stream-error-515': [1, 1, [{ tag: 'success', attrs: {} }, { tag: 'stream:error', attrs: { code: '515' } }]],
  'stream-error-conflict': [1, 1, [{ tag: 'success', attrs: {} }, { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] }]],
  'stream-error-removed': [1, 1, [{ tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] }]],
  'failure-403': [1, 1, [{ tag: 'failure', attrs: { reason: '403', location: 'frc' } }]],
  'stream-end': [1, 1, [{ tag: 'success', attrs: {} }, { tag: 'xmlstreamend', attrs: {} }]],
  'call-ack': [1, 3, [{ tag: 'success', attrs: {} }, { tag: 'call', attrs: { from: '1555@s.whatsapp.net', id: 'c1' }, content: [{ tag: 'offer', attrs: { 'call-id': 'X' } }] }]],
};
for (const [name, [flags, step, nodes]] of Object.entries(seeds)) {
  const parts = [Buffer.from([flags, step])];
  for (const n of nodes) {
    const enc = Buffer.from(B.encodeBinaryNode(n));
    const len = Buffer.alloc(2); len.writeUInt16BE(enc.length);
    parts.push(len, enc);
  }
  fs.writeFileSync(path.join(out, name), Buffer.concat(parts));
}
console.log(Object.keys(seeds).length, 'seeds in', out);
