// node_client.js OPTIONS_JSON: a socket.io-client@4 peer driven by test_clients.py.
// Prints one JSON object per line on stdout for every connect / connect_error / disconnect /
// transport upgrade / event; reads commands from stdin, one JSON object per line:
//   {"id": N, "emit": "name", "args": [...]}   -> emits with an ack; prints {"type":"ack","id":N,"args":[...]}
//   {"exit": true}                              -> disconnects and exits
// OPTIONS_JSON: {url, transports?, auth?, query?, headers?}
"use strict";
const { io } = require("socket.io-client");
const readline = require("readline");

const opts = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const sock = io(opts.url, {
  transports: opts.transports || ["polling", "websocket"],
  auth: opts.auth,
  query: opts.query,
  extraHeaders: opts.headers,
  forceNew: true,
  reconnectionDelay: 200,
  reconnectionDelayMax: 1000,
});
sock.io.on("open", () => {
  const engine = sock.io.engine;
  out({ type: "open", transport: engine.transport.name });
  engine.once("upgrade", (t) => out({ type: "upgrade", transport: t.name }));
});
sock.on("connect", () => out({ type: "connect", transport: sock.io.engine.transport.name }));
sock.on("connect_error", (e) => out({ type: "connect_error", message: e.message, data: e.data }));
sock.on("disconnect", (reason) => out({ type: "disconnect", reason }));
sock.onAny((event, ...args) => out({ type: "event", event, args }));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = JSON.parse(line);
  if (cmd.exit) {
    sock.disconnect();
    setTimeout(() => process.exit(0), 50);
    return;
  }
  sock.timeout(3000).emit(cmd.emit, ...(cmd.args || []), (err, ...args) =>
    out({ type: "ack", id: cmd.id, error: err ? String(err) : null, args }));
});
