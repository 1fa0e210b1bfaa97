/**
 * Which hosts count as "this machine" for the local issuer.
 * @module
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether a URL's hostname is loopback: 127.0.0.0/8, localhost or [::1].
 * @param {string} hostname URL.hostname
 */
export function isLoopback(hostname) {
  const host = hostname.toLowerCase();
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
