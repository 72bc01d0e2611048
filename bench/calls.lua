-- SPDX-License-Identifier: MIT
-- calls.lua — wrk script: each connection is one window's clerk doing call-next then no-show, over
-- and over (bench/queue.sh: wrk -t16 -c16, one connection per thread, so thread i is window i).
-- HQ_TOKENS: the clerks' tokens, comma-separated, window 1 first (bench.mjs login writes them).
--
-- Each answer is a durable change (call-next: the ticket called; no-show: it ended), both counted
-- in wrk_actions_rps; wrk_calls_rps counts the call-next answers that called a ticket. A call-next
-- that finds the queue empty ('"ticket":null') is counted apart (wrk_empty) and is not a call; the
-- rates are over the time from the start to the last change.
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

local tokens = {}
for t in string.gmatch(os.getenv("HQ_TOKENS") or "", "[^,]+") do
   table.insert(tokens, t)
end

local threads, counter = {}, 0
function setup(thread)
   counter = counter + 1
   thread:set("win", counter)
   thread:set("token", tokens[counter] or "")
   table.insert(threads, thread)
end

-- per thread (each wrk thread has its own Lua state)
calls, actions, empty, errors, t_start, t_last, first_error = 0, 0, 0, 0, 0, 0, ""
local next_is_call, call_req, noshow_req = true, nil, nil
function init(args)
   t_start = now()
   local h = {["Authorization"] = "Bearer " .. token, ["Content-Length"] = "0"}
   call_req = wrk.format("POST", "/api/v1/windows/" .. win .. "/call-next", h, "")
   noshow_req = wrk.format("POST", "/api/v1/windows/" .. win .. "/no-show", h, "")
end

function request()
   return next_is_call and call_req or noshow_req
end

function response(status, headers, body)
   if status ~= 200 then
      errors = errors + 1
      if first_error == "" then first_error = status .. " " .. string.sub(body or "", 1, 300) end
      next_is_call = true
      return
   end
   if next_is_call then
      if string.find(body or "", '"ticket":null', 1, true) then
         empty = empty + 1
         return
      end
      calls = calls + 1
      next_is_call = false
   else
      next_is_call = true
   end
   actions = actions + 1
   t_last = now()
end

function done(summary, latency, requests)
   local n_calls, n_actions, n_empty, n_errors, start, last, why = 0, 0, 0, 0, nil, 0, ""
   for _, t in ipairs(threads) do
      n_calls = n_calls + t:get("calls")
      n_actions = n_actions + t:get("actions")
      n_empty = n_empty + t:get("empty")
      n_errors = n_errors + t:get("errors")
      local t0, tl = t:get("t_start"), t:get("t_last")
      if not start or t0 < start then start = t0 end
      if tl > last then last = tl end
      if why == "" then why = t:get("first_error") end
   end
   local s = (n_actions > 0 and start) and (last - start) or 0
   io.write(string.format("wrk_requests %d\n", summary.requests))
   io.write(string.format("wrk_calls %d\n", n_calls))
   io.write(string.format("wrk_calls_rps %.0f\n", s > 0 and n_calls / s or 0))
   io.write(string.format("wrk_actions %d\n", n_actions))
   io.write(string.format("wrk_actions_rps %.0f\n", s > 0 and n_actions / s or 0))
   io.write(string.format("wrk_empty %d\n", n_empty))
   io.write(string.format("wrk_errors %d\n", n_errors))
   if why ~= "" then io.write(string.format("wrk_first_error %s\n", (string.gsub(why, "\n", " ")))) end
   io.write(string.format("wrk_sock_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
   io.write(string.format("wrk_p50_ms %.2f\n", latency:percentile(50) / 1000))
   io.write(string.format("wrk_p99_ms %.2f\n", latency:percentile(99) / 1000))
end
