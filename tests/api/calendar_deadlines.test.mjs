// SPDX-License-Identifier: MIT
// calendar_deadlines.test.mjs — one working-day calendar for every deadline (docs/EVALUATION.md),
// over HTTP: with the next three weekdays made holidays and the next Saturday a make-up working
// day (PUT /calendar/{year}), a complaint's result deadline (resolve_by, 5 working days) and a bad
// review's case deadline (due_by, the hall's case_working_days) both skip the holidays and count
// the make-up day, as the same rule computed here says. The fixed-date cases (China 2026) are unit
// tests: tests/unit/test_cases.c.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, issue, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

const iso = (d) => d.toISOString().slice(0, 10); // d: a UTC date standing for a local day
const plus = (d, n) => new Date(d.getTime() + n * 86400000);
const weekday = (d) => d.getUTCDay();

/** The local day (YYYY-MM-DD) n working days after day, by holidays and make-up days. */
function addWorkdays(day, n, holidays, workdays) {
    let d = new Date(day + 'T00:00:00Z');
    while (n > 0) {
        d = plus(d, 1);
        const s = iso(d);
        const work = workdays.includes(s) || (!holidays.includes(s) && weekday(d) !== 0 && weekday(d) !== 6);
        if (work) n--;
    }
    return iso(d);
}

describe('deadlines follow the calendar', () => {
    let today, holidays, workdays;
    test('setup: the next three weekdays are holidays, the next Saturday a make-up working day', async () => {
        // today in the hall's zone (Asia/Shanghai, +08:00)
        today = iso(new Date(Date.now() + 8 * 3600000));
        holidays = [];
        let d = new Date(today + 'T00:00:00Z');
        while (holidays.length < 3) {
            d = plus(d, 1);
            if (weekday(d) !== 0 && weekday(d) !== 6) holidays.push(iso(d));
        }
        d = new Date(today + 'T00:00:00Z');
        do d = plus(d, 1);
        while (weekday(d) !== 6);
        workdays = [iso(d)];
        const years = [...new Set([...holidays, ...workdays].map((x) => x.slice(0, 4)))];
        for (const y of years) {
            const body = { holidays: holidays.filter((x) => x.startsWith(y)), workdays: workdays.filter((x) => x.startsWith(y)) };
            const r = await api(srv, 'PUT', `/calendar/${y}`, body, { token: tokens.admin });
            assert.equal(r.status, 200, r.text);
        }
    });
    test('a complaint is due 5 working days later by the calendar', async () => {
        const c = await api(srv, 'POST', '/complaints', { channel: 'web', content: '等候时间太长' });
        assert.equal(c.status, 201, c.text);
        const r = await api(srv, 'GET', `/complaints/${c.json.tracking_code}`, undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const received = r.json.received_at.slice(0, 10);
        assert.equal(r.json.resolve_by.slice(0, 10), addWorkdays(received, 5, holidays, workdays), JSON.stringify({ holidays, workdays, r: r.json.resolve_by }));
        assert.equal(r.json.resolve_by.slice(10), r.json.received_at.slice(10), 'same time of day');
    });
    test('a bad review\'s case is due case_working_days later by the calendar', async () => {
        const s = await api(srv, 'PUT', '/evaluations/settings', { case_working_days: 2 }, { token: tokens.admin });
        assert.equal(s.status, 200, s.text);
        await act(srv, 1, 'open', tokens.clerk1);
        const t = await issue(srv, { service: 'A' });
        await act(srv, 1, 'call', tokens.clerk1, { number: t.number });
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        assert.equal((await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 1 })).status, 201);
        const l = await api(srv, 'GET', '/cases', undefined, { token: tokens.manager1 });
        const c = l.json.cases.find((x) => x.number === t.number);
        assert.equal(c.due_by.slice(0, 10), addWorkdays(c.created_at.slice(0, 10), 2, holidays, workdays));
    });
});
