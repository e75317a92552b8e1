// SPDX-License-Identifier: Apache-2.0
// One device: identity, counters with their history chart, supplies as bars with their
// states, input trays with their paper, current alerts, events and the polling priority. Refreshes on live events for it.
import { api, isAdmin, BG } from '../api.js';
import { h, badge, card, fmtNum, fmtTime, notice } from '../dom.js';
import { register } from '../router.js';
import { lineChart } from '../chart.js';
import { events, toast } from '../live.js';

const SEVERITY = { 1: 'other', 3: 'critical', 4: 'warning', 5: 'warning (binary)' };

function supplyBar(s) {
  const pct = s.percent;
  const fill = h('div', { class: `fill st-${s.state}` });
  fill.style.width = `${pct === null ? 100 : Math.max(0, Math.min(100, pct))}%`;
  return h('div', { class: 'supply' },
    h('div', { class: 'supply-head' }, h('span', {}, s.description || `${s.type} ${s.index}`),
      h('span', {}, pct === null ? null : `${pct}% `, badge(s.state))),
    h('div', { class: `bar ${pct === null ? 'unknown' : ''}`, role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-valuenow': pct === null ? null : pct, 'aria-label': s.description }, fill));
}

// Input trays are not supplies: paper in a tray is shown as the count the printer reports
// ("250 of 500 sheets", "some paper", "empty"), never as a bar or a supply running low.
function traysCard(trays) {
  if (!trays.length) return null;
  return card('Input trays', h('table', { class: 'table compact', id: 'trays' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Tray'), h('th', {}, 'Media'), h('th', {}, 'Paper'))),
    h('tbody', {}, trays.map((t) => h('tr', {},
      h('td', {}, t.name || t.description || `Tray ${t.index}`),
      h('td', {}, t.media_name || '—'),
      h('td', { class: t.state === 'empty' ? 'warn' : null }, t.level_text))))));
}

register({
  path: '/devices/:id', title: 'Device',
  async render(root, { id }) {
    const msg = h('div', {});
    const body = h('div', {});
    const chartBox = h('div', { class: 'chart-box' });
    let counter = 'total';
    let days = 30;
    root.append(h('p', {}, h('a', { href: '#/devices' }, '‹ All devices')), msg, body);

    async function drawChart(opts) {
      try {
        const d = await api('GET', `/devices/${id}/history?counter=${encodeURIComponent(counter)}&days=${days}`, undefined, opts);
        chartBox.replaceChildren(lineChart(d.points, { label: `${counter} over ${days} days` }));
      } catch (e) {
        chartBox.replaceChildren(notice('error', e.message));
      }
    }

    async function draw(opts) {
      const d = await api('GET', `/devices/${id}`, undefined, opts);
      const dev = d.device;
      const st = d.state || { counters: [], supplies: [], alerts: [] };
      document.title = `${dev.name || dev.address} · fleetgw`;
      const wsd = dev.transport === 'wsd';
      const names = d.counter_names.length ? d.counter_names : st.counters.map((c) => c.name);
      if (!names.includes(counter) && names.length) counter = names[0];
      const pick = h('select', { 'aria-label': 'Counter', onchange: (e) => { counter = e.target.value; drawChart(); } },
        names.map((n) => h('option', { value: n, selected: n === counter }, n)));
      const span = h('select', { 'aria-label': 'Period', onchange: (e) => { days = +e.target.value; drawChart(); } },
        [[1, '1 day'], [7, '7 days'], [30, '30 days'], [90, '90 days']].map(([v, l]) => h('option', { value: v, selected: v === days }, l)));
      const prio = h('select', { 'aria-label': 'Polling priority', disabled: !isAdmin(), onchange: async (e) => {
        try {
          await api('PUT', `/devices/${id}/priority`, { priority: e.target.value });
          toast('Polling priority saved.');
        } catch (err) { msg.replaceChildren(notice('error', err.message)); }
      } }, ['auto', 'high', 'middle', 'low'].map((p) => h('option', { value: p,
        selected: (dev.priority_pinned ? dev.priority : 'auto') === p }, p === 'auto' ? `automatic (now ${dev.priority})` : p)));
      body.replaceChildren(
        h('h1', {}, dev.name || dev.address, ' ', badge(dev.status)),
        h('div', { class: 'grid2' },
          card('Identity', h('dl', { class: 'kv' },
            // A WSD device is reached at its WS-Print address: the SNMP port means nothing there.
            ...[['Address', wsd ? dev.address : `${dev.address}:${dev.port}`],
              ['Transport', wsd ? 'WS-Discovery / WS-Print (no SNMP)' : 'SNMP'],
              ...(wsd ? [['WS-Print address', dev.wsd_xaddrs]] : []),
              ['Vendor', dev.vendor], ['Model', dev.model],
              ['Serial', dev.serial], ['MAC', dev.mac], ['Engine ID', dev.engine_id],
              ['Credential set', dev.credential], ['Page count', fmtNum(dev.page_count_total)],
              ['Last seen', fmtTime(dev.last_seen)], ['Last poll', fmtTime(dev.last_poll)]]
              .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '—')]),
            h('dt', {}, 'Polling priority'), h('dd', {}, prio))),
          h('div', {},
            card('Supplies', st.supplies.length ? h('div', { class: 'supplies' }, st.supplies.map(supplyBar))
              : h('p', { class: 'muted' }, 'No supplies reported yet.')),
            traysCard(st.trays || []))),
        wsd && !st.counters.length ? card('Counters', h('p', { class: 'muted', id: 'counters-note' }, dev.counters_note || 'no counters (WSD only)'))
        : card('Counters', h('div', { class: 'toolbar' }, pick, span), chartBox,
          h('table', { class: 'table compact' }, h('thead', {}, h('tr', {}, h('th', {}, 'Counter'), h('th', { class: 'num' }, 'Value'), h('th', {}, 'Read'))),
            h('tbody', {}, st.counters.map((c) => h('tr', {}, h('td', {}, c.name), h('td', { class: 'num' }, fmtNum(c.value)), h('td', {}, fmtTime(c.ts))))))),
        h('div', { class: 'grid2' },
          card('Current alerts', h('div', { id: 'alerts' }, st.alerts.length ? h('ul', { class: 'list' }, st.alerts.map((a) =>
            // text and code_text come from the gateway's one table (WS-Print reasons and RFC
            // 3805 alert codes in words); the raw values stay in data attributes.
            h('li', { class: a.severity === 3 ? 'crit' : 'warn', 'data-code': a.code, 'data-description': a.description },
              a.text || a.code_text || `alert code ${a.code}`,
              h('small', { class: 'muted' }, ` ${a.code_text && a.code_text !== a.text ? a.code_text + '; ' : ''}${SEVERITY[a.severity] || 'severity ' + a.severity}, since ${fmtTime(a.first_seen)}`))))
            : h('p', { class: 'muted' }, 'No active alerts.'))),
          card('Events', d.events.length ? h('ul', { class: 'list' }, d.events.map((e) =>
            h('li', {}, fmtTime(e.ts), ' — ', e.kind, e.detail ? h('small', { class: 'muted' }, ' ', typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)) : null)))
            : h('p', { class: 'muted' }, 'No events.'))));
      if (!wsd || st.counters.length) drawChart(opts);
    }
    await draw();
    let timer;
    const mine = (e) => String(e.detail && e.detail.device_id) === String(id);
    const onEvent = (e) => {
      if (!mine(e)) return;
      clearTimeout(timer);
      timer = setTimeout(() => draw(BG).catch((err) => msg.replaceChildren(notice('error', err.message))), 300);
    };
    const kinds = ['poll', 'alert.new', 'alert.cleared', 'device.state'];
    kinds.forEach((k) => events.addEventListener(k, onEvent));
    return () => { clearTimeout(timer); kinds.forEach((k) => events.removeEventListener(k, onEvent)); };
  },
});
