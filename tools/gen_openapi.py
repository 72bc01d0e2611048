#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_openapi.py — writes web/openapi.json (served at /api/v1/openapi.json) from the route table in
# src/http/routes.c plus the schemas below. Run it after changing routes; tests/unit/test_openapi.c
# fails while the two disagree.
import json, os, re
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
routes = []
src = open(os.path.join(ROOT, 'src/http/routes.c')).read()
for m in re.finditer(r'\{"(GET|POST|PUT|DELETE)",\s*"([^"]+)",\s*(\w+),\s*([^,]+),\s*([^,]+),\s*((?:"[^"]*"\s*)+)\}', src):
    summary = ''.join(re.findall(r'"([^"]*)"', m.group(6)))
    routes.append((m.group(1), m.group(2), m.group(4).strip(), m.group(5).strip(), summary))
err = {"$ref": "#/components/responses/Error"}
def ref(n): return {"$ref": "#/components/schemas/" + n}
schemas = {
 "Error": {"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"],"properties":{
   "code":{"type":"string","enum":["bad_json","invalid_field","unauthenticated","forbidden","not_found","method_not_allowed","conflict","payload_too_large","unsupported_media_type","rate_limited","suspended","store_unavailable","internal"]},
   "message":{"type":"string"},"field":{"type":"string"},
   "reason":{"type":"string","description":"stable key of the refusal (src/core/messages_table.c), the code when it has none"},
   "params":{"type":"object","additionalProperties":{"type":"string"},"description":"the refusal's values by name"},
   "message_zh":{"type":"string","description":"the refusal in Simplified Chinese"}}}}},
 "Hours": {"type":["object","null"],"description":"null = always open; else per day \"HH:MM-HH:MM\" or null (closed)","properties":{d:{"type":["string","null"],"pattern":"^\\d\\d:\\d\\d-\\d\\d:\\d\\d$"} for d in ["mon","tue","wed","thu","fri","sat","sun"]}},
 "Service": {"type":"object","required":["code","name"],"properties":{"code":{"type":"string","pattern":"^[A-Z]{1,2}$"},"name":{"type":"string"},"name_en":{"type":"string"},"avg_service_s":{"type":"integer","minimum":1},"documents":{"type":"array","items":{"type":"string"}},"daily_quota":{"type":"integer","minimum":0,"description":"0 = unlimited"},"enabled":{"type":"boolean"},"hours":ref("Hours"),"waiting":{"type":"integer","readOnly":True},"estimated_service_s":{"type":"integer","readOnly":True}}},
 "Window": {"type":"object","required":["number","services"],"properties":{"number":{"type":"integer","minimum":1},"name":{"type":"string"},"services":{"type":"array","items":{"type":"string"}},"state":{"type":"string","enum":["closed","open","paused"],"readOnly":True},"pause_reason":{"type":["string","null"]},"back_in_s":{"type":["integer","null"]},"clerk":{"type":["string","null"]},"clerk_name":{"type":["string","null"]},"current":{"type":["object","null"]},"active_services":{"type":"array","items":{"type":"string"}}}},
 "Staff": {"type":"object","required":["username","name","role"],"properties":{"username":{"type":"string","pattern":"^[a-z0-9_.-]{1,32}$"},"name":{"type":"string"},"role":{"type":"string","enum":["admin","manager","clerk","guide"]},"password":{"type":"string","writeOnly":True,"minLength":8},"active":{"type":"boolean"},"certifications":{"type":"array","items":{"type":"object","properties":{"service":{"type":"string"},"expires_on":{"type":"string","format":"date"}}}}}},
 "TicketRequest": {"type":"object","required":["service"],"properties":{"service":{"type":"string"},"category":{"type":"string","enum":["normal","priority","appointment"]},"channel":{"type":"string","enum":["kiosk","guide","web","phone"]},"phone":{"type":["string","null"]},"next_services":{"type":"array","items":{"type":"string"}},"appointment_at":{"type":"string","format":"date-time"}}},
 "Ticket": {"type":"object","properties":{"print":{"type":"object","description":"only for a ticket issued by a registered device with a printer: {ok, problem?, error?}"},"id":{"type":"string"},"number":{"type":"string"},"service":{"type":"string"},"category":{"type":"string"},"channel":{"type":"string"},"status":{"type":"string","enum":["waiting","called","serving","done","no_show","cancelled","expired"]},"issued_at":{"type":"string","format":"date-time"},"called_at":{"type":["string","null"]},"started_at":{"type":["string","null"]},"finished_at":{"type":["string","null"]},"window":{"type":["integer","null"]},"calls":{"type":"integer"},"position":{"type":["integer","null"]},"ahead":{"type":["integer","null"]},"estimated_wait_s":{"type":["integer","null"]},"documents":{"type":"array","items":{"type":"string"}},"next_services":{"type":"array","items":{"type":"string"}}}},
 "WindowAction": {"type":"object","properties":{"window":ref("Window"),"ticket":{"oneOf":[ref("Ticket"),{"type":"null"}]}}},
 "Display": {"type":"object","properties":{"hall":{"type":"object"},"calls":{"type":"array","items":{"type":"object","properties":{"number":{"type":"string"},"window":{"type":"integer"},"called_at":{"type":"string"},"recall":{"type":"boolean"}}}},"waiting":{"type":"object","additionalProperties":{"type":"integer"}},"notices":{"type":"array"},"windows":{"type":"array"},"suspended":{"type":"boolean"}}},
 "Evaluation": {"type":"object","required":["ticket","level"],"properties":{"ticket":{"type":"string"},"level":{"type":"integer","minimum":1,"maximum":5,"description":"5 非常满意 very satisfied … 1 非常不满意 very dissatisfied"},"reasons":{"type":"array","items":{"type":"string"}},"comment":{"type":"string"}}},
 "Complaint": {"type":"object","required":["content"],"properties":{"channel":{"type":"string","enum":["web","hotline","box","letter","in_person"]},"content":{"type":"string"},"contact":{"type":["string","null"]},"ticket":{"type":["string","null"]},"window":{"type":["integer","null"]},"needs_assistance":{"type":"boolean"}}},
 "Device": {"type":"object","required":["name"],"properties":{"name":{"type":"string"},"printer":{"type":["string","null"],"description":"a.b.c.d:port (raw TCP ESC/POS) or file:/absolute/path"},"key":{"type":"string","readOnly":True,"description":"shown once; send as X-Device-Key"}}},
 "Login": {"type":"object","required":["username","password"],"properties":{"username":{"type":"string"},"password":{"type":"string"}}},
 "Session": {"type":"object","properties":{"token":{"type":"string"},"csrf":{"type":"string"},"expires_at":{"type":"string"},"user":{"type":"object"}}},
 "Hall": {"type":"object","properties":{"name":{"type":"string"},"name_en":{"type":"string"},"timezone":{"type":"string"},"hours":ref("Hours"),"policy":{"type":"object","properties":{"boost_priority_s":{"type":"integer"},"boost_appointment_s":{"type":"integer"},"boost_first_service_s":{"type":"integer"}}},"target_wait_s":{"type":"integer"},"suspended":{"type":"boolean"},"suspend_reason":{"type":["string","null"]},"public_info":{"type":"object"}}},
}
bodies = {("POST","/api/v1/auth/login"):"Login",("PUT","/api/v1/hall"):"Hall",("POST","/api/v1/services"):"Service",("PUT","/api/v1/services/{code}"):"Service",("POST","/api/v1/windows"):"Window",("PUT","/api/v1/windows/{n}"):"Window",("POST","/api/v1/staff"):"Staff",("PUT","/api/v1/staff/{username}"):"Staff",("POST","/api/v1/tickets"):"TicketRequest",("POST","/api/v1/devices"):"Device",("POST","/api/v1/evaluations"):"Evaluation",("POST","/api/v1/complaints"):"Complaint"}
resp = {("POST","/api/v1/auth/login"):"Session",("GET","/api/v1/hall"):"Hall",("PUT","/api/v1/hall"):"Hall",("POST","/api/v1/services"):"Service",("PUT","/api/v1/services/{code}"):"Service",("DELETE","/api/v1/services/{code}"):"Service",("POST","/api/v1/windows"):"Window",("GET","/api/v1/windows/{n}"):"Window",("PUT","/api/v1/windows/{n}"):"Window",("POST","/api/v1/windows/{n}/{action}"):"WindowAction",("POST","/api/v1/staff"):"Staff",("PUT","/api/v1/staff/{username}"):"Staff",("POST","/api/v1/tickets"):"Ticket",("GET","/api/v1/tickets/{id}"):"Ticket",("POST","/api/v1/tickets/{id}/cancel"):"Ticket",("POST","/api/v1/tickets/{id}/requeue"):"Ticket",("GET","/api/v1/display"):"Display"}
lists = {("GET","/api/v1/services"):"Service",("GET","/api/v1/windows"):"Window",("GET","/api/v1/staff"):"Staff",("GET","/api/v1/tickets"):"Ticket"}
roles_txt = {"PUBLIC":"public","STAFF":"any staff","ADMIN":"admin","MGR":"admin, manager","COUNTER":"admin, manager, clerk (own window)","GUIDES":"admin, manager, guide"}
paths = {}
for meth, pat, roles, flags, summ in routes:
    p = pat[len("/api/v1"):]
    op = {"summary": summ, "description": "Roles: " + roles_txt.get(roles, roles) + ".", "responses": {}}
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in re.findall(r'\{(\w+)\}', p)]
    if pat == "/api/v1/tickets" and meth == "GET":
        params += [{"name":"status","in":"query","schema":{"type":"string"}},{"name":"service","in":"query","schema":{"type":"string"}}]
    if params: op["parameters"] = params
    if roles != "PUBLIC": op["security"] = [{"bearer": []}, {"cookie": []}]
    if (meth, pat) in bodies:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(bodies[(meth, pat)])}}}
    elif meth in ("POST","PUT"):
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
    ok = "201" if (meth == "POST" and pat in ("/api/v1/services","/api/v1/windows","/api/v1/staff","/api/v1/tickets","/api/v1/evaluations","/api/v1/complaints","/api/v1/notices","/api/v1/devices","/api/v1/improvements")) else "200"
    if (meth, pat) in resp: sch = ref(resp[(meth, pat)])
    elif (meth, pat) in lists: sch = {"type": "array", "items": ref(lists[(meth, pat)])}
    else: sch = {"type": "object"}
    ctype = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}.get(pat.rsplit(".", 1)[-1], "application/json")
    if pat.endswith("/announcements"): ctype = "audio/wav"
    if pat.endswith("/announcements"):
        params += [{"name":"number","in":"query","required":True,"schema":{"type":"string","pattern":"^[A-Z]{1,2}[0-9]{3,5}$"}},{"name":"window","in":"query","required":True,"schema":{"type":"integer","minimum":1,"maximum":9999}}]
        op["parameters"] = params
    op["responses"][ok] = {"description": "OK", "content": {ctype: {"schema": sch if ctype=="application/json" else {"type":"string","format":"binary"}}}}
    op["responses"]["4XX"] = err
    op["responses"]["503"] = err
    paths.setdefault(p, {})[meth.lower()] = op
paths["/events"] = {"get": {"summary": "Server-Sent Events: live and replayable (Last-Event-ID)", "description": "Roles: public. text/event-stream; each event has id (durable sequence), event (type) and data (JSON). Last-Event-ID (header or ?last_event_id=) replays what was missed; 0 replays from the start. `: ping` every 15 s.", "parameters": [{"name":"Last-Event-ID","in":"header","schema":{"type":"integer"}},{"name":"last_event_id","in":"query","schema":{"type":"integer"}}], "responses": {"200": {"description": "event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}}}
doc = {"openapi": "3.1.0", "info": {"title": "hallq API", "version": "1.0.0", "description": "The HTTP API v1 of hallq, the service-hall system to DB13/T 1760-2013. Errors: {\"error\":{\"code\",\"message\",\"field\"?}}. Times RFC 3339 in the hall's zone; durations in whole seconds."},
  "servers": [{"url": "/api/v1"}], "paths": paths,
  "components": {"schemas": schemas, "responses": {"Error": {"description": "Refused: nothing changed", "content": {"application/json": {"schema": ref("Error")}}}},
   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "cookie": {"type": "apiKey", "in": "cookie", "name": "hq_session"}}}}
json.dump(doc, open(os.path.join(ROOT, 'web/openapi.json'), 'w'), ensure_ascii=False, indent=1)
print(len(routes), "routes")
