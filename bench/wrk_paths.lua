-- wrk script of the HTTP benchmark: cycle over the request paths listed one per line in the file
-- named by WRK_PATHS, and write the summary as JSON to the file named by WRK_OUT.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  paths[#paths + 1] = line
end
local next_index = 0

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = io.open(os.getenv("WRK_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "transport_errors": %d, "status_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d}',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
  out:close()
end
