-- Moves a started fire to running; 1 for the call that moved it. ARGV: prefix, id, at.
local id, at = ARGV[2], ARGV[3]
local f = fire_key(id, at)
redis.call('ZREM', STARTED, at .. ' ' .. id)
if redis.call('HGET', f, 's') ~= 'started' then return 0 end
redis.call('HSET', f, 's', 'running')
return 1
