#!/usr/bin/env node
// The token endpoint and API of bench/server.py, over HTTP/2 (Node's http2 module): answers
// every request after a fixed delay. HTTPS on 127.0.0.1, ALPN h2 and http/1.1 (Newman speaks
// HTTP/1.1). Counts what it accepted, for the connection figures:
//
//   connections  TCP connections accepted
//   sessions     of those, HTTP/2 sessions
//   requests     requests answered (h2_requests of them over HTTP/2)
//   max_open     most connections open at once
//
// A plain-HTTP control port (never counted) serves GET /stats and POST /reset.
//
//   node bench/h2server.js --delay 0.25 --cert server.pem --key server.key --ready ports.json

"use strict";
const fs = require("fs");
const http = require("http");
const http2 = require("http2");
const crypto = require("crypto");

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

const delayMs = Math.round(parseFloat(arg("delay", "0")) * 1000);
const stats = () => ({ connections: 0, sessions: 0, requests: 0, h2_requests: 0, max_open: 0 });
let STATS = stats();
let open = 0;

const server = http2.createSecureServer({
  cert: fs.readFileSync(arg("cert")),
  key: fs.readFileSync(arg("key")),
  allowHTTP1: true,
  settings: { maxConcurrentStreams: 1000 },
});
server.on("connection", (sock) => {
  STATS.connections++;
  open++;
  STATS.max_open = Math.max(STATS.max_open, open);
  sock.on("close", () => open--);
});
server.on("session", () => STATS.sessions++);
server.on("request", (req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    setTimeout(() => {
      STATS.requests++;
      if (req.httpVersionMajor === 2) STATS.h2_requests++;
      let status = 200;
      let body;
      if (req.method === "POST" && req.url.startsWith("/token")) {
        const tok = `bench-${crypto.randomBytes(12).toString("hex")}-${STATS.requests}`;
        body = JSON.stringify({ access_token: tok, token_type: "Bearer", expires_in: 3600 });
      } else if ((req.method === "GET" || req.method === "HEAD") && req.url.startsWith("/probe")) {
        body = '{"ok":true}';
      } else {
        status = 404;
        body = '{"error":"not_found"}';
      }
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(body);
    }, delayMs);
  });
});

const control = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/reset") STATS = stats();
  res.writeHead(200, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify(STATS));
});

server.listen(0, "127.0.0.1", () => {
  control.listen(0, "127.0.0.1", () => {
    const ports = { https: server.address().port, control: control.address().port };
    const ready = arg("ready");
    if (ready) {
      fs.writeFileSync(`${ready}.tmp`, JSON.stringify(ports));
      fs.renameSync(`${ready}.tmp`, ready);
    } else {
      console.log(JSON.stringify(ports));
    }
  });
});
