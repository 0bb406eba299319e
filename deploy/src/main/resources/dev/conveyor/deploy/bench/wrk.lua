-- One fixed request, answers counted by status, and a summary printed as one JSON line for WrkRun to read.
-- The request comes from the environment: WRK_METHOD, WRK_BODY_FILE (optional) and WRK_HEADERS ("Name: value"
-- lines), so one script serves every phase.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  wrk.method = os.getenv("WRK_METHOD") or "GET"
  local bodyFile = os.getenv("WRK_BODY_FILE")
  if bodyFile and bodyFile ~= "" then
    local file = assert(io.open(bodyFile, "rb"))
    wrk.body = file:read("*a")
    file:close()
  end
  for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- utime + stime (fields 14 and 15 of /proc/self/stat) in clock ticks. done() runs after the load threads have
-- ended, so this is all the CPU wrk spent.
local function cpuTicks()
  local file = assert(io.open("/proc/self/stat", "r"))
  local stat = file:read("*a")
  file:close()
  local fields = {}
  -- Fields from the third on follow the command name's closing parenthesis.
  for field in stat:match("%) (.*)"):gmatch("%S+") do
    fields[#fields + 1] = field
  end
  return tonumber(fields[12]) + tonumber(fields[13])
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, n)
  end
  local errors = summary.errors
  io.write(string.format('WRK_RESULT {"durationUs":%d,"requests":%d,"statuses":{%s},'
      .. '"p50Us":%.0f,"p99Us":%.0f,"maxUs":%.0f,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"cpuTicks":%d}\n',
      summary.duration, summary.requests, table.concat(parts, ","),
      latency:percentile(50), latency:percentile(99), latency.max,
      errors.connect, errors.read, errors.write, errors.timeout, cpuTicks()))
end
