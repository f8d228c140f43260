// groups: the groups the admin API creates ({id, subject, participants, admins,
// addressingMode}) and their metadata as <iq xmlns="w:g2"> answers: one group
// (<query request="interactive"/>) or all groups of the asking account
// (<participating>). Fan-out of group messages lives in router.mjs.
import { nowSeconds } from './network.mjs';

export class Groups {
    constructor(net) { this.net = net; this.groups = new Map(); }

    // participants: numbers or jids of known or new accounts; the first is the creator
    create({ id, subject, participants = [], admins = [], addressingMode = 'pn' }) {
        const gid = String(id).includes('@') ? String(id) : `${id}@g.us`;
        const numbers = participants.map((p) => String(p).split('@')[0].split(':')[0]);
        numbers.forEach((n) => this.net.account(n));
        const g = { id: gid, subject: subject || 'Sim group', numbers, admins: admins.map((p) => String(p).split('@')[0]),
            addressingMode, creation: nowSeconds() };
        this.groups.set(gid, g);
        return g;
    }
    get(gid) { return this.groups.get(gid); }
    members(g) { return g.numbers.map((n) => this.net.account(n)); }

    node(g) {
        const lid = g.addressingMode === 'lid';
        const creator = this.net.account(g.numbers[0] || '0');
        return { tag: 'group', attrs: { id: g.id.split('@')[0], subject: g.subject, creation: g.creation,
            creator: this.net.userJid(creator, lid), s_t: g.creation, s_o: this.net.userJid(creator, lid),
            size: String(g.numbers.length), addressing_mode: g.addressingMode },
        content: this.members(g).map((a, i) => ({ tag: 'participant', attrs: {
            jid: this.net.userJid(a, lid),
            ...(i === 0 ? { type: 'superadmin' } : g.admins.includes(a.number) ? { type: 'admin' } : {}),
            ...(lid ? { phone_number: this.net.userJid(a, false) } : { lid: this.net.userJid(a, true) }) } })) };
    }

    // the w:g2 get answer for an account, or null when not ours to answer
    answer(iq, account) {
        const kids = Array.isArray(iq.content) ? iq.content : [];
        if (iq.attrs.to === '@g.us' || kids.some((c) => c.tag === 'participating')) {
            const mine = [...this.groups.values()].filter((g) => account && g.numbers.includes(account.number));
            return { content: [{ tag: 'groups', attrs: {}, content: mine.map((g) => this.node(g)) }] };
        }
        const g = this.groups.get(iq.attrs.to);
        if (!g) return { error: { code: '404', text: 'item-not-found' } };
        if (account && !g.numbers.includes(account.number)) return { error: { code: '403', text: 'forbidden' } };
        return { content: [this.node(g)] };
    }
}
