// Writes tests/unit/connd/wa/vectors/binnode.json: WABinary (dictionary v3)
// known answers from Baileys 7.0.0-rc13's own encoder and decoder.
//   encode[]: a node (our JSON form) -> Baileys encodeBinaryNode bytes, and
//             what Baileys decodes those bytes back into.
//   decode[]: hand-made byte strings (forms Baileys never encodes: FB_JID,
//             INTEROP_JID, dictionary content, LIST_16 ...) -> Baileys' decode.
//   compressed[]: flag 0x02 + zlib(node) -> Baileys decodeBinaryNode.
// JSON node form: {tag, attrs: [[k, v], ...], content?: {bytes: hex} |
//   {text: string} | [child, ...] | {big: n} (n bytes i & 0xff, only sha256 kept)}.
// Usage: node gen-binnode.mjs > binnode.json
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { loadBaileys } from './baileys.mjs';

const { B, constants, version } = await loadBaileys();
const S = (i) => constants.SINGLE_BYTE_TOKENS[i];
const D = (d, i) => constants.DOUBLE_BYTE_TOKENS[d][i];

function pattern(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = i & 0xff;
    return b;
}

// our JSON form -> Baileys node
function toBaileys(j) {
    const attrs = {};
    for (const [k, v] of j.attrs || []) attrs[k] = v;
    const node = { tag: j.tag, attrs };
    if (j.content === undefined) return node;
    if (Array.isArray(j.content)) node.content = j.content.map(toBaileys);
    else if (j.content.bytes !== undefined) node.content = Buffer.from(j.content.bytes, 'hex');
    else if (j.content.text !== undefined) node.content = j.content.text;
    else if (j.content.big !== undefined) node.content = pattern(j.content.big);
    return node;
}

// Baileys node -> our JSON form
function fromBaileys(n) {
    const out = { tag: n.tag, attrs: Object.entries(n.attrs) };
    if (n.content === undefined) return out;
    if (Array.isArray(n.content)) out.content = n.content.map(fromBaileys);
    else if (Buffer.isBuffer(n.content) || n.content instanceof Uint8Array) {
        out.content = n.content.length > 4096
            ? { big_sha256: createHash('sha256').update(n.content).digest('hex'), len: n.content.length }
            : { bytes: Buffer.from(n.content).toString('hex') };
    } else out.content = { text: n.content };
    return out;
}

const node = (tag, attrs = [], content) => (content === undefined ? { tag, attrs } : { tag, attrs, content });
const bytes = (hex) => ({ bytes: hex });
const text = (t) => ({ text: t });
const kids = (n, f) => Array.from({ length: n }, (_, i) => f(i));

const encodeCases = [
    ['spec ping', node('iq', [['id', '1'], ['to', '@s.whatsapp.net'], ['type', 'get'], ['xmlns', 'w:p']], [node('ping')])],
    ['spec receipt', node('receipt', [['id', '3EB0ABCDEF0123'], ['to', '15551234567:3@s.whatsapp.net'], ['t', '1700000000']])],
    ['spec group message', node('message', [['to', '120363000000000000@g.us'], ['participant', '123456789012345:7@lid'], ['id', 'ab']],
        [node('enc', [['v', '2'], ['type', 'skmsg']], bytes('010203'))])],
    ['spec presence', node('presence', [['name', 'hello world'], ['type', 'available']])],
    ['spec ack', node('ack', [['id', 'ABC'], ['to', '15551234567@s.whatsapp.net'], ['class', 'receipt']])],
    ['spec passive', node('iq', [['to', '@s.whatsapp.net'], ['type', 'set'], ['xmlns', 'passive'], ['id', '2']], [node('active')])],
    ['xmlstreamend', node('xmlstreamend')],
    ['bytes 0', node('enc', [], bytes(''))],
    ['bytes 1', node('enc', [], bytes('ff'))],
    ['bytes 255', node('enc', [], bytes(pattern(255).toString('hex')))],
    ['bytes 256 BINARY_20', node('enc', [], bytes(pattern(256).toString('hex')))],
    ['bytes 300', node('enc', [], bytes(pattern(300).toString('hex')))],
    ['bytes 65536', node('enc', [], bytes(pattern(65536).toString('hex')))],
    ['bytes 1MiB BINARY_32', node('enc', [], { big: 1 << 20 })],
    ['bytes 1MiB-1 BINARY_20', node('enc', [], { big: (1 << 20) - 1 })],
    ['text token content', node('type', [], text('available'))],
    ['text double token content', node('x', [], text(D(1, 7)))],
    ['text nibble content', node('count', [], text('1234567890-.'))],
    ['text hex content', node('hash', [], text('DEADBEEF0123'))],
    ['text lowercase hex is raw', node('hash', [], text('deadbeef'))],
    ['text jid content', node('jid', [], text('15551234567@s.whatsapp.net'))],
    ['text raw content', node('body', [], text('hello, world'))],
    ['text utf8 content', node('body', [], text('ol\u00e1 \u{1F600} \u4e16\u754c'))],
    ['text empty content', node('body', [], text(''))],
    ['empty attribute value', node('iq', [['id', ''], ['type', 'get']])],
    ['empty children list', node('list', [], [])],
    ['children 255 LIST_8', node('list', [], kids(255, () => node('item')))],
    ['children 256 LIST_16', node('list', [], kids(256, () => node('item')))],
    ['attributes 130 LIST_16 header', node('many', kids(130, (i) => [`k${i}x`, `v${i}`]))],
    ['nested depth 12', (function nest(d) { return d === 0 ? node('leaf', [], text('end')) : node('n', [['d', String(d)]], [nest(d - 1)]); })(12)],
    ['nibble odd', node('a', [['n', '12345']])],
    ['nibble even', node('a', [['n', '123456']])],
    ['nibble dash dot', node('a', [['n', '1.2-3']])],
    ['nibble 127', node('a', [['n', '7'.repeat(127)]])],
    ['nibble 128 raw', node('a', [['n', '8'.repeat(128)]])],
    ['hex odd', node('a', [['h', 'ABCDE']])],
    ['hex 127', node('a', [['h', 'F'.repeat(127)]])],
    ['hex 128 raw', node('a', [['h', 'E'.repeat(128)]])],
    ['mixed hex and nibble chars raw', node('a', [['h', 'AB-12']])],
    ['single-byte tokens', node('message', [['type', 'text'], ['from', 'status@broadcast']])],
    ['double-byte tokens', node(D(0, 0), [[D(1, 255), D(2, 128)], [D(3, 1), D(0, 200)]])],
    ['last single token', node(S(235), [[S(1), S(2)]])],
    ['jid user', node('a', [['jid', '15551234567@s.whatsapp.net']])],
    ['jid device 0', node('a', [['jid', '15551234567:0@s.whatsapp.net']])],
    ['jid device 99', node('a', [['jid', '15551234567:99@s.whatsapp.net']])],
    ['jid lid', node('a', [['jid', '123456789012345@lid']])],
    ['jid lid device', node('a', [['jid', '123456789012345:12@lid']])],
    ['jid hosted device', node('a', [['jid', '15551234567:99@hosted']])],
    ['jid hosted.lid device', node('a', [['jid', '123456789012345:99@hosted.lid']])],
    ['jid agent device', node('a', [['jid', '15551234567_5:2@s.whatsapp.net']])],
    ['jid group', node('a', [['jid', '120363012345678901@g.us']])],
    ['jid legacy group', node('a', [['jid', '15551234567-1600000000@g.us']])],
    ['jid status broadcast', node('a', [['jid', 'status@broadcast']])],
    ['jid broadcast list', node('a', [['jid', '1600000000@broadcast']])],
    ['jid newsletter', node('a', [['jid', '120363123456789012@newsletter']])],
    ['jid server', node('a', [['jid', '@s.whatsapp.net']])],
    ['jid g.us server', node('a', [['jid', '@g.us']])],
    ['jid c.us', node('a', [['jid', '16505361212@c.us']])],
    ['jid bot', node('a', [['jid', '13135550002@bot']])],
    ['jid call', node('a', [['jid', 'ABCDEF0123456789@call']])],
    ['jid raw user', node('a', [['jid', 'alice@s.whatsapp.net']])],
    ['jid token user', node('a', [['jid', 'server@c.us']])],
    ['jid unknown server', node('a', [['jid', '12345@example.test']])],
    ['raw string with spaces', node('a', [['note', 'not a token']])],
    ['raw utf8 attribute', node('a', [['name', 'Jos\u00e9 \u{1F44D}']])],
    ['long raw attribute BINARY_20', node('a', [['name', 'x'.repeat(300)]])],
];

const encode = encodeCases.map(([name, j]) => {
    const buf = B.encodeBinaryNode(toBaileys(j));
    const decoded = B.decodeDecompressedBinaryNode(buf.subarray(1), constants);
    const row = { name, node: j, decoded: fromBaileys(decoded) };
    if (buf.length > 8192) {
        row.sha256 = createHash('sha256').update(buf).digest('hex');
        row.len = buf.length;
    } else row.hex = buf.toString('hex');
    return row;
});

// Hand-made bodies (after the flag byte). Baileys must accept each one.
const decodeCases = [
    ['FB_JID attribute', 'f8 03 13 08 f6 ff 82 12 34 00 07 fc 04 6d 73 67 72'],
    ['INTEROP_JID attribute', 'f8 03 13 08 f5 ff 82 12 34 00 07 00 2a fc 07 69 6e 74 65 72 6f 70'],
    ['AD_JID lid', 'f8 03 13 08 f7 01 05 ff 82 12 34'],
    ['AD_JID hosted', 'f8 03 13 08 f7 80 05 ff 82 12 34'],
    ['AD_JID hosted.lid', 'f8 03 13 08 f7 81 05 ff 82 12 34'],
    ['AD_JID agent 5 (agent dropped)', 'f8 03 13 08 f7 05 02 ff 82 12 34'],
    ['AD_JID device 0', 'f8 03 13 08 f7 00 00 ff 82 12 34'],
    ['AD_JID empty user', 'f8 03 13 08 f7 00 03 00'],
    ['JID_PAIR empty user token server', 'f8 03 13 08 fa 00 1c'],
    ['JID_PAIR raw server', 'f8 03 13 08 fa fc 01 61 fc 01 62'],
    ['LIST_EMPTY attribute value', 'f8 03 13 08 00'],
    ['dictionary 2 content', 'f8 02 13 ee 05'],
    ['dictionary 3 index 255 attr', 'f8 03 13 08 ef ff'],
    ['LIST_16 small header', 'f9 00 01 13'],
    ['LIST_16 children', 'f8 02 13 f9 00 02 f8 01 14 f8 01 15'],
    ['LIST_EMPTY content', 'f8 02 13 00'],
    ['BINARY_32 small content', 'f8 02 13 fe 00 00 00 03 61 62 63'],
    ['BINARY_20 high nibble ignored', 'f8 02 13 fd f0 00 02 61 62'],
    ['BINARY_8 attribute string', 'f8 03 13 fc 02 6b 31 fc 02 76 31'],
    ['BINARY_32 attribute string', 'f8 03 13 08 fe 00 00 00 01 7a'],
    ['JID content', 'f8 02 13 fa ff 82 12 34 03'],
    ['AD_JID content', 'f8 02 13 f7 01 02 ff 82 12 34'],
    ['nibble content', 'f8 02 13 ff 03 12 3a b4'],
    ['nibble odd flag drops last', 'f8 02 13 ff 82 12 34'],
    ['hex content', 'f8 02 13 fb 02 ab cd'],
    ['hex odd', 'f8 02 13 fb 82 ab cf'],
    ['packed empty', 'f8 03 13 08 ff 00'],
    ['token tag with raw tag string', 'f8 01 fc 03 66 6f 6f'],
    ['JID tag string', 'f8 01 fa ff 82 12 34 03'],
];
const decode = decodeCases.map(([name, spaced]) => {
    const hex = spaced.replace(/ /g, '');
    const n = B.decodeDecompressedBinaryNode(Buffer.from(hex, 'hex'), constants);
    return { name, hex: '00' + hex, decoded: fromBaileys(n) };
});

// Compressed frames: flag 0x02 || zlib(body). Baileys decodeBinaryNode inflates.
const compressed = [];
for (const name of ['spec ping', 'spec group message', 'children 256 LIST_16', 'bytes 300']) {
    const row = encode.find((r) => r.name === name);
    const body = Buffer.from(row.hex, 'hex').subarray(1);
    const frame = Buffer.concat([Buffer.from([2]), deflateSync(body)]);
    const n = await B.decodeBinaryNode(frame);
    compressed.push({ name: 'zlib ' + name, hex: frame.toString('hex'), decoded: fromBaileys(n) });
}

process.stdout.write(JSON.stringify({
    generator: 'tests/tools/wa-vectors/gen-binnode.mjs',
    oracle: `@whiskeysockets/baileys@${version} encodeBinaryNode / decodeDecompressedBinaryNode / decodeBinaryNode`,
    dict_version: B.DICT_VERSION,
    encode, decode, compressed,
}, null, 1) + '\n');
