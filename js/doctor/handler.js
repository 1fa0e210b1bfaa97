/**
 * Reads a `clerkMiddleware` handler's body and turns it into "gates": the conditions under which a
 * signed-out visitor is sent to sign-in (`auth.protect()`, `redirectToSignIn()`), or let through
 * (an early `return`), in the order the code runs them.
 *
 * Why statically, and why so narrowly: the doctor must answer "is /sign-in protected?" without
 * running the user's code (it has side effects, imports, secrets). Route rules in Clerk apps are
 * written in a handful of shapes — `if (!isPublicRoute(req)) await auth.protect()`,
 * `if (isProtectedRoute(req)) await auth.protect()`, `if (isPublic(req)) return;` followed by
 * `auth.protect()`, `else if` chains, `&&` short-circuits, `!userId && isX(req)` — and those are
 * read exactly. Anything else that can affect protection (a condition on the method, a helper that
 * calls protect, a loop) marks the gate `opaque`, and the checks then say "cannot tell" instead of
 * guessing.
 *
 * A condition is a list of literals `{matcher, negated}` (all must hold); terms that are true for
 * every signed-out visitor (`!userId`, `!isAuthenticated`) are dropped, and terms that are false for
 * them (`userId`) drop the whole gate, since only signed-out visitors are redirected.
 * @module
 */

/**
 * @typedef {{matcher: string, negated: boolean}} Literal
 * @typedef {{kind: 'protect' | 'exempt', when: Literal[], opaque: boolean, line: number}} Gate
 * @typedef {{lits: Literal[], opaque: boolean} | null} Conj a conjunction; null = never true for a signed-out visitor
 */

const SIGNED_IN_NAMES = new Set(['userId', 'sessionId', 'isAuthenticated', 'isSignedIn', 'sessionClaims', 'orgId']);
const PROTECT_METHODS = new Set(['protect', 'redirectToSignIn']);
const FUNCTION_TYPES = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'FunctionDeclaration', 'ObjectMethod', 'ClassMethod']);

/** Removes TypeScript wrappers and parentheses. @param {any} node */
export function unwrap(node) {
  while (node && /^(TSAsExpression|TSSatisfiesExpression|TSNonNullExpression|TSTypeAssertion|ParenthesizedExpression)$/.test(node.type)) {
    node = node.expression;
  }
  return node;
}

/** @param {any} node */
function memberName(node) {
  if (node?.type !== 'MemberExpression' && node?.type !== 'OptionalMemberExpression') return null;
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  return node.property.type === 'StringLiteral' ? node.property.value : null;
}

/** Whether a call sends a signed-out visitor to sign-in. @param {any} node */
function isProtectCall(node) {
  if (node?.type !== 'CallExpression' && node?.type !== 'OptionalCallExpression') return false;
  const callee = unwrap(node.callee);
  if (callee.type === 'Identifier') return callee.name === 'redirectToSignIn';
  return PROTECT_METHODS.has(memberName(callee) ?? '');
}

/** Whether a call is a redirect (`NextResponse.redirect(…)`, `redirect(…)`). @param {any} node */
function isRedirectCall(node) {
  if (node?.type !== 'CallExpression') return false;
  const callee = unwrap(node.callee);
  return (callee.type === 'Identifier' ? callee.name : memberName(callee)) === 'redirect';
}

/**
 * Whether `predicate` holds for a node in the subtree, not looking into nested functions.
 * @param {any} node
 * @param {(n: any) => boolean} predicate
 */
export function contains(node, predicate) {
  if (node === null || typeof node !== 'object') return false;
  if (predicate(node)) return true;
  if (FUNCTION_TYPES.has(node.type)) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'extra') continue;
    if (Array.isArray(value) ? value.some((v) => contains(v, predicate)) : value && typeof value === 'object' && contains(value, predicate)) return true;
  }
  return false;
}

/**
 * Reads the gates of one handler.
 * @param {any} fn the handler function node
 * @param {Set<string>} matchers names of route matchers in scope
 * @param {(node: any) => string} [text] the source text of a node, for messages
 * @returns {{gates: Gate[], unclear: string[]}}
 */
export function readGates(fn, matchers, text = () => 'a condition') {
  /** @type {Gate[]} */
  const gates = [];
  /** @type {string[]} */
  const unclear = [];
  /** @type {Map<string, any>} local `const x = <condition>` */
  const locals = new Map();
  /** @type {Set<string>} conditions that are not route matchers */
  const opaqueTerms = new Set();

  /** @param {any} node @returns {Conj[]} a disjunction of conjunctions */
  function condition(node) {
    node = unwrap(node);
    if (node.type === 'AwaitExpression') return condition(node.argument);
    if (node.type === 'Identifier' && locals.has(node.name)) return condition(locals.get(node.name));
    if (node.type === 'LogicalExpression' && node.operator === '||') return [...condition(node.left), ...condition(node.right)];
    if (node.type === 'LogicalExpression' && node.operator === '&&') {
      /** @type {Conj[]} */
      const out = [];
      for (const a of condition(node.left)) for (const b of condition(node.right)) out.push(a === null || b === null ? null : { lits: [...a.lits, ...b.lits], opaque: a.opaque || b.opaque });
      return out;
    }
    if (node.type === 'UnaryExpression' && node.operator === '!') return negate(condition(node.argument));
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && matchers.has(node.callee.name)) {
      return [{ lits: [{ matcher: node.callee.name, negated: false }], opaque: false }];
    }
    if (SIGNED_IN_NAMES.has(node.type === 'Identifier' ? node.name : memberName(node) ?? '')) return [null];
    if (node.type === 'BooleanLiteral') return node.value ? [{ lits: [], opaque: false }] : [null];
    opaqueTerms.add(`line ${node.loc?.start.line}: \`${text(node).slice(0, 60)}\` is not a route matcher call`);
    return [{ lits: [], opaque: true }];
  }

  /**
   * ¬(c1 ∨ c2 …) = ¬c1 ∧ ¬c2 …, with ¬(a ∧ b) = ¬a ∨ ¬b, back in disjunctive form (an opaque term
   * stays opaque). Past 16 branches the result is one opaque branch.
   * @param {Conj[]} dnf @returns {Conj[]}
   */
  function negate(dnf) {
    /** @type {Conj[]} */
    let acc = [{ lits: [], opaque: false }];
    for (const c of dnf) {
      if (c === null) continue; // ¬false = true
      if (c.lits.length === 0 && !c.opaque) return [null]; // ¬true = false
      /** @type {Conj[]} */
      const choices = c.lits.map((l) => ({ lits: [{ ...l, negated: !l.negated }], opaque: false }));
      if (c.opaque) choices.push({ lits: [], opaque: true });
      acc = acc.flatMap((a) => choices.map((b) => and(a, b)));
      if (acc.length > 16) return [{ lits: [], opaque: true }];
    }
    return acc;
  }

  /** @param {Conj} ctx @param {Conj} c */
  const and = (ctx, c) => (ctx === null || c === null ? null : { lits: [...ctx.lits, ...c.lits], opaque: ctx.opaque || c.opaque });

  /** @param {'protect' | 'exempt'} kind @param {Conj} ctx @param {any} node @param {boolean} [opaque] */
  function gate(kind, ctx, node, opaque = false) {
    if (ctx === null) return;
    gates.push({ kind, when: ctx.lits, opaque: ctx.opaque || opaque, line: node?.loc?.start.line ?? 0 });
  }

  /** @param {any} node @param {Conj} ctx */
  function expression(node, ctx) {
    node = unwrap(node);
    if (node === null || node === undefined || ctx === null) return;
    if (node.type === 'AwaitExpression') return expression(node.argument, ctx);
    if (node.type === 'LogicalExpression' && node.operator === '&&') {
      for (const c of condition(node.left)) expression(node.right, and(ctx, c));
      return;
    }
    if (node.type === 'LogicalExpression' && (node.operator === '||' || node.operator === '??')) {
      for (const c of node.operator === '||' ? negate(condition(node.left)) : [{ lits: [], opaque: true }]) expression(node.right, and(ctx, c));
      return;
    }
    if (node.type === 'ConditionalExpression') {
      for (const c of condition(node.test)) expression(node.consequent, and(ctx, c));
      for (const c of negate(condition(node.test))) expression(node.alternate, and(ctx, c));
      return;
    }
    if (isProtectCall(node)) return gate('protect', ctx, node);
    if (contains(node, isProtectCall)) {
      gate('protect', ctx, node, true);
      unclear.push(`line ${node.loc?.start.line}: auth.protect() is called inside an expression the doctor does not follow`);
    }
  }

  /** @param {any[]} body @param {Conj} ctx @returns {boolean} whether the path always leaves (return/throw) */
  function statements(body, ctx) {
    for (const stmt of body) if (statement(stmt, ctx)) return true;
    return false;
  }

  /** @param {any} stmt @param {Conj} ctx @returns {boolean} */
  function statement(stmt, ctx) {
    switch (stmt.type) {
      case 'BlockStatement':
        return statements(stmt.body, ctx);
      case 'IfStatement': {
        const branches = condition(stmt.test);
        let leaves = true;
        for (const c of branches) leaves = statement(stmt.consequent, and(ctx, c)) && leaves;
        const otherwise = negate(branches);
        let altLeaves = false;
        if (stmt.alternate) {
          altLeaves = true;
          for (const c of otherwise) altLeaves = statement(stmt.alternate, and(ctx, c)) && altLeaves;
        }
        return leaves && altLeaves;
      }
      case 'ReturnStatement':
      case 'ThrowStatement':
        expression(stmt.argument, ctx);
        if (ctx !== null && !contains(stmt.argument, isProtectCall) && contains(stmt.argument, isRedirectCall)) {
          // A hand-written redirect (NextResponse.redirect(new URL('/sign-in', req.url))) may be a
          // sign-in redirect or anything else: say so rather than guess.
          gate('protect', ctx, stmt, true);
          unclear.push(`line ${stmt.loc?.start.line}: a redirect the handler returns may send signed-out visitors to sign-in`);
        }
        gate('exempt', ctx, stmt);
        return true;
      case 'ExpressionStatement':
        expression(stmt.expression, ctx);
        return false;
      case 'VariableDeclaration':
        for (const d of stmt.declarations) {
          if (d.id.type === 'Identifier' && stmt.kind === 'const' && d.init) locals.set(d.id.name, d.init);
          if (d.init) expression(d.init, ctx);
        }
        return false;
      case 'TryStatement':
        statements(stmt.block.body, ctx);
        if (stmt.finalizer) statements(stmt.finalizer.body, ctx);
        return false;
      default:
        if (contains(stmt, isProtectCall)) {
          gate('protect', ctx, stmt, true);
          unclear.push(`line ${stmt.loc?.start.line}: auth.protect() inside a ${stmt.type.replace(/Statement$/, '').toLowerCase()} statement is not followed`);
        }
        return false;
    }
  }

  const body = fn.body;
  if (body.type === 'BlockStatement') statements(body.body, { lits: [], opaque: false });
  else expression(body, { lits: [], opaque: false });

  // Opaque terms matter only where they guard a gate.
  if (gates.some((g) => g.opaque)) unclear.push(...opaqueTerms);

  // A matcher called anywhere the conditions above did not read (passed to a helper, stored in a
  // let, compared with ===) may change protection in ways not modelled: say so.
  const read = new Set(gates.flatMap((g) => g.when.map((l) => l.matcher)));
  const used = new Set();
  contains(body, (n) => {
    if (n.type === 'Identifier' && matchers.has(n.name)) used.add(n.name);
    return false;
  });
  for (const name of used) {
    if (!read.has(name)) unclear.push(`${name} is used in the handler, but not in a condition the doctor can read (if/&&/?: around auth.protect() or an early return)`);
  }
  return { gates, unclear };
}

/**
 * Whether the gates protect a path, for a signed-out visitor: true, false, or 'maybe' when an
 * opaque gate could decide.
 * @param {Gate[]} gates
 * @param {(matcher: string) => boolean | 'maybe'} matches whether a matcher matches the path
 * @returns {boolean | 'maybe'}
 */
export function evaluateGates(gates, matches) {
  let uncertain = false;
  for (const g of gates) {
    let holds = /** @type {boolean | 'maybe'} */ (g.opaque ? 'maybe' : true);
    for (const lit of g.when) {
      const m = matches(lit.matcher);
      const value = m === 'maybe' ? 'maybe' : lit.negated ? !m : m;
      if (value === false) {
        holds = false;
        break;
      }
      if (value === 'maybe') holds = 'maybe';
    }
    if (holds === false) continue;
    if (holds === 'maybe') {
      uncertain = true;
      continue;
    }
    if (g.kind === 'protect') return uncertain ? 'maybe' : true;
    return uncertain ? 'maybe' : false;
  }
  return uncertain ? 'maybe' : false;
}
