-- wrk script: public access requests as a web form would send them, each for a different
-- person (a valid, random Finnish identity code), so per-person checks see realistic data.
local chars = "0123456789ABCDEFHJKLMNPRSTUVWXY"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

local function identity_code()
    local day, month, year = math.random(1, 28), math.random(1, 12), math.random(0, 99)
    local individual = math.random(2, 899)
    local digits = string.format("%02d%02d%02d%03d", day, month, year, individual)
    local check = (tonumber(digits) % 31) + 1
    return string.format("%02d%02d%02d-%03d%s", day, month, year, individual, chars:sub(check, check))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
    local body = '{"organisation":"turvakoti-satama","kind":"access","language":"fi",' ..
        '"subject":{"name":"Bench Mark","personal_id":"' .. identity_code() ..
        '","email":"bench@example.invalid","contact_channel":"email"},' ..
        '"details":{"scope":"whole_record","form":"electronic"}}'
    return wrk.format(nil, nil, nil, body)
end
