// SPDX-License-Identifier: Apache-2.0
// Security settings: session timeout and lockout (administrators change, viewers see), and
// for administrators the upload of the server's TLS certificate and key.
import { api, isAdmin } from '../api.js';
import { h, card, field, notice, currentPassword, currentPasswordField } from '../dom.js';
import { register } from '../router.js';

register({
  path: '/security', title: 'Security', nav: 'Security',
  async render(root) {
    const d = await api('GET', '/settings/security');
    const msg = h('div', {});
    const ro = !isAdmin();
    const idle = h('input', { type: 'number', min: 1, max: 1440, value: Math.round(d.session_idle_timeout_s / 60), disabled: ro });
    const thr = h('input', { type: 'number', min: 1, max: 10, value: d.lockout_threshold, disabled: ro });
    const mins = h('input', { type: 'number', min: 1, max: 1440, value: d.lockout_minutes, disabled: ro });
    const cur = currentPassword();
    root.append(h('h1', {}, 'Security settings'), msg,
      card('Sessions and lockout', h('form', { onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('PUT', '/settings/security', { session_idle_timeout_s: +idle.value * 60, lockout_threshold: +thr.value, lockout_minutes: +mins.value, current_password: cur.value });
          msg.replaceChildren(notice('ok', 'Settings saved; they apply to new requests at once.'));
          cur.value = '';
        } catch (err) { msg.replaceChildren(notice('error', err.message)); }
      } }, field('Log out after inactivity (minutes)', idle),
      field('Lock an account after this many failed logins', thr),
      field('Unlock automatically after (minutes)', mins),
      ro ? null : currentPasswordField(cur, 'Needed to change security settings'),
      ro ? h('p', { class: 'muted' }, 'Only administrators can change these.') : h('button', { type: 'submit', class: 'primary' }, 'Save'))),
      card('Fixed rules', h('dl', { class: 'kv' },
        h('dt', {}, 'Session lifetime'), h('dd', {}, `${Math.round(d.session_lifetime_s / 3600)} h (config file)`),
        h('dt', {}, 'Passwords'), h('dd', {}, '8–64 characters with a digit, upper- and lower-case letters and a symbol; expire after 365 days'),
        h('dt', {}, 'TLS certificate (SHA-256)'), h('dd', { class: 'mono wrap' }, d.tls_fingerprint_sha256))));
    root.append(upgradeCard(d, ro));
    if (!ro) root.append(certCard());
  },
});

// The files are read in the browser and sent as PEM text; the gateway checks them (PEM, key
// matches, not expired) and uses them for new connections at once.
function certCard() {
  const msg = h('div', {});
  const cert = h('input', { type: 'file', accept: '.pem,.crt,.cer' });
  const key = h('input', { type: 'file', accept: '.pem,.key' });
  const cur = currentPassword();
  return card('TLS certificate', h('p', { class: 'muted' },
    'Upload a PEM certificate (intermediate certificates may follow it) and its unencrypted PEM private key. ',
    'The gateway checks them and uses them at once for new connections; a certificate that does not load is refused and the current one stays.'), msg,
  h('form', { onsubmit: async (e) => {
    e.preventDefault();
    if (!cert.files[0] || !key.files[0]) { msg.replaceChildren(notice('error', 'Choose both the certificate file and the key file.')); return; }
    try {
      const r = await api('PUT', '/security/certificate', { certificate: await cert.files[0].text(), key: await key.files[0].text(), current_password: cur.value });
      cur.value = '';
      msg.replaceChildren(notice('ok', r.restart_required
        ? `Certificate installed (SHA-256 ${r.pending_fingerprint_sha256}). Restart the gateway to use it.`
        : `Certificate installed and in use for new connections (SHA-256 ${r.pending_fingerprint_sha256}). Reload the page to connect with it.`));
      cert.value = ''; key.value = '';
    } catch (err) { msg.replaceChildren(notice('error', err.message)); }
  } }, field('Certificate (PEM)', cert), field('Private key (PEM)', key),
  currentPasswordField(cur),
  h('button', { type: 'submit', class: 'primary' }, 'Upload')));
}

function upgradeCard(d, ro) {
  const msg = h('div', {});
  const time = h('input', { type: 'time', value: d.auto_upgrade_time || '', disabled: ro });
  const cur = currentPassword();
  return card('Automatic upgrades', h('p', { class: 'muted' },
    'The time of day (the gateway\'s local time) at which the gateway will install updates. ',
    'The updater itself comes in a later release: the time is stored now and used once it is there.'), msg,
  h('form', { onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('PUT', '/settings/security', { auto_upgrade_time: time.value || null, current_password: cur.value });
      cur.value = '';
      msg.replaceChildren(notice('ok', r.auto_upgrade_time ? `Upgrade time set to ${r.auto_upgrade_time}.` : 'Upgrade time cleared.'));
    } catch (err) { msg.replaceChildren(notice('error', err.message)); }
  } }, field('Upgrade at (HH:MM, empty for none)', time),
  ro ? null : currentPasswordField(cur),
  ro ? h('p', { class: 'muted' }, 'Only administrators can change this.') : h('button', { type: 'submit', class: 'primary' }, 'Save')));
}
