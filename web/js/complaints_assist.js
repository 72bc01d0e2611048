// SPDX-License-Identifier: MIT
// complaints_assist.js — the assisted channels of a complaint (DB13/T 1760 clause 8.1.3; issue 18):
// a guide files it for the customer (the staff entry's 协助方式 = guide), text only for the
// hearing-impaired (the public form's checkbox), large type (the public page in 长辈模式, js/
// largetype.js). assistedBy() gives the public form's assisted_by; the staff entry reads its own
// select. Texts for both pages.

import * as i18n from './i18n.js';

i18n.add({
  'cpa.legend': ['协助方式', 'Assisted channels'],
  'cpa.text_only': ['我有听力障碍：请只用文字（短信、书面）与我联系', 'I am hard of hearing: please contact me in writing only (text message, letter)'],
  'cpa.guide_note': ['需要工作人员代为填写？请在取号机、评价器或跟踪页按“请求帮助”，或到服务台，引导员会为您登记。', 'Would you like staff to write it for you? Press “Ask for help” at a kiosk, a pad or on your tracking page, or go to the service desk: a guide will file it for you.'],
  'cpa.lt_note': ['字太小？按页面上方的“长辈模式”放大文字。', 'Text too small? Press “Large type” at the top of the page.'],
  'cpa.assisted': ['协助方式', 'Assisted channel'],
  'ca.k.assisted': ['协助方式', 'Assisted channel'],
  'cpa.none': ['无', 'None'],
  'cpa.guide': ['引导员代为填写', 'Filed by a guide for the customer'],
  'cpa.text': ['仅文字沟通（听障）', 'Text only (hard of hearing)'],
  'cpa.large': ['大字（长辈模式）', 'Large type'],
});

const NAMES = { none: 'cpa.none', guide: 'cpa.guide', text_only: 'cpa.text', large_type: 'cpa.large' };

// The public form's assisted channel: text only when ticked, else large type when the page is in it.
export function assistedBy() {
  if (document.getElementById('text-only')?.checked) return 'text_only';
  if (document.documentElement.classList.contains('lt')) return 'large_type';
  return 'none';
}

// The staff view's words for a stored value.
export const assistedName = (v) => i18n.t(NAMES[v] || 'cpa.none');
