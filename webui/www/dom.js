// SPDX-License-Identifier: Apache-2.0
// Small DOM helpers: elements are built with h(), never from HTML strings, so text from the
// gateway (device names, audit details) can never become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

export function fmtNum(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

// A status value in words ("some_remaining" -> "some remaining"); the raw value stays in
// data-value (and the title) for scripts and for the curious.
export function words(value) {
  return value === null || value === undefined || value === '' ? '—' : String(value).replace(/_/g, ' ');
}

export function badge(status) {
  return h('span', { class: `badge st-${status}`, 'data-value': status, title: status || null }, words(status));
}

// A message area: errors from the API are shown as the sentence the server wrote.
export function notice(kind, text) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('small', {}, hint) : null);
}

export function card(title, ...body) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}

// Changes that touch security (settings, certificate, SNMP secrets, accounts, the uplink
// mode) need the signed-in administrator's current password again; the gateway checks it.
// Forms carry this field; one-click actions ask with askPassword().
export function currentPassword() {
  return h('input', { type: 'password', autocomplete: 'current-password', required: true, class: 'current-password' });
}

export function currentPasswordField(input, hint) {
  return field('Your current password', input, hint);
}

// Asks for the current password in a modal dialog before the action named by question.
// Returns: a promise of the password, or of null when cancelled.
export function askPassword(question) {
  return new Promise((resolve) => {
    const input = currentPassword();
    const dlg = h('dialog', { class: 'reauth' });
    dlg.append(h('form', { onsubmit: (e) => { e.preventDefault(); dlg.close('ok'); } },
      h('p', {}, question), currentPasswordField(input),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Confirm'),
        h('button', { type: 'button', onclick: () => dlg.close('') }, 'Cancel'))));
    dlg.addEventListener('close', () => {
      const v = dlg.returnValue === 'ok' ? input.value : null;
      input.value = '';
      dlg.remove();
      resolve(v);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}
