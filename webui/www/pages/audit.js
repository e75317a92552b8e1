// SPDX-License-Identifier: Apache-2.0
// The audit log (administrators only), newest first, with a filter and the CSV export.
import { api } from '../api.js';
import { h, card, fmtTime, notice } from '../dom.js';
import { register } from '../router.js';

register({
  path: '/audit', title: 'Audit log', nav: 'Audit log', admin: true,
  async render(root) {
    const st = { q: '', offset: 0, limit: 100 };
    const msg = h('div', {});
    const table = h('table', { class: 'table', id: 'audit' });
    const pager = h('div', { class: 'pager' });
    const search = h('input', { type: 'search', placeholder: 'Filter by user, source, action, result, detail…', 'aria-label': 'Filter' });
    let timer;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { st.q = search.value; st.offset = 0; load(); }, 250); });
    async function load() {
      let d;
      try { d = await api('GET', `/audit?${new URLSearchParams({ q: st.q, offset: st.offset, limit: st.limit })}`); }
      catch (e) { msg.replaceChildren(notice('error', e.message)); return; }
      table.replaceChildren(h('thead', {}, h('tr', {}, ['Time', 'User', 'Source', 'Action', 'Result', 'Detail'].map((t) => h('th', {}, t)))),
        h('tbody', {}, d.items.map((a) => h('tr', { class: a.result === 'ok' ? '' : 'failed' },
          h('td', { class: 'nowrap' }, fmtTime(a.ts)), h('td', {}, a.user), h('td', { class: 'mono' }, a.source),
          h('td', {}, a.action), h('td', {}, a.result), h('td', { class: 'detail' }, a.detail || '')))));
      const last = Math.min(d.offset + d.limit, d.total);
      pager.replaceChildren(h('span', {}, `${d.total ? d.offset + 1 : 0}–${last} of ${d.total}`),
        h('button', { disabled: d.offset === 0, onclick: () => { st.offset = Math.max(0, st.offset - st.limit); load(); } }, '‹ Newer'),
        h('button', { disabled: last >= d.total, onclick: () => { st.offset += st.limit; load(); } }, 'Older ›'));
    }
    root.append(h('h1', {}, 'Audit log'),
      h('div', { class: 'toolbar' }, search, h('a', { class: 'button', href: '/api/v1/audit.csv', download: '' }, 'Export CSV')),
      h('p', { class: 'muted' }, 'Every record is chained to the one before by a SHA-256 hash; "fleetgw audit verify" checks the chain.'),
      msg, card(null, h('div', { class: 'scroll' }, table)), pager);
    await load();
  },
});
