/**
 * Starts `wrangler dev` (the real local Workers stack: wrangler's proxy in front of workerd) on free
 * loopback ports, in its own process group, and stops the whole group. Used by the browser test and
 * the load benchmark.
 */

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * @param {{vars?: Record<string, string> | ((port: number) => Record<string, string>), config?: string,
 *   readyPath?: string, timeoutMs?: number}} [options]
 *   `vars` are passed with --var (they override wrangler.toml [vars]; a function gets the chosen port);
 *   `config` another wrangler.toml
 * @returns {Promise<{url: string, port: number, output: () => string, stop: () => Promise<void>}>}
 */
export async function startWranglerDev({ vars = {}, config, readyPath = '/', timeoutMs = 60_000 } = {}) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--show-interactive-dev-session=false', '--log-level', 'warn'];
  if (config) args.push('--config', config);
  for (const [name, value] of Object.entries(typeof vars === 'function' ? vars(port) : vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true, // its own process group: stop() kills wrangler, esbuild and workerd together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code) => {
    exited = true;
    resolve(code);
  }));

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
    } catch {
      return;
    }
    const done = await Promise.race([exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!done) {
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
      } catch {
        // already gone
      }
      await exit;
    }
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited before it was ready:\n${log}`);
    try {
      const res = await fetch(url + readyPath, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status !== 502 && res.status !== 503) break; // any answer from the Worker itself
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev was not ready after ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, output: () => log, stop };
}
