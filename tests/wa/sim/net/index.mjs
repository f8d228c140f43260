// The routing half of wa-sim: several accounts and their devices message each
// other through it. wa-sim.mjs owns connections, Noise, linking and logins and
// hands every stanza of a logged-in device to onNode(); this module wires the
// directory (network), keys, usync, groups, the router and the recorder, and
// serves the admin endpoints about them (admin()).
import { Network } from './network.mjs';
import { Groups } from './groups.mjs';
import { Router } from './router.mjs';
import { Recorder, nodeFromJson } from './recorder.mjs';
import { answerQuery } from './queries.mjs';

export function createNetwork({ log, recordDir }) {
    const net = new Network(log);
    const groups = new Groups(net);
    const router = new Router(net, groups);
    const recorder = new Recorder(recordDir);
    const sim = { net, groups, router, recorder };

    // every stanza from a logged-in device; true when the network handled it
    sim.onNode = (conn, node, stats) => {
        recorder.record(conn.device, node);
        // a lost receipt or ack: the stanza stays in the outbox and comes again at the next login
        if ((node.tag === 'receipt' || node.tag === 'ack') && net.deaf.has(net.keyOf(conn.device))) return true;
        switch (node.tag) {
        case 'iq': return node.attrs.type !== 'result' && node.attrs.type !== 'error' && answerQuery(sim, conn, node, stats);
        case 'message': router.onMessage(conn, node); return true;
        case 'receipt': router.onReceipt(conn, node); return true;
        case 'ack': router.onAck(conn, node); return true;
        case 'chatstate': router.onChatstate(conn, node); return true;
        case 'presence': router.onPresence(conn, node); return false;   // wa-sim also counts presences
        default: return false;
        }
    };

    // admin API: returns [status, body] or null when the path is not ours
    sim.admin = async (method, url, q) => {
        const u = new URL(url, 'http://sim');
        const acc = (jidOrNumber) => net.account(String(jidOrNumber).split('@')[0].split(':')[0]);
        switch (u.pathname) {
        case '/net': return [200, { accounts: net.summary(), groups: [...groups.groups.values()] }];
        case '/account': {
            const a = net.account(String(q.number), { lid: q.lid, name: q.name });
            if (q.lidAddressing !== undefined) a.lidAddressing = !!q.lidAddressing;
            return [200, { number: a.number, lid: a.lid, name: a.name, lidAddressing: a.lidAddressing }];
        }
        case '/lid-addressing': { const a = acc(q.jid || q.number); a.lidAddressing = q.on !== false; return [200, { number: a.number, lidAddressing: a.lidAddressing }]; }
        case '/group': {
            if (!q.id || !Array.isArray(q.participants) || !q.participants.length) return [400, { error: 'id and participants needed' }];
            const g = groups.create(q);
            return [200, { id: g.id, subject: g.subject, participants: g.numbers, addressingMode: g.addressingMode }];
        }
        case '/picture': {
            const a = acc(q.jid || q.number);
            a.picture = q.url || null; a.private = !!q.private; a.pictureId++;
            return [200, { number: a.number, picture: a.picture, private: a.private }];
        }
        case '/inject': {
            // a raw stanza to one device (jid with device) or every online device of the account
            const r = net.resolve(q.jid);
            if (!r || !q.node || !q.node.tag) return [404, { error: 'unknown jid or no node' }];
            const node = nodeFromJson(q.node);
            const devs = net.devicesOf(r.account).filter((d) => r.deviceId === undefined || d.deviceId === r.deviceId);
            let sent = 0;
            for (const d of devs) if (net.connOf(d)) { net.connOf(d).sendNode(node); sent++; }
            return [sent ? 200 : 404, { sent }];
        }
        case '/hold': {
            // {jid: device jid, on: true} queues its stanzas; {on: false, reverse: true} delivers them newest first
            const r = net.resolve(q.jid);
            const d = r && net.devices.get(`${r.account.number}:${r.deviceId || 0}`);
            if (!d) return [404, { error: 'unknown device' }];
            return [200, { released: net.hold(d, !!q.on, !!q.reverse) }];
        }
        case '/counters': {
            // {jid: device jid}: what the server routed to it and what it receipted (net.counters),
            // and how many stanzas wait in its outbox
            const r = net.resolve(u.searchParams.get('jid') || q.jid);
            const d = r && net.devices.get(`${r.account.number}:${r.deviceId || 0}`);
            if (!d) return [404, { error: 'unknown device' }];
            return [200, { ...net.counters(d), outbox: (net.outbox.get(net.keyOf(d)) || []).length, held: net.held.has(net.keyOf(d)) }];
        }
        case '/lose-receipts': {
            // {jid: device jid, on}: the server loses that device's receipts and acks while on
            const r = net.resolve(q.jid);
            const d = r && net.devices.get(`${r.account.number}:${r.deviceId || 0}`);
            if (!d) return [404, { error: 'unknown device' }];
            if (q.on !== false) net.deaf.add(net.keyOf(d)); else net.deaf.delete(net.keyOf(d));
            return [200, { losing: net.deaf.has(net.keyOf(d)) }];
        }
        case '/stanzas': {
            const jid = u.searchParams.get('jid') || q.jid;
            const since = Number(u.searchParams.get('since') || q.since || 0);
            const tag = u.searchParams.get('tag') || q.tag;
            return [200, { stanzas: recorder.list(jid).filter((s) => s.at > since && (!tag || s.tag === tag)) }];
        }
        default: return null;
        }
    };
    return sim;
}
