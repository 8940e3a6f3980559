-- Records a range of fires that did not run, once. ARGV: prefix, id, first, the range's text.
local id, at = ARGV[2], ARGV[3]
local f = fire_key(id, at)
if redis.call('EXISTS', f) == 1 then return 0 end
redis.call('HSET', f, 's', 'skipped', 'o', '', 'l', '0', 'k', ARGV[4])
redis.call('ZADD', fires_key(id), at, at)
return 1
