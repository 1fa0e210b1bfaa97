// The Worker's route rules (PORTCULLIS_ROUTES, js/worker/rules.js) judge a path exactly as
// createRouteMatcher does: every string-pattern row of the shared route vectors
// (tests/data/route-vectors.json) is run as a "public" list, and the path must come out public
// exactly when the vector says it matches. The handler hands the rules the normalised path
// (decoded once); a row that normalisation refuses is answered 400 before any rule is asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { MalformedURLError, normalizePath } from '../../js/index.js';
import { parseRoutes, ruleFor } from '../../js/worker/rules.js';

const vectors = JSON.parse(readFileSync(new URL('../data/route-vectors.json', import.meta.url), 'utf8'));
const rows = vectors.matcher.filter((row) => [row.routes].flat().length > 0 && [row.routes].flat().every((r) => typeof r === 'string' && r !== ''));

test('the vectors have string-pattern rows, encoded ones among them', () => {
  assert.ok(rows.length > 50);
  assert.ok(rows.some((row) => row.path.includes('%25')));
});

for (const row of rows) {
  test(`rules ${row.set}${row.id}: public ${JSON.stringify(row.routes)} ${row.path}`, () => {
    const problems = [];
    const routes = parseRoutes(JSON.stringify({ public: [row.routes].flat() }), problems);
    assert.deepEqual(problems, []);
    if (row.expected !== null && typeof row.expected === 'object') {
      assert.throws(() => normalizePath(row.path), MalformedURLError);
      return;
    }
    const kind = ruleFor(/** @type {any} */ (routes), normalizePath(row.path)).kind;
    assert.equal(kind, row.expected ? 'public' : 'protected');
  });
}
