// SPDX-License-Identifier: MIT
// notice.js — one hall notice as a list item: Chinese with the English under it, or English only
// when the page is in English. Text only.

import * as i18n from './i18n.js';
import { h } from './ui.js';

export function noticeItem(n) {
  if (typeof n === 'string') return h('li', null, n);
  const zh = n.text || '';
  const en = n.text_en || '';
  if (i18n.lang() === 'en' && en) return h('li', null, en);
  return h('li', null, zh || en, en && zh && i18n.lang() === 'zh' ? h('span', { class: 'en', lang: 'en' }, en) : null);
}
