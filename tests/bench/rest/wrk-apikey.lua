-- wrk script of tests/bench/rest: sends the `apikey` header (env WG_APIKEY) on every request and
-- prints one machine-readable line with throughput inputs and latency percentiles (microseconds).
wrk.headers["apikey"] = os.getenv("WG_APIKEY") or ""

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d connect_err=%d read_err=%d write_err=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
