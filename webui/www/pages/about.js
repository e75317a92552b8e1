// SPDX-License-Identifier: Apache-2.0
import { api, isAdmin } from '../api.js';
import { h, card } from '../dom.js';
import { register } from '../router.js';

register({
  path: '/about', title: 'About', nav: 'About',
  async render(root) {
    const d = await api('GET', '/about');
    root.append(h('h1', {}, 'About'), card(null, h('dl', { class: 'kv' },
      h('dt', {}, 'Product'), h('dd', {}, d.product),
      h('dt', {}, 'Version'), h('dd', {}, d.version),
      h('dt', {}, 'Updates'), h('dd', {}, 'not configured'),
      h('dt', {}, 'libwebsockets'), h('dd', {}, d.libwebsockets),
      h('dt', {}, 'SQLite'), h('dd', {}, d.sqlite),
      h('dt', {}, 'TLS certificate (SHA-256)'), h('dd', { class: 'mono wrap' }, d.tls_fingerprint_sha256))));
    // A plain link: the browser sends the session cookie and saves the attachment itself.
    if (isAdmin()) {
      root.append(card('System log', h('p', {}, 'The gateway keeps its last 2,000 log lines in memory. ',
        'Downloading them is recorded in the audit log.'),
      h('a', { class: 'button', href: '/api/v1/system/log', download: '' }, 'Download the system log')));
    }
  },
});
