#!/usr/bin/env node
// Scripted "browser" for conn's tests, launched by the CLI as $BROWSER:
//   node tests/idp/browser.mjs [ignored args...] <authorization_url>
// Walks oidc-provider's dev login/consent pages and delivers the redirect to
// the loopback redirect_uri. Prints nothing on stdout; errors go to stderr.
//
// Env:
//   BROWSER_MODE=approve (default) | deny (cancel at the first interaction page,
//                 i.e. login) | deny-consent (log in, then cancel at consent)
//   BROWSER_FORGE_FIRST=1   first send redirect_uri?code=forged&state=wrong-state
//   BROWSER_LOGIN=<login>   account to log in as (default alice@example.com)
//   BROWSER_LOG=<file>      append one JSON line per run (codes/tokens redacted)
//   BROWSER_DETACH=1        return at once, do the work in a detached child
//   BROWSER_TIMEOUT_MS      per-request timeout (default 5000)
//   BROWSER_CALLBACK_TIMEOUT_MS  wait for the callback's response (default 3000);
//                 a callback that was sent but not answered by then counts as delivered

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import {
  CookieJar, request, parseForms, parseLinks, fillForm, submitForm, describePage,
  redactUrl, appendLog, pathOf,
} from './lib.mjs';

const MODE = process.env.BROWSER_MODE || 'approve';
const LOGIN = process.env.BROWSER_LOGIN || 'alice@example.com';
const CALLBACK_TIMEOUT_MS = Number(process.env.BROWSER_CALLBACK_TIMEOUT_MS) || 3000;
const DEADLINE_MS = 20000;
const MAX_STEPS = 30;

const record = { tool: 'browser', mode: MODE, steps: [] };

function finish(code, message) {
  record.exit = code;
  if (message) record.message = message;
  appendLog('BROWSER_LOG', record);
  if (code !== 0 && message) process.stderr.write(`browser.mjs: ${message}\n`);
  process.exit(code);
}

const authArg = process.argv[process.argv.length - 1];
if (process.argv.length < 3 || !/^https?:\/\//i.test(authArg || '')) {
  finish(2, 'usage: browser.mjs <authorization_url> (the URL must be the last argument)');
}
if (!['approve', 'deny', 'deny-consent'].includes(MODE)) {
  finish(2, `unknown BROWSER_MODE=${MODE} (approve|deny|deny-consent)`);
}

if (process.env.BROWSER_DETACH === '1') {
  const env = { ...process.env };
  delete env.BROWSER_DETACH;
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), authArg], {
    detached: true, stdio: 'ignore', env,
  });
  child.unref();
  process.exit(0);
}

setTimeout(() => finish(1, `gave up after ${DEADLINE_MS} ms`), DEADLINE_MS).unref();

const authUrl = new URL(authArg);
record.authorization = redactUrl(authUrl.href);
const redirectUri = authUrl.searchParams.get('redirect_uri');

const stripQuery = (url) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};
const isCallback = (url) => {
  try {
    if (redirectUri) return stripQuery(url) === stripQuery(redirectUri);
    return new URL(url).origin !== authUrl.origin;
  } catch {
    return false;
  }
};

// Deliver the final redirect (or form_post) to the CLI's loopback listener.
async function deliver(url, form) {
  const u = new URL(url);
  const params = form ? new URLSearchParams(form) : u.searchParams;
  record.callback = {
    url: redactUrl(u.href),
    method: form ? 'POST' : 'GET',
    params: [...params.keys()],
    error: params.get('error') || undefined,
    iss: params.has('iss'),
  };
  const headers = { 'user-agent': 'conn-test-browser/1.0', accept: 'text/html,*/*' };
  const init = { method: 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) };
  if (form) {
    init.method = 'POST';
    init.body = new URLSearchParams(form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  try {
    const res = await fetch(u, init);
    await res.text().catch(() => {});
    record.callback.status = res.status;
  } catch (err) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      // The request went out; the CLI may be waiting for us before answering.
      record.callback.status = 'sent, no response yet';
    } else {
      const cause = err.cause?.code || err.cause?.message || err.message;
      finish(1, `callback ${redactUrl(u.href)} failed: ${cause}`);
    }
  }
  if (MODE !== 'approve' && !params.get('error')) {
    finish(1, `mode ${MODE} but the callback carried no error`);
  }
  finish(0);
}

async function forgeFirst() {
  if (!redirectUri) {
    record.forged = 'skipped: no redirect_uri in authorization URL';
    return;
  }
  const u = new URL(redirectUri);
  u.searchParams.set('code', 'forged');
  u.searchParams.set('state', 'wrong-state');
  try {
    const res = await fetch(u, { redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
    await res.text().catch(() => {});
    record.forged = res.status;
  } catch (err) {
    record.forged = `error: ${err.cause?.code || err.name}`;
  }
}

async function main() {
  if (process.env.BROWSER_FORGE_FIRST === '1') await forgeFirst();

  const jar = new CookieJar();
  let page = await request(jar, authUrl.href);
  let denied = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    record.steps.push(`${page.status} ${pathOf(page.url)}`);

    if (page.status >= 300 && page.status < 400 && page.location) {
      if (isCallback(page.location)) return deliver(page.location);
      page = await request(jar, page.location);
      continue;
    }
    if (page.status !== 200) return finish(1, describePage(page));

    const forms = parseForms(page.body, page.url);

    const cb = forms.find((f) => f.method === 'POST' && isCallback(f.action));
    if (cb) return deliver(cb.action, fillForm(cb)); // response_mode=form_post

    const promptOf = (f) => f.inputs.find((i) => i.name === 'prompt')?.value;
    const login = forms.find((f) => promptOf(f) === 'login' || f.inputs.some((i) => i.type === 'password'));
    const consent = forms.find((f) => promptOf(f) === 'consent');

    if (!denied && ((MODE === 'deny' && (login || consent)) || (MODE === 'deny-consent' && consent))) {
      const abort = parseLinks(page.body, page.url).find((l) => /\/abort$/.test(new URL(l.href).pathname));
      if (!abort) return finish(1, `no abort link on ${describePage(page)}`);
      denied = true;
      record.steps.push(`abort ${pathOf(abort.href)}`);
      page = await request(jar, abort.href);
      continue;
    }

    if (login) {
      record.steps.push(`login as ${LOGIN}`);
      page = await submitForm(jar, login, fillForm(login, { login: LOGIN, 'type:password': 'x', 'type:text': LOGIN, 'type:email': LOGIN }));
      continue;
    }
    if (consent) {
      record.steps.push('consent');
      page = await submitForm(jar, consent, fillForm(consent));
      continue;
    }
    // an auto-submitting page made of hidden inputs only
    if (forms.length === 1 && forms[0].inputs.every((i) => i.type === 'hidden')) {
      page = await submitForm(jar, forms[0], fillForm(forms[0]));
      continue;
    }
    return finish(1, `do not know what to do with ${describePage(page)}`);
  }
  return finish(1, `no callback after ${MAX_STEPS} steps`);
}

main().catch((err) => finish(1, `${err.name}: ${err.cause?.code || err.cause?.message || err.message}`));
