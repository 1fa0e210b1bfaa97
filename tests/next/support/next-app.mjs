/**
 * Builds and serves one Next.js test app: `next build`, then `next start` on a free port of
 * localhost (loopback) in its own process group, which `stop()` kills as a whole (next start forks workers).
 *
 * Why `node node_modules/next/dist/bin/next` and not `npx next`: npx adds a process (and may try the
 * registry); the app's own Next is the one under test.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * The host name `next start` is given and the tests use. Not 127.0.0.1: clerkMiddleware answers a
 * pass-through with a same-URL rewrite to `request.url`, whose host Next builds from its own
 * hostname (`localhost` unless -H says otherwise); with -H 127.0.0.1 the rewrite to
 * `http://localhost:<port>/…` looks external to Next and fails with 500. `localhost` is still
 * loopback only: startOnce() refuses to start unless it resolves to loopback addresses.
 */
export const HOST = 'localhost';

/** Every server started and not yet stopped, so an exiting runner can still kill them. */
const running = new Set();

function killAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', killAll);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** @param {string} appDir */
function nextBin(appDir) {
  const bin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!existsSync(bin)) {
    throw new Error(`${appDir}: Next.js is not installed (no ${bin}); run \`bash scripts/setup.sh\` first.`);
  }
  return bin;
}

/**
 * Throws unless every address `host` resolves to is a loopback address (127.0.0.0/8 or ::1).
 * @param {string} host
 */
async function assertLoopback(host) {
  const addresses = await lookup(host, { all: true });
  const outside = addresses.filter(({ address }) => !(address === '::1' || /^127\./.test(address)));
  if (addresses.length === 0 || outside.length > 0) {
    throw new Error(`${host} resolves to ${JSON.stringify(addresses)}: not loopback only; the test apps must not listen elsewhere`);
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `next build` in `appDir`; resolves with its duration and output, rejects with the output's
 * tail when the build fails. The full output is also written to `<app>/.next/portcullis-build.log`.
 * @param {string} appDir
 * @param {Record<string, string>} env
 * @param {string[]} [extraArgs]
 */
export async function buildApp(appDir, env, extraArgs = []) {
  const started = performance.now();
  const child = spawn(process.execPath, [nextBin(appDir), 'build', ...extraArgs], {
    cwd: appDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = Math.round(performance.now() - started);
  try {
    mkdirSync(join(appDir, '.next'), { recursive: true });
    writeFileSync(join(appDir, '.next', 'portcullis-build.log'), output);
  } catch {
    // the log is a convenience
  }
  if (code !== 0) {
    throw new Error(`next build failed in ${appDir} (exit ${code}) after ${ms} ms:\n${output.slice(-6000)}`);
  }
  return { ms, output };
}

/**
 * Starts `next start -H localhost -p <free port>` and waits until `/` answers.
 * @param {string} appDir
 * @param {Record<string, string>} env
 * @param {{ readyTimeoutMs?: number }} [options]
 * @returns {Promise<{ origin: string, readyMs: number, output: () => string, stop: () => Promise<void> }>}
 */
export async function startApp(appDir, env, options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(appDir, env, options);
    } catch (error) {
      // Another process may take the free port between freePort() and next start's listen().
      if (attempt < 3 && /EADDRINUSE/.test(String(/** @type {Error} */ (error).message))) continue;
      throw error;
    }
  }
}

/**
 * @param {string} appDir
 * @param {Record<string, string>} env
 * @param {{ readyTimeoutMs?: number }} options
 * @returns {Promise<{ origin: string, readyMs: number, output: () => string, stop: () => Promise<void> }>}
 */
async function startOnce(appDir, env, { readyTimeoutMs = 60_000 }) {
  await assertLoopback(HOST);
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [nextBin(appDir), 'start', '-H', HOST, '-p', String(port)], {
    cwd: appDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() kills next start and its workers together
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  /** @type {number | null} */
  let exitCode = null;
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      running.delete(child);
      resolve(undefined);
    }),
  );

  const stop = async () => {
    if (exitCode !== null) return;
    try {
      process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  const origin = `http://${HOST}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitCode !== null) {
      throw new Error(`next start exited (${exitCode}) before it was ready in ${appDir}:\n${output.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${origin}/`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start in ${appDir} was not ready within ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { origin, readyMs: Math.round(performance.now() - started), output: () => output, stop };
}
