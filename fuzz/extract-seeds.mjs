// Regenerates fuzz/seeds/ from the shared test vectors in tests/data/.
// Usage (from the repository root): node fuzz/extract-seeds.mjs
// Writes:
//   fuzz/seeds/keys/rsa2048.pem        the PEM key token_parser verifies with (KeySet::from_pem)
//   fuzz/seeds/keys/jwks-clerk.json    the JWKS token_parser verifies Clerk-profile tokens with
//   fuzz/seeds/keys/jwks-oidc.json     the JWKS token_parser verifies OIDC-profile tokens with
//   fuzz/seeds/keys/signed-tokens.txt  every token of the vectors, one a line: the only inputs
//                                      token_parser allows `verify` to accept
//   fuzz/seeds/keys/now.txt            the vectors' `now` (ms)
//   fuzz/seeds/token_parser/*          a few dozen tokens, several per expected outcome, raw and
//                                      in the target's structured form
//   fuzz/seeds/jwks_parser/*           every JWKS document and every single key as a JWKS
//   fuzz/seeds/route_matcher/*         "pattern lines \n path" inputs from the route and jsregex vectors
// Files named crash-* in the seed directories are kept (they are findings, not generated).
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seeds = join(root, 'fuzz', 'seeds');
const read = (name) => JSON.parse(readFileSync(join(root, 'tests', 'data', name), 'utf8'));

function resetDir(name) {
  const dir = join(seeds, name);
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    if (!file.startsWith('crash-')) rmSync(join(dir, file));
  }
  return dir;
}
const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
const short = (text) => createHash('sha1').update(text).digest('hex').slice(0, 8);

// Keys and the signed-token allow-list.
const tokens = read('token-vectors.json');
const keysDir = join(seeds, 'keys');
mkdirSync(keysDir, { recursive: true });
writeFileSync(join(keysDir, 'rsa2048.pem'), tokens.keys.rsa2048.spkiPem);
writeFileSync(join(keysDir, 'jwks-clerk.json'), JSON.stringify(tokens.jwks.clerk));
writeFileSync(join(keysDir, 'jwks-oidc.json'), JSON.stringify(tokens.jwks.oidc));
writeFileSync(join(keysDir, 'now.txt'), `${tokens.now}\n`);
const all = [...new Set(tokens.cases.map((c) => c.token).filter((t) => !t.includes('\n')))];
writeFileSync(join(keysDir, 'signed-tokens.txt'), `${all.join('\n')}\n`);

// token_parser: up to 5 cases per expected outcome (ok or reason), under 16 KiB + 1.
{
  const dir = resetDir('token_parser');
  const perOutcome = new Map();
  let n = 0;
  for (const c of tokens.cases) {
    const outcome = c.expected.ok ? 'ok' : c.expected.reason;
    const count = perOutcome.get(outcome) ?? 0;
    if (count >= 5) continue;
    perOutcome.set(outcome, count + 1);
    writeFileSync(join(dir, `${outcome}-${slug(c.name)}`), c.token);
    n++;
  }
  // Structured form (see fuzz_targets/token_parser.rs): header JSON \n payload JSON \n 0xFF signature.
  const decode = (part) => Buffer.from(part, 'base64url');
  perOutcome.clear();
  for (const c of tokens.cases) {
    const outcome = c.expected.ok ? 'ok' : c.expected.reason;
    const count = perOutcome.get(outcome) ?? 0;
    const parts = c.token.split('.');
    if (count >= 3 || parts.length !== 3) continue;
    const [header, payload, signature] = parts.map(decode);
    if (header[0] !== 0x7b || header.includes(0x0a) || payload.includes(0x0a)) continue;
    perOutcome.set(outcome, count + 1);
    const bytes = Buffer.concat([header, Buffer.from('\n'), payload, Buffer.from('\n\xff', 'latin1'), signature]);
    writeFileSync(join(dir, `structured-${outcome}-${slug(c.name)}`), bytes);
    n++;
  }
  console.log(`token_parser: ${n} seeds`);
}

// jwks_parser: each JWKS, and each key alone.
{
  const dir = resetDir('jwks_parser');
  let n = 0;
  for (const [name, doc] of Object.entries(tokens.jwks)) {
    writeFileSync(join(dir, `jwks-${name}.json`), JSON.stringify(doc, null, 1));
    n++;
  }
  for (const [name, key] of Object.entries(tokens.keys)) {
    writeFileSync(join(dir, `key-${name}.json`), JSON.stringify({ keys: [key.jwk] }));
    n++;
  }
  console.log(`jwks_parser: ${n} seeds`);
}

// route_matcher: lines before the last are patterns ("source\tflags" is also tried as a
// JavaScript regex), the last line is the path.
{
  const routes = read('route-vectors.json');
  const dir = resetDir('route_matcher');
  const write = (prefix, text) => writeFileSync(join(dir, `${prefix}-${short(text)}`), text);
  const line = (route) => (typeof route === 'string' ? route : `${route.regex}\t${route.flags}`);
  let n = 0;
  for (const c of routes.matcher) {
    if (!Array.isArray(c.routes) || c.routes.length === 0) continue;
    if (c.routes.some((r) => r === null || (typeof r !== 'string' && typeof r.regex !== 'string'))) continue;
    write('matcher', `${c.routes.map(line).join('\n')}\n${c.path}`);
    n++;
  }
  for (const c of routes.normalize) {
    write('normalize', `/(.*)\n${c.input}`);
    n++;
  }
  for (const c of routes.orgSync) {
    for (const p of c.options?.organizationPatterns ?? ['/orgs/:id']) {
      write('org', `${p}\n${c.path}`);
      n++;
    }
  }
  for (const c of routes.compileErrors) {
    write('compile-error', `${c.pattern}\n/foo/bar`);
    n++;
  }
  const regex = read('jsregex-vectors.json');
  // Every 8th jsregex case (about 200), with one of its test strings.
  regex.cases.forEach((c, i) => {
    if (i % 8 !== 0) return;
    const text = c.matches?.[i % (c.matches.length || 1)]?.[0] ?? '/';
    if (c.source.includes('\n') || text.includes('\n')) return;
    write('jsregex', `${c.source}\t${c.flags}\n${text}`);
    n++;
  });
  console.log(`route_matcher: ${n} seeds`);
}
