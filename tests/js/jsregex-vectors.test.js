// tests/data/jsregex-vectors.json holds V8's answers for random non-Unicode regexes; the Rust engine
// is checked against it (tests/jsregex_vectors.rs). This re-derives every answer from this Node's
// RegExp, so the shared data can never drift from the real engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const data = JSON.parse(readFileSync(new URL('../data/jsregex-vectors.json', import.meta.url), 'utf8'));

test('every stored answer is what V8 answers today', () => {
  let checked = 0;
  for (const c of data.cases) {
    let re;
    try {
      re = new RegExp(c.source, c.flags);
    } catch {
      assert.equal(c.error, true, `/${c.source}/${c.flags} throws in V8 but is stored as valid`);
      continue;
    }
    assert.notEqual(c.error, true, `/${c.source}/${c.flags} compiles in V8 but is stored as an error`);
    for (const [input, expected] of c.matches) {
      assert.equal(re.test(input), expected, `/${c.source}/${c.flags} on ${JSON.stringify(input)}`);
      checked++;
    }
  }
  assert.ok(checked > 5000, `only ${checked} inputs`);
});
