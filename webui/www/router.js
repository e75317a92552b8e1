// SPDX-License-Identifier: Apache-2.0
// Hash router and page registry. A page is one module that calls register() with
//   { path: '/devices/:id', title, nav: 'Devices' (or omit), admin: true|false, render }
// and render(root, params, query) draws into root and may return a cleanup function.
// Adding a page: write pages/NAME.js, import it in app.js. Nothing else.

const pages = [];
let current = null;

export function register(page) {
  const names = [];
  const re = new RegExp('^' + page.path.replace(/:([a-z]+)/g, (_, n) => {
    names.push(n);
    return '([^/]+)';
  }) + '$');
  pages.push({ ...page, re, names });
}

export function navItems() {
  return pages.filter((p) => p.nav);
}

export function go(path) {
  if (location.hash === '#' + path) route();
  else location.hash = '#' + path;
}

export function parse() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path, query: new URLSearchParams(qs || '') };
}

let hooks = { before: () => true, layout: () => document.body };

export function start(h) {
  hooks = h;
  window.addEventListener('hashchange', route);
  route();
}

export async function route() {
  const { path, query } = parse();
  if (current && current.cleanup) current.cleanup();
  current = null;
  for (const p of pages) {
    const m = p.re.exec(path);
    if (!m) continue;
    const params = {};
    p.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
    if (!hooks.before(p)) return;
    const root = hooks.layout(p);
    document.title = `${p.title} · fleetgw`;
    current = { page: p };
    try {
      current.cleanup = await p.render(root, params, query);
    } catch (e) {
      hooks.error(root, e);
    }
    return;
  }
  go('/');
}
