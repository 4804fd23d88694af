-- wrk's script for the benchmark: the request to send, and the summary as one JSON line.
--
-- With no script arguments every request is the URL given to wrk (one text, repeated: what a
-- response cache answers). With arguments PREFIX MODULUS SUFFIX NONCE (URL-encoded pieces of the
-- query parameter) every request is a text never sent before: PREFIX, then a number below MODULUS
-- (when MODULUS > 0: which entity to look up), then SUFFIX, then a comment naming the run's nonce,
-- the thread and the request's number, so no text repeats within a run or across runs.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  count = 0
  if #args >= 4 then
    prefix, modulus, suffix, nonce = args[1], tonumber(args[2]), args[3], args[4]
  else
    fixed = wrk.format()
  end
end

function request()
  if fixed then
    return fixed
  end
  count = count + 1
  local middle = ""
  if modulus > 0 then
    middle = tostring((count * 7919 + id * 104729) % modulus)
  end
  local mark = "%0A%23" .. nonce .. "-" .. id .. "-" .. count
  return wrk.format("GET", prefix .. middle .. suffix .. mark)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
