// SPDX-License-Identifier: MIT
// hours.test.mjs — opening hours of the hall (PUT /hall) and of a service (PUT /services/{code}) in
// the API's form {"mon":"08:30-12:00,13:30-17:30",…,"sat":null}: several ranges a day stored and
// served as given; a service back to the hall's hours with null. Every malformed form is refused
// whole (400 invalid_field, field "hours.<day>", the message naming the range and what is wrong,
// in English and in Chinese) and changes nothing: overlapping ranges, ranges out of order, an end
// before the start, 24:00 and beyond, bad separators, a misspelt time, an empty day, too many
// ranges, an unknown day, a day that is not a string — also when the other days are right.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = () => tokens.admin;
const week = { mon: '08:30-12:00,13:30-17:30', tue: '08:30-12:00,13:30-17:30', wed: '08:30-12:00,13:30-17:30', thu: '08:30-12:00,13:30-17:30', fri: '08:30-12:00,13:30-17:30', sat: '09:00-12:00', sun: null };

describe('hours with several ranges a day', () => {
    test('the hall: a lunch break every weekday, a Saturday morning, Sunday closed', async () => {
        const r = await api(srv, 'PUT', '/hall', { hours: week }, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.hours, week);
        assert.deepEqual((await api(srv, 'GET', '/hall')).json.hours, week);
        await srv.restart();
        assert.deepEqual((await api(srv, 'GET', '/hall')).json.hours, week, 'kept across a restart');
    });
    test('a service: its own hours, four ranges a day at most, ending at 24:00; null = the hall\'s', async () => {
        const own = { mon: '00:00-06:00,08:30-12:00,13:30-17:30,20:00-24:00', wed: '13:30-16:30' };
        const r = await api(srv, 'PUT', '/services/A', { hours: own }, { token: A() });
        assert.equal(r.status, 200, r.text);
        const want = { mon: own.mon, tue: null, wed: '13:30-16:30', thu: null, fri: null, sat: null, sun: null };
        assert.deepEqual(r.json.hours, want);
        const listed = (await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A');
        assert.deepEqual(listed.hours, want, 'GET /services serves them as stored');
        const back = await api(srv, 'PUT', '/services/A', { hours: null }, { token: A() });
        assert.equal(back.status, 200, back.text);
        assert.equal(back.json.hours, null);
    });
    test('a new service takes its hours at once', async () => {
        const r = await api(srv, 'POST', '/services', { code: 'H', name: '午休业务', hours: { mon: '09:00-11:30,14:00-17:00' } }, { token: A() });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.hours.mon, '09:00-11:30,14:00-17:00');
    });
});

// [what, day's text or a whole hours object, field, English pattern, Chinese pattern]
const bad = [
    ['overlapping ranges', '08:30-12:00,11:00-17:30', 'hours.tue', /range 2 '11:00-17:30' starts before range 1 ends/, /星期二第 2 个时段“11:00-17:30”在第 1 个时段结束前开始/],
    ['touching ranges', '08:30-12:00,12:00-17:30', 'hours.tue', /range 2 '12:00-17:30' starts before range 1 ends/, /第 2 个时段/],
    ['ranges out of order', '13:30-17:30,08:30-12:00', 'hours.tue', /range 2 '08:30-12:00' starts before range 1 ends/, /第 2 个时段/],
    ['an end before the start', '18:00-08:00', 'hours.tue', /range 1 '18:00-08:00' does not end after it starts/, /星期二第 1 个时段“18:00-08:00”的结束时间不晚于开始时间/],
    ['an empty range (start = end)', '08:30-12:00,13:30-13:30', 'hours.tue', /range 2 '13:30-13:30' does not end after it starts/, /第 2 个时段/],
    ['an end past 24:00', '13:30-24:30', 'hours.tue', /range 1 '13:30-24:30': 24:30 is not a time of day/, /24:30 不是有效时间/],
    ['hour 25', '08:00-25:00', 'hours.tue', /25:00 is not a time of day/, /25:00 不是有效时间/],
    ['minute 60', '08:60-12:00', 'hours.tue', /range 1 '08:60-12:00': 08:60 is not a time of day/, /08:60/],
    ['a start at 24:00', '24:00-24:00', 'hours.tue', /range 1 '24:00-24:00' does not end after it starts/, /第 1 个时段/],
    ['a semicolon between ranges', '08:30-12:00;13:30-17:30', 'hours.tue', /range 1 '08:30-12:00;13:30-17:30': character 12 does not fit/, /第 1 个时段“08:30-12:00;13:30-17:30”的第 12 个字符有误/],
    ['a space between ranges', '08:30-12:00, 13:30-17:30', 'hours.tue', /range 2 ' 13:30-17:30': character 13 does not fit/, /第 2 个时段.*第 13 个字符有误/],
    ['a full-width comma', '08:30-12:00，13:30-17:30', 'hours.tue', /range 1 '08:30-12:00，13:30-17:3': character 12 does not fit/, /第 12 个字符有误/],
    ['a full-width colon later on', '08:30-12:00,13：30-17:30', 'hours.tue', /range 2 '13：30-17:30': character 15 does not fit/, /第 2 个时段“13：30-17:30”的第 15 个字符有误/],
    ['a cut inside a character', '08:30-12:00,x一二三四五六七八九十', 'hours.tue', /range 2 'x一二三四五六七': character 13 does not fit/, /“x一二三四五六七”的第 13 个字符有误/],
    ['a tilde for the dash', '08:30~12:00', 'hours.tue', /range 1 '08:30~12:00': character 6 does not fit/, /第 6 个字符有误/],
    ['a dot for the colon', '8.30-12:00', 'hours.tue', /range 1 '8.30-12:00': character 2 does not fit/, /第 2 个字符有误/],
    ['one digit hours', '8:30-12:00', 'hours.tue', /character 2 does not fit/, /第 2 个字符有误/],
    ['a missing end', '08:30-', 'hours.tue', /range 1 '08:30-': character 7 does not fit/, /第 7 个字符有误/],
    ['a trailing comma', '08:30-12:00,', 'hours.tue', /range 2 '': character 13 does not fit/, /第 2 个时段/],
    ['a leading comma', ',08:30-12:00', 'hours.tue', /range 1 '': character 1 does not fit/, /第 1 个时段/],
    ['words', 'mornings', 'hours.tue', /range 1 'mornings': character 1 does not fit/, /第 1 个字符有误/],
    ['an empty day', '', 'hours.tue', /hours\.tue: empty/, /星期二的办公时间为空/],
    ['five ranges', '01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00', 'hours.tue', /at most 4 ranges a day/, /星期二最多 4 个时段/],
    ['a day that is a number', 930, 'hours.tue', /hours\.tue/, /./],
    ['an unknown day', { ...week, funday: '08:00-09:00' }, 'hours.funday', /funday/, /funday/],
    ['a Chinese day name', { 周一: '08:00-09:00' }, null, /周一/, /周一/],
    ['not an object', 'always', 'hours', /hours/, /./],
];

describe('malformed hours are refused whole, with the position of the fault', () => {
    for (const [what, val, field, en, zh] of bad)
        for (const [where, path] of [['the hall', '/hall'], ['a service', '/services/B']])
            test(`${where}: ${what}`, async () => {
                const read = async () => (path === '/hall' ? (await api(srv, 'GET', '/hall')).json : (await api(srv, 'GET', '/services')).json.filter((s) => s.code === 'B').map(({ name, hours }) => ({ name, hours })));
                const before = await read();
                // the other days right, and the hours sent with another change: none of it is kept
                const hours = typeof val === 'object' && val !== null ? val : what === 'not an object' ? val : { ...week, tue: val };
                const body = path === '/hall' ? { name: '改了名字的大厅', hours } : { name: '改了名字的业务', hours };
                const r = await api(srv, 'PUT', path, body, { token: A() });
                assertError(r, 400, 'invalid_field');
                if (field) assert.equal(r.json.error.field, field, r.text);
                else assert.match(r.json.error.field, /^hours\./, r.text);
                assert.match(r.json.error.message, en, r.text);
                assert.match(r.json.error.message_zh, zh, r.text);
                assert.deepEqual(await read(), before, 'nothing changed');
            });
});
