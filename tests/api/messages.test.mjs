// SPDX-License-Identifier: MIT
// messages.test.mjs — refusals as a page can say them in its own language: real refusals over
// HTTP (a call of an unknown number, a clerk without the certification, the password rule, a
// field too long, an unknown window, a complaint category not in the hall's list) answer with
// the stable reason, the parameters as named values and a Chinese sentence with no English
// in it, beside the unchanged code, English message and field. Lengths count characters: a
// complaint category of 11 Chinese characters is taken once it is in the hall's list, and the
// hall's list itself is checked.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

/** The error body's new members, and no English sentence in the Chinese. */
function assertReason(r, status, code, reason, params, zh) {
    assertError(r, status, code);
    const e = r.json.error;
    assert.equal(e.reason, reason, r.text);
    assert.deepEqual(e.params, params, r.text);
    assert.equal(typeof e.message_zh, 'string', r.text);
    if (zh instanceof RegExp) assert.match(e.message_zh, zh, r.text);
    else assert.equal(e.message_zh, zh, r.text);
    let words = e.message_zh; // the parameters (usernames, numbers) may be Latin
    for (const v of Object.values(e.params)) words = words.split(v).join('');
    assert.doesNotMatch(words, /[A-Za-z]{4,}/, `English words in the Chinese: ${r.text}`);
    assert.match(e.message_zh, /[\u4e00-\u9fff]/, r.text);
}

describe('refusals carry reason, params and message_zh', () => {
    test('call of an unknown number', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        const r = await api(srv, 'POST', '/windows/1/call', { number: 'A999' }, { token: tokens.clerk1 });
        assertReason(r, 404, 'not_found', 'window.call_unknown', { ticket: 'A999' }, '今天没有 A999 号');
        assert.equal(r.json.error.message, 'number: no ticket A999 today');
        assert.equal(r.json.error.field, 'number');
        await act(srv, 1, 'close', tokens.clerk1);
    });

    test('certification refused', async () => {
        // clerk2 holds A and B; window 3 serves only C
        const r = await api(srv, 'POST', '/windows/3/open', {}, { token: tokens.clerk2 });
        assertReason(r, 403, 'forbidden', 'window.open_uncertified', { username: 'clerk2', window: '3' }, '“clerk2”没有 3 号窗口任何业务的有效资质');
    });

    test('a window action on a closed window names the action in Chinese', async () => {
        const r = await api(srv, 'POST', '/windows/2/call-next', {}, { token: tokens.clerk2 });
        assert.ok([403, 409].includes(r.status), r.text);
        assert.match(r.json.error.message_zh, /2 号窗口/, r.text);
        assert.doesNotMatch(r.json.error.message_zh, /[A-Za-z]{4,}/, r.text);
    });

    test('password rules', async () => {
        const r = await api(srv, 'POST', '/staff', { username: 'newbie', name: '新人', role: 'guide', password: 'short' }, { token: tokens.admin });
        assertReason(r, 400, 'invalid_field', 'input.too_short', { field: 'password', min: '8' }, '密码至少需要 8 个字'); // the request schema's minLength
        assert.equal(r.json.error.field, 'password');
    });

    test('field length said in characters', async () => {
        const content = '长'.repeat(2000); // 6000 bytes of UTF-8
        const r = await api(srv, 'POST', '/complaints', { channel: 'web', content });
        assertReason(r, 400, 'invalid_field', 'input.too_long', { field: 'content', max: r.json?.error?.params?.max }, /^投诉内容不能超过 \d+ 个字$/);
        const max = Number(r.json.error.params.max);
        assert.equal(r.json.error.message, `content: at most ${max} characters`);
        // exactly that many of these characters are taken
        const ok = await api(srv, 'POST', '/complaints', { channel: 'web', content: '长'.repeat(max) });
        assert.equal(ok.status, 201, ok.text);
    });

    test('unknown window', async () => {
        const r = await api(srv, 'PUT', '/windows/77', { name: '77号' }, { token: tokens.admin });
        assertReason(r, 404, 'not_found', 'window.not_found', { window: '77' }, '没有 77 号窗口');
    });

    test('a field name and a range', async () => {
        const r = await api(srv, 'PUT', '/hall', { target_wait_s: 5 }, { token: tokens.admin });
        assertReason(r, 400, 'invalid_field', 'input.out_of_range', { field: 'target_wait_s', min: '60', max: '86400' }, '目标等候时间应在 60 到 86400 之间');
    });

    test('bad JSON keeps its position in the params, not the parser text in the Chinese', async () => {
        const r = await api(srv, 'POST', '/tickets', '{"service": A}');
        assertError(r, 400, 'bad_json');
        assert.equal(r.json.error.reason, 'http.json_syntax');
        assert.equal(r.json.error.params.line, '1');
        assert.match(r.json.error.message_zh, /^JSON 格式错误：第 1 行第 \d+ 列$/);
    });
});

describe('complaint categories', () => {
    const ELEVEN = '窗口工作人员服务不规范'; // 11 Chinese characters, 33 bytes
    let code;
    test('a category not in the list is refused, in Chinese too', async () => {
        const c = await api(srv, 'POST', '/complaints', { channel: 'web', content: '等了很久' });
        assert.equal(c.status, 201, c.text);
        code = c.json.tracking_code;
        const r = await api(srv, 'POST', `/complaints/${code}/acknowledge`, { note: '已收到，正在核实' }, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const bad = await api(srv, 'POST', `/complaints/${code}/assess`, { category: ELEVEN }, { token: tokens.manager1 });
        assertReason(bad, 400, 'invalid_field', 'complaint.category_unknown', { given: ELEVEN }, `“${ELEVEN}”不在本大厅的投诉类别中，请从列表中选择`);
    });

    test('the default list comes with GET /complaints, in both languages', async () => {
        const r = await api(srv, 'GET', '/complaints', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.categories.length >= 5, r.text);
        assert.ok(r.json.categories.every((c) => c.zh && c.en), r.text);
        // the English name is taken and stored as the Chinese one
        const { zh, en } = r.json.categories[0];
        const a = await api(srv, 'POST', `/complaints/${code}/assess`, { category: en }, { token: tokens.manager1 });
        assert.equal(a.status, 200, a.text);
        const g = await api(srv, 'GET', `/complaints/${code}`, undefined, { token: tokens.manager1 });
        assert.equal(g.json.category, zh, g.text);
    });

    test('a configured list: 11 Chinese characters are taken', async () => {
        const cats = [{ zh: ELEVEN, en: 'Counter staff conduct' }, { zh: '其他', en: 'Other' }];
        const put = await api(srv, 'PUT', '/hall', { public_info: { complaints: { categories: cats } } }, { token: tokens.admin });
        assert.equal(put.status, 200, put.text);
        const l = await api(srv, 'GET', '/complaints', undefined, { token: tokens.manager1 });
        assert.deepEqual(l.json.categories, cats);
        const a = await api(srv, 'POST', `/complaints/${code}/assess`, { category: ELEVEN }, { token: tokens.manager1 });
        assert.equal(a.status, 200, a.text);
        const g = await api(srv, 'GET', `/complaints/${code}`, undefined, { token: tokens.manager1 });
        assert.equal(g.json.category, ELEVEN);
    });

    test('the list itself is checked: names in characters, no repeats', async () => {
        const long = '类'.repeat(41);
        let r = await api(srv, 'PUT', '/hall', { public_info: { complaints: { categories: [{ zh: long }] } } }, { token: tokens.admin });
        assertReason(r, 400, 'invalid_field', 'complaint.category_name_invalid', { index: '0', max: '40', max_en: '40' }, /中文名（1 到 40 个字）/);
        r = await api(srv, 'PUT', '/hall', { public_info: { complaints: { categories: [{ zh: '其他' }, { zh: '其他' }] } } }, { token: tokens.admin });
        assertReason(r, 400, 'invalid_field', 'complaint.category_twice', { name: '其他' }, '投诉类别“其他”重复');
        r = await api(srv, 'PUT', '/hall', { public_info: { complaints: { categories: 'x' } } }, { token: tokens.admin });
        assertReason(r, 400, 'invalid_field', 'complaint.categories_invalid', { max: '32' }, /投诉类别应为列表/);
        // 40 characters are fine
        r = await api(srv, 'PUT', '/hall', { public_info: { complaints: { categories: [{ zh: '类'.repeat(40), en: 'Forty' }] } } }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
    });
});

describe('web/js/api.js: a thrown error speaks the page language', () => {
    test('message follows i18n.lang(); code, reason, params, field stay', async () => {
        // a page's globals, enough for api.js and i18n.js under node
        const mem = () => {
            const m = new Map();
            return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
        };
        const realFetch = globalThis.fetch;
        Object.assign(globalThis, {
            window: { addEventListener() {}, sessionStorage: mem() },
            localStorage: mem(),
            location: { href: srv.url + '/counter', pathname: '/counter', search: '', hash: '' },
            history: { replaceState() {} },
            document: { documentElement: {}, querySelectorAll: () => [], querySelector: () => null },
            fetch: (u, o) => realFetch(srv.url + u, o),
        });
        const { SRC } = await import('./lib/server.mjs');
        const i18n = await import(`${SRC}/web/js/i18n.js`);
        const api = await import(`${SRC}/web/js/api.js`);
        await api.login('clerk1', 'clerk1-pass-123');
        await api.post('/windows/1/open');
        let err;
        try {
            await api.post('/windows/1/call', { number: 'A998' });
        } catch (e) {
            err = e;
        }
        assert.ok(err instanceof api.ApiError);
        i18n.setLang('zh');
        assert.equal(err.message, '今天没有 A998 号');
        assert.equal(String(err), 'ApiError: 今天没有 A998 号');
        i18n.setLang('en');
        assert.equal(err.message, 'number: no ticket A998 today');
        assert.equal(err.status, 404);
        assert.equal(err.code, 'not_found');
        assert.equal(err.reason, 'window.call_unknown');
        assert.deepEqual(err.params, { ticket: 'A998' });
        assert.equal(err.field, 'number');
        // no sentence in the body (a proxy's page): the general one of the page's language
        const bare = new api.ApiError(502, 'http_502', '', null, {});
        assert.equal(bare.text('zh'), '请求失败（502）');
        i18n.setLang('zh');
        const net = new api.ApiError(0, 'network', '', null, {});
        assert.equal(net.message, '无法连接服务器，请检查网络后重试');
        await api.post('/windows/1/close');
        globalThis.fetch = realFetch;
    });
});
