// Golden vectors for connd/wa/pairing.c and xedsign.c from Baileys 7 (oracle only; no code
// copied): pairing-code key derivation (derivePairingCodeKey), the pairing-code alphabet
// (bytesToCrockford), the QR string (buildPairingQRData) and an ADV pair-success container
// signed with Curve.sign (deterministic), plus the libsignal check of the device-signature
// message layout. Writes JSON to stdout.
//   BAILEYS_DIR=<dir with node_modules> node gen-pairing.mjs > ../../unit/connd/wa/vectors/pairing.json
import crypto from 'node:crypto';
import { loadBaileys } from './baileys.mjs';

const { B } = await loadBaileys();
const hex = (b) => Buffer.from(b).toString('hex');
const seeded = (label) => crypto.createHash('sha256').update(label).digest();
// deterministic key pairs: clamp a seeded scalar, public via X25519 base point multiplication
function keyPair(label) {
    const priv = seeded(label);
    priv[0] &= 248; priv[31] &= 127; priv[31] |= 64;
    const pk = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), priv]), format: 'der', type: 'pkcs8' });
    const pub = crypto.createPublicKey(pk).export({ format: 'der', type: 'spki' }).subarray(-32);
    return { private: priv, public: pub };
}

const out = { pairing_keys: [], codes: [], qr: [], adv: [] };
for (const [code, salt] of [['ABCDEFGH', Buffer.alloc(32, 3)], ['111H51R5', seeded('salt-1')], ['ZZZZ9999', seeded('salt-2')]])
    out.pairing_keys.push({ code, salt: hex(salt), key: hex(await B.derivePairingCodeKey(code, salt)) });
for (const bytes of [Buffer.from([0, 1, 2, 3, 4]), Buffer.alloc(5, 0xff), seeded('code').subarray(0, 5)])
    out.codes.push({ bytes: hex(bytes), code: B.bytesToCrockford(bytes) });

const noise = keyPair('noise'), ident = keyPair('identity'), adv = seeded('adv');
out.qr.push({ ref: '2@REF_ONE', noise_priv: hex(noise.private), identity_priv: hex(ident.private), adv_secret: hex(adv),
    browser: 'Chrome', text: B.buildPairingQRData('2@REF_ONE', noise.public.toString('base64'), ident.public.toString('base64'), adv.toString('base64'), ['Mac OS', 'Chrome', '1']) });

const account = keyPair('account');
const details = B.proto.ADVDeviceIdentity.encode({ rawId: 12345, timestamp: 1700000000, keyIndex: 7 }).finish();
const accountSignature = B.Curve.sign(account.private, Buffer.concat([Buffer.from([6, 0]), details, ident.public]));
const signed = B.proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: account.public, accountSignature }).finish();
const hmac = crypto.createHmac('sha256', adv).update(signed).digest();
const container = B.proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
out.adv.push({ identity_priv: hex(ident.private), adv_secret: hex(adv), account_pub: hex(account.public),
    device_identity: hex(container), details: hex(details), key_index: 7, jid: '15550001111:10@s.whatsapp.net', lid: '98765:10@lid' });
console.log(JSON.stringify(out, null, 1));
