// SPDX-License-Identifier: MIT
// complaints-status.js — the words for a complaint's status, one table for the complainant's page
// (complaints.js, complaints-verdict.js) and the staff page (complaints-admin.js), so both say the
// same thing: 已收到 until the hall acknowledges it, then 已受理, 已核实, 已答复, 重新处理, 已办结.

import * as i18n from './i18n.js';

i18n.add({
  'cst.received': ['已收到', 'Received'],
  'cst.acknowledged': ['已受理', 'Acknowledged'],
  'cst.assessed': ['已核实', 'Assessed'],
  'cst.resolved': ['已答复', 'Answered'],
  'cst.reopened': ['重新处理', 'Reopened'],
  'cst.closed': ['已办结', 'Closed'],
});

// The word for a status (the code itself when unknown).
export function statusWord(s) {
  const k = 'cst.' + s;
  const v = i18n.t(k);
  return v === k ? s : v;
}
