/**
 * The sample origin behind the local edge: a few pages that show what reached the origin.
 *
 * - `/` and any other page (e.g. `/reports/2026?tab=q3`): the path and query the origin received,
 *   who is signed in (the `X-Cognito-Edge-Auth-User` header the edge adds, and any other `x-…`
 *   header naming a user, identity, email, group or sub), and the names, only, of the cookies that
 *   reached the origin (by default the edge removes its own).
 * - `/fetch`: a page whose button calls `fetch('/api/data.json')` and prints the status.
 * - `/api/data.json`: a JSON endpoint.
 * - `/gallery`: a page whose button loads six small images at once (parallel asset requests, as
 *   when a page's session expires); `/assets/*.svg` serves them.
 * Every page links to the sign-out path. No page ever echoes a cookie value.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OriginOptions {
  /** @default 0 (ephemeral) */
  port?: number;
  /** Sign-out path of the edge, for the links. @default '/_auth/signout' */
  signOutPath?: string;
}

export interface Origin {
  readonly url: string;
  /** Method, path and query of every request the origin received. */
  readonly requests: ReadonlyArray<{ method: string; url: string; identity: Record<string, string>; cookieNames: string[] }>;
  close(): Promise<void>;
}

/** The header the edge handler adds for the origin (lambda-src/edge-auth/handler.ts), and look-alikes. */
export const USER_HEADER = 'x-cognito-edge-auth-user';
const IDENTITY_HEADER = /^x-.*(user|identity|email|group|sub)/i;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function identityOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'cookie' || name === 'authorization' || !IDENTITY_HEADER.test(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function cookieNamesOf(req: http.IncomingMessage): string[] {
  return (req.headers.cookie ?? '').split(';').map((c) => c.split('=')[0].trim()).filter(Boolean);
}

export async function startOrigin(options: OriginOptions = {}): Promise<Origin> {
  const signOut = options.signOutPath ?? '/_auth/signout';
  const requests: Array<{ method: string; url: string; identity: Record<string, string>; cookieNames: string[] }> = [];

  function page(title: string, inner: string): string {
    // An inline icon: otherwise the browser asks for /favicon.ico after each page has loaded, a
    // request that races whatever the test (or the visitor) does next.
    return '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
      + `<title>${escapeHtml(title)}</title>`
      + '<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}'
      + 'nav a{margin-right:1rem}code{background:#f3f3f3;padding:0 .2rem}table{border-collapse:collapse}'
      + 'td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}'
      + 'pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;padding:.5rem}</style></head><body>'
      + '<nav><a href="/">Home</a><a href="/reports/2026?tab=q3">Report (deep link)</a><a href="/fetch">fetch() demo</a>'
      + `<a id="sign-out" href="${escapeHtml(signOut)}">Sign out</a></nav>`
      + `${inner}</body></html>`;
  }

  function whoPage(req: http.IncomingMessage, url: URL): string {
    const identity = identityOf(req);
    const cookies = cookieNamesOf(req);
    const rows = Object.entries(identity).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
    const title = url.pathname === '/' ? 'Protected home' : 'Protected page';
    const userName = identity[USER_HEADER];
    return page(title, `<h1 id="title">${title}</h1>`
      + '<p>You reached the origin: the edge let this request through.</p>'
      + `<p>Path: <code id="path">${escapeHtml(url.pathname)}</code> Query: <code id="query">${escapeHtml(url.search)}</code></p>`
      + `<h2>Signed in as <span id="user">${userName === undefined ? '(unknown)' : escapeHtml(userName)}</span></h2>`
      + (rows
        ? `<p>Identity headers the edge passed to the origin:</p><table id="identity">${rows}</table>`
        : '<p id="identity">The edge passed no identity header to the origin.</p>')
      + `<h2>Cookies the origin received</h2><p id="cookies">${cookies.length ? cookies.map(escapeHtml).join(', ') : '(none)'}</p>`);
  }

  const fetchPage = page('fetch() demo', '<h1 id="title">fetch() demo</h1>'
    + '<p><button id="load">Load /api/data.json</button></p><pre id="result">(not loaded)</pre>'
    + '<script>document.getElementById("load").addEventListener("click", async () => {'
    + 'const out = document.getElementById("result");'
    + 'try { const r = await fetch("/api/data.json", { headers: { Accept: "application/json" } });'
    + 'let body = await r.text(); try { body = JSON.stringify(JSON.parse(body), null, 2); } catch {}'
    + 'out.textContent = r.status + " " + body; out.dataset.status = String(r.status); }'
    + 'catch (e) { out.textContent = "failed: " + e; out.dataset.status = "error"; } });</script>');

  const galleryPage = page('Gallery', '<h1 id="title">Gallery</h1>'
    + '<p><button id="burst">Load six images at once</button> <span id="loaded" data-done="0" data-ok="0"></span></p><div id="pics"></div>'
    + '<script>document.getElementById("burst").addEventListener("click", () => {'
    + 'const out = document.getElementById("loaded"); const box = document.getElementById("pics"); box.textContent = "";'
    + 'out.dataset.done = "0"; out.dataset.ok = "0"; const t = Date.now();'
    + 'for (let i = 0; i < 6; i++) { const img = new Image(24, 24);'
    + 'const done = (ok) => { out.dataset.done = String(Number(out.dataset.done) + 1); if (ok) out.dataset.ok = String(Number(out.dataset.ok) + 1);'
    + 'out.textContent = out.dataset.ok + " of " + out.dataset.done + " loaded"; };'
    + 'img.onload = () => done(true); img.onerror = () => done(false); img.src = "/assets/pic-" + i + ".svg?t=" + t; box.appendChild(img); } });</script>');
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" fill="#48a"/></svg>';

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin.local');
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, identity: identityOf(req), cookieNames: cookieNamesOf(req) });
    // Drain any body.
    req.resume();
    const headers = { 'Cache-Control': 'private, no-cache' };
    if (url.pathname === '/api/data.json') {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: url.pathname, items: [{ id: 1, name: 'Quarterly report' }, { id: 2, name: 'Roadmap' }], identity: identityOf(req) }));
      return;
    }
    if (/^\/assets\/pic-\d\.svg$/.test(url.pathname)) {
      res.writeHead(200, { ...headers, 'Content-Type': 'image/svg+xml' });
      res.end(svg);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(url.pathname === '/fetch' ? fetchPage : url.pathname === '/gallery' ? galleryPage : whoPage(req, url));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
