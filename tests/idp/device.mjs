#!/usr/bin/env node
// Completes an RFC 8628 device authorization as the end user:
//   node tests/idp/device.mjs <verification_uri_complete | verification_uri> [user_code]
// Opens the device page, enters the user code if needed, confirms, logs in and
// consents on oidc-provider's dev pages. Prints nothing on stdout.
//
// Env:
//   DEVICE_MODE=approve (default) | deny (press "Abort" on the confirm page)
//   BROWSER_LOGIN=<login>   account to log in as (default alice@example.com)
//   BROWSER_LOG=<file>      append one JSON line per run (codes redacted)
//   BROWSER_TIMEOUT_MS      per-request timeout (default 5000)

import {
  CookieJar, request, parseForms, fillForm, submitForm, describePage, redactUrl, appendLog, pathOf,
} from './lib.mjs';

const MODE = process.env.DEVICE_MODE || 'approve';
const LOGIN = process.env.BROWSER_LOGIN || 'alice@example.com';
const MAX_STEPS = 30;
const record = { tool: 'device', mode: MODE, steps: [] };

function finish(code, message) {
  record.exit = code;
  if (message) record.message = message;
  appendLog('BROWSER_LOG', record);
  if (code !== 0 && message) process.stderr.write(`device.mjs: ${message}\n`);
  process.exit(code);
}

const [uriArg, codeArg] = process.argv.slice(2);
if (!uriArg || !/^https?:\/\//i.test(uriArg)) {
  finish(2, 'usage: device.mjs <verification_uri_complete | verification_uri> [user_code]');
}
if (!['approve', 'deny'].includes(MODE)) finish(2, `unknown DEVICE_MODE=${MODE} (approve|deny)`);
setTimeout(() => finish(1, 'gave up after 20000 ms'), 20000).unref();

const start = new URL(uriArg);
const userCode = codeArg || start.searchParams.get('user_code');
record.uri = redactUrl(start.href);

async function main() {
  const jar = new CookieJar();
  let page = await request(jar, start.href);
  let confirmed = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    record.steps.push(`${page.status} ${pathOf(page.url)}`);

    if (page.status >= 300 && page.status < 400 && page.location) {
      page = await request(jar, page.location);
      continue;
    }
    // oidc-provider answers the aborted/failed cases with a re-rendered form (400)
    if (page.status !== 200 && !(confirmed && MODE === 'deny')) return finish(1, describePage(page));

    const forms = parseForms(page.body, page.url);
    const byId = (id) => forms.find((f) => f.id === id);
    const promptOf = (f) => f.inputs.find((i) => i.name === 'prompt')?.value;

    const input = byId('op.deviceInputForm');
    const confirm = byId('op.deviceConfirmForm');
    const login = forms.find((f) => promptOf(f) === 'login' || f.inputs.some((i) => i.type === 'password'));
    const consent = forms.find((f) => promptOf(f) === 'consent');

    if (confirmed && MODE === 'deny') {
      // after "Abort", the provider shows the code input form again
      record.result = input ? 'aborted' : 'unexpected page after abort';
      return input ? finish(0) : finish(1, describePage(page));
    }
    if (input) {
      if (/incorrect|interrupted|error processing/i.test(page.body)) {
        return finish(1, describePage(page));
      }
      if (!userCode) return finish(1, 'the device page asks for a user code: pass it as 2nd argument');
      record.steps.push('enter user_code');
      page = await submitForm(jar, input, fillForm(input, { user_code: userCode }));
      continue;
    }
    if (confirm) {
      confirmed = true;
      if (MODE === 'deny') {
        record.steps.push('abort');
        page = await submitForm(jar, confirm, fillForm(confirm, {}, { abort: 'yes' }));
      } else {
        record.steps.push('confirm');
        page = await submitForm(jar, confirm, fillForm(confirm));
      }
      continue;
    }
    if (login) {
      record.steps.push(`login as ${LOGIN}`);
      page = await submitForm(jar, login, fillForm(login, { login: LOGIN, 'type:password': 'x', 'type:text': LOGIN }));
      continue;
    }
    if (consent) {
      record.steps.push('consent');
      page = await submitForm(jar, consent, fillForm(consent));
      continue;
    }
    // auto-submitting page (verification_uri_complete renders a form_post of user_code)
    if (forms.length === 1 && forms[0].inputs.every((i) => i.type === 'hidden')) {
      page = await submitForm(jar, forms[0], fillForm(forms[0]));
      continue;
    }
    if (forms.length === 0 && /success/i.test(page.body)) {
      record.result = 'success';
      return finish(0);
    }
    return finish(1, `do not know what to do with ${describePage(page)}`);
  }
  return finish(1, `not done after ${MAX_STEPS} steps`);
}

main().catch((err) => finish(1, `${err.name}: ${err.cause?.code || err.cause?.message || err.message}`));
