/**
 * The client's request headers, read once per request.
 *
 * Why: in workerd every `Headers` call (`get`, `set`, `delete`, each step of an iteration) crosses
 * from JavaScript into the runtime, and a forwarded request used to make about forty of them — the
 * decision's headers, the page-request test, the reserved-header strip, the forwarding headers.
 * Under load those crossings were a large share of what the Worker added to a pass-through Worker.
 * So the headers are iterated once; lookups are then plain property reads, and the headers to
 * forward (`forwardable`) are made from the same pass.
 * @module
 */

/** Client-sent headers that could pass for a verdict of ours, Clerk's, or Next's middleware protocol. */
const RESERVED = /^x-(?:clerk|portcullis|middleware)-/i;

export class ClientHeaders {
  /** @param {Headers} headers a request's headers (names come lower-case from iteration) */
  constructor(headers) {
    /** @type {[string, string][]} as iterated: sorted, repeated names combined (except `set-cookie`) */
    this.list = [];
    /** @type {Record<string, string>} */
    this.byName = Object.create(null);
    for (const entry of headers) {
      this.list.push(entry);
      this.byName[entry[0]] = entry[1];
    }
  }

  /**
   * The headers to forward, as a plain object (name → value): every client header but `host` and
   * the reserved ones (client-sent `x-clerk-*`, `x-portcullis-*`, `x-middleware-*`). A plain object,
   * not a `Headers`: the runtime builds the forwarded request's headers from it in one step, where
   * a `Headers` copy edited in place costs a wrapper object and a call per edit.
   * @returns {Record<string, string>}
   */
  forwardable() {
    /** @type {Record<string, string>} (no prototype: a header may be named `__proto__`) */
    const out = Object.create(null);
    for (const [name, value] of this.list) if (name !== 'host' && !RESERVED.test(name)) out[name] = value;
    return out;
  }

  /** Iterates like the `Headers` it was read from (so `snapshotOf` takes it as one). */
  entries() {
    return this.list[Symbol.iterator]();
  }

  [Symbol.iterator]() {
    return this.list[Symbol.iterator]();
  }

  /**
   * `headers.get(name)` for a lower-case name.
   * @param {string} name
   * @returns {string | null}
   */
  get(name) {
    return this.byName[name] ?? null;
  }
}
