// The Socket.IO client of ./wagate bench messages: one socket.io-client@4 socket (WebSocket
// transport) on an instance namespace, sending with connd's `sendText` command, driven by JSON
// lines on stdin, answering JSON lines on stdout. Its CPU is not counted (like wrk's).
//   start            -> {"phase":"ready"} once the namespace is connected
//   {"op":"send","number":N,"n":N,"concurrency":C}
//                    -> emit("sendText", {number, text}, ack) N times, at most C without their
//                       ack; {"phase":"sent","n","errors","ms","first_error"} when every ack
//                       came (an ack is connd's answer, as the REST 201 is; the server acks are
//                       counted by the peer)
//   {"op":"exit"}    -> disconnects and exits
//   node sio-sender.mjs <base-url> <namespace> <apikey>
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const { io } = require('socket.io-client');
const [baseUrl, namespace, apikey] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const sock = io(baseUrl + namespace, { transports: ['websocket'], auth: { apikey },
    forceNew: true, reconnection: false });
sock.on('connect', () => say({ phase: 'ready' }));
sock.on('connect_error', (e) => say({ phase: 'closed', error: e.message }));
sock.on('disconnect', (reason) => say({ phase: 'closed', error: reason }));

function send(number, n, concurrency) {
    const t0 = process.hrtime.bigint();
    let next = 0, done = 0, errors = 0, firstError = null;
    const one = () => {
        const i = next++;
        sock.timeout(60000).emit('sendText', { number, text: `bench message ${i}` }, (err, ack) => {
            if (err || !ack || ack.ok !== true) {
                errors++;
                firstError = firstError || (err ? String(err) : JSON.stringify(ack));
            }
            done++;
            if (next < n) one();
            else if (done === n)
                say({ phase: 'sent', n, errors, first_error: firstError,
                    ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        });
    };
    for (let k = 0; k < Math.min(concurrency, n); k++) one();
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const cmd = JSON.parse(line);
    if (cmd.op === 'send') send(cmd.number, cmd.n, cmd.concurrency);
    else if (cmd.op === 'exit') {
        sock.disconnect();
        setTimeout(() => process.exit(0), 50);
    }
});
