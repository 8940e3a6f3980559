-- Makes a trigger active; one already active keeps its cursor and pause. ARGV: prefix, id,
-- kind, parameters, activated at, handled through, paused.
local id = ARGV[2]
local t = trigger_key(id)
if redis.call('EXISTS', t) == 1 then
  redis.call('HSET', t, 'k', ARGV[3], 'par', ARGV[4])
else
  redis.call('HSET', t, 'k', ARGV[3], 'par', ARGV[4], 'a', ARGV[5], 'h', ARGV[6], 'z', ARGV[7])
  redis.call('SADD', TRIGGERS, id)
end
return 1
