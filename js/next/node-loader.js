/**
 * Loads the wasm core in Next.js's Node.js runtime (Next 16 `proxy.ts`, route handlers, Server
 * Components; Next 15 `runtime: 'nodejs'` middleware), synchronously, once: read the bytes, compile.
 *
 * Why: webpack's Node build cannot import `.wasm?module` (a build error), so Node reads the file —
 * and each way of running this code finds that file differently:
 * - Turbopack: `new URL('…wasm', import.meta.url)` makes it emit the file as a server asset and
 *   gives its `file:` URL, so it is traced and moves with `.next` (standalone output).
 * - webpack: the same expression becomes a public `/_next/static/media/…` URL, useless here; but a
 *   bare `import.meta.url` is this source file's `file:` URL at build time, so the file is read
 *   from the installed package (fine for `next start` where the app was built).
 * - not bundled (plain Node, `serverExternalPackages`): `import.meta.url` is this file's real URL.
 * If that file is gone (a build moved to another machine or directory), the package is looked up
 * again from the working directory's `node_modules` at run time.
 * @module
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as glue from '../../pkg/portcullis.js';

const WASM_FROM_HERE = '../../pkg/portcullis_bg.wasm';

/**
 * Where the wasm file may be, best first.
 * @returns {URL[]}
 */
function candidates() {
  /** @type {URL[]} */
  const urls = [];
  // Both tests are constants at build time (Next defines process.env.TURBOPACK; webpack evaluates
  // `typeof __webpack_require__`), so each bundler runs only its own branch.
  if (process.env.TURBOPACK) {
    urls.push(new URL('../../pkg/portcullis_bg.wasm', import.meta.url));
  } else if (typeof __webpack_require__ === 'function') {
    // Not `new URL('…', import.meta.url)`: webpack would turn that into a public asset URL.
    const buildTimeUrl = import.meta.url;
    urls.push(new URL(WASM_FROM_HERE, buildTimeUrl));
  } else {
    urls.push(new URL('../../pkg/portcullis_bg.wasm', import.meta.url));
  }
  try {
    const requireFromApp = createRequire(join(process.cwd(), 'package.json'));
    // Written so that no bundler recognises a `require.resolve('…')` call: this lookup must happen
    // when the server runs, against its node_modules, not when the app is built.
    const entry = [requireFromApp.resolve][0]('portcullis/next'.toString());
    urls.push(new URL(WASM_FROM_HERE, pathToFileURL(entry)));
  } catch {
    // Not installed where the server runs: the first candidate's error is reported.
  }
  return urls;
}

/** @type {import('../bindings.js').Bindings | null} */
let loaded = null;

/**
 * Initialises the core on the first call and returns its bindings.
 * @returns {import('../bindings.js').Bindings}
 */
export function loadFromFile() {
  if (loaded !== null) return loaded;
  const urls = candidates();
  /** @type {unknown} */
  let firstError = null;
  for (const url of urls) {
    let bytes;
    try {
      bytes = readFileSync(url);
    } catch (error) {
      firstError ??= error;
      continue;
    }
    glue.initSync({ module: new WebAssembly.Module(/** @type {BufferSource} */ (/** @type {unknown} */ (bytes))) });
    loaded = /** @type {any} */ (glue);
    return /** @type {any} */ (glue);
  }
  throw Object.assign(
    new Error(
      'portcullis/next: cannot read the wasm core (tried ' +
        urls.map((url) => fileURLToPath(url)).join(', ') +
        "). Build the package (`npm run build` in portcullis) and, if the server runs from another directory than the build, keep `node_modules/portcullis/pkg/portcullis_bg.wasm` next to it (e.g. `outputFileTracingIncludes: { '/*': ['./node_modules/portcullis/pkg/portcullis_bg.wasm'] }`).",
      { cause: firstError },
    ),
    { code: 'wasm-not-built' },
  );
}
