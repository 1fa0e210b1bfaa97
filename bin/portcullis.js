#!/usr/bin/env node
/**
 * The `portcullis` command. One subcommand today: `portcullis doctor`, which reads a project
 * (environment files, middleware.ts / proxy.ts, wrangler.toml), optionally a token and a URL, and
 * explains every configuration problem it finds with the fix (README "Doctor").
 *
 * Why this file is small: reading the project is js/cli/project.js, the checks are js/doctor/ (pure,
 * shared with the middleware's start-up warnings); this file parses arguments, prints, and sets the
 * exit status — 1 when there is an error finding, 0 otherwise, 2 for a usage error.
 * @module
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import '../js/index.js';
import { loadProject } from '../js/cli/project.js';
import { diagnose } from '../js/doctor/index.js';

const HELP = `Usage: portcullis doctor [options]

Checks a Next.js (middleware.ts / proxy.ts) or Cloudflare Worker (wrangler.toml) project that uses
portcullis or Clerk, and explains each problem with its fix.

Options:
  --dir <path>         the project folder (default: the current folder)
  --token <jwt>        also verify this session token with the project's keys and options
  --token-file <file>  read the token from a file (keeps it out of the shell history)
  --url <url>          also check this URL: test keys on a public host, whether the middleware
                       handles and protects it, cookies for an API on another subdomain
  --jwks <file|url>    verify the token with this key set (JWKS JSON) instead of CLERK_JWT_KEY or
                       the Backend API
  --now <unix>         check the token as of this time (seconds since the epoch)
  --json               print the findings as JSON
  -h, --help           show this help

Exit status: 1 when an error was found, 0 otherwise, 2 for a usage error.
Secrets and tokens are never printed.`;

/** @param {string} message */
function usage(message) {
  process.stderr.write(`portcullis: ${message}\n\nRun \`portcullis doctor --help\` for the options.\n`);
  process.exit(2);
}

/**
 * Wraps text at `width` columns, every line indented.
 * @param {string} text @param {string} indent @param {number} [width]
 */
function wrap(text, indent, width = 100) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

/**
 * @param {string} dir
 * @param {string[]} read
 * @param {string[]} notes
 * @param {Awaited<ReturnType<typeof diagnose>>} result
 */
function printHuman(dir, read, notes, { findings, summary }) {
  const out = [`portcullis doctor: ${dir}`, `read: ${read.length > 0 ? read.join(', ') : '(no configuration files)'}`];
  for (const note of notes) out.push(`note: ${note}`);
  for (const f of findings) {
    out.push('', `${f.severity.padEnd(7)} ${f.code}`, wrap(f.message, '  '), wrap(`Fix: ${f.fix}`, '  '));
  }
  const plural = (/** @type {number} */ n, /** @type {string} */ w) => `${n} ${w}${n === 1 ? '' : 's'}`;
  out.push('', findings.length === 0 ? 'No problems found.' : `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'note')}.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function doctor(/** @type {string[]} */ argv) {
  /** @type {ReturnType<typeof parseArgs>['values']} */
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' }, url: { type: 'string' },
        jwks: { type: 'string' }, now: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage(/** @type {Error} */ (error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const dir = resolve(String(values.dir ?? '.'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) usage(`--dir ${JSON.stringify(values.dir ?? '.')} is not a folder`);
  if (values.token !== undefined && values['token-file'] !== undefined) usage('give --token or --token-file, not both');
  let token = /** @type {string | undefined} */ (values.token);
  if (values['token-file'] !== undefined) {
    try {
      token = readFileSync(String(values['token-file']), 'utf8').trim();
    } catch (error) {
      usage(`cannot read --token-file: ${/** @type {Error} */ (error).message}`);
    }
  }
  if (values.url !== undefined) {
    try {
      const u = new URL(String(values.url));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      usage(`--url must be an absolute http(s) URL such as https://app.example.com/dashboard, got ${JSON.stringify(values.url)}`);
    }
  }
  let now;
  if (values.now !== undefined) {
    if (!/^\d{1,12}$/.test(String(values.now))) usage(`--now must be Unix seconds such as 1767225600, got ${JSON.stringify(values.now)}`);
    now = Number(values.now) * 1000;
  }
  /** @type {{text: string, name: string} | {url: string} | undefined} */
  let jwks;
  if (values.jwks !== undefined) {
    const jwksArg = String(values.jwks);
    if (/^https?:\/\//i.test(jwksArg)) jwks = { url: jwksArg };
    else {
      try {
        jwks = { text: readFileSync(jwksArg, 'utf8'), name: jwksArg };
      } catch (error) {
        usage(`cannot read --jwks: ${/** @type {Error} */ (error).message}`);
      }
    }
  }

  const project = loadProject(dir);
  const result = await diagnose(project, { token, url: /** @type {string | undefined} */ (values.url), jwks, now });
  const exitCode = result.summary.errors > 0 ? 1 : 0;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ dir, read: project.read, notes: project.notes, ...result, exitCode }, null, 2)}\n`);
  } else {
    printHuman(dir, project.read, project.notes, result);
  }
  return exitCode;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'doctor') {
  process.exitCode = await doctor(rest);
} else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(`${HELP}\n`);
  process.exitCode = command === undefined ? 2 : 0;
} else {
  usage(`unknown command ${JSON.stringify(command)}; the command is \`portcullis doctor\``);
}
