/**
 * Which hosts an app runs on, and whether its keys fit them: development keys on a public host,
 * production keys on localhost, a production instance used outside its domain — and, for an API on
 * another host, whether the browser's session cookie can reach it at all.
 *
 * Why a module: these questions need only host names, so they run both in the CLI (the `--url`,
 * the app-URL variables, authorizedParties) and in the middleware at start-up (the first request's
 * URL). No Node-only import. Host names are compared, never fetched.
 *
 * "Site" below is the host's last two labels (three under a two-letter second-level such as
 * co.uk): an approximation of the registrable domain without the Public Suffix List, good enough
 * to tell app.example.com and api.example.com apart from example.org, and said to be one in messages.
 * @module
 */

import { finding } from './catalog.js';

/** @typedef {import('./catalog.js').Finding} Finding */
/** @typedef {{url: string, from: string}} HostSource a URL and where it came from ('--url', 'NEXT_PUBLIC_APP_URL', …) */

const LOCAL_SUFFIXES = ['.localhost', '.local', '.test', '.internal', '.lan', '.home.arpa', '.example'];

/**
 * Whether a host is this machine or a private network: development keys belong there.
 * @param {string} hostname URL.hostname
 */
export function isLocalHost(hostname) {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '0.0.0.0' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return true;
  const ip = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (ip !== null) {
    const [a, b] = [Number(ip[1]), Number(ip[2])];
    return a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254);
  }
  return host.startsWith('[') && (host === '[::1]' || host.startsWith('[fd') || host.startsWith('[fc'));
}

/**
 * The approximate registrable domain ("site") of a host.
 * @param {string} hostname
 */
export function siteOf(hostname) {
  const labels = hostname.toLowerCase().split('.');
  if (labels.length <= 2 || /^\d+$/.test(labels[labels.length - 1])) return hostname.toLowerCase();
  const sld = labels[labels.length - 2];
  const n = labels[labels.length - 1].length === 2 && /^(co|com|net|org|gov|ac|edu)$/.test(sld) ? 3 : 2;
  return labels.slice(-n).join('.');
}

/**
 * The parseable http(s) URLs of a list, each with its source.
 * @param {HostSource[]} sources
 * @returns {{url: URL, from: string}[]}
 */
export function parseHosts(sources) {
  const out = [];
  for (const { url, from } of sources) {
    try {
      const parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') out.push({ url: parsed, from });
    } catch {
      // Not a URL: nothing to say about its host.
    }
  }
  return out;
}

/** @param {{url: URL, from: string}[]} list */
function describe(list) {
  return list.map(({ url, from }) => `${url.host} (${from})`).join(', ');
}

/** Clerk's own hosts (Account Portal, Frontend API): not where the app runs. */
const CLERK_HOSTED = ['.accounts.dev', '.lcl.dev', '.accountsstage.dev', '.lclclerk.com', '.clerk.com'];

/**
 * The absolute sign-in / sign-up URLs that point at the app's own pages (not at Clerk's Account
 * Portal), as host sources.
 * @param {{url: string | null | undefined, from: string}[]} urls
 * @param {string | null} frontendApi
 * @returns {HostSource[]}
 */
export function authPageSources(urls, frontendApi) {
  const portal = frontendApi?.startsWith('clerk.') ? `accounts.${frontendApi.slice('clerk.'.length)}` : null;
  return parseHosts(/** @type {HostSource[]} */ (urls.filter((u) => typeof u.url === 'string' && /^https?:\/\//i.test(u.url))))
    .filter(({ url }) => url.hostname !== portal && !CLERK_HOSTED.some((s) => url.hostname.endsWith(s)))
    .map(({ url, from }) => ({ url: url.href, from }));
}

/**
 * Keys against hosts.
 * @param {import('./config.js').Keys} keys
 * @param {HostSource[]} sources
 * @returns {Finding[]}
 */
export function hostFindings(keys, sources) {
  const hosts = parseHosts(sources);
  /** @type {Finding[]} */
  const out = [];
  if (keys.instance === 'development') {
    const remote = hosts.filter(({ url }) => !isLocalHost(url.hostname));
    if (remote.length > 0) {
      out.push(finding('test-keys-on-public-host',
        `Development keys (pk_test_/sk_test_) are used for ${describe(remote)}. A development instance is meant for local work: it has its own users (separate from production), strict rate limits, a "development mode" banner, and depends on the dev-browser handshake (an extra redirect on first visit, and a __clerk_db_jwt query parameter that some proxies and caches break). The usual cause is a .env.local copied into the deployment.`,
        `Create the production instance in Clerk Dashboard, set its pk_live_/sk_live_ keys in the deployment's environment, and keep the test keys for localhost.`, keys.pkVar));
    }
  }
  if (keys.instance === 'production') {
    const local = hosts.filter(({ url }) => isLocalHost(url.hostname));
    if (local.length > 0) {
      out.push(finding('live-keys-on-local-host',
        `Production keys (pk_live_/sk_live_) are used for ${describe(local)}. A production instance only serves its own domain${keys.frontendApi ? ` (${keys.frontendApi.replace(/^clerk\./, '')})` : ''}: on localhost its cookies are not set and sign-in fails or loops.`,
        'Use the development instance\'s pk_test_/sk_test_ keys locally (.env.local), and the live keys only in the deployment.', keys.pkVar));
    }
    const domain = keys.frontendApi?.startsWith('clerk.') ? keys.frontendApi.slice('clerk.'.length) : null;
    if (domain !== null && !keys.satelliteOrProxy) {
      const foreign = hosts.filter(({ url }) => !isLocalHost(url.hostname) && url.hostname !== domain && !url.hostname.endsWith(`.${domain}`));
      if (foreign.length > 0) {
        out.push(finding('live-key-domain-mismatch',
          `The production instance of this publishable key lives on ${domain} (Frontend API ${keys.frontendApi}), but it is used for ${describe(foreign)}. The browser will not accept the instance's cookies for another site, so sessions never stick: sign-in appears to work, then every request is signed out or loops through handshakes until __clerk_redirect_count stops it.`,
          `Serve the app on ${domain} or a subdomain of it, or set it up as a satellite domain (isSatellite + domain) or behind a Frontend API proxy (proxyUrl) — or use the keys of the instance that owns this domain.`, keys.pkVar));
      }
    }
  }
  return out;
}

/**
 * The API at `target` is called from the app's pages at `apps`: does the __session cookie reach it?
 * @param {URL} target
 * @param {{url: URL, from: string}[]} apps
 * @returns {Finding[]}
 */
export function cookieFindings(target, apps) {
  if (apps.some(({ url }) => url.host === target.host)) return [];
  // Only the same site: an unrelated host is usually another deployment of the app, not its API.
  const app = apps.find(({ url }) => url.hostname !== target.hostname && siteOf(url.hostname) === siteOf(target.hostname) && !isLocalHost(url.hostname))?.url;
  if (app === undefined) return [];
  const site = siteOf(target.hostname);
  return [finding('cookie-host-only',
    `${target.host} is another subdomain of ${site} than the app (${app.host}). Clerk's __session cookie is host-only (set for ${app.hostname} without a Domain attribute), so the browser never sends it to ${target.host}: every call from the app's pages arrives signed out, even with credentials: 'include'. (__client_uat is set on ${site}, which is why the API may see that one and still have no session.)`,
    `Send the session token explicitly: in the browser \`fetch(url, { headers: { Authorization: \`Bearer \${await getToken()}\` } })\` (useAuth().getToken), allow the Authorization header in the API's CORS settings, and verify it there with authorizedParties: ['${app.origin}']. Or serve the API under the app's own origin (a rewrite such as ${app.origin}/api/* → ${target.origin}/*), where the cookie is sent.`,
    '--url')];
}
