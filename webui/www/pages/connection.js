// SPDX-License-Identifier: Apache-2.0
// Connection to the cloud fleet manager: registration, mode, link and outbox (everyone sees);
// administrators switch between Monitor and Manage mode, optionally with an end time.
import { api, isAdmin } from '../api.js';
import { h, card, field, notice, fmtTime, fmtNum, currentPassword, currentPasswordField } from '../dom.js';
import { register } from '../router.js';

const REG = {
  managed: 'registered (managed by the cloud)',
  pending: 'pending: waiting for approval in the cloud',
};

function regText(d) {
  const s = d.uplink && d.uplink.registration;
  if (s) return REG[s] || s;
  return d.registered ? 'registered' : 'not registered (run fleetgw register on the gateway)';
}

function bytes(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

register({
  path: '/connection', title: 'Connection', nav: 'Connection',
  async render(root) {
    const msg = h('div', {});
    const state = h('div', {});
    const show = (d) => {
      const until = d.uplink && d.uplink.manage_until;
      state.replaceChildren(card('State', h('dl', { class: 'kv' },
        h('dt', {}, 'Registration'), h('dd', {}, regText(d)),
        h('dt', {}, 'Mode'), h('dd', {}, d.mode === 'manage'
          ? `Manage (permanent MQTT connection)${until ? ` until ${fmtTime(until)}, then Monitor` : ''}` : 'Monitor (uploads over HTTPS at intervals)'),
        h('dt', {}, 'Connected'), h('dd', {}, d.connected ? 'yes' : 'no'),
        h('dt', {}, 'Outbox'), h('dd', {}, `${fmtNum(d.outbox_messages)} messages, ${bytes(d.outbox_bytes)}`),
        h('dt', {}, 'Last upload'), h('dd', {}, d.last_upload ? fmtTime(d.last_upload) : 'never'),
        h('dt', {}, 'Messages dropped (outbox full)'), h('dd', {}, fmtNum(d.evicted_total)),
        h('dt', {}, 'Anonymized'), h('dd', {}, d.uplink && d.uplink.anonymized ? 'yes' : 'no'))));
    };
    const d = await api('GET', '/connection');
    show(d);
    root.append(h('h1', {}, 'Connection'), msg, state);
    if (!isAdmin()) {
      root.append(h('p', { class: 'muted' }, 'Only administrators can change the mode.'));
      return;
    }
    const mode = h('select', {}, h('option', { value: 'monitor' }, 'Monitor'), h('option', { value: 'manage' }, 'Manage'));
    mode.value = d.mode;
    const until = h('input', { type: 'datetime-local' });
    const cur = currentPassword();
    root.append(card('Change mode', h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const body = { mode: mode.value, current_password: cur.value };
      if (mode.value === 'manage' && until.value) {
        const t = Date.parse(until.value);
        if (Number.isNaN(t)) { msg.replaceChildren(notice('error', 'The end time is not a valid date and time.')); return; }
        body.until = Math.floor(t / 1000);
      }
      try {
        show(await api('PUT', '/connection/mode', body));
        cur.value = '';
        msg.replaceChildren(notice('ok', `Mode set to ${mode.value === 'manage' ? 'Manage' : 'Monitor'}.`));
      } catch (err) { msg.replaceChildren(notice('error', err.message)); }
    } }, field('Mode', mode, 'Manage keeps a permanent MQTT connection to the cloud, which can then send tasks at once; Monitor uploads over HTTPS at intervals.'),
    field('Manage until (optional, your local time)', until, 'Leave empty to stay in Manage mode until changed.'),
    currentPasswordField(cur), h('button', { type: 'submit', class: 'primary' }, 'Apply'))));
  },
});
