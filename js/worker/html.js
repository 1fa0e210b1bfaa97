/**
 * Small helpers for the HTML the Worker, the local issuer and the demo origin produce: escaping and
 * one page layout. Deliberately plain: no client framework, readable without CSS or JavaScript.
 * @module
 */

const ESCAPES = /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' });

/**
 * Escapes text for HTML element content and quoted attribute values.
 * @param {unknown} value
 */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
  header { background: #1d232a; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
  header a { color: #cfe3ff; } header strong { margin-right: 1rem; }
  main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1.2rem; }
  .card { background: #fff; border: 1px solid #d8dde3; border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; }
  .bad { border-color: #d33; background: #fff5f5; } .good { border-color: #2a8; background: #f3fbf7; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  th { width: 14rem; font-weight: 600; } code { background: #eef1f4; padding: 0 .25rem; border-radius: 3px; word-break: break-all; }
  button, select { font: inherit; padding: .4rem .8rem; border-radius: 6px; border: 1px solid #8894a0; background: #fff; cursor: pointer; }
  button.primary { background: #2563eb; color: #fff; border-color: #2563eb; }
  .users { display: flex; gap: .8rem; flex-wrap: wrap; } .users form { margin: 0; }
  .muted { color: #5b6672; font-size: .9rem; }
`;

/**
 * A complete HTML document.
 * @param {{title: string, body: string, nav?: string}} page `body` and `nav` are HTML (already escaped)
 */
export function layout({ title, body, nav = '' }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><strong>portcullis</strong>${nav}</header>
<main>
${body}
</main></body></html>
`;
}

/**
 * An HTML response that no cache keeps.
 * @param {string} html
 * @param {number} [status]
 * @param {HeadersInit} [headers]
 */
export function htmlResponse(html, status = 200, headers = {}) {
  const out = new Headers(headers);
  out.set('content-type', 'text/html; charset=utf-8');
  if (!out.has('cache-control')) out.set('cache-control', 'no-store');
  return new Response(html, { status, headers: out });
}
