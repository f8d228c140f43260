// Known-answer Message protobufs for connd/wa/message.c's encoder
// (tests/unit/connd/wa/test_message_encode.c): Baileys 7's
// proto.Message.encode of the Messages connd sends (text, quoted, mentions,
// link preview, reaction, revoke, edit, deviceSentMessage). Output: JSON
// [{name, hex}] on stdout. Usage: BAILEYS_DIR=... node gen-message.mjs
import { loadBaileys } from './baileys.mjs';

const { B } = await loadBaileys();
const key = { remoteJid: '15551234567@s.whatsapp.net', fromMe: true, id: '3EB0AABBCCDDEEFF001122' };
const cases = {
    conversation: { conversation: 'hello \u00e9\u{1F600}' },
    quoted: {
        extendedTextMessage: {
            text: 'reply',
            contextInfo: {
                stanzaId: '3EB0000000000000000001',
                participant: '15551234567@s.whatsapp.net',
                quotedMessage: { conversation: 'original' }
            }
        }
    },
    mentions: {
        extendedTextMessage: {
            text: 'hi @15551234567 @15557654321',
            contextInfo: { mentionedJid: ['15551234567@s.whatsapp.net', '15557654321@s.whatsapp.net'] }
        }
    },
    link_preview: {
        extendedTextMessage: {
            text: 'see https://example.org/a?b=1 now',
            matchedText: 'https://example.org/a?b=1',
            previewType: 0
        }
    },
    reaction: { reactionMessage: { key, text: '\u{1F44D}', senderTimestampMs: 1717689097123 } },
    reaction_remove: { reactionMessage: { key, text: '', senderTimestampMs: 1717689097123 } },
    revoke: { protocolMessage: { key, type: 0 } },
    edit: {
        protocolMessage: {
            key, type: 14, editedMessage: { extendedTextMessage: { text: 'edited' } },
            timestampMs: 1717689097456
        }
    },
    dsm_reaction: {
        deviceSentMessage: {
            destinationJid: '15551234567@s.whatsapp.net',
            message: { reactionMessage: { key, text: '\u{1F44D}', senderTimestampMs: 1717689097123 } }
        }
    }
};
const out = Object.entries(cases).map(([name, m]) =>
    ({ name, hex: Buffer.from(B.proto.Message.encode(m).finish()).toString('hex') }));
console.log(JSON.stringify(out, null, 1));
