-- wrk script for `targeting serve`: POST /v1/score with records from a
-- JSON Lines corpus (targeting gen), one record per request or a batch.
--   wrk -t2 -c16 -d10s -s bench/serve/score.lua http://127.0.0.1:8080 -- CORPUS.jsonl BATCH
-- (or WRK_BATCH=BATCH in the environment, which done() also reads: it runs
-- in a Lua state of its own that init() never sees). BATCH 1 posts one JSON
-- object per request; BATCH > 1 posts NDJSON of BATCH
-- records. Bodies are built once per thread, then cycled. done() prints
-- records/s, p50/p99 and every failure (non-2xx answers, socket errors).
local corpus, batch = "corpus/manifest.jsonl", tonumber(os.getenv("WRK_BATCH") or "1")
local bodies, next_body = {}, 1

function init(args)
  corpus = args[1] or corpus
  batch = tonumber(args[2] or batch)
  local lines = {}
  for line in io.lines(corpus) do
    lines[#lines + 1] = line
    if #lines >= 20000 then break end
  end
  local i = 1
  while #bodies < 2000 and i <= #lines do
    local chunk = {}
    for k = 1, batch do
      chunk[k] = lines[((i + k - 2) % #lines) + 1]
    end
    i = i + batch
    bodies[#bodies + 1] = table.concat(chunk, "\n") .. (batch > 1 and "\n" or "")
  end
  wrk.method = "POST"
  wrk.path = "/v1/score"
  wrk.headers["Content-Type"] = batch > 1 and "application/x-ndjson" or "application/json"
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "batch %d: %d requests in %.1f s: %.0f requests/s, %.0f records/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; failed: status %d, connect %d, read %d, write %d, timeout %d\n",
    batch, summary.requests, seconds, summary.requests / seconds, summary.requests * batch / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
