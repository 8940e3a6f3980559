-- Remembers a webhook delivery's key, unless it is remembered and not expired. ARGV: prefix, id,
-- key, run id, now, keep until. The hash <p>:delivery:<id>:<key> (r: run id, u: until), which
-- Redis drops itself once past its time. Answers the run an unexpired one names, or false.
local id, key, run, now, untl = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local d = p .. ':delivery:' .. id .. ':' .. key
local known = redis.call('HMGET', d, 'r', 'u')
if known[1] and tonumber(known[2]) > now then return known[1] end
redis.call('DEL', d)
redis.call('HSET', d, 'r', run, 'u', ARGV[6])
-- The caller's clock says how long; Redis's own only when to drop it.
redis.call('PEXPIRE', d, math.max(1, untl - now))
return false
