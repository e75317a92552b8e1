// SPDX-License-Identifier: Apache-2.0
import { api, setSession } from '../api.js';
import { h, notice } from '../dom.js';
import { register, go } from '../router.js';

register({
  path: '/login', title: 'Log in', public: true, bare: true,
  render(root) {
    const msg = h('div', { id: 'login-msg' });
    const stored = sessionStorage.getItem('fleetgw.notice');
    // Kept until the next login: a burst of 401s may draw this page more than once.
    if (stored) msg.append(notice('info', stored));
    const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, value: 'admin' });
    const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
    const form = h('form', { class: 'login card', onsubmit: async (e) => {
      e.preventDefault();
      button.disabled = true;
      msg.replaceChildren(notice('info', 'Checking…'));
      try {
        const s = await api('POST', '/session', { username: user.value, password: pass.value });
        setSession(s);
        sessionStorage.removeItem('fleetgw.notice');
        go(s.must_change ? '/account' : '/');
      } catch (err) {
        msg.replaceChildren(notice('error', err.message));
        pass.value = '';
        pass.focus();
      } finally {
        button.disabled = false;
      }
    } },
    h('h1', {}, h('img', { src: 'favicon.svg', alt: '' }), ' fleetgw'),
    h('p', { class: 'muted' }, 'Printer fleet gateway'),
    h('label', { class: 'field' }, h('span', {}, 'User name'), user),
    h('label', { class: 'field' }, h('span', {}, 'Password'), pass),
    msg, button);
    root.append(form);
    pass.focus();
  },
});
