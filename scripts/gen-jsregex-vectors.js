// Generates tests/data/jsregex-vectors.json: random JavaScript regular expressions (no `u` flag) with
// inputs, answered by this Node's own RegExp engine. The Rust engine must give the same answers
// (tests/jsregex_vectors.rs); tests/js/jsregex-vectors.test.js re-checks the file against V8 so the
// data can never drift from the real thing. Deterministic: `node scripts/gen-jsregex-vectors.js`.
import { writeFileSync } from 'node:fs';

let seed = 0x5eed1234;
const rand = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = list => list[Math.floor(rand() * list.length)];

// Characters chosen for the rules they exercise: ASCII case, non-ASCII case (é/É), characters that
// must NOT fold under the non-Unicode `i` flag (ſ, K, ı, İ, ß), Greek sigma forms, a surrogate pair.
const ALPHABET = ['a', 'A', 'b', 'B', 's', 'S', 'k', 'K', 'i', 'I', '1', '2', '_', '-', '/', '.', '%', ' ', '\n',
  'é', 'É', 'ſ', '\u212A', 'ı', 'İ', 'ß', 'σ', 'ς', 'Σ', '日', '💩', '\u00a0', '#', '?', '{', '}', ']'];
const ESCAPED = ['\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\.', '\\/', '\\-', '\\x41', '\\u00e9', '\\u00C9', '\\0',
  '\\12', '\\101', '\\8', '\\cA', '\\c', '\\k', '\\q', '\\{', '\\t', '\\n', '\\uD83D', '\\uDCA9', '\\xZ'];
const CLASSES = ['[a-z]', '[A-Z]', '[^/#?]', '[\\w-]', '[\\d-z]', '[é-ë]', '[^]', '[]', '[^a]', '[\\s\\S]',
  '[_\\-.]', '[\\u00e0-\\u00ff]', '[ſK]', '[^\\W]', '[σ]', '[\\cA-\\c_]', '[\\c1]', '[\\b]', '[💩]', '[^💩]', '[-a]'];

function atom(depth) {
  const r = rand();
  if (r < 0.35) return escapeLiteral(pick(ALPHABET));
  if (r < 0.5) return pick(ESCAPED);
  if (r < 0.62) return pick(CLASSES);
  if (r < 0.7) return '.';
  if (depth > 2) return escapeLiteral(pick(ALPHABET));
  const inner = alternation(depth + 1);
  return pick(['(', '(?:', '(?=', '(?!', '(?<=', '(?<!']) + inner + ')';
}

function escapeLiteral(c) {
  return /[\\^$.*+?()[\]{}|/]/.test(c) && rand() < 0.8 ? '\\' + c : c;
}

function quantified(depth) {
  const a = atom(depth);
  const r = rand();
  let q = '';
  if (r < 0.1) q = '*';
  else if (r < 0.2) q = '+';
  else if (r < 0.28) q = '?';
  else if (r < 0.33) q = pick(['{2}', '{1,3}', '{2,}', '{0,1}', '{3,2}', '{,2}']);
  if (q && rand() < 0.3) q += '?';
  return a + q;
}

function sequence(depth) {
  const n = 1 + Math.floor(rand() * 4);
  let out = rand() < 0.2 ? '^' : '';
  for (let i = 0; i < n; i++) out += rand() < 0.06 ? pick(['\\b', '\\B']) : quantified(depth);
  return out + (rand() < 0.2 ? '$' : '');
}

function alternation(depth) {
  let out = sequence(depth);
  while (rand() < 0.25) out += '|' + sequence(depth);
  return out;
}

function input(source) {
  // Half the inputs are built from the pattern's own characters so that many of them match.
  const pool = rand() < 0.5 ? [...source.replace(/[\\^$*+?()[\]{}|]/g, '')].concat(ALPHABET) : ALPHABET;
  const n = Math.floor(rand() * 10);
  let out = '';
  for (let i = 0; i < n; i++) out += pick(pool);
  return out;
}

const cases = [];
const seen = new Set();
while (cases.length < 1600) {
  const source = alternation(0);
  const flags = pick(['', '', 'i', 'i', 'm', 's', 'im', 'is']);
  if (seen.has(source + '/' + flags)) continue;
  seen.add(source + '/' + flags);
  let re;
  try {
    re = new RegExp(source, flags);
  } catch {
    cases.push({ source, flags, error: true });
    continue;
  }
  // Backreferences are refused by design; keep them out of the agreement data.
  if (/\\[1-9]/.test(source.replace(/\\\\/g, '')) && /\((?!\?)/.test(source)) continue;
  const inputs = new Set();
  while (inputs.size < 8) inputs.add(input(source));
  cases.push({ source, flags, matches: [...inputs].map(text => [text, re.test(text)]) });
}
const trues = cases.flatMap(c => c.matches ?? []).filter(([, m]) => m).length;
const total = cases.flatMap(c => c.matches ?? []).length;
writeFileSync(new URL('../tests/data/jsregex-vectors.json', import.meta.url),
  JSON.stringify({ generator: 'scripts/gen-jsregex-vectors.js', node: process.version, cases }, null, 0) + '\n');
console.log(`${cases.length} regexes, ${total} inputs (${trues} match), ${cases.filter(c => c.error).length} syntax errors`);
