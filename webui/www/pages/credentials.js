// SPDX-License-Identifier: Apache-2.0
// SNMP credential sets. Secrets are write-only: the API never returns them.
import { api, isAdmin } from '../api.js';
import { h, card, field, notice, currentPassword, currentPasswordField } from '../dom.js';
import { register } from '../router.js';

register({
  path: '/credentials', title: 'Credentials', nav: 'Credentials',
  async render(root) {
    const msg = h('div', {});
    const table = h('table', { class: 'table' });
    async function load() {
      const d = await api('GET', '/credentials');
      table.replaceChildren(h('thead', {}, h('tr', {}, ['Name', 'Version', 'User', 'Level', 'Auth', 'Privacy', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, d.credentials.length ? d.credentials.map((c) => h('tr', {},
          h('td', {}, c.name), h('td', {}, c.version), h('td', {}, c.sec_name || '—'), h('td', {}, c.level || '—'),
          h('td', {}, c.auth_proto || '—'), h('td', {}, c.priv_proto || '—'),
          h('td', {}, isAdmin() ? h('button', { class: 'danger small', onclick: async () => {
            if (!confirm(`Remove credential set ${c.name}?`)) return;
            try { await api('DELETE', `/credentials/${encodeURIComponent(c.name)}`); msg.replaceChildren(notice('ok', `Removed ${c.name}.`)); load(); }
            catch (e) { msg.replaceChildren(notice('error', e.message)); }
          } }, 'Remove') : null)))
          : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No credential sets yet.'))));
    }
    root.append(h('h1', {}, 'Credential sets'), h('p', { class: 'muted' }, 'Secrets are stored encrypted and never shown again.'), msg, card(null, table));
    if (isAdmin()) {
      const name = h('input', { required: true });
      const version = h('select', {}, ['2c', '1', '3'].map((v) => h('option', { value: v }, `SNMP v${v}`)));
      const community = h('input', { type: 'password', autocomplete: 'off' });
      const cur = currentPassword();
      const user = h('input', {});
      const level = h('select', {}, ['authPriv', 'authNoPriv', 'noAuthNoPriv'].map((v) => h('option', {}, v)));
      const aproto = h('select', {}, ['SHA-256', 'SHA-512', 'SHA-384', 'SHA-224', 'SHA', 'MD5'].map((v) => h('option', {}, v)));
      const apass = h('input', { type: 'password', autocomplete: 'off' });
      const pproto = h('select', {}, ['AES', 'AES-256', 'AES-192', 'DES'].map((v) => h('option', {}, v)));
      const ppass = h('input', { type: 'password', autocomplete: 'off' });
      const v12 = h('div', { class: 'inline' }, field('Community', community));
      const v3 = h('div', { class: 'inline' }, field('User', user), field('Level', level), field('Auth protocol', aproto),
        field('Auth passphrase', apass), field('Privacy protocol', pproto), field('Privacy passphrase', ppass));
      const sync = () => { v12.hidden = version.value === '3'; v3.hidden = version.value !== '3'; };
      version.addEventListener('change', sync);
      sync();
      root.append(card('Add a credential set', h('form', { onsubmit: async (e) => {
        e.preventDefault();
        const b = { name: name.value.trim(), version: version.value };
        if (version.value === '3') {
          Object.assign(b, { sec_name: user.value, sec_level: level.value });
          if (level.value !== 'noAuthNoPriv') Object.assign(b, { auth_proto: aproto.value, auth_pass: apass.value });
          if (level.value === 'authPriv') Object.assign(b, { priv_proto: pproto.value, priv_pass: ppass.value });
        } else b.community = community.value;
        b.current_password = cur.value;
        try {
          await api('POST', '/credentials', b);
          msg.replaceChildren(notice('ok', `Credential set ${b.name} stored.`));
          e.target.reset(); sync(); load();
        } catch (err) { msg.replaceChildren(notice('error', err.message)); }
      } }, h('div', { class: 'inline' }, field('Name', name), field('Version', version)), v12, v3,
      currentPasswordField(cur, 'Needed to store SNMP secrets'),
      h('button', { type: 'submit', class: 'primary' }, 'Store'))));
    }
    await load();
  },
});
