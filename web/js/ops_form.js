// SPDX-License-Identifier: MIT
// ops_form.js — small labelled forms for the operations page (ops.html), built from a list of
// fields: form('pl', [{ name: 'title', label: 'ops.f.title', required: true }, …], 'ops.save',
// async (values) => …). Inputs get the ids `${id}-${name}`, so a refusal naming a field (the API's
// error.field) focuses it. Types: text (default), date, number, textarea, select (options: [[value,
// i18n key]]), checkbox, lines (a textarea whose lines become an array). Text is set with
// textContent only (ui.js h()).
import * as i18n from './i18n.js';
import { h, showMsg, errText } from './ui.js';

function input(id, f) {
  const common = { id: `${id}-${f.name}`, name: f.name, required: f.required || null };
  if (f.type === 'textarea' || f.type === 'lines') return h('textarea', { ...common, rows: f.rows || 3, placeholder: f.ph ? i18n.t(f.ph) : null });
  if (f.type === 'select')
    return h('select', common, f.options.map(([v, k]) => h('option', { value: v, dataset: { i18n: k } }, i18n.t(k))));
  if (f.type === 'checkbox') return h('input', { ...common, type: 'checkbox' });
  return h('input', { ...common, type: f.type || 'text', min: f.min ?? null, placeholder: f.ph ? i18n.t(f.ph) : null });
}

/** A form; onSubmit(values, form) may throw an API error (its field is focused). */
export function form(id, fields, submitKey, onSubmit) {
  const msg = h('p', { class: 'msg', role: 'alert', hidden: true, id: `${id}-msg` });
  const parts = fields.map((f) => {
    const el = input(id, f);
    if (f.type === 'checkbox')
      return h('div', null, h('label', { class: 'inline', for: el.id }, el, ' ', h('span', { dataset: { i18n: f.label } }, i18n.t(f.label))));
    return h('div', { class: f.wide ? 'wide' : null }, h('label', { for: el.id, dataset: { i18n: f.label } }, i18n.t(f.label)), el);
  });
  const btn = h('button', { class: 'btn primary', type: 'submit', id: `${id}-submit`, dataset: { i18n: submitKey } }, i18n.t(submitKey));
  const el = h('form', { class: 'ops-form', id }, h('div', { class: 'ops-fields' }, parts), btn, msg);
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const values = {};
    for (const f of fields) {
      const x = el.querySelector(`#${id}-${f.name}`);
      if (f.type === 'checkbox') values[f.name] = x.checked;
      else if (f.type === 'number') values[f.name] = x.value === '' ? undefined : Number(x.value);
      else if (f.type === 'lines') values[f.name] = x.value.split('\n').map((s) => s.trim()).filter(Boolean);
      else values[f.name] = x.value.trim() === '' ? undefined : x.value.trim();
    }
    showMsg(msg, '');
    btn.disabled = true;
    try {
      await onSubmit(values, el);
      el.reset();
      showMsg(msg, i18n.t('ops.saved'), 'ok');
    } catch (e) {
      showMsg(msg, errText(e));
      const bad = e.field && el.querySelector(`#${id}-${CSS.escape(e.field.split(/[.[]/)[0])}`);
      if (bad) bad.focus();
    } finally {
      btn.disabled = false;
    }
  });
  return el;
}

/** Lines "a: b" or "a, b, c" → objects with the given keys (empty parts left out). */
export function parseRows(lines, keys) {
  return lines.map((line) => {
    const parts = line.split(/[,，:：]/).map((s) => s.trim());
    const o = {};
    keys.forEach((k, i) => {
      if (parts[i]) o[k] = parts[i];
    });
    return o;
  });
}
