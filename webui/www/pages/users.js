// SPDX-License-Identifier: Apache-2.0
// Accounts (administrators only): viewers are created here; locked accounts can be unlocked;
// every open session is listed and can be ended.
import { api } from '../api.js';
import { h, card, field, fmtTime, notice, askPassword, currentPassword, currentPasswordField } from '../dom.js';
import { register } from '../router.js';

register({
  path: '/users', title: 'Users', nav: 'Users', admin: true,
  async render(root) {
    const msg = h('div', {});
    const table = h('table', { class: 'table' });
    const sessions = h('table', { class: 'table', id: 'sessions' });
    const sessNote = h('p', { class: 'muted' });
    const act = async (method, path, done, body) => {
      try { await api(method, path, body); msg.replaceChildren(notice('ok', done)); load(); }
      catch (e) { msg.replaceChildren(notice('error', e.message)); }
    };
    // Unlocking and deleting accounts need the administrator's current password.
    const reauthAct = async (question, method, path, done) => {
      const pw = await askPassword(question);
      if (pw !== null) await act(method, path, done, { current_password: pw });
    };
    async function loadSessions() {
      const d = await api('GET', '/sessions');
      sessNote.textContent = `An account keeps at most ${d.max_per_user} sessions; a new login ends its least recently used one.`;
      sessions.replaceChildren(h('thead', {}, h('tr', {}, ['User', 'From', 'Logged in', 'Last request', 'Ends', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, d.sessions.map((x) => h('tr', { 'data-id': x.id }, h('td', {}, x.user, ' ', h('small', { class: 'muted' }, x.role)),
          h('td', { class: 'mono' }, x.source || '—'), h('td', {}, fmtTime(x.created)), h('td', {}, fmtTime(x.last_seen)), h('td', {}, fmtTime(x.expires)),
          h('td', {}, x.current ? h('span', { class: 'badge st-ok' }, 'this session')
            : h('button', { class: 'danger small', onclick: () => confirm(`End this session of ${x.user}?`) && act('DELETE', `/sessions/${x.id}`, `Session of ${x.user} ended.`) }, 'End'))))));
    }
    async function load() {
      loadSessions().catch((e) => msg.replaceChildren(notice('error', e.message)));
      const d = await api('GET', '/users');
      table.replaceChildren(h('thead', {}, h('tr', {}, ['Name', 'Role', 'State', 'Last login', 'Password set', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, d.users.map((u) => h('tr', {}, h('td', {}, u.name), h('td', {}, u.role),
          h('td', {}, u.locked ? h('span', { class: 'badge st-error' }, `locked until ${fmtTime(u.locked_until)}`) : 'active'),
          h('td', {}, fmtTime(u.last_login)), h('td', {}, fmtTime(u.password_changed)),
          h('td', { class: 'actions' },
            u.locked ? h('button', { class: 'small', onclick: () => reauthAct(`Unlock ${u.name}?`, 'POST', `/users/${encodeURIComponent(u.name)}/unlock`, `${u.name} unlocked.`) }, 'Unlock') : null,
            u.role === 'viewer' ? h('button', { class: 'danger small', onclick: () => reauthAct(`Delete ${u.name}?`, 'DELETE', `/users/${encodeURIComponent(u.name)}`, `${u.name} deleted.`) }, 'Delete') : null)))));
    }
    const name = h('input', { required: true, autocomplete: 'off' });
    const pass = h('input', { type: 'password', required: true, autocomplete: 'new-password' });
    const cur = currentPassword();
    root.append(h('h1', {}, 'Users'), msg, card(null, table),
      card('Sessions', sessNote, h('div', { class: 'scroll' }, sessions)),
      card('Add a viewer', h('p', { class: 'muted' }, 'Viewers can see everything except the audit log and users, and change nothing.'),
        h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('POST', '/users', { name: name.value.trim(), password: pass.value, role: 'viewer', current_password: cur.value });
            msg.replaceChildren(notice('ok', `Viewer ${name.value} created.`));
            e.target.reset(); load();
          } catch (err) { msg.replaceChildren(notice('error', err.message)); }
        } }, field('Name', name), field('Password', pass, '8–64 characters with a digit, upper- and lower-case letters and a symbol'),
        currentPasswordField(cur), h('button', { type: 'submit', class: 'primary' }, 'Create'))));
    await load();
  },
});
