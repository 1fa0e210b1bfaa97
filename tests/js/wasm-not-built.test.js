// Without a wasm build (pkg/ missing), the first use must fail with code 'wasm-not-built' and name
// the fix. Runs a copy of js/ in a temporary directory that has no pkg/ beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

test('a missing pkg/ gives a wasm-not-built error naming npm run build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-no-pkg-'));
  try {
    cpSync(fileURLToPath(new URL('../../js/', import.meta.url)), join(dir, 'js'), { recursive: true });
    const script = `
      const { createRouteMatcher, normalizePath } = await import('./js/index.js');
      const out = {};
      for (const [key, fn] of [['create', () => createRouteMatcher(['/a'])], ['normalize', () => normalizePath('/%61')]]) {
        try { fn(); out[key] = 'no error'; } catch (e) { out[key] = { code: e.code, message: e.message }; }
      }
      out.empty = createRouteMatcher([])('/a');
      console.log(JSON.stringify(out));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' }));
    for (const key of ['create', 'normalize']) {
      assert.equal(out[key].code, 'wasm-not-built', key);
      assert.match(out[key].message, /npm run build/);
      assert.match(out[key].message, /pkg/);
    }
    assert.equal(out.empty, false, 'an empty matcher needs no wasm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
