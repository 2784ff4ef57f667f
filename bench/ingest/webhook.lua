-- Cycles pre-signed webhook bodies (see gen_bodies.py); each wrk thread
-- takes every Nth line so no two threads send the same message id.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("BODIES") or "bodies.txt"
  local nthreads = tonumber(os.getenv("THREADS") or "2")
  -- Whole requests are formatted here, once, so the load generator spends
  -- its time sending rather than building strings: it shares the two cores
  -- with the server it measures.
  requests = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", "/webhook", {
        ["Content-Type"] = "application/json",
        ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
      }, line:sub(tab + 1))
    end
    i = i + 1
  end
  next_request = 1
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then next_request = 1 end
  return r
end

-- No response() callback: defining one makes wrk hand every response to
-- Lua, which costs more than the request itself. Non-2xx answers are
-- counted by wrk in summary.errors.status.
function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
