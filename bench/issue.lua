-- SPDX-License-Identifier: MIT
-- issue.lua — wrk script: POST /api/v1/tickets with a staff token (HQ_TOKEN), so the public rate
-- limit does not apply; prints latency percentiles and the non-2xx count in a parseable form.
wrk.method = "POST"
wrk.path = "/api/v1/tickets"
wrk.body = '{"service":"A","category":"normal","channel":"guide"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HQ_TOKEN") or "")

function done(summary, latency, requests)
   local s = summary.duration / 1e6
   io.write(string.format("wrk_requests %d\n", summary.requests))
   io.write(string.format("wrk_rps %.0f\n", summary.requests / s))
   io.write(string.format("wrk_non2xx %d\n", summary.errors.status))
   io.write(string.format("wrk_sock_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
   io.write(string.format("wrk_p50_ms %.2f\n", latency:percentile(50) / 1000))
   io.write(string.format("wrk_p99_ms %.2f\n", latency:percentile(99) / 1000))
end
