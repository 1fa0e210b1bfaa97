/**
 * A bounded least-recently-used map, shared by the token-verification caches.
 *
 * Why a module of its own: three caches need the same bound-and-evict rule — verifiers per key source
 * (js/verify.js), imported CryptoKeys per public key (js/crypto.js) and verified tokens
 * (js/token-cache.js). A `Map` already iterates in insertion order, so "touch" is delete + set and
 * the eviction victim is the first key; no linked list is needed, and every operation stays O(1).
 * A cache that grows without bound on attacker-chosen input (tokens, kids) is a memory leak an
 * attacker controls, so every cache here has a hard limit.
 * @module
 */

/**
 * @template K, V
 */
export class Lru {
  /** @param {number} limit maximum number of entries (at least 1) */
  constructor(limit) {
    /** @type {number} */
    this.limit = Math.max(1, Math.floor(limit));
    /** @type {Map<K, V>} */
    this.map = new Map();
  }

  /** Number of entries. */
  get size() {
    return this.map.size;
  }

  /**
   * The value for `key`, marking it most recently used.
   * @param {K} key
   * @returns {V | undefined}
   */
  get(key) {
    const map = this.map;
    const value = map.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end of the iteration order (most recently used).
    map.delete(key);
    map.set(key, value);
    return value;
  }

  /**
   * The value for `key` without changing its recency.
   * @param {K} key
   * @returns {V | undefined}
   */
  peek(key) {
    return this.map.get(key);
  }

  /**
   * Stores `value` as the most recently used entry, evicting the least recently used one when full.
   * @param {K} key
   * @param {V} value
   */
  set(key, value) {
    const map = this.map;
    if (map.has(key)) map.delete(key);
    else if (map.size >= this.limit) map.delete(map.keys().next().value);
    map.set(key, value);
  }

  /** @param {K} key */
  delete(key) {
    return this.map.delete(key);
  }

  clear() {
    this.map.clear();
  }

  /** Entries, least recently used first. */
  entries() {
    return this.map.entries();
  }
}
