// A broadcast server on Node's `ws` package that follows pushbench's workload and wire contracts
// far enough for a broadcast: GET /ws?rate=R&size=S&topic=T... subscribes to one topic; the
// topic's publisher sends event n at start + n * floor(1e9 / R) ns as
// {"seq":n,"ts":<intended ns>,"st":<actual ns>,"p":"xx..."} padded to S bytes, encoded once and
// sent to every subscriber. Usage: node node_ws_server.js PORT_FILE  (listens on 127.0.0.1:0).
"use strict";
const fs = require("fs");
const http = require("http");
const { WebSocketServer } = require("ws");

const portFile = process.argv[2];
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
let topic = null;  // {rate, size, seq, start, timer, clients}

const hr0 = process.hrtime.bigint();
const wall0 = BigInt(Date.now()) * 1000000n;
function realtimeNs() { return wall0 + (process.hrtime.bigint() - hr0); }

function publish() {
  const period = BigInt(Math.floor(1e9 / topic.rate));
  const now = realtimeNs();
  for (let batch = 0; batch < 256; ++batch) {
    const due = topic.start + BigInt(topic.seq) * period;
    if (due > now) break;
    let body = '{"seq":' + topic.seq + ',"ts":' + due + ',"st":' + realtimeNs() + ',"p":"';
    const pad = Math.max(0, topic.size - body.length - 2);
    body += "x".repeat(pad) + '"}';
    for (const c of topic.clients) if (c.readyState === 1) c.send(body);
    topic.seq++;
  }
  const next = topic.start + BigInt(topic.seq) * period;
  const waitMs = Number(next - realtimeNs()) / 1e6;
  topic.timer = setTimeout(publish, Math.max(0, waitMs));
}

server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname !== "/ws") { socket.destroy(); return; }
  const rate = Number(url.searchParams.get("rate") || 100);
  const size = Number(url.searchParams.get("size") || 256);
  if (!(rate > 0 && rate <= 1e6) || !(size >= 0 && size <= 1 << 20)) {
    socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!topic) {
      topic = { rate, size, seq: 0, start: realtimeNs(), timer: null, clients: new Set() };
      setImmediate(publish);
    }
    topic.clients.add(ws);
    ws.on("close", () => topic && topic.clients.delete(ws));
    ws.on("error", () => {});
  });
});

server.listen(0, "127.0.0.1", () => {
  const tmp = portFile + ".tmp";
  fs.writeFileSync(tmp, String(server.address().port));
  fs.renameSync(tmp, portFile);
});
process.on("SIGTERM", () => process.exit(0));
