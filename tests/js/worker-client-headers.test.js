/**
 * The Worker's view of the client's headers (js/worker/client-headers.js): read once, looked up by
 * lower-case name, and the headers to forward — every client header but `host` and the reserved
 * `x-clerk-*`, `x-portcullis-*`, `x-middleware-*` ones, whatever their case — as a plain object that
 * keeps a header named `__proto__` or `constructor` like any other.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ClientHeaders } from '../../js/worker/client-headers.js';

const headers = new Headers([
  ['Host', 'app.example.com'], ['Cookie', '__session=abc'], ['Accept', 'text/html'],
  ['X-Clerk-Auth-Status', 'signed-in'], ['x-portcullis-identity', 'forged'], ['X-Middleware-Subrequest', 'middleware'],
  ['x-clerkish', 'kept'], ['__proto__', 'kept too'], ['constructor', 'and this'],
]);

test('lookups by lower-case name, absent names are null', () => {
  const client = new ClientHeaders(headers);
  assert.equal(client.get('cookie'), '__session=abc');
  assert.equal(client.get('authorization'), null);
  assert.equal(client.get('__proto__'), 'kept too');
  assert.equal(client.get('toString'), null);
});

test('forwardable: host and reserved headers left out, everything else kept as own properties', () => {
  const sent = new ClientHeaders(headers).forwardable();
  assert.deepEqual(Object.keys(sent).sort(), ['__proto__', 'accept', 'constructor', 'cookie', 'x-clerkish']);
  assert.equal(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value, 'kept too');
});
