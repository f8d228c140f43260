// The Evolution-style peer: what webhook.controller.ts does per event — build the envelope,
// then `await axios.create({baseURL}).post('', envelope)`, one event after the other. With
// D destinations it runs D such loops concurrently (D instances, each with its own webhook).
// Usage: node sender.mjs BASE_URL EVENTS DESTINATIONS [RATE_PER_S]
//   RATE_PER_S absent: every event is ready at start (drain); else events appear at that rate
//   (date_time = when the event appeared, as in Evolution).
// Prints {"events": n, "seconds": s}.
import axios from "axios";

const [base, nArg, dArg, rateArg] = process.argv.slice(2);
const n = Number(nArg), dests = Number(dArg), rate = rateArg ? Number(rateArg) : 0;
const t0 = Date.now();

function envelope(i, url) {
  return {
    event: "instance.create", instance: `node-${i}`,
    data: { instanceName: `node-${i}`, instanceId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` },
    destination: url, date_time: new Date(rate ? t0 + (i * 1000) / rate : t0).toISOString(),
    server_url: "http://localhost:8080", apikey: null,
  };
}

async function loop(d) {
  const url = `${base}/d${d}`;
  for (let i = d; i < n; i += dests) {
    if (rate) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const http = axios.create({ baseURL: url });
    await http.post("", envelope(i, url));
  }
}

await Promise.all(Array.from({ length: dests }, (_, d) => loop(d)));
console.log(JSON.stringify({ events: n, seconds: (Date.now() - t0) / 1000 }));
