// Webhook receiver of the benchmark (Node http, keep-alive): counts POSTs and measures, per
// request, now - the envelope's date_time (the event's time). GET /stats -> {count, p50, p99,
// first, last}; POST /reset clears. Usage: node receiver.mjs PORT
import http from "node:http";

let lat = [], count = 0, first = 0, last = 0;
const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    const s = [...lat].sort((a, b) => a - b);
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : null);
    res.end(JSON.stringify({ count, p50: q(0.5), p99: q(0.99), first, last }));
    return;
  }
  if (req.url === "/reset") {
    lat = []; count = 0; first = last = 0;
    res.end("ok");
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const now = Date.now();
    try {
      const env = JSON.parse(Buffer.concat(chunks).toString());
      lat.push(now - Date.parse(env.date_time));
    } catch { /* not an envelope */ }
    count++;
    if (!first) first = now;
    last = now;
    res.setHeader("Content-Type", "application/json");
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("listening"));
