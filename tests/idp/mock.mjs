// A second, independent OAuth server for conn's integration tests: oauth2-mock-server 7.2.1
// (npm), unchanged but for the one answer habit a test asks for.
//
//   node tests/idp/mock.mjs [entra-scopes]
//
// stdout protocol: exactly one line once listening: {"issuer":"http://127.0.0.1:PORT","port":PORT}
// Exits on stdin EOF (the test holds the pipe), SIGTERM and SIGINT.
//
// `entra-scopes`: the token answer's `scope` leaves out `offline_access`, as Microsoft Entra
// ID does: asked for "User.Read offline_access Files.Read.All", it answers
// "scope":"Files.Read.All openid User.Read profile email" ("offline_access ... is never
// returned as a scope"), https://learn.microsoft.com/en-us/answers/questions/806413/scope-offline-access-isnt-being-returned-in-the-to

import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
if (process.argv[2] === 'entra-scopes') {
  server.service.on('beforeResponse', (response) => {
    const scope = response.body.scope;
    if (typeof scope === 'string') {
      response.body.scope = scope.split(' ').filter((s) => s !== 'offline_access').join(' ');
    }
  });
}
await server.start(0, '127.0.0.1');
const { port } = server.address();
process.stdout.write(`${JSON.stringify({ issuer: `http://127.0.0.1:${port}`, port })}\n`);

const shutdown = async () => {
  await server.stop().catch(() => {});
  process.exit(0);
};
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.on('data', () => {});
process.stdin.resume();
