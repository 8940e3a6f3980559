-- Records a fire's run, only for its current claimant; 1 when recorded. ARGV: prefix, id, at,
-- owner, run id, fired at.
local id, at = ARGV[2], ARGV[3]
local f = fire_key(id, at)
local held = redis.call('HMGET', f, 's', 'o')
if held[1] ~= 'claimed' or held[2] ~= ARGV[4] then return 0 end
redis.call('HSET', f, 's', 'started', 'r', ARGV[5], 'f', ARGV[6])
redis.call('ZREM', CLAIMS, at .. ' ' .. id)
redis.call('ZADD', STARTED, ARGV[6], at .. ' ' .. id)
return 1
