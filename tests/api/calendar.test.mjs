// SPDX-License-Identifier: MIT
// calendar.test.mjs — the working-day calendar over HTTP (API.md "Working-day calendar"): a year
// read by anyone (empty until set), replaced by the admin only, the lists sorted and without
// repeats, every refusal with its field (a date outside the year, a make-up working day that is
// not a weekend day or is also a holiday, a bad year), nothing changed by a refusal, the change on
// /events, and the lists kept across a restart.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

describe('calendar', () => {
    const body = { holidays: ['2027-10-01', '2027-01-01', '2027-10-01', '2027-02-11'], workdays: ['2027-02-07', '2027-09-26'] };
    test('a year never set: 200 with empty lists (public)', async () => {
        const r = await api(srv, 'GET', '/calendar/2027');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { year: 2027, holidays: [], workdays: [] });
    });
    test('only the admin replaces it: public 401, manager 403', async () => {
        assertError(await api(srv, 'PUT', '/calendar/2027', body), 401, 'unauthenticated');
        assertError(await api(srv, 'PUT', '/calendar/2027', body, { token: tokens.manager1 }), 403, 'forbidden');
    });
    test('PUT by the admin: 200, sorted, repeats dropped, on /events; GET reads it back', async () => {
        const ev = sse(srv);
        await ev.ready;
        const r = await api(srv, 'PUT', '/calendar/2027', body, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        const want = { year: 2027, holidays: ['2027-01-01', '2027-02-11', '2027-10-01'], workdays: ['2027-02-07', '2027-09-26'] };
        assert.deepEqual(r.json, want);
        assert.deepEqual((await api(srv, 'GET', '/calendar/2027')).json, want);
        const e = await ev.waitFor((x) => x.event === 'calendar.updated');
        assert.equal(e.data.year, 2027);
        ev.close();
        assert.deepEqual((await api(srv, 'GET', '/calendar/2028')).json.holidays, []);
    });
    const bad = [
        ['a holiday of another year', { holidays: ['2026-12-31'] }, 'holidays'],
        ['a holiday that is not a date', { holidays: ['2027-02-30'] }, 'holidays[0]'],
        ['holidays not an array', { holidays: '2027-01-01' }, 'holidays'],
        ['no holidays', { workdays: [] }, 'holidays'],
        ['a make-up day on a Wednesday', { holidays: [], workdays: ['2027-02-10'] }, 'workdays'],
        ['a make-up day that is also a holiday', { holidays: ['2027-02-07'], workdays: ['2027-02-07'] }, 'workdays'],
        ['a make-up day of another year', { holidays: [], workdays: ['2028-01-01'] }, 'workdays'],
        ['a year in the body that is not the path', { year: 2028, holidays: [] }, 'year'],
        ['an unknown field', { holidays: [], names: {} }, 'names'],
    ];
    for (const [name, b, field] of bad)
        test(`refused: ${name} → 400 ${field}, nothing changed`, async () => {
            assertError(await api(srv, 'PUT', '/calendar/2027', b, { token: tokens.admin }), 400, 'invalid_field', field);
            assert.deepEqual((await api(srv, 'GET', '/calendar/2027')).json.holidays, ['2027-01-01', '2027-02-11', '2027-10-01']);
        });
    test('a bad year in the path → 400 year', async () => {
        assertError(await api(srv, 'GET', '/calendar/27'), 400, 'invalid_field', 'year');
        assertError(await api(srv, 'GET', '/calendar/1969'), 400, 'invalid_field', 'year');
    });
    test('kept across a restart', async () => {
        await srv.restart();
        assert.deepEqual((await api(srv, 'GET', '/calendar/2027')).json.workdays, ['2027-02-07', '2027-09-26']);
    });
});
