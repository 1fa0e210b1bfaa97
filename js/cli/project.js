/**
 * Reads a project directory into what the doctor's checks take (js/doctor/index.js `Project`): the
 * environment in Next.js's precedence, the middleware file (and the files it imports), the Worker's
 * wrangler.toml, and the app's route handlers.
 *
 * Why a separate, Node-only module: the checks themselves must run anywhere (the Next edge runtime
 * runs part of them at start-up), so everything that touches the file system lives here and the
 * checks receive plain data. Parsing is left to the libraries the ecosystem uses: `dotenv`'s parser
 * (what Next.js's @next/env uses) for .env files, `smol-toml` for wrangler.toml, `@babel/parser`
 * (through js/doctor/source.js) for the middleware.
 *
 * Environment precedence, as `next dev` / `next build` load it: the process environment, then
 * `.env.<mode>.local`, `.env.local` (not when mode is test), `.env.<mode>`, `.env`, where mode is
 * NODE_ENV (production, test) or development. Variable expansion (`$OTHER`) is not applied.
 * @module
 */

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

import { parse as parseDotenv } from 'dotenv';
import { parse as parseToml } from 'smol-toml';

import { readMiddleware } from '../doctor/source.js';

const MIDDLEWARE_NAMES = ['middleware.ts', 'middleware.js', 'middleware.mjs', 'proxy.ts', 'proxy.js', 'proxy.mjs'];
const IMPORT_EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '.jsx', '/index.ts', '/index.js'];
const ROUTE_FILE = /^route\.(ts|js|mjs|tsx|jsx)$/;
const PAGES_API_FILE = /\.(ts|js|mjs|tsx|jsx)$/;
const MAX_ENTRIES = 5000;

/** @param {string} file */
function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** @param {string} path */
function isDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The environment, in Next.js's precedence, and where each variable came from.
 * @param {string} dir
 * @param {Record<string, string | undefined>} processEnv
 */
export function loadEnv(dir, processEnv) {
  const mode = processEnv.NODE_ENV === 'production' || processEnv.NODE_ENV === 'test' ? processEnv.NODE_ENV : 'development';
  const files = [`.env.${mode}.local`, ...(mode === 'test' ? [] : ['.env.local']), `.env.${mode}`, '.env'];
  /** @type {Record<string, string>} */
  const env = {};
  /** @type {Record<string, string>} */
  const sources = {};
  const read = [];
  for (const name of files.reverse()) {
    const text = readText(join(dir, name));
    if (text === null) continue;
    read.push(name);
    for (const [key, value] of Object.entries(parseDotenv(text))) {
      env[key] = value;
      sources[key] = name;
    }
  }
  for (const [key, value] of Object.entries(processEnv)) {
    if (value === undefined) continue;
    env[key] = value;
    sources[key] = 'the process environment';
  }
  return { env, sources, read: read.reverse() };
}

/**
 * Where Next.js looks for the middleware (next to app/ or pages/, i.e. the root or src/), and where
 * the file is.
 * @param {string} dir
 */
function findMiddleware(dir) {
  const rootApp = ['app', 'pages'].some((d) => isDir(join(dir, d)));
  const srcApp = ['app', 'pages'].some((d) => isDir(join(dir, 'src', d)));
  const expectedBase = !rootApp && srcApp ? 'src' : '';
  const find = (/** @type {string} */ base) => MIDDLEWARE_NAMES.map((n) => join(base, n)).find((rel) => existsSync(join(dir, rel))) ?? null;
  const expected = find(expectedBase);
  if (expected !== null) return { file: expected, misplaced: null };
  const other = find(expectedBase === 'src' ? '' : 'src');
  if (other === null) return { file: null, misplaced: null };
  const where = expectedBase === 'src' ? 'src/' : 'the project root';
  const why = expectedBase === 'src' ? 'the app lives in src/app (or src/pages)' : 'the app lives in app/ (or pages/) at the root';
  return { file: other, misplaced: { found: other, expected: `Next.js looks for it in ${where} because ${why}: ${join(expectedBase, other.split(sep).pop() ?? '')}` } };
}

/**
 * A loader for source.js: relative imports inside the project, with the usual extensions.
 * @param {string} dir
 */
function importLoader(dir) {
  return (/** @type {string} */ specifier, /** @type {string} */ fromFile) => {
    const base = resolve(dir, dirname(fromFile), specifier);
    for (const ext of IMPORT_EXTENSIONS) {
      const file = base + ext;
      if (!file.startsWith(resolve(dir) + sep)) return null;
      const source = existsSync(file) && !isDir(file) ? readText(file) : null;
      if (source !== null) return { file: relative(dir, file), source };
    }
    return null;
  };
}

/**
 * The Worker's variables: wrangler.toml [vars], then .dev.vars, then — for variables still unset —
 * the process environment (secrets set with `wrangler secret put` are not readable locally).
 * Only for a portcullis Worker (PORTCULLIS_ROUTES set, or `main` pointing at portcullis/worker).
 * @param {string} dir
 * @param {Record<string, string | undefined>} processEnv
 */
function loadWorker(dir, processEnv) {
  const text = readText(join(dir, 'wrangler.toml'));
  if (text === null) return { vars: null, read: [], error: null };
  /** @type {any} */
  let toml;
  try {
    toml = parseToml(text);
  } catch (error) {
    return { vars: null, read: ['wrangler.toml'], error: /** @type {Error} */ (error).message };
  }
  /** @type {Record<string, string>} */
  const vars = {};
  for (const [key, value] of Object.entries(toml.vars ?? {})) vars[key] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const read = ['wrangler.toml'];
  const devVars = readText(join(dir, '.dev.vars'));
  if (devVars !== null) {
    Object.assign(vars, parseDotenv(devVars));
    read.push('.dev.vars');
  }
  const isPortcullis = 'PORTCULLIS_ROUTES' in vars || /portcullis|js\/worker/.test(String(toml.main ?? ''));
  if (!isPortcullis) return { vars: null, read: [], error: null };
  for (const [name, value] of Object.entries(processEnv)) {
    if (vars[name] === undefined && value && /^(CLERK_|PORTCULLIS_|ORIGIN_URL$)/.test(name)) vars[name] = value;
  }
  return { vars, read, error: null };
}

/**
 * The URL paths of the app's route handlers (app/**\/route.ts, pages/api/**).
 * @param {string} dir
 */
function findRoutes(dir) {
  /** @type {string[]} */
  const paths = [];
  let budget = MAX_ENTRIES;
  /** @param {string} folder @param {string[]} segments @param {boolean} pagesApi */
  const walk = (folder, segments, pagesApi) => {
    /** @type {import('node:fs').Dirent[]} */
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (--budget < 0 || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) {
        if (entry.name.startsWith('_') || entry.name.startsWith('@')) continue;
        const segment = /^\(.*\)$/.test(entry.name) ? null : /^\[.*\]$/.test(entry.name) ? 'sample' : entry.name;
        walk(join(folder, entry.name), segment === null ? segments : [...segments, segment], pagesApi);
      } else if (pagesApi ? PAGES_API_FILE.test(entry.name) : ROUTE_FILE.test(entry.name)) {
        const name = entry.name.replace(PAGES_API_FILE, '');
        const last = pagesApi && name !== 'index' ? [/^\[.*\]$/.test(name) ? 'sample' : name] : [];
        paths.push(`/${[...segments, ...last].join('/')}`);
      }
    }
  };
  for (const base of ['', 'src']) {
    walk(join(dir, base, 'app'), [], false);
    walk(join(dir, base, 'pages', 'api'), ['api'], true);
  }
  return paths;
}

/**
 * Everything the doctor reads from a project directory.
 * @param {string} dir
 * @param {{processEnv?: Record<string, string | undefined>}} [options]
 * @returns {import('../doctor/index.js').Project & {read: string[], notes: string[]}}
 */
export function loadProject(dir, { processEnv = process.env } = {}) {
  const { env, sources, read } = loadEnv(dir, processEnv);
  /** @type {string[]} */
  const notes = [];
  const { file, misplaced } = findMiddleware(dir);
  let middleware = null;
  if (file !== null) {
    const source = readText(join(dir, file)) ?? '';
    middleware = readMiddleware(file, source, { env, load: importLoader(dir) });
    read.push(file);
  }
  const worker = loadWorker(dir, processEnv);
  read.push(...worker.read);
  if (worker.error !== null) notes.push(`wrangler.toml does not parse (${worker.error}); the Worker was not checked`);
  const pkg = (() => {
    try {
      return JSON.parse(readText(join(dir, 'package.json')) ?? '{}');
    } catch {
      return {};
    }
  })();
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const routes = findRoutes(dir);
  const hasAppDir = ['app', 'pages', join('src', 'app'), join('src', 'pages')].some((d) => isDir(join(dir, d)));
  return {
    env, sources, read, notes, middleware, misplaced, worker: worker.vars,
    webhookRoutes: routes.filter((p) => /webhook/i.test(p)),
    apiRoutes: hasAppDir ? routes.some((p) => p === '/api' || p.startsWith('/api/')) : true,
    trpc: '@trpc/server' in deps || routes.some((p) => /^\/(api\/)?trpc(\/|$)/.test(p)),
  };
}
