#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_seeds.py — writes the seed corpus of the structured targets from the requests of
# shared/API.md: tests/fuzz/corpus/fuzz_api_json/ (route byte, actor byte, clock byte, one line per
# path parameter, JSON body; see fuzz_api_json.c) and tests/fuzz/corpus/fuzz_http_request/ (raw
# HTTP/1.1 requests; "$TOKEN" and "$CSRF" stand for a live session, "$T" for a ticket id).
# Run from anywhere: python3 tests/fuzz/gen_seeds.py. It replaces the seed-* files it owns and
# leaves other files alone. The small targets' seeds are plain files written by hand.
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The order of `targets` in fuzz_api_json.c.
TARGETS = [
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/hall"),
    ("PUT", "/api/v1/hall"),
    ("GET", "/api/v1/services"),
    ("POST", "/api/v1/services"),
    ("PUT", "/api/v1/services/{code}"),
    ("DELETE", "/api/v1/services/{code}"),
    ("GET", "/api/v1/windows"),
    ("POST", "/api/v1/windows"),
    ("GET", "/api/v1/windows/{n}"),
    ("PUT", "/api/v1/windows/{n}"),
    ("GET", "/api/v1/windows/{n}/pending-evaluation"),
    ("POST", "/api/v1/windows/{n}/{action}"),
    ("GET", "/api/v1/staff"),
    ("POST", "/api/v1/staff"),
    ("PUT", "/api/v1/staff/{username}"),
    ("POST", "/api/v1/devices"),
    ("POST", "/api/v1/tickets"),
    ("GET", "/api/v1/tickets"),
    ("GET", "/api/v1/tickets/{id}"),
    ("GET", "/api/v1/tickets/{id}/qr.svg"),
    ("POST", "/api/v1/tickets/{id}/cancel"),
    ("POST", "/api/v1/tickets/{id}/requeue"),
    ("GET", "/api/v1/display"),
    ("POST", "/api/v1/notices"),
    ("DELETE", "/api/v1/notices/{id}"),
    ("POST", "/api/v1/evaluations"),
    ("GET", "/api/v1/evaluations"),
    ("POST", "/api/v1/complaints"),
    ("GET", "/api/v1/complaints/track/{code}"),
    ("GET", "/api/v1/tickets/{id}/qr.png"),
    ("GET", "/api/v1/tickets/{id}/ticket.png"),
    ("GET", "/api/v1/tickets/{id}/ticket.pdf"),
    ("GET", "/api/v1/announcements"),
    ("GET", "/api/v1/advice"),
]
ROLES = {"public": 0, "admin": 1, "manager": 2, "clerk": 3, "guide": 4, "clerk2": 5}
DEVICE = 8
MAY_HASH = 0x40


def api(method, pattern, role="public", params=(), body=None, clock=0, flags=0):
    idx = TARGETS.index((method, pattern))
    head = bytes([idx, ROLES[role] | flags, clock])
    data = head + b"".join(p.encode() + b"\n" for p in params)
    if body is not None:
        data += body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return data


SERVICE = {"code": "D", "name": "不动产登记", "name_en": "Real estate", "avg_service_s": 420,
           "documents": ["身份证", "房产证"], "daily_quota": 120, "enabled": True,
           "hours": {"mon": "08:30-17:30", "tue": "08:30-17:30", "sat": None}}
WINDOW = {"number": 7, "name": "7号窗口", "services": ["A", "B"]}
STAFF = {"username": "clerk9", "name": "张伟", "role": "clerk", "password": "long-enough-pw",
         "certifications": [{"service": "A", "expires_on": "2027-06-30"}]}
HALL = {"name": "政务服务中心", "name_en": "Service Centre", "timezone": "Asia/Shanghai",
        "hours": {"mon": "08:30-17:30", "fri": "08:30-12:00"}, "target_wait_s": 900,
        "policy": {"boost_priority_s": 1800, "boost_appointment_s": 3600,
                   "boost_first_service_s": 60},
        "public_info": {"address": "人民路1号", "phone": "12345"}, "suspended": False,
        "suspend_reason": ""}

API_SEEDS = [
    api("GET", "/api/v1/health"),
    api("GET", "/api/v1/auth/me", "clerk"),
    api("POST", "/api/v1/auth/logout", "guide"),
    api("GET", "/api/v1/hall"),
    api("PUT", "/api/v1/hall", "admin", body=HALL),
    api("PUT", "/api/v1/hall", "admin", body={"suspended": True, "suspend_reason": "火警 fire drill"}),
    api("PUT", "/api/v1/hall", "admin", body={"hours": None, "policy": {"boost_priority_s": 0}}),
    api("PUT", "/api/v1/hall", "admin", body={"hours": {"mon": "17:30-08:30"}}),
    api("GET", "/api/v1/services"),
    api("POST", "/api/v1/services", "admin", body=SERVICE),
    api("POST", "/api/v1/services", "admin", body={"code": "a", "name": "x"}),
    api("POST", "/api/v1/services", "admin", body={"code": "E", "name": "", "avg_service_s": 0}),
    api("PUT", "/api/v1/services/{code}", "admin", ["A"], {"name": "社保", "daily_quota": 2}),
    api("PUT", "/api/v1/services/{code}", "admin", ["B"], {"code": "C"}),
    api("DELETE", "/api/v1/services/{code}", "admin", ["C"]),
    api("GET", "/api/v1/windows"),
    api("POST", "/api/v1/windows", "admin", body=WINDOW),
    api("POST", "/api/v1/windows", "admin", body={"number": 0, "services": ["Z"]}),
    api("GET", "/api/v1/windows/{n}", params=["1"]),
    api("GET", "/api/v1/windows/{n}", params=["0012"]),
    api("PUT", "/api/v1/windows/{n}", "admin", ["2"], {"name": "二号", "services": ["B", "A"]}),
    api("GET", "/api/v1/windows/{n}/pending-evaluation", "public", ["1"], flags=DEVICE),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "call-next"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "open"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "call"], {"number": "A005"}),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "recall"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "start"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "finish"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "no-show"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "transfer"], {"service": "B"}),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "pause"],
        {"reason": "午饭 lunch", "back_in_s": 600}),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "resume"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk", ["1", "close"]),
    api("POST", "/api/v1/windows/{n}/{action}", "manager", ["3", "open"]),
    api("POST", "/api/v1/windows/{n}/{action}", "clerk2", ["2", "call-next"], clock=200),
    api("GET", "/api/v1/staff", "manager"),
    api("POST", "/api/v1/staff", "admin", body=STAFF, flags=MAY_HASH),
    api("POST", "/api/v1/staff", "manager", body=dict(STAFF, role="admin")),
    api("PUT", "/api/v1/staff/{username}", "admin", ["clerk2"],
        {"name": "李娜", "certifications": [{"service": "B", "expires_on": "2026-02-29"}],
         "active": False}),
    api("POST", "/api/v1/devices", "admin", body={"name": "kiosk-2"}),
    api("POST", "/api/v1/devices", "admin", body={"name": "pad-1", "printer": "192.168.1.50:9100"}),
    api("POST", "/api/v1/tickets", body={"service": "A", "category": "normal", "channel": "kiosk",
                                         "phone": None, "next_services": []}),
    api("POST", "/api/v1/tickets", flags=DEVICE, body={"service": "B", "channel": "kiosk"}),
    api("POST", "/api/v1/tickets", "guide", body={"service": "A", "category": "priority",
                                                  "channel": "guide", "phone": "138 1234-5678",
                                                  "next_services": ["B", "C"]}),
    api("POST", "/api/v1/tickets", "guide", body={"service": "C", "category": "appointment",
                                                  "channel": "phone",
                                                  "appointment_at": "2026-11-27T09:30:00+08:00"}),
    api("POST", "/api/v1/tickets", body={"service": "A", "category": "priority"}),
    api("POST", "/api/v1/tickets", body={"service": "Z"}),
    api("GET", "/api/v1/tickets", "clerk", ["waiting", "A"]),
    api("GET", "/api/v1/tickets", "guide", ["", ""]),
    api("GET", "/api/v1/tickets/{id}", params=["$T"]),
    api("GET", "/api/v1/tickets/{id}", params=["0123456789abcdef0123456789abcdef"]),
    api("GET", "/api/v1/tickets/{id}/qr.svg", params=["$W"]),
    api("POST", "/api/v1/tickets/{id}/cancel", params=["$W"]),
    api("POST", "/api/v1/tickets/{id}/requeue", "guide", ["$X"], {"keep_place": True}),
    api("POST", "/api/v1/tickets/{id}/requeue", "guide", ["A002"]),
    api("GET", "/api/v1/display"),
    api("POST", "/api/v1/notices", "manager", body={"text": "系统维护", "text_en": "Maintenance",
                                                    "expires_in_s": 3600}),
    api("DELETE", "/api/v1/notices/{id}", "manager", ["$N"]),
    api("POST", "/api/v1/evaluations", body={"ticket": "$D", "level": 5, "reasons": ["热情"],
                                             "comment": "很好"}),
    api("POST", "/api/v1/evaluations", flags=DEVICE, body={"ticket": "$D", "level": 0}),
    api("GET", "/api/v1/evaluations", "manager"),
    api("POST", "/api/v1/complaints", body={"channel": "web", "content": "排队太久 waited too long",
                                            "contact": "13800000000", "ticket": None,
                                            "window": 1, "needs_assistance": True}),
    api("POST", "/api/v1/complaints", body={"channel": "hotline", "content": "x"}),
    api("POST", "/api/v1/complaints", "manager", body={"channel": "letter", "content": "信件",
                                                       "category": "attitude"}),
    api("GET", "/api/v1/complaints/track/{code}", params=["$C"]),
    api("GET", "/api/v1/complaints/track/{code}", params=["abcdefgh23"]),
    api("GET", "/api/v1/tickets/{id}/qr.png", params=["$T"]),
    api("GET", "/api/v1/announcements"),
    api("GET", "/api/v1/advice", "manager"),
    # malformed bodies the server would refuse before us still exercise our early exits
    api("POST", "/api/v1/tickets", body=b'{"service":"A","service":"B"}'),
    api("POST", "/api/v1/tickets", body=b'["not", "an", "object"]'),
    api("POST", "/api/v1/tickets", body=b'{"service":"A\\u0000B"}'),
]

# ---- raw HTTP requests ----


def req(method, path, body=None, headers=(), auth=None, ctype="application/json"):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if auth == "bearer":
        lines.append("Authorization: Bearer $TOKEN")
    elif auth == "cookie":
        lines.append("Cookie: hq_session=$TOKEN")
        lines.append("X-CSRF-Token: $CSRF")
    lines += list(headers)
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        if ctype:
            lines.append(f"Content-Type: {ctype}")
        lines.append(f"Content-Length: {len(data)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


HTTP_SEEDS = [
    req("GET", "/api/v1/health"),
    req("HEAD", "/api/v1/services"),
    req("GET", "/api/v1/windows/1"),
    req("GET", "/api/v1/display"),
    req("GET", "/api/v1/hall"),
    req("GET", "/api/v1/auth/me", auth="bearer"),
    req("GET", "/api/v1/staff", auth="bearer"),
    req("GET", "/api/v1/tickets?status=waiting&service=A", auth="bearer"),
    req("GET", "/api/v1/tickets/$T"),
    req("GET", "/api/v1/tickets/$T/qr.svg", headers=["Host: hall.example:8080"]),
    req("POST", "/api/v1/tickets", {"service": "A", "category": "normal", "channel": "kiosk"}),
    req("POST", "/api/v1/tickets", {"service": "A", "category": "priority", "channel": "guide"},
        auth="bearer"),
    req("POST", "/api/v1/tickets", {"service": "A"}, ctype="text/plain"),
    req("POST", "/api/v1/tickets", b'{"service":'),
    req("POST", "/api/v1/tickets/$T/cancel"),
    req("POST", "/api/v1/windows/1/call-next", auth="bearer"),
    req("POST", "/api/v1/windows/1/pause", {"reason": "break", "back_in_s": 60}, auth="cookie"),
    req("POST", "/api/v1/windows/1/open", auth="cookie", headers=[]),
    req("PUT", "/api/v1/services/A", {"name": "社保"}, auth="bearer"),
    req("DELETE", "/api/v1/notices/zz", auth="bearer"),
    req("POST", "/api/v1/evaluations", {"ticket": "$T", "level": 4, "reasons": [], "comment": ""}),
    req("POST", "/api/v1/complaints", {"channel": "web", "content": "太慢", "contact": None}),
    req("GET", "/api/v1/complaints/track/ABCDEFGH23"),
    req("GET", "/api/v1/events", headers=["Last-Event-ID: 0"]),
    req("GET", "/api/v1/events?last_event_id=abc"),
    req("GET", "/metrics"),
    req("GET", "/kiosk"),
    req("GET", "/window/3"),
    req("GET", "/t/0123456789abcdef0123456789abcdef"),
    req("GET", "/js/api.js"),
    req("GET", "/../../etc/passwd"),
    req("GET", "/api/v1/windows/%2F/open"),
    req("PATCH", "/api/v1/hall", {"name": "x"}, auth="bearer"),
    req("POST", "/api/v1/tickets", {"service": "A"}, headers=["Content-Length: 99999999999"]),
    b"POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\nConnection: close\r\n\r\n"
    b"5\r\n{\"cha\r\n1b\r\nnnel\":\"web\",\"content\":\"hi\"}\r\n0\r\n\r\n",
    b"GET /api/v1/health HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    b"\x00\xff garbage\r\n\r\n",
]


def write(dirname, seeds):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    for i, s in enumerate(seeds):
        with open(os.path.join(d, f"seed-{i:03d}"), "wb") as fh:
            fh.write(s)


write("fuzz_api_json", API_SEEDS)
write("fuzz_http_request", HTTP_SEEDS)
