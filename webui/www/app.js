// SPDX-License-Identifier: Apache-2.0
// Entry point: the page registry (one import per page), the layout, the login gate and the
// live events websocket, whose messages are re-dispatched as DOM events on `events`
// (poll, alert.new, alert.cleared, device.added, device.removed, device.state).

import { api, session, setSession, onUnauthorized, isAdmin } from './api.js';
import { h, clear, notice } from './dom.js';
import { start, navItems, go, parse } from './router.js';
import { events, toast } from './live.js';
import './pages/login.js';
import './pages/dashboard.js';
import './pages/devices.js';
import './pages/device.js';
import './pages/discovery.js';
import './pages/credentials.js';
import './pages/audit.js';
import './pages/users.js';
import './pages/security.js';
import './pages/connection.js';
import './pages/account.js';
import './pages/about.js';

let socket = null;
let retry = 1000;

function connectEvents() {
  if (socket || !session.user) return;
  socket = new WebSocket(`wss://${location.host}/api/v1/events`);
  socket.onopen = () => { retry = 1000; setLive(true); };
  socket.onmessage = (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    events.dispatchEvent(new CustomEvent(msg.type, { detail: msg.data }));
    if (msg.type === 'alert.new') toast(`New alert on device ${msg.data.device_id}: ${(msg.data.alert && msg.data.alert.description) || 'alert'}`, 'warn');
  };
  socket.onclose = () => {
    socket = null;
    setLive(false);
    if (session.user) setTimeout(connectEvents, retry = Math.min(retry * 2, 30000));
  };
}

function setLive(on) {
  const el = document.getElementById('live');
  if (el) { el.textContent = on ? 'live' : 'offline'; el.className = on ? 'live on' : 'live'; }
}

function layout(page) {
  const app = clear(document.getElementById('app'));
  if (page.bare) {
    const main = h('main', { class: 'bare' });
    app.append(main);
    return main;
  }
  const { path } = parse();
  const nav = h('nav', { 'aria-label': 'Main' },
    navItems().filter((p) => !p.admin || isAdmin()).map((p) =>
      h('a', { href: `#${p.path}`, class: path === p.path || (p.path !== '/' && path.startsWith(p.path)) ? 'active' : null }, p.nav)));
  const header = h('header', {},
    h('a', { class: 'brand', href: '#/' }, h('img', { src: 'favicon.svg', alt: '' }), 'fleetgw'),
    h('span', { id: 'live', class: 'live' }, 'offline'),
    h('span', { class: 'who' }, `${session.user} (${session.role})`),
    h('a', { href: '#/account', class: 'link' }, 'Account'),
    h('button', { class: 'link', onclick: logout }, 'Log out'));
  const main = h('main', { id: 'main' });
  app.append(header, h('div', { class: 'shell' }, nav, main), h('div', { id: 'toasts' }));
  setLive(!!socket && socket.readyState === 1);
  connectEvents();
  return main;
}

async function logout() {
  try { await api('DELETE', '/session'); } catch { /* the session may be gone already */ }
  setSession(null);
  if (socket) socket.close();
  go('/login');
}

onUnauthorized((msg) => {
  setSession(null);
  if (socket) socket.close();
  sessionStorage.setItem('fleetgw.notice', msg);
  go('/login');
});

async function boot() {
  try {
    setSession(await api('GET', '/session'));
  } catch {
    setSession(null);
  }
  start({
    before(page) {
      if (!page.public && !session.user) { go('/login'); return false; }
      if (session.user && session.mustChange && page.path !== '/account' && !page.public) { go('/account'); return false; }
      if (page.admin && !isAdmin()) { go('/'); return false; }
      return true;
    },
    layout,
    error(root, e) {
      root.append(notice('error', e.message || String(e)));
    },
  });
}

boot();
