/**
 * Reads a Next.js `middleware.ts` / `proxy.ts` without running it: the `createRouteMatcher([...])`
 * lists, the `clerkMiddleware(handler, options)` call (or legacy `authMiddleware({...})`), how the
 * handler uses the matchers (js/doctor/handler.js), and `export const config = { matcher }`.
 *
 * Why a parser and not regexes: route rules are code (TypeScript, comments, escapes in strings,
 * handlers imported from another file). `@babel/parser` with its TypeScript plugin gives the real
 * syntax tree, so a `'/sign-in(.*)'` in a comment is not a rule and `'\\.'` is the two characters
 * the matcher sees. Values are evaluated only when they are literals or `process.env.NAME` (looked up
 * in the environment the doctor loaded); anything else becomes `{ $dynamic: '<source>' }`.
 *
 * Files are read through an injected `load(specifier, fromFile)` (the CLI reads the disk), so this
 * module has no IO: a handler or matchers imported with a relative path are followed, one file deep
 * per import, each file parsed once.
 * @module
 */

import { parse } from '@babel/parser';

import { contains, readGates, unwrap } from './handler.js';

/**
 * @typedef {object} MiddlewareFacts
 * @property {string} file
 * @property {string | null} parseError
 * @property {'clerkMiddleware' | 'authMiddleware' | null} kind
 * @property {Record<string, {patterns: (string | RegExp)[] | null, file: string, line: number}>} matchers
 * @property {import('./handler.js').Gate[] | null} gates null: no handler (nothing is protected) — see `handler`
 * @property {'none' | 'read' | 'unknown'} handler
 * @property {string[]} unclear why parts could not be read
 * @property {Record<string, unknown> | {$dynamic: string} | null} options
 * @property {{source: unknown, conditional: boolean}[] | {$dynamic: string} | null} matcher null: no config.matcher (every path)
 * @property {{publicRoutes: unknown, ignoredRoutes: unknown} | null} legacy authMiddleware options
 */

/** @typedef {(specifier: string, fromFile: string) => {file: string, source: string} | null} Loader */

/**
 * Parses one file into a module record: top-level bindings and imports.
 * @param {string} file
 * @param {string} source
 */
function parseModule(file, source) {
  const ast = parse(source, {
    sourceType: 'module',
    plugins: /\.(c|m)?tsx?$/.test(file) ? ['typescript'] : ['jsx'],
    errorRecovery: false,
  });
  /** @type {Map<string, any>} */
  const bindings = new Map();
  /** @type {Map<string, {from: string, name: string}>} */
  const imports = new Map();
  /** @type {Map<string, string>} exported name → local name */
  const exported = new Map();
  /** @type {any} */
  let defaultExport = null;
  const declare = (/** @type {any} */ decl) => {
    if (decl?.type === 'VariableDeclaration') {
      for (const d of decl.declarations) if (d.id.type === 'Identifier' && d.init) bindings.set(d.id.name, d.init);
    } else if (decl?.type === 'FunctionDeclaration' && decl.id) bindings.set(decl.id.name, decl);
  };
  for (const node of ast.program.body) {
    if (node.type === 'ImportDeclaration') {
      for (const s of node.specifiers) {
        imports.set(s.local.name, { from: node.source.value, name: s.type === 'ImportSpecifier' ? (s.imported.name ?? s.imported.value) : 'default' });
      }
    } else if (node.type === 'ExportNamedDeclaration') {
      declare(node.declaration);
      if (node.declaration?.type === 'VariableDeclaration') for (const d of node.declaration.declarations) if (d.id.type === 'Identifier') exported.set(d.id.name, d.id.name);
      if (node.declaration?.type === 'FunctionDeclaration' && node.declaration.id) exported.set(node.declaration.id.name, node.declaration.id.name);
      for (const s of node.specifiers ?? []) if (s.type === 'ExportSpecifier') exported.set(s.exported.name ?? s.exported.value, s.local.name);
    } else if (node.type === 'ExportDefaultDeclaration') {
      defaultExport = node.declaration;
      declare(node.declaration);
    } else {
      declare(node);
    }
  }
  return { file, source, bindings, imports, exported, defaultExport };
}

/**
 * Extracts the middleware facts of `file`.
 * @param {string} file a display name ('middleware.ts')
 * @param {string} source
 * @param {{env?: Record<string, string>, load?: Loader}} [context]
 * @returns {MiddlewareFacts}
 */
export function readMiddleware(file, source, { env = {}, load = () => null } = {}) {
  /** @type {MiddlewareFacts} */
  const facts = { file, parseError: null, kind: null, matchers: {}, gates: null, handler: 'none', unclear: [], options: null, matcher: null, legacy: null };
  /** @type {ReturnType<typeof parseModule>} */
  let main;
  try {
    main = parseModule(file, source);
  } catch (error) {
    facts.parseError = /** @type {Error} */ (error).message;
    return facts;
  }
  /** @type {Map<string, ReturnType<typeof parseModule> | null>} */
  const modules = new Map([[file, main]]);

  /** The module a relative import points to, parsed once. @param {string} from @param {string} fromFile */
  function imported(from, fromFile) {
    if (!from.startsWith('.')) return null;
    const loaded = load(from, fromFile);
    if (loaded === null) return null;
    if (!modules.has(loaded.file)) {
      try {
        modules.set(loaded.file, parseModule(loaded.file, loaded.source));
      } catch (error) {
        facts.unclear.push(`${loaded.file} does not parse (${/** @type {Error} */ (error).message})`);
        modules.set(loaded.file, null);
      }
    }
    return modules.get(loaded.file) ?? null;
  }

  /**
   * What a name refers to: its initialiser node and the module it lives in (following imports).
   * @param {string} name @param {ReturnType<typeof parseModule>} mod @param {number} [depth]
   * @returns {{node: any, mod: ReturnType<typeof parseModule>} | null}
   */
  function resolve(name, mod, depth = 0) {
    if (mod.bindings.has(name)) return { node: mod.bindings.get(name), mod };
    const imp = mod.imports.get(name);
    if (!imp || depth > 3) return null;
    const target = imported(imp.from, mod.file);
    if (target === null) return null;
    if (imp.name === 'default') return target.defaultExport ? { node: target.defaultExport, mod: target } : null;
    const local = target.exported.get(imp.name);
    return local === undefined ? null : resolve(local, target, depth + 1);
  }

  /** The callee's original name, through imports (`import { clerkMiddleware as cm }`). @param {any} node @param {any} mod */
  function calleeName(node, mod) {
    const callee = unwrap(node?.callee);
    if (callee?.type !== 'Identifier') return null;
    return mod.imports.get(callee.name)?.name ?? callee.name;
  }

  /**
   * A literal value, `process.env.X`, or a `$dynamic` marker.
   * @param {any} node @param {any} mod @param {number} [depth] guards against cycles (`const a = b, b = a`)
   * @returns {unknown}
   */
  function value(node, mod, depth = 0) {
    node = unwrap(node);
    const dynamic = () => ({ $dynamic: mod.source.slice(node.start, node.end).slice(0, 80) });
    if (depth > 20) return dynamic();
    const v = (/** @type {any} */ n, /** @type {any} */ m = mod) => value(n, m, depth + 1);
    switch (node?.type) {
      case 'StringLiteral': case 'NumericLiteral': case 'BooleanLiteral': return node.value;
      case 'NullLiteral': return null;
      case 'RegExpLiteral': return new RegExp(node.pattern, node.flags);
      case 'TemplateLiteral': {
        const parts = node.expressions.map((e) => v(e));
        if (parts.some((p) => typeof p !== 'string')) return dynamic();
        return node.quasis.map((q, i) => q.value.cooked + (parts[i] ?? '')).join('');
      }
      case 'ArrayExpression': return node.elements.map((e) => (e === null || e.type === 'SpreadElement' ? dynamic() : v(e)));
      case 'ObjectExpression': {
        /** @type {Record<string, unknown>} */
        const out = {};
        for (const p of node.properties) {
          if (p.type !== 'ObjectProperty' || p.computed) return dynamic();
          out[p.key.name ?? p.key.value] = v(p.value);
        }
        return out;
      }
      case 'MemberExpression': {
        const obj = unwrap(node.object);
        const envName = !node.computed ? node.property.name : node.property.value;
        if (obj.type === 'MemberExpression' && obj.object.type === 'Identifier' && obj.object.name === 'process' && (obj.property.name ?? obj.property.value) === 'env' && typeof envName === 'string') {
          return env[envName] === undefined || env[envName] === '' ? undefined : env[envName];
        }
        return dynamic();
      }
      case 'LogicalExpression': {
        const left = v(node.left);
        if (node.operator === '||' ? left : node.operator === '??' ? left !== undefined && left !== null : !left) return left;
        return v(node.right);
      }
      case 'Identifier': {
        if (node.name === 'undefined') return undefined;
        const target = resolve(node.name, mod);
        return target === null ? dynamic() : v(target.node, target.mod);
      }
      default: return dynamic();
    }
  }

  /** Collects `createRouteMatcher` bindings of a module (names usable in that module). @param {any} mod @param {Set<string>} names */
  function collectMatchers(mod, names) {
    const candidates = new Set([...mod.bindings.keys(), ...mod.imports.keys()]);
    for (const name of candidates) {
      const target = resolve(name, mod);
      if (target === null || calleeName(unwrap(target.node), target.mod) !== 'createRouteMatcher') continue;
      const call = unwrap(target.node);
      names.add(name);
      if (facts.matchers[name]) continue;
      const arg = call.arguments[0] ? value(call.arguments[0], target.mod) : [];
      const list = Array.isArray(arg) ? arg : [arg];
      const ok = list.every((p) => typeof p === 'string' || p instanceof RegExp);
      facts.matchers[name] = { patterns: ok ? /** @type {(string | RegExp)[]} */ (list) : null, file: target.mod.file, line: call.loc.start.line };
      if (!ok) facts.unclear.push(`${name} (${target.mod.file}:${call.loc.start.line}) is built from values that are not literal patterns`);
    }
  }

  // The middleware: the default export, or `export const middleware` / `export const proxy`.
  /** @type {{node: any, mod: any} | null} */
  let entry = main.defaultExport ? { node: main.defaultExport, mod: main } : null;
  for (const name of ['middleware', 'proxy']) {
    if (entry === null && main.exported.has(name)) entry = resolve(/** @type {string} */ (main.exported.get(name)), main);
  }
  // `export default clerkMiddleware`: Next calls it with (request, event) — no handler, no options.
  const bare = entry !== null && unwrap(entry.node).type === 'Identifier' ? unwrap(entry.node).name : null;
  if (bare !== null && (main.imports.get(bare)?.name ?? bare) === 'clerkMiddleware' && !main.bindings.has(bare)) {
    facts.kind = 'clerkMiddleware';
    entry = null;
  }
  if (entry !== null && unwrap(entry.node).type === 'Identifier') entry = resolve(unwrap(entry.node).name, entry.mod);
  let call = entry === null ? null : unwrap(entry.node);
  if (call !== null && call.type !== 'CallExpression') {
    // A wrapper: `export default function middleware(req, ev) { return clerkMiddleware(...)(req, ev) }`.
    let found = null;
    contains(call.body ?? call, (n) => {
      const name = n.type === 'CallExpression' ? calleeName(n, entry?.mod) : null;
      if (name === 'clerkMiddleware' || name === 'authMiddleware') found = n;
      return found !== null;
    });
    call = found;
  }
  const kind = call === null ? null : calleeName(call, entry?.mod);
  if (kind === 'clerkMiddleware' || kind === 'authMiddleware') facts.kind = kind;
  else call = null;

  if (facts.kind === 'clerkMiddleware' && call !== null && entry !== null) {
    const args = call.arguments.map(unwrap);
    let handlerNode = null;
    let optionsNode = null;
    let mod = entry.mod;
    const first = args[0]?.type === 'Identifier' ? resolve(args[0].name, mod) : args[0] ? { node: args[0], mod } : null;
    const firstType = first ? unwrap(first.node).type : null;
    if (first && /Function/.test(firstType)) {
      handlerNode = unwrap(first.node);
      mod = first.mod;
      optionsNode = args[1] ?? null;
    } else if (firstType === 'ObjectExpression') {
      optionsNode = args[0];
    } else if (args.length > 0) {
      // Something that computes the handler (`withLogging(handler)`): its rules are not known.
      optionsNode = args[1] ?? null;
    }
    if (optionsNode !== null) {
      facts.options = /Function/.test(optionsNode.type) ? { $dynamic: '(request) => options' } : /** @type {any} */ (value(optionsNode, entry.mod));
      if (/Function/.test(optionsNode.type)) facts.unclear.push('the options are computed per request by a function, so they are not checked');
    }
    if (handlerNode === null && optionsNode !== args[0] && args.length > 0) {
      facts.handler = 'unknown';
      facts.unclear.push(`the handler passed to clerkMiddleware (${main.source.slice(args[0].start, args[0].end).slice(0, 40)}) could not be found`);
    } else if (handlerNode !== null) {
      const names = new Set();
      collectMatchers(mod, names);
      collectMatchers(main, names);
      const { gates, unclear } = readGates(handlerNode, names, (n) => mod.source.slice(n.start, n.end));
      facts.gates = gates;
      facts.handler = 'read';
      facts.unclear.push(...unclear.map((u) => `${mod.file}: ${u}`));
    }
  } else if (facts.kind === 'authMiddleware' && call !== null) {
    const options = call.arguments[0] ? value(call.arguments[0], entry?.mod) : {};
    const o = /** @type {Record<string, unknown>} */ (options && typeof options === 'object' ? options : {});
    facts.legacy = { publicRoutes: o.publicRoutes, ignoredRoutes: o.ignoredRoutes };
    facts.options = o;
    facts.handler = 'read';
    facts.gates = [];
  }
  collectMatchers(main, new Set());

  // export const config = { matcher: … }
  const configName = main.exported.get('config');
  const config = configName === undefined ? null : resolve(configName, main);
  if (config !== null) {
    const cfg = value(config.node, config.mod);
    const raw = cfg && typeof cfg === 'object' && !('$dynamic' in cfg) ? /** @type {any} */ (cfg).matcher : cfg;
    if (raw !== undefined) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (raw && typeof raw === 'object' && '$dynamic' in raw) facts.matcher = /** @type {any} */ (raw);
      else facts.matcher = list.map((m) => (m && typeof m === 'object' && !('$dynamic' in m)
        ? { source: m.source, conditional: Boolean(m.has || m.missing) }
        : { source: m, conditional: false }));
    }
  }
  return facts;
}
