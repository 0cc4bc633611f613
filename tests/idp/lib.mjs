// Shared helpers for browser.mjs and device.mjs: a tiny "user agent" built on
// Node's global fetch with manual redirects, a cookie jar and regex HTML form
// parsing (good enough for oidc-provider's dev interaction pages).

import * as fs from 'node:fs';

export const REQUEST_TIMEOUT_MS = Number(process.env.BROWSER_TIMEOUT_MS) || 5000;

// Cookies are matched by host (not port) and path, as browsers do.
export class CookieJar {
  #cookies = new Map(); // key host|path|name -> { host, path, name, value, expires }

  store(url, response) {
    const headers = typeof response.headers.getSetCookie === 'function'
      ? response.headers.getSetCookie() : [];
    for (const line of headers) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expires = Infinity;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'path' && v.trim().startsWith('/')) path = v.trim();
        else if (key === 'max-age') expires = Date.now() + Number(v.trim()) * 1000;
        else if (key === 'expires' && expires === Infinity) {
          const t = Date.parse(v.trim());
          if (!Number.isNaN(t)) expires = t;
        }
      }
      const id = `${url.hostname}|${path}|${name}`;
      if (expires <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { host: url.hostname, path, name, value, expires });
    }
  }

  header(url) {
    const now = Date.now();
    const out = [];
    for (const c of this.#cookies.values()) {
      if (c.expires <= now || c.host !== url.hostname) continue;
      if (!(url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))) continue;
      out.push(`${c.name}=${c.value}`);
    }
    return out.join('; ');
  }
}

// One request, no redirect following. Returns { status, location, body, url }.
export async function request(jar, url, { method = 'GET', form } = {}) {
  const u = new URL(url);
  const headers = { 'user-agent': 'conn-test-browser/1.0', accept: 'text/html,*/*' };
  const cookie = jar ? jar.header(u) : '';
  if (cookie) headers.cookie = cookie;
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(u, {
    method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (jar) jar.store(u, res);
  const text = await res.text();
  const loc = res.headers.get('location');
  return {
    status: res.status,
    location: loc ? new URL(loc, u).href : undefined,
    body: text,
    url: u.href,
  };
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => {
    if (ENTITIES[e] !== undefined) return ENTITIES[e];
    if (/^#x/i.test(e)) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (/^#\d/.test(e)) return String.fromCodePoint(Number(e.slice(1)));
    return m;
  });
}

export function parseAttrs(s) {
  const attrs = {};
  const re = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  let m;
  while ((m = re.exec(s))) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

// [{ id, action (absolute), method, inputs: [{name, type, value}] }]
export function parseForms(html, baseUrl) {
  const forms = [];
  const re = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const attrs = parseAttrs(m[1]);
    const inputs = [];
    const ire = /<input\b([^>]*)>/gi;
    let im;
    while ((im = ire.exec(m[2]))) {
      const a = parseAttrs(im[1]);
      if (a.name) inputs.push({ name: a.name, type: (a.type || 'text').toLowerCase(), value: a.value ?? '' });
    }
    forms.push({
      id: attrs.id,
      action: new URL(attrs.action || baseUrl, baseUrl).href,
      method: (attrs.method || 'get').toUpperCase(),
      inputs,
    });
  }
  return forms;
}

// [{ href (absolute), text }]
export function parseLinks(html, baseUrl) {
  const links = [];
  const re = /<a\b([^>]*)>([\s\S]*?)<\/a>/gi;
  let m;
  while ((m = re.exec(html))) {
    const { href } = parseAttrs(m[1]);
    if (href) links.push({ href: new URL(href, baseUrl).href, text: m[2].replace(/<[^>]*>/g, '').trim() });
  }
  return links;
}

// Fill a parsed form: hidden inputs keep their values, others from `values`
// (by name, then by type), then `extra` is merged in.
export function fillForm(form, values = {}, extra = {}) {
  const out = {};
  for (const input of form.inputs) {
    if (['submit', 'button', 'image', 'reset', 'file'].includes(input.type)) continue;
    if (input.type === 'hidden') out[input.name] = input.value;
    else if (values[input.name] !== undefined) out[input.name] = values[input.name];
    else if (values[`type:${input.type}`] !== undefined) out[input.name] = values[`type:${input.type}`];
    else out[input.name] = input.value;
  }
  return { ...out, ...extra };
}

export async function submitForm(jar, form, fields) {
  if (form.method === 'POST') return request(jar, form.action, { method: 'POST', form: fields });
  const u = new URL(form.action);
  for (const [k, v] of Object.entries(fields)) u.searchParams.set(k, v);
  return request(jar, u.href);
}

// A short human-readable description of an oidc-provider error page.
export function describePage(page) {
  const text = page.body
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<details>[\s\S]*?<\/details>/gi, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `HTTP ${page.status} at ${redactUrl(page.url)}: ${decodeEntities(text).slice(0, 300)}`;
}

// Never leak codes or tokens into logs.
export function redactUrl(url) {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) {
      if (/code|token|state|nonce|secret|verifier|challenge|xsrf/i.test(k) && k !== 'response_type'
        && k !== 'code_challenge_method') {
        u.searchParams.set(k, 'REDACTED');
      }
    }
    return u.href;
  } catch {
    return '(unparseable url)';
  }
}

export function appendLog(envVar, record) {
  const file = process.env[envVar];
  if (!file) return;
  try {
    fs.appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  } catch { /* logging is best effort */ }
}

export function pathOf(url) {
  try { return new URL(url).pathname; } catch { return '?'; }
}
