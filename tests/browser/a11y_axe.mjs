// SPDX-License-Identifier: MIT
// a11y_axe.mjs — axe-core (npm axe-core) in the page for the accessibility browser tests: the
// WCAG 2.0/2.1 A and AA rules (and axe's best practices that concern keyboards and landmarks are
// left out: they are not WCAG). The script is evaluated through the DevTools protocol, so the
// pages' Content-Security-Policy (script-src 'self') stays as served.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { SRC } from './helpers.mjs';

const AXE = fs.readFileSync(path.join(SRC, 'node_modules/axe-core/axe.min.js'), 'utf8');

// The violations of the page as it is now: [{id, impact, help, nodes: [{target, summary}]}].
export async function axeViolations(page) {
  // a state, not a transition: let running animations (the display's flash) end first
  await page.evaluate(() => Promise.race([
    Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => {}))),
    new Promise((r) => setTimeout(r, 10000)),
  ])).catch(() => {});
  const has = await page.evaluate(() => typeof window.axe === 'object').catch(() => false);
  if (!has) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

// Assert 0 violations; the message names each rule and its first elements.
export async function assertAccessible(page, what) {
  const v = await axeViolations(page);
  const text = v.map((x) => `${x.id} (${x.impact}): ${x.help}\n${x.nodes.map((n) => `    ${n.target}: ${n.summary}`).join('\n')}`).join('\n');
  assert.equal(v.length, 0, `${what}: ${v.length} axe violation(s)\n${text}`);
}
