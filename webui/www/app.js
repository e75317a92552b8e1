// SPDX-License-Identifier: Apache-2.0
// Entry point: the page registry (one import per page), the layout, the login gate and the
// live events websocket, whose messages are re-dispatched as DOM events on `events`
// (poll, alert.new, alert.cleared, device.added, device.removed, device.state).

import { api, BG, session, setSession, onUnauthorized, isAdmin } from './api.js';
import { h, clear, notice } from './dom.js';
import { start, navItems, go, parse } from './router.js';
import { events, alertToast } from './live.js';
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
let retryTimer = null;

// The close code the gateway sends when the session behind a websocket ended (timed out,
// logged out elsewhere, password changed): the page goes to the login page instead of
// reconnecting. Private-use range of RFC 6455; webui/events.c sends it.
const WS_SESSION_ENDED = 4401;
const SESSION_ENDED_MSG = 'Your session has ended: please log in again.';

function connectEvents() {
  if (socket || !session.user) return;
  socket = new WebSocket(`wss://${location.host}/api/v1/events`);
  socket.onopen = () => { retry = 1000; setLive(true); };
  socket.onmessage = (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    events.dispatchEvent(new CustomEvent(msg.type, { detail: msg.data }));
    if (msg.type === 'alert.new' && msg.data) alertToast(msg.data);
  };
  socket.onclose = (ev) => {
    socket = null;
    setLive(false);
    if (!session.user) return;
    if (ev.code === WS_SESSION_ENDED) { endSession(SESSION_ENDED_MSG); return; }
    scheduleReconnect();
  };
}

function scheduleReconnect() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(reconnect, retry);
  retry = Math.min(retry * 2, 30000);
}

// A websocket that the gateway refuses at the handshake tells the page nothing (and the
// browser logs it as an error), so the session is asked for first: a 401 ends it here, a
// gateway that cannot be reached is asked again later.
async function reconnect() {
  retryTimer = null;
  if (socket || !session.user) return;
  try {
    await api('GET', '/session', undefined, BG);
  } catch (e) {
    if (!session.user) return;
    if (e.status === 401) endSession(e.message || SESSION_ENDED_MSG);
    else scheduleReconnect();
    return;
  }
  connectEvents();
}

// Ends the session on this page: live updates stop, and the login page says why.
function endSession(msg) {
  setSession(null);
  clearTimeout(retryTimer);
  retryTimer = null;
  if (socket) socket.close();
  sessionStorage.setItem('fleetgw.notice', msg);
  go('/login');
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
  clearTimeout(retryTimer);
  retryTimer = null;
  if (socket) socket.close();
  go('/login');
}

onUnauthorized(endSession);

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
