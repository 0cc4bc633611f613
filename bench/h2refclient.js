#!/usr/bin/env node
// The reference for "many profiles over HTTP/2": the same N token + probe pairs as
// `conn test --all`, all at once over one HTTP/2 session (Node's http2 client): the floor
// the server and machine allow. Exits non-zero if any answer is not 200.
//
//   node bench/h2refclient.js URL N CAFILE

"use strict";
const fs = require("fs");
const http2 = require("http2");

const [url, n, cafile] = process.argv.slice(2);
const session = http2.connect(url, { ca: fs.readFileSync(cafile) });
const basic = Buffer.from("bench-client:bench-secret").toString("base64");

function request(headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let status = 0;
    const chunks = [];
    req.on("response", (h) => (status = h[":status"]));
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve([status, Buffer.concat(chunks).toString()]));
    req.on("error", reject);
    req.end(body);
  });
}

async function pair() {
  const form = "grant_type=client_credentials&scope=bench.read";
  const [st, body] = await request(
    { ":method": "POST", ":path": "/token", authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded" }, form);
  const tok = JSON.parse(body).access_token;
  const [st2] = await request({ ":method": "GET", ":path": "/probe", authorization: `Bearer ${tok}` });
  return st === 200 && st2 === 200;
}

Promise.all(Array.from({ length: Number(n) }, pair)).then((oks) => {
  session.close();
  const failed = oks.filter((ok) => !ok).length;
  if (failed) {
    console.error(`${failed} failed`);
    process.exit(1);
  }
});
