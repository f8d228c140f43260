// recorder: every stanza a device sends, kept in memory as JSON (bytes as
// {"b64"}) for GET /stanzas, and appended to <dir>/<number>_<device>.jsonl when
// a record directory is given, like crabline's recorder.
import fs from 'node:fs';
import path from 'node:path';

export const nodeToJson = (n) => ({ tag: n.tag, attrs: n.attrs || {},
    content: Array.isArray(n.content) ? n.content.map(nodeToJson)
        : n.content instanceof Uint8Array ? { b64: Buffer.from(n.content).toString('base64') }
            : n.content === undefined ? null : String(n.content) });

// JSON (from the admin API) -> a binary node: content is a list of nodes, {b64}, or a string
export const nodeFromJson = (j) => ({ tag: j.tag, attrs: Object.fromEntries(Object.entries(j.attrs || {}).map(([k, v]) => [k, String(v)])),
    content: Array.isArray(j.content) ? j.content.map(nodeFromJson)
        : j.content && j.content.b64 !== undefined ? Buffer.from(j.content.b64, 'base64')
            : typeof j.content === 'string' ? Buffer.from(j.content) : undefined });

export class Recorder {
    constructor(dir) { this.dir = dir; this.byDevice = new Map(); }
    record(dev, node) {
        const key = `${dev.number}:${dev.deviceId}`;
        const entry = { at: Date.now(), ...nodeToJson(node) };
        if (!this.byDevice.has(key)) this.byDevice.set(key, []);
        const list = this.byDevice.get(key);
        list.push(entry);
        if (list.length > 5000) list.shift();
        if (this.dir) fs.appendFileSync(path.join(this.dir, `${dev.number}_${dev.deviceId}.jsonl`), JSON.stringify(entry) + '\n');
    }
    // stanzas from a device jid ("number:device@…") or from every device of a number
    list(jid) {
        const [user, rest] = String(jid).split('@')[0].split(':');
        return [...this.byDevice.entries()].filter(([k]) => (rest ? k === `${user}:${rest}` : k.startsWith(user + ':')))
            .flatMap(([, l]) => l).sort((a, b) => a.at - b.at);
    }
}
