-- SPDX-License-Identifier: MIT
-- issue.lua — wrk script: POST /api/v1/tickets with a staff token (HQ_TOKEN), so the public rate
-- limit does not apply; prints latency percentiles and the counts in a parseable form.
--
-- What counts: only 2xx answers are issued tickets. A service gives at most 99,999 numbers a day
-- (A00001 – A99999, src/core/ticket.c), so a long or fast run ends in 409 ticket.numbers_exhausted
-- refusals, which are cheap and would inflate a plain requests-per-second figure (issue 12: a run
-- of 128,620 requests had 28,621 of them). So wrk_2xx_rps is the 2xx answers over the time from
-- the start to the last 2xx answer, and the first refusal's status and body are printed.
-- wrk_rps (every answer over the whole run, refusals included) is kept for comparison only.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } hq_timespec;
int clock_gettime(int clk, hq_timespec *ts);
]]
local ts = ffi.new("hq_timespec")
local function now() -- CLOCK_MONOTONIC, seconds
   ffi.C.clock_gettime(1, ts)
   return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

wrk.method = "POST"
wrk.path = "/api/v1/tickets"
wrk.body = '{"service":"A","category":"normal","channel":"guide"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HQ_TOKEN") or "")

local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

-- per thread (each wrk thread has its own Lua state)
ok, refused, t_start, t_last_ok, t_refused, refusal = 0, 0, 0, 0, 0, ""
function init(args)
   t_start = now()
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
      t_last_ok = now()
   else
      refused = refused + 1
      if t_refused == 0 then
         t_refused = now()
         refusal = status .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

function done(summary, latency, requests)
   local s = summary.duration / 1e6
   local n_ok, n_refused, start, last_ok, first_refused, why = 0, 0, nil, 0, nil, ""
   for _, t in ipairs(threads) do
      n_ok = n_ok + t:get("ok")
      n_refused = n_refused + t:get("refused")
      local t0, tl, tr = t:get("t_start"), t:get("t_last_ok"), t:get("t_refused")
      if not start or t0 < start then start = t0 end
      if tl > last_ok then last_ok = tl end
      if tr > 0 and (not first_refused or tr < first_refused) then
         first_refused, why = tr, t:get("refusal")
      end
   end
   local ok_s = (n_ok > 0 and start) and (last_ok - start) or 0
   io.write(string.format("wrk_requests %d\n", summary.requests))
   io.write(string.format("wrk_rps %.0f\n", summary.requests / s))
   io.write(string.format("wrk_2xx %d\n", n_ok))
   io.write(string.format("wrk_2xx_seconds %.2f\n", ok_s))
   io.write(string.format("wrk_2xx_rps %.0f\n", ok_s > 0 and n_ok / ok_s or 0))
   io.write(string.format("wrk_non2xx %d\n", n_refused))
   if first_refused then
      io.write(string.format("wrk_first_refusal_s %.2f\n", first_refused - start))
      io.write(string.format("wrk_first_refusal %s\n", (string.gsub(why, "\n", " "))))
   end
   io.write(string.format("wrk_sock_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
   io.write(string.format("wrk_p50_ms %.2f\n", latency:percentile(50) / 1000))
   io.write(string.format("wrk_p99_ms %.2f\n", latency:percentile(99) / 1000))
end
