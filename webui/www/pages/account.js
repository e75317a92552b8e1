// SPDX-License-Identifier: Apache-2.0
// The user's own account: change the password (required when it has expired).
import { api, session, setSession } from '../api.js';
import { h, card, field, notice } from '../dom.js';
import { register, go } from '../router.js';

register({
  path: '/account', title: 'Account',
  render(root) {
    const msg = h('div', {});
    if (session.mustChange) msg.append(notice('warn', 'Your password has expired. Choose a new one to go on.'));
    const cur = h('input', { type: 'password', required: true, autocomplete: 'current-password' });
    const nw = h('input', { type: 'password', required: true, autocomplete: 'new-password' });
    const again = h('input', { type: 'password', required: true, autocomplete: 'new-password' });
    root.append(h('h1', {}, `Account ${session.user}`), msg,
      card('Change password', h('form', { onsubmit: async (e) => {
        e.preventDefault();
        if (nw.value !== again.value) { msg.replaceChildren(notice('error', 'The new passwords differ.')); return; }
        try {
          const wasExpired = session.mustChange;
          const s = await api('POST', '/session/password', { current: cur.value, new: nw.value });
          setSession(s);
          e.target.reset();
          msg.replaceChildren(notice('ok', 'Password changed. Your other sessions have been ended.'));
          if (wasExpired) go('/');
        } catch (err) { msg.replaceChildren(notice('error', err.message)); }
      } }, field('Current password', cur), field('New password', nw, '8–64 characters with a digit, upper- and lower-case letters and a symbol'),
      field('New password again', again), h('button', { type: 'submit', class: 'primary' }, 'Change password'))));
  },
});
