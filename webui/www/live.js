// SPDX-License-Identifier: Apache-2.0
// Live events from the websocket, re-dispatched as DOM events on `events`, and toasts.
// A busy fleet raises many alerts at once: they are gathered into one toast ("5 new alerts on
// 3 devices") that grows while it is shown, and at most MAX_TOASTS toasts are visible.
import { h } from './dom.js';

export const events = new EventTarget();

const MAX_TOASTS = 3;
const TOAST_MS = 8000;
// An alert toast stays this long after its last new alert, so a poll round's alerts (spread
// over the status poll interval) join one toast instead of starting new ones.
const ALERT_TOAST_MS = 12000;

function show(el, ms) {
  const box = document.getElementById('toasts');
  if (!box) return null;
  box.append(el);
  // The oldest go first when too many are visible.
  while (box.children.length > MAX_TOASTS) box.firstElementChild.remove();
  el.timer = setTimeout(() => el.remove(), ms);
  return el;
}

export function toast(text, kind = 'info') {
  return show(h('div', { class: `toast ${kind}`, role: 'status' }, text), TOAST_MS);
}

let group = null; // the alert toast still shown: {el, alerts, devices: Map(id -> name)}

// One alert.new event (data: {device_id, alert{description, text, code_text, ...}}).
export function alertToast(data, deviceName) {
  const id = data.device_id;
  const a = data.alert || {};
  const what = a.text || a.description || a.code_text || 'alert';
  if (!group || !group.el.isConnected) {
    const el = h('div', { class: 'toast warn alerts', role: 'status' });
    group = { el, alerts: 0, devices: new Map() };
    show(el, ALERT_TOAST_MS);
  } else {
    clearTimeout(group.el.timer);
    const el = group.el;
    el.timer = setTimeout(() => el.remove(), ALERT_TOAST_MS);
  }
  group.alerts++;
  group.devices.set(String(id), deviceName || `device ${id}`);
  const n = group.alerts, m = group.devices.size;
  group.el.dataset.alerts = n;
  group.el.dataset.devices = m;
  group.el.replaceChildren(n === 1
    ? h('a', { href: `#/devices/${id}` }, `New alert on ${group.devices.get(String(id))}: ${what}`)
    : h('a', { href: m === 1 ? `#/devices/${id}` : '#/devices?alerts=1' },
      `${n} new alerts on ${m} device${m === 1 ? '' : 's'}`));
}
