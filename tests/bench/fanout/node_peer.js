// node_peer.js PORT: the peer of tests/bench/fanout — a socket.io 4.8 server with the same two
// namespaces the bench uses on connd: /bench (the clients) and /wagate-test, whose 'publish'
// {instance, event, data, count} broadcasts count Evolution envelopes, built like connd's, to /bench.
"use strict";
const { Server } = require("socket.io");
const port = Number(process.argv[2]);
const io = new Server(port, { serveClient: false });
const bench = io.of("/bench");
io.of("/wagate-test").on("connection", (socket) => {
  socket.on("publish", (req, ack) => {
    const n = Math.max(1, Math.min(req.count || 1, 100000));
    for (let i = 0; i < n; i++) {
      bench.emit(req.event, {
        event: req.event, instance: req.instance, data: req.data, server_url: null,
        date_time: new Date().toISOString(), sender: null, apikey: "BENCH-TOKEN",
      });
    }
    if (ack) ack({ ok: true, published: n });
  });
});
console.log("ready " + port);
