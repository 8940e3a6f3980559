-- Records how a fire's run ended. ARGV: prefix, id, at, status.
local f = fire_key(ARGV[2], ARGV[3])
if redis.call('EXISTS', f) == 1 then redis.call('HSET', f, 's', ARGV[4]) end
redis.call('ZREM', STARTED, ARGV[3] .. ' ' .. ARGV[2])
return 1
