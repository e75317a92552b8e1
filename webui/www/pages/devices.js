// SPDX-License-Identifier: Apache-2.0
// Device table with server-side paging, sorting and filtering: it stays fast with 10,000
// devices because the browser only ever holds one page.
import { api, isAdmin, BG } from '../api.js';
import { h, badge, fmtNum, fmtTime, notice, card, field, words } from '../dom.js';
import { register, go, parse } from '../router.js';
import { events } from '../live.js';

const COLS = [
  ['name', 'Name'], ['address', 'Address'], ['status', 'Status'], ['model', 'Model'],
  ['serial', 'Serial'], ['page_count', 'Pages'], ['alerts', 'Alerts'], ['priority', 'Priority'],
  ['last_seen', 'Last seen'],
];

register({
  path: '/devices', title: 'Devices', nav: 'Devices',
  async render(root, params, query) {
    const st = {
      q: query.get('q') || '', status: query.get('status') || '', alerts: query.get('alerts') || '',
      sort: query.get('sort') || 'name', order: query.get('order') || 'asc',
      offset: +query.get('offset') || 0, limit: +query.get('limit') || 50,
    };
    const msg = h('div', {});
    const table = h('table', { class: 'table', id: 'devices' });
    const pager = h('div', { class: 'pager' });
    const search = h('input', { type: 'search', placeholder: 'Filter by name, address, model, serial…', value: st.q, 'aria-label': 'Filter' });
    const status = h('select', { 'aria-label': 'Status' }, ['', 'ok', 'new', 'unreachable', 'auth_failed', 'error'].map((s) =>
      h('option', { value: s, selected: s === st.status }, s ? words(s) : 'any status')));
    const alerts = h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: st.alerts === '1' }), ' with alerts');
    let timer;
    const update = () => {
      st.q = search.value; st.status = status.value; st.alerts = alerts.firstChild.checked ? '1' : ''; st.offset = 0;
      push();
    };
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(update, 250); });
    status.addEventListener('change', update);
    alerts.firstChild.addEventListener('change', update);
    function push() {
      const qs = new URLSearchParams(Object.entries(st).filter(([, v]) => v !== '' && v !== 0));
      history.replaceState(null, '', `#/devices?${qs}`);
      load();
    }
    async function load(opts) {
      const qs = new URLSearchParams({ limit: st.limit, offset: st.offset, sort: st.sort, order: st.order });
      if (st.q) qs.set('q', st.q);
      if (st.status) qs.set('status', st.status);
      if (st.alerts) qs.set('alerts', '1');
      let d;
      try {
        d = await api('GET', `/devices?${qs}`, undefined, opts);
      } catch (e) {
        msg.replaceChildren(notice('error', e.message));
        return;
      }
      msg.replaceChildren();
      table.replaceChildren(
        h('thead', {}, h('tr', {}, COLS.map(([k, label]) => h('th', { scope: 'col' },
          h('button', { class: `sort ${st.sort === k ? st.order : ''}`, 'aria-sort': st.sort === k ? (st.order === 'asc' ? 'ascending' : 'descending') : null,
            onclick: () => { st.order = st.sort === k && st.order === 'asc' ? 'desc' : 'asc'; st.sort = k; push(); } }, label))))),
        h('tbody', {}, d.items.length ? d.items.map((x) => h('tr', { 'data-id': x.id, onclick: () => go(`/devices/${x.id}`) },
          h('td', {}, h('a', { href: `#/devices/${x.id}` }, x.name || `device ${x.id}`)),
          h('td', { class: 'mono' }, `${x.address}:${x.port}`),
          h('td', {}, badge(x.status)),
          h('td', {}, x.model || x.vendor || '—'), // the model names its maker
          h('td', { class: 'mono' }, x.serial || '—'),
          h('td', { class: 'num' }, fmtNum(x.page_count_total)),
          h('td', { class: 'num' }, x.alerts ? h('span', { class: 'badge st-warn' }, x.alerts) : '0'),
          h('td', {}, x.priority),
          h('td', {}, fmtTime(x.last_seen))))
          : h('tr', {}, h('td', { colspan: COLS.length, class: 'muted' }, 'No devices match.'))));
      const last = Math.min(d.offset + d.limit, d.total);
      pager.replaceChildren(
        h('span', {}, d.total ? `${fmtNum(d.offset + 1)}–${fmtNum(last)} of ${fmtNum(d.total)}` : '0 devices'),
        h('button', { disabled: d.offset === 0, onclick: () => { st.offset = Math.max(0, st.offset - st.limit); push(); } }, '‹ Previous'),
        h('button', { disabled: last >= d.total, onclick: () => { st.offset += st.limit; push(); } }, 'Next ›'));
    }
    root.append(h('h1', {}, 'Devices'), h('div', { class: 'toolbar' }, search, status, alerts), msg,
      h('div', { class: 'scroll' }, table), pager);
    if (isAdmin()) root.append(addForm(load));
    await load();
    const refresh = () => { clearTimeout(timer); timer = setTimeout(() => load(BG), 1500); };
    events.addEventListener('device.added', refresh);
    events.addEventListener('device.removed', refresh);
    return () => {
      events.removeEventListener('device.added', refresh);
      events.removeEventListener('device.removed', refresh);
    };
  },
});

function addForm(reload) {
  const msg = h('div', {});
  const addr = h('input', { name: 'address', required: true, placeholder: '192.0.2.10 or printer.example' });
  const port = h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: 161 });
  const name = h('input', { name: 'name' });
  const cred = h('select', { name: 'credential', required: true });
  api('GET', '/credentials').then((d) => cred.replaceChildren(...d.credentials.map((c) => h('option', { value: c.name }, c.name))))
    .catch((e) => msg.replaceChildren(notice('error', e.message)));
  return card('Add a device', h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/devices', { address: addr.value.trim(), port: +port.value, credential: cred.value, name: name.value.trim() });
      msg.replaceChildren(notice('ok', `Device ${addr.value} added.`));
      addr.value = ''; name.value = '';
      reload();
    } catch (err) {
      msg.replaceChildren(notice('error', err.message));
    }
  } }, field('Address', addr), field('Port', port), field('Name', name), field('Credential set', cred),
  h('button', { type: 'submit', class: 'primary' }, 'Add')), msg);
}
