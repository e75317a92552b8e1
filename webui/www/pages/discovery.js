// SPDX-License-Identifier: Apache-2.0
// Discovery settings: the list with each setting's last run and live progress, a form to add
// or change one (administrators), and a page per setting with the printers its last run found.
// Progress arrives as `discovery.progress` events on the websocket; while a run is going and
// no event came for a few seconds the page also re-reads the setting, so it never freezes.
import { api, isAdmin, BG } from '../api.js';
import { h, card, field, notice, fmtNum } from '../dom.js';
import { register, go } from '../router.js';
import { events } from '../live.js';

const STALE_MS = 3000;

function fmtUnix(t) {
  return t ? new Date(t * 1000).toLocaleString() : '—';
}

function fmtSecs(s) {
  if (s === undefined || s === null || !isFinite(s)) return '—';
  s = Math.round(s);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function describeSchedule(s) {
  if (!s || s === 'manual') return 'manual';
  const d = /^daily (\d\d:\d\d)$/.exec(s);
  if (d) return `daily at ${d[1]}`;
  const e = /^every (\d+)/.exec(s);
  if (e) return `every ${e[1]} h`;
  return s;
}

// The progress of a run, from a setting's last_run or a discovery.progress event.
function progress(run) {
  const box = h('div', { class: 'progress', 'data-state': run ? run.state : 'none' });
  if (!run) { box.append(h('span', { class: 'muted' }, 'never run')); return box; }
  const total = run.total || 0;
  const done = Math.min(run.done || 0, total);
  const pct = total ? Math.round((done * 100) / total) : (run.state === 'done' ? 100 : 0);
  const state = h('span', { class: `badge st-${run.state === 'done' ? 'ok' : run.state === 'failed' ? 'error' : 'new'}` }, run.state);
  box.append(h('div', { class: 'progress-head' }, state,
    h('span', { class: 'muted' }, `${fmtNum(done)} / ${fmtNum(total)} addresses · ${fmtNum(run.printers)} printers · ${fmtNum(run.responders)} answered`)),
  h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
    h('div', { class: 'fill', style: null })));
  box.querySelector('.fill').style.width = `${pct}%`;
  if (run.state === 'running' && run.eta_s >= 0) box.append(h('small', { class: 'muted' }, `about ${fmtSecs(run.eta_s)} left`));
  return box;
}

// Follows the runs shown: events first, re-reading when they stay away while one runs.
function follow(onEvent, reload, running) {
  let last = 0;
  const handler = (e) => {
    last = Date.now();
    onEvent(e.detail || {});
  };
  events.addEventListener('discovery.progress', handler);
  const timer = setInterval(() => {
    if (running() && Date.now() - last > STALE_MS) reload(BG).catch(() => {});
  }, 2000);
  return () => {
    events.removeEventListener('discovery.progress', handler);
    clearInterval(timer);
  };
}

function credentialPicker(all, chosen) {
  const list = h('ol', { class: 'list creds' });
  const add = h('select', { 'aria-label': 'Add a credential set' });
  const order = [...chosen];
  function draw() {
    list.replaceChildren(...order.map((name, i) => h('li', {}, h('span', { class: 'mono' }, name), ' ',
      h('button', { type: 'button', class: 'small', title: 'Try earlier', disabled: i === 0, onclick: () => { [order[i - 1], order[i]] = [order[i], order[i - 1]]; draw(); } }, '↑'),
      h('button', { type: 'button', class: 'small', title: 'Try later', disabled: i === order.length - 1, onclick: () => { [order[i + 1], order[i]] = [order[i], order[i + 1]]; draw(); } }, '↓'),
      h('button', { type: 'button', class: 'small danger', onclick: () => { order.splice(i, 1); draw(); } }, 'Remove'))));
    if (!order.length) list.append(h('li', { class: 'muted' }, 'none chosen yet'));
    add.replaceChildren(h('option', { value: '' }, all.length ? 'Add a credential set…' : 'No credential sets: add one on the Credentials page'),
      ...all.filter((c) => !order.includes(c)).map((c) => h('option', { value: c }, c)));
  }
  add.addEventListener('change', () => { if (add.value) { order.push(add.value); draw(); } });
  draw();
  return { el: h('div', {}, list, add), value: () => [...order] };
}

// The add/change form. setting is null for a new one.
function settingForm(setting, credNames, done) {
  const s = setting || { name: '', targets: '', excludes: '', credentials: [], schedule: 'manual', window: '', pps: 500, auto_register: false, confirmed: false, wsd: true, wsd_interface: '', wsd_port: 3702 };
  const errs = {};
  const err = (k) => (errs[k] = h('small', { class: 'field-error', id: `err-${k}`, role: 'alert' }));
  const name = h('input', { id: 'd-name', value: s.name, required: true, maxlength: 63 });
  const targets = h('textarea', { id: 'd-targets', rows: 3, placeholder: '192.168.1.0/24, 10.0.0.1-10.0.0.50, printer.example.lan' });
  targets.value = s.targets;
  const excludes = h('textarea', { id: 'd-excludes', rows: 2, placeholder: '192.168.1.1, 192.168.1.250-192.168.1.254' });
  excludes.value = s.excludes;
  const creds = credentialPicker(credNames, s.credentials || []);
  const m = /^(daily) (\d\d:\d\d)$|^(every) (\d+)/.exec(s.schedule || '');
  const kind = h('select', { id: 'd-schedule' }, h('option', { value: 'manual' }, 'Manual only'),
    h('option', { value: 'daily' }, 'Daily at'), h('option', { value: 'every' }, 'Every N hours'));
  kind.value = m ? (m[1] || m[3]) : 'manual';
  const at = h('input', { id: 'd-at', type: 'time', value: m && m[2] ? m[2] : '02:00' });
  const hours = h('input', { id: 'd-hours', type: 'number', min: 1, max: 8760, value: m && m[4] ? m[4] : 24 });
  const w = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(s.window || '');
  const wfrom = h('input', { id: 'd-wfrom', type: 'time', value: w ? w[1] : '' });
  const wto = h('input', { id: 'd-wto', type: 'time', value: w ? w[2] : '' });
  const pps = h('input', { id: 'd-pps', type: 'number', min: 1, max: 100000, value: s.pps });
  const port = h('input', { id: 'd-port', type: 'number', min: 1, max: 65535, value: s.port || 161 });
  const auto = h('input', { id: 'd-auto', type: 'checkbox', checked: !!s.auto_register });
  const confirm = h('input', { id: 'd-confirm', type: 'checkbox', checked: !!s.confirmed });
  const wsd = h('input', { id: 'd-wsd', type: 'checkbox', checked: s.wsd !== false });
  const wsdIf = h('input', { id: 'd-wsd-if', value: s.wsd_interface || '', maxlength: 15, placeholder: 'automatic' });
  const wsdPort = h('input', { id: 'd-wsd-port', type: 'number', min: 1, max: 65535, value: s.wsd_port || 3702 });
  const syncWsd = () => { wsdIf.disabled = !wsd.checked; wsdPort.disabled = !wsd.checked; };
  wsd.addEventListener('change', syncWsd);
  syncWsd();
  const timeField = field('Time', h('span', {}, at, hours));
  const syncKind = () => { at.hidden = kind.value !== 'daily'; hours.hidden = kind.value !== 'every'; timeField.hidden = kind.value === 'manual'; };
  kind.addEventListener('change', syncKind);
  syncKind();
  const msg = h('div', {});
  const form = h('form', { id: 'discovery-form', onsubmit: async (e) => {
    e.preventDefault();
    for (const el of Object.values(errs)) el.textContent = '';
    msg.replaceChildren();
    const schedule = kind.value === 'daily' ? `daily ${at.value}` : kind.value === 'every' ? `every ${hours.value}` : 'manual';
    if ((wfrom.value && !wto.value) || (!wfrom.value && wto.value)) {
      errs.window.textContent = 'Give both the start and the end of the run window, or neither.';
      return;
    }
    const body = { name: name.value.trim(), targets: targets.value, excludes: excludes.value, credentials: creds.value(),
      schedule, window: wfrom.value ? `${wfrom.value}-${wto.value}` : '', pps: +pps.value || 500,
      port: +port.value || 161, auto_register: auto.checked, confirmed: confirm.checked,
      wsd: wsd.checked, wsd_interface: wsdIf.value.trim(), wsd_port: +wsdPort.value || 3702 };
    try {
      const r = setting ? await api('PUT', `/discovery/${encodeURIComponent(setting.name)}`, body)
        : await api('POST', '/discovery', body);
      done(r.setting, setting ? 'changed' : 'added');
    } catch (x) {
      const f = x.data && x.data.field;
      if (f && errs[f]) errs[f].textContent = x.message;
      else msg.replaceChildren(notice('error', x.message));
      if (x.data && x.data.needs_confirm) errs.confirmed.textContent = 'This range is larger than a /16: tick the box to confirm that it should be swept.';
    }
  } },
  msg,
  h('div', { class: 'grid2' },
    h('div', {}, field('Name', name), err('name'),
      field('Targets', targets, 'Addresses, ranges (a-b), networks (CIDR or address/mask) and host names, separated by commas or lines'), err('targets'),
      field('Exclude', excludes, 'Addresses, ranges or networks to skip'), err('excludes')),
    h('div', {}, h('div', { class: 'field' }, h('span', {}, 'Credential sets, in the order they are tried'), creds.el), err('credentials'),
      h('div', { class: 'inline' }, field('Schedule', kind), timeField), err('schedule'),
      h('div', { class: 'inline' }, field('Run only between', wfrom), field('and', wto)), err('window'),
      h('div', { class: 'inline' }, field('Packets per second', pps), field('SNMP port', port)), err('pps'), err('port'),
      h('label', { class: 'check' }, wsd, 'Also find printers over WS-Discovery'),
      h('div', { class: 'inline' }, field('Multicast interface address', wsdIf, 'Empty: multicast on attached networks, directed probes elsewhere'), field('WS-Discovery port', wsdPort)), err('wsd_interface'), err('wsd_port'),
      h('label', { class: 'check' }, auto, 'Register the printers found (otherwise they are only listed)'),
      h('label', { class: 'check' }, confirm, 'Confirm sweeping more than a /16 (65,536 addresses)'), err('confirmed'))),
  setting ? h('p', { class: 'muted' }, 'A change keeps the last run and its printers; a new name starts a new setting.') : null,
  h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, setting ? 'Save changes' : 'Add setting'),
    setting ? h('button', { type: 'button', onclick: () => done(null, 'cancel') }, 'Cancel') : null));
  return form;
}

register({
  path: '/discovery', title: 'Discovery', nav: 'Discovery',
  async render(root) {
    const msg = h('div', { id: 'discovery-msg' });
    const table = h('table', { class: 'table', id: 'discovery' });
    const formBox = h('div', {});
    let settings = [];
    let credNames = [];
    const rows = new Map();
    const viaEvent = new Set(); // settings whose progress has come from events
    function row(s) {
      const run = s.last_run;
      const prog = progress(run);
      if (viaEvent.has(s.name)) prog.dataset.live = 'event';
      const tr = h('tr', { 'data-name': s.name },
        h('td', {}, h('a', { href: `#/discovery/${encodeURIComponent(s.name)}` }, s.name)),
        h('td', { class: 'detail mono' }, s.targets),
        h('td', {}, describeSchedule(s.schedule), s.window ? h('small', { class: 'muted' }, ` (${s.window})`) : null),
        h('td', { class: 'prog' }, prog),
        h('td', { class: 'nowrap' }, run ? fmtUnix(run.finished || run.started) : '—'),
        h('td', { class: 'nowrap' }, isAdmin() ? [
          h('button', { class: 'small primary', disabled: run && run.state === 'running', onclick: () => runNow(s.name) }, 'Run now'), ' ',
          h('button', { class: 'small', disabled: run && run.state === 'running', onclick: () => edit(s) }, 'Edit'), ' ',
          h('button', { class: 'small danger', onclick: () => remove(s.name) }, 'Remove')] : null));
      rows.set(s.name, tr);
      return tr;
    }
    function draw() {
      rows.clear();
      table.replaceChildren(h('thead', {}, h('tr', {}, ['Name', 'Targets', 'Schedule', 'Last run', 'Finished', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, settings.length ? settings.map(row)
          : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No discovery settings yet.'))));
    }
    async function load(opts) {
      settings = (await api('GET', '/discovery', undefined, opts)).settings;
      draw();
    }
    async function runNow(name) {
      try {
        await api('POST', `/discovery/${encodeURIComponent(name)}/run`);
        msg.replaceChildren(notice('ok', `Discovery ${name} started.`));
        await load();
      } catch (e) { msg.replaceChildren(notice('error', e.message)); }
    }
    async function remove(name) {
      if (!confirm(`Remove discovery setting ${name} and the list of printers its last run found?`)) return;
      try {
        await api('DELETE', `/discovery/${encodeURIComponent(name)}`);
        msg.replaceChildren(notice('ok', `Removed ${name}.`));
        await load();
      } catch (e) { msg.replaceChildren(notice('error', e.message)); }
    }
    function showForm(setting) {
      formBox.replaceChildren(card(setting ? `Change ${setting.name}` : 'Add a discovery setting', settingForm(setting, credNames, async (s, what) => {
        if (what !== 'cancel') msg.replaceChildren(notice('ok', `Discovery setting ${s.name} ${what}.`));
        showForm(null);
        await load();
      })));
    }
    function edit(s) {
      showForm(s);
      formBox.scrollIntoView({ behavior: 'smooth' });
    }
    root.append(h('h1', {}, 'Discovery'),
      h('p', { class: 'muted' }, 'Sweeps find SNMP printers in the networks you name, trying the credential sets in order.'),
      msg, card(null, h('div', { class: 'scroll' }, table)), formBox);
    if (isAdmin()) {
      credNames = (await api('GET', '/credentials')).credentials.map((c) => c.name);
      showForm(null);
    } else {
      root.append(h('p', { class: 'muted' }, 'Only administrators can change discovery settings.'));
    }
    await load();
    return follow((d) => {
      const s = settings.find((x) => x.name === d.setting);
      if (!s) { load(BG).catch(() => {}); return; }
      s.last_run = { ...(s.last_run || {}), ...d };
      viaEvent.add(s.name);
      const tr = rows.get(s.name);
      if (tr) {
        const cell = tr.querySelector('td.prog');
        cell.replaceChildren(progress(s.last_run));
        cell.firstChild.dataset.live = 'event';
      }
      if (d.state && d.state !== 'running') load(BG).catch(() => {});
    }, load, () => settings.some((s) => s.last_run && s.last_run.state === 'running'));
  },
});

register({
  path: '/discovery/:name', title: 'Discovery setting',
  async render(root, params) {
    const name = params.name;
    const msg = h('div', {});
    const head = h('div', {});
    const prog = h('div', { id: 'discovery-progress' });
    const found = h('table', { class: 'table', id: 'found' });
    let setting = null;
    let viaEvent = false;
    async function load(opts) {
      setting = (await api('GET', `/discovery/${encodeURIComponent(name)}`, undefined, opts)).setting;
      const s = setting;
      head.replaceChildren(h('dl', { class: 'kv' },
        h('dt', {}, 'Targets'), h('dd', { class: 'mono wrap' }, s.targets),
        h('dt', {}, 'Excluded'), h('dd', { class: 'mono wrap' }, s.excludes || '—'),
        h('dt', {}, 'Credential sets'), h('dd', {}, s.credentials.join(' → ')),
        h('dt', {}, 'Schedule'), h('dd', {}, describeSchedule(s.schedule), s.window ? ` between ${s.window.replace('-', ' and ')}` : ''),
        h('dt', {}, 'Rate'), h('dd', {}, `${fmtNum(s.pps)} packets per second`),
        h('dt', {}, 'Printers found'), h('dd', {}, s.auto_register ? 'registered as devices' : 'listed only'),
        h('dt', {}, 'Last run'), h('dd', {}, s.last_run ? `started ${fmtUnix(s.last_run.started)}, ${s.last_run.finished ? `finished ${fmtUnix(s.last_run.finished)}` : 'not finished'}` : 'never')));
      prog.replaceChildren(progress(s.last_run));
      if (viaEvent) prog.firstChild.dataset.live = 'event';
      found.replaceChildren(h('thead', {}, h('tr', {}, ['Address', 'Vendor', 'Model', 'Serial', 'MAC', 'Found by', 'Credential', 'Device'].map((t) => h('th', {}, t)))),
        h('tbody', {}, s.printers.length ? s.printers.map((p) => h('tr', {},
          h('td', { class: 'mono' }, p.address), h('td', {}, p.vendor || '—'), h('td', {}, p.model || '—'),
          h('td', { class: 'mono' }, p.serial || '—'), h('td', { class: 'mono' }, p.mac || '—'), h('td', {}, p.how || '—'),
          h('td', {}, p.credential || '—'),
          h('td', {}, p.device_id ? h('a', { href: `#/devices/${p.device_id}` }, `#${p.device_id}`) : '—')))
          : h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No printers found yet.'))));
    }
    const runBtn = isAdmin() ? h('button', { class: 'primary', id: 'run-now', onclick: async () => {
      try {
        await api('POST', `/discovery/${encodeURIComponent(name)}/run`);
        msg.replaceChildren(notice('ok', 'Discovery started.'));
        await load();
      } catch (e) { msg.replaceChildren(notice('error', e.message)); }
    } }, 'Run now') : null;
    root.append(h('h1', {}, h('a', { href: '#/discovery' }, 'Discovery'), ' / ', name), msg,
      h('div', { class: 'grid2' }, card('Setting', head), card('Progress', prog, runBtn ? h('div', { class: 'toolbar' }, runBtn) : null)),
      card('Printers found by the last run', h('div', { class: 'scroll' }, found)));
    try {
      await load();
    } catch (e) {
      if (e.status === 404) { go('/discovery'); return undefined; }
      throw e;
    }
    return follow((d) => {
      if (d.setting !== name) return;
      setting.last_run = { ...(setting.last_run || {}), ...d };
      viaEvent = true;
      prog.replaceChildren(progress(setting.last_run));
      prog.firstChild.dataset.live = 'event';
      if (d.state && d.state !== 'running') load(BG).catch(() => {});
    }, load, () => setting && setting.last_run && setting.last_run.state === 'running');
  },
});
