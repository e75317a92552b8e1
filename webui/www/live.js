// SPDX-License-Identifier: Apache-2.0
// Live events from the websocket, re-dispatched as DOM events on `events`, and toasts.
import { h } from './dom.js';

export const events = new EventTarget();

export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h('div', { class: `toast ${kind}`, role: 'status' }, text);
  box.append(t);
  setTimeout(() => t.remove(), 8000);
}
