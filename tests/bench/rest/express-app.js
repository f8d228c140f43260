// The peer of tests/bench/rest: a minimal Express 4 app answering
// GET /instance/connectionState/:instanceName the way Evolution API does (apikey header = global
// key or the instance's token, in-memory instance lookup, same JSON), so the benchmark compares
// wagate's stack with the smallest honest Node equivalent. Not a copy of Evolution (which adds
// cors, compression, body parsers, guards that hit Prisma): it is the lower bound of that design.
// env: PORT, AUTHENTICATION_API_KEY, INSTANCE_NAME, INSTANCE_TOKEN
"use strict";
const express = require("express");

const port = Number(process.env.PORT || 8080);
const globalKey = process.env.AUTHENTICATION_API_KEY || "";
const instances = new Map([
  [process.env.INSTANCE_NAME || "bench", { token: process.env.INSTANCE_TOKEN || "", state: "close" }],
]);

const app = express();
app.disable("x-powered-by");
app.disable("etag");

function unauthorized(res) {
  res.status(401).json({ status: 401, error: "Unauthorized", response: { message: "Unauthorized" } });
}

app.get("/instance/connectionState/:instanceName", (req, res) => {
  const name = req.params.instanceName;
  const key = req.get("apikey");
  if (!key) return unauthorized(res);
  const inst = instances.get(name);
  if (key !== globalKey && !(inst && inst.token === key)) return unauthorized(res);
  if (!inst) {
    return res.status(404).json({ status: 404, error: "Not Found",
      response: { message: [`The "${name}" instance does not exist`] } });
  }
  res.json({ instance: { instanceName: name, state: inst.state } });
});

app.use((req, res) => {
  res.status(404).json({ status: 404, error: "Not Found",
    response: { message: [`Cannot ${req.method} ${req.path}`] } });
});

const server = app.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening on ${port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
