-- One AWS JSON 1.1 call, with the headers botocore 1.40.18 sends (the signature is not checked
-- by default). OPERATION and BODY come from the environment.
--
-- A BODY with %N (or %I, %H, %L, %K) is made anew for each request (bench/sweep.py's writes
-- that must differ: names, pool IDs to delete): %N becomes a number unique to the request
-- (OFFSET + its count) and %M that number modulo MODULUS. Only then is there a request() function, since one costs wrk a
-- Lua call per request and the fixed-body runs measure the server, not the client.
local operation = os.getenv("OPERATION") or "DescribeStacks"
local template = os.getenv("BODY") or "{}"

wrk.method = "POST"
wrk.body = template
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "OpsWorks_20130218." .. operation
wrk.headers["User-Agent"] = "Boto3/1.40.18 md/Botocore#1.40.18 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.40.18"
wrk.headers["X-Amz-Date"] = "20261127T010000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/opsworks/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)

-- %I becomes an IPv4 address and %H eight hex digits, both from the number; %L and %K the first
-- and second word of line number N of the file LINES (IDs the server made, listed beforehand).
if template:find("%%[NIHLK]") then
  local counter = tonumber(os.getenv("OFFSET") or "0")
  local modulus = tonumber(os.getenv("MODULUS") or "1")
  local lines = {}
  local path = os.getenv("LINES")
  if path and path ~= "" then
    for line in io.lines(path) do lines[#lines + 1] = line end
  end
  request = function()
    counter = counter + 1
    local address = string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
    local line = lines[counter] or ""
    local first, second = line:match("^(%S*)%s*(%S*)")
    local body = template:gsub("%%N", tostring(counter)):gsub("%%M", tostring(counter % modulus))
      :gsub("%%I", address):gsub("%%H", string.format("%08x", counter)):gsub("%%L", first or ""):gsub("%%K", second or "")
    return wrk.format(nil, nil, nil, body)
  end
end
