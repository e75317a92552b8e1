// SPDX-License-Identifier: Apache-2.0
import { api, BG } from '../api.js';
import { h, card, fmtNum, fmtTime, words } from '../dom.js';
import { register } from '../router.js';
import { events } from '../live.js';

function tile(label, value, kind, href) {
  return h('a', { class: `tile ${kind || ''}`, href: href || null }, h('strong', {}, fmtNum(value)), h('span', {}, label));
}

register({
  path: '/', title: 'Dashboard', nav: 'Dashboard',
  async render(root) {
    const body = h('div', {});
    root.append(h('h1', {}, 'Dashboard'), body);
    async function draw(opts) {
      const d = await api('GET', '/status', undefined, opts);
      const g = d.gateway || {};
      body.replaceChildren(
        h('div', { class: 'tiles' },
          tile('devices', d.devices_total, '', '#/devices'),
          tile('online', d.devices_online, 'ok', '#/devices?status=ok'),
          tile('with alerts', d.devices_with_alerts, d.devices_with_alerts ? 'warn' : '', '#/devices?alerts=1'),
          tile('supplies low or empty', d.supplies_low, d.supplies_low ? 'warn' : '')),
        h('div', { class: 'grid2' },
          card('Newest alerts', d.recent_alerts.length
            ? h('ul', { class: 'list' }, d.recent_alerts.map((a) => h('li', {},
              h('a', { href: `#/devices/${a.device_id}` }, a.name || a.address), ' — ', a.text || a.description || `code ${a.code}`,
              h('small', { class: 'muted' }, ` since ${fmtTime(a.first_seen)}`))))
            : h('p', { class: 'muted' }, 'No active alerts.')),
          card('Supplies running low', d.low_supplies.length
            ? h('ul', { class: 'list' }, d.low_supplies.map((s) => h('li', {},
              h('a', { href: `#/devices/${s.device_id}` }, s.name || s.address), ' — ', s.description,
              ': ', s.percent === null ? words(s.state) : `${s.percent}%`)))
            : h('p', { class: 'muted' }, 'All supplies are fine.'))),
        card('Polling',
          h('dl', { class: 'kv' },
            h('dt', {}, 'Last poll'), h('dd', {}, fmtTime(d.last_poll)),
            h('dt', {}, 'Polls ok / failed'), h('dd', {}, `${fmtNum(g.polls_ok)} / ${fmtNum(g.polls_failed)}`),
            h('dt', {}, 'In flight'), h('dd', {}, fmtNum(g.polls_in_flight)),
            h('dt', {}, 'Unreachable devices'), h('dd', {}, fmtNum(g.devices_unreachable)),
            h('dt', {}, 'Uptime'), h('dd', {}, g.uptime_s !== undefined ? `${Math.floor(g.uptime_s / 3600)} h ${Math.floor(g.uptime_s % 3600 / 60)} min` : '—'),
            h('dt', {}, 'Uplink'), h('dd', {}, 'not configured'))));
    }
    await draw();
    let timer = null;
    const later = () => { clearTimeout(timer); timer = setTimeout(() => draw(BG).catch(() => {}), 1000); };
    for (const k of ['poll', 'alert.new', 'alert.cleared', 'device.added', 'device.removed']) events.addEventListener(k, later);
    return () => {
      clearTimeout(timer);
      for (const k of ['poll', 'alert.new', 'alert.cleared', 'device.added', 'device.removed']) events.removeEventListener(k, later);
    };
  },
});
