// Test OpenID Provider for conn's integration tests (oidc-provider 8.8.1).
//
//   node tests/idp/server.mjs [CONFIG_JSON_FILE]
//
// stdout protocol: exactly one line once listening, then nothing else:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
// Exits on stdin EOF (the test holds the pipe), SIGTERM, SIGINT and SIGHUP.
// Logs go to stderr only when IDP_DEBUG=1.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as querystring from 'node:querystring';

const DEBUG = process.env.IDP_DEBUG === '1';

// ---------------------------------------------------------------------------
// stdout belongs to the line protocol. oidc-provider prints NOTICEs with
// console.info (stdout) and WARNINGs with console.warn: send every console
// method to stderr, and only when IDP_DEBUG=1.
const realStdoutWrite = process.stdout.write.bind(process.stdout);
const toStderr = (...args) => {
  if (DEBUG) process.stderr.write(`${args.map(String).join(' ')}\n`);
};
for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[m] = toStderr;
const debug = (...args) => toStderr('[idp]', ...args);
const fatal = (msg) => {
  process.stderr.write(`idp: ${msg}\n`);
  process.exit(1);
};

// ---------------------------------------------------------------------------
// Configuration

let config = {};
if (process.argv[2]) {
  try {
    config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  } catch (err) {
    fatal(`cannot read config ${process.argv[2]}: ${err.message}`);
  }
}

const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';
const USER_GRANTS = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];

const DEFAULT_CLIENTS = [
  {
    client_id: 'cc-basic',
    client_secret: 'cc-basic-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'api.read api.write',
  },
  {
    client_id: 'cc-post',
    client_secret: 'cc-post-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
    scope: 'api.read',
  },
  {
    // secret needs form-encoding in HTTP Basic (RFC 6749 §2.3.1)
    client_id: 'cc-special',
    client_secret: 's3cr+t/with:odd~chars%',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'api.read',
  },
  {
    client_id: 'native-app',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: [LOOPBACK_REDIRECT],
    grant_types: USER_GRANTS,
    response_types: ['code'],
    scope: 'openid offline_access api.read profile email',
  },
  {
    client_id: 'web-app',
    client_secret: 'web-app-secret',
    application_type: 'web',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [LOOPBACK_REDIRECT],
    grant_types: USER_GRANTS,
    response_types: ['code'],
    scope: 'openid offline_access api.read profile email',
  },
];

const clients = [...(Array.isArray(config.clients) ? config.clients : DEFAULT_CLIENTS),
  ...(Array.isArray(config.extraClients) ? config.extraClients : [])];

// A private_key_jwt client's keys may be given as PEM public keys (`public_keys_pem`, each a
// PEM string or { pem, kid }): they become the client's `jwks` here, so a test need not write
// JWKs itself.
for (const c of clients) {
  if (Array.isArray(c.public_keys_pem)) {
    c.jwks = {
      keys: c.public_keys_pem.map((k) => {
        const { pem, kid } = typeof k === 'string' ? { pem: k } : k;
        return { ...crypto.createPublicKey(pem).export({ format: 'jwk' }), ...(kid ? { kid } : {}) };
      }),
    };
    delete c.public_keys_pem;
  }
}

const num = (v, d) => (Number.isFinite(v) && v > 0 ? v : d);
const accessTokenTTL = num(config.accessTokenTTL, 3600);
const refreshTokenTTL = num(config.refreshTokenTTL, 14 * 24 * 3600);
const idTokenTTL = num(config.idTokenTTL, 3600);
const rotateRefreshToken = config.rotateRefreshToken !== false;
const strictClientAuth = config.strictClientAuthMethod !== false;
const strictScope = config.strictScope !== false;
const deviceInterval = config.deviceInterval === undefined ? 1 : config.deviceInterval;

// Every scope a client may hold must be a "known" scope for oidc-provider,
// otherwise it is neither validated nor granted.
const scopes = new Set(Array.isArray(config.scopes) ? config.scopes
  : ['openid', 'offline_access', 'api.read', 'api.write']);
for (const c of clients) for (const s of (c.scope || '').split(' ')) if (s) scopes.add(s);

const clientById = new Map(clients.map((c) => [c.client_id, c]));

// ---------------------------------------------------------------------------
// Request counter + wrapper server (mounted in front of the provider)

let counts = Object.create(null);
let total = 0;
let provider;
let providerCallback;

const sendJson = (res, status, body, headers = {}) => {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(data);
};

const readBody = (req) => new Promise((resolve, reject) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 64 * 1024) {
      reject(new Error('body too large'));
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => resolve(Buffer.concat(chunks)));
  req.on('error', reject);
});

// RFC 6749 §2.3.1 / appendix B decoding, same as oidc-provider's
const formDecode = (s) => decodeURIComponent(s.replace(/\+/g, '%20'));

// Endpoints where the client authenticates.
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/device/auth']);

// Returns null to pass the (re-encoded) request on, or [status, body] to reject.
function preprocessClientRequest(req, pathname, params) {
  let basicId;
  const authz = req.headers.authorization;
  if (authz && /^basic /i.test(authz)) {
    const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i !== -1) {
      try { basicId = formDecode(decoded.slice(0, i)); } catch { /* provider rejects it */ }
    }
  }
  const clientId = basicId ?? (typeof params.client_id === 'string' ? params.client_id : undefined);
  const client = clientId !== undefined ? clientById.get(clientId) : undefined;
  if (!client) return null;

  // oidc-provider 8.x treats client_secret_basic and client_secret_post as
  // interchangeable. A test IdP should catch a CLI using the wrong one.
  const registered = client.token_endpoint_auth_method || 'client_secret_basic';
  if (strictClientAuth && (registered === 'client_secret_basic' || registered === 'client_secret_post')) {
    let used;
    if (basicId !== undefined) used = 'client_secret_basic';
    else if (params.client_secret !== undefined) used = 'client_secret_post';
    if (used && used !== registered) {
      debug(`strict client auth: ${clientId} registered ${registered}, used ${used}`);
      return [401, {
        error: 'invalid_client',
        error_description: `client authentication failed (client is registered for ${registered}, request used ${used})`,
      }];
    }
  }

  if (pathname === '/token' && params.grant_type === 'client_credentials' && client.scope !== undefined) {
    const allowed = new Set(client.scope.split(' ').filter(Boolean));
    if (params.scope === undefined || params.scope === '') {
      // no scope requested: grant the client's registered scope (RFC 6749 §3.3
      // "pre-defined default"), so the response always carries `scope`.
      params.scope = [...allowed].join(' ');
    } else if (strictScope && typeof params.scope === 'string') {
      // oidc-provider only validates scopes it knows; reject unknown ones too.
      const bad = params.scope.split(' ').filter((s) => s && !allowed.has(s));
      if (bad.length) {
        return [400, { error: 'invalid_scope', error_description: 'requested scope is not allowed', scope: bad.join(' ') }];
      }
    }
  }
  return null;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const { pathname } = url;

  if (pathname === '/_stats' || pathname.startsWith('/_stats/')) {
    if (pathname === '/_stats' && req.method === 'GET') {
      sendJson(res, 200, { requests: counts, total });
    } else if (pathname === '/_stats/reset' && req.method === 'POST') {
      counts = Object.create(null);
      total = 0;
      sendJson(res, 200, { requests: counts, total });
    } else {
      sendJson(res, 404, { error: 'not_found' });
    }
    return;
  }

  counts[pathname] = (counts[pathname] || 0) + 1;
  total += 1;
  debug(req.method, req.url.replace(/(code|token|user_code)=[^&]*/g, '$1=…'));

  if (!providerCallback) {
    sendJson(res, 503, { error: 'temporarily_unavailable' });
    return;
  }

  if (req.method === 'POST' && CLIENT_AUTH_PATHS.has(pathname)
    && /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
    let raw;
    try {
      raw = await readBody(req);
    } catch {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'failed to read the request body' });
      return;
    }
    const params = querystring.parse(raw.toString('utf8'));
    const rejection = preprocessClientRequest(req, pathname, params);
    if (rejection) {
      const [status, body] = rejection;
      sendJson(res, status, body, status === 401 && req.headers.authorization
        ? { 'www-authenticate': `Basic realm="${provider.issuer}", error="invalid_client"` } : {});
      return;
    }
    // oidc-provider uses req.body when the stream was already consumed.
    const body = Buffer.from(querystring.stringify(params));
    req.body = body;
    req.headers['content-length'] = String(body.length);
  }

  providerCallback(req, res);
}

// ---------------------------------------------------------------------------
// Provider

async function buildProvider(issuer) {
  const { default: Provider } = await import('oidc-provider');

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

  const p = new Provider(issuer, {
    clients,
    scopes: [...scopes],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // put requested claims (email, name) into the ID token too
    conformIdTokenClaims: false,
    jwks: { keys: [jwk] },
    cookies: {
      keys: [crypto.randomBytes(32).toString('base64url')],
      // plain http on 127.0.0.1: never mark cookies Secure; `lax` so that a
      // real browser keeps them too (SameSite=None requires Secure).
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: false },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: false },
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      // RFC 9207 `iss` in authorization responses is always on in 8.x (there is
      // no features.issAuthResp flag any more).
    },
    pkce: {
      methods: ['S256'],
      required: (ctx, client) => client.clientAuthMethod === 'none',
    },
    // refresh tokens for every client allowed the refresh_token grant
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => rotateRefreshToken,
    ttl: {
      AccessToken: accessTokenTTL,
      ClientCredentials: accessTokenTTL,
      IdToken: idTokenTTL,
      RefreshToken: refreshTokenTTL,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: Math.max(refreshTokenTTL, 14 * 24 * 3600),
    },
    async findAccount(ctx, id) {
      const sub = String(id);
      const email = sub.includes('@') ? sub : `${sub}@example.com`;
      const name = email.split('@')[0].replace(/^./, (c) => c.toUpperCase());
      return {
        accountId: sub,
        async claims() {
          return { sub, email, email_verified: true, name };
        },
      };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!DOCTYPE html><html><head><title>oops! something went wrong</title></head><body>
<h1>oops! something went wrong</h1>
${Object.entries(out).map(([k, v]) => `<pre id="${esc(k)}"><strong>${esc(k)}</strong>: ${esc(v)}</pre>`).join('\n')}
</body></html>`;
    },
  });

  // RFC 8252 §7.3: any port on a loopback redirect URI. oidc-provider already
  // does this for application_type=native; extend it to web clients (web-app).
  const { redirectUriAllowed } = p.Client.prototype;
  p.Client.prototype.redirectUriAllowed = function loopbackAnyPort(value) {
    if (redirectUriAllowed.call(this, value)) return true;
    let parsed;
    try { parsed = new URL(value); } catch { return false; }
    if (parsed.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(parsed.hostname)) return false;
    parsed.port = '';
    return this.redirectUris.some((allowed) => {
      try {
        const r = new URL(allowed);
        r.port = '';
        return r.href === parsed.href;
      } catch { return false; }
    });
  };

  // oidc-provider drops offline_access unless the request has prompt=consent
  // (OIDC Core §11). CLIs rarely send it, so add it when prompt is absent.
  p.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      const { scope, prompt } = ctx.query;
      if (typeof scope === 'string' && scope.split(' ').includes('offline_access') && prompt === undefined) {
        ctx.query = { ...ctx.query, prompt: 'consent' };
      }
    }
    await next();
  });

  // RFC 8628 `interval` is not sent by oidc-provider (clients then default to 5 s).
  if (deviceInterval) {
    p.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && ctx.body.device_code) {
        ctx.body = { ...ctx.body, interval: deviceInterval };
      }
    });
  }

  if (DEBUG) {
    for (const ev of ['server_error', 'grant.error', 'authorization.error', 'introspection.error',
      'revocation.error', 'userinfo.error', 'end_session.error', 'grant.revoked']) {
      p.on(ev, (...args) => {
        const err = args.find((a) => a instanceof Error);
        debug(ev, err ? `${err.name}: ${err.message} ${err.error_description || ''} ${err.error_detail || ''}` : '');
      });
    }
  }
  return p;
}

// ---------------------------------------------------------------------------
// Lifecycle

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    debug('handler error', err && err.stack);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    else res.destroy();
  });
});
server.keepAliveTimeout = 2000;

let shuttingDown = false;
function shutdown(why) {
  if (shuttingDown) return;
  shuttingDown = true;
  debug(`shutting down (${why})`);
  server.close();
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 200).unref();
  process.exitCode = 0;
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => shutdown(sig));

// The test holds our stdin; its EOF (test process gone) ends us.
process.stdin.on('end', () => shutdown('stdin EOF'));
process.stdin.on('close', () => shutdown('stdin closed'));
process.stdin.on('error', () => shutdown('stdin error'));
process.stdin.on('data', () => {});
process.stdin.resume();

const port = Number.isInteger(config.port) ? config.port : 0;
server.on('error', (err) => fatal(`listen failed: ${err.message}`));
server.listen(port, '127.0.0.1', async () => {
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;
  try {
    provider = await buildProvider(issuer);
    providerCallback = provider.callback();
  } catch (err) {
    fatal(`provider setup failed: ${err && err.stack}`);
  }
  if (shuttingDown) return;
  realStdoutWrite(`${JSON.stringify({ issuer, port: actual })}\n`);
  // nothing else may reach stdout from here on
  process.stdout.write = () => true;
  debug(`listening on ${issuer}`);
});
