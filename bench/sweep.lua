-- One operation with a body made anew for each request: every %N in BODY becomes a number
-- unique to the request (OFFSET + its count), so that writes which must differ (names, pool
-- IDs to delete) keep succeeding; %M becomes that number modulo MODULUS (to spread creations over
-- many stacks). OPERATION, BODY, OFFSET and MODULUS come from the environment.
local operation = os.getenv("OPERATION") or "DescribeStacks"
local template = os.getenv("BODY") or "{}"
local counter = tonumber(os.getenv("OFFSET") or "0")
local modulus = tonumber(os.getenv("MODULUS") or "1")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "OpsWorks_20130218." .. operation
wrk.headers["User-Agent"] = "Boto3/1.40.18 md/Botocore#1.40.18 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.40.18"
wrk.headers["X-Amz-Date"] = "20261127T010000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/opsworks/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)

request = function()
  counter = counter + 1
  local body = template:gsub("%%N", tostring(counter)):gsub("%%M", tostring(counter % modulus))
  return wrk.format(nil, nil, nil, body)
end
