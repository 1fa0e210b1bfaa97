/**
 * `tests/data/decide-vectors.json` with its `{{tok:NAME}}` placeholders replaced by the signed
 * tokens, shared by the JS run of the vectors and their check against Clerk.
 * @module
 */

import { readFileSync } from 'node:fs';

export const data = JSON.parse(readFileSync(new URL('../../data/decide-vectors.json', import.meta.url), 'utf8'));

/** Replaces every `{{tok:NAME}}` in strings, arrays and objects. @param {any} v */
export const sub = (v) => {
  if (typeof v === 'string') return v.replace(/\{\{tok:(\w+)\}\}/g, (_, n) => data.tokens[n].jwt);
  if (Array.isArray(v)) return v.map(sub);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]));
  return v;
};
