-- Claims a fire: inserted while its trigger is active and not paused, taken over while it is
-- an unstarted claim whose lease has passed; 1 when the caller holds it. ARGV: prefix, id, at,
-- owner, now, lease until.
local id, at, owner, now, lease = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local state = redis.call('HMGET', trigger_key(id), 'k', 'z')
if not state[1] or state[2] == '1' then return 0 end
local f = fire_key(id, at)
local held = redis.call('HMGET', f, 's', 'l')
if held[1] then
  if held[1] ~= 'claimed' or tonumber(held[2]) >= now then return 0 end
  redis.call('HSET', f, 'o', owner, 'l', lease)
else
  redis.call('HSET', f, 's', 'claimed', 'o', owner, 'l', lease)
  redis.call('ZADD', fires_key(id), at, at)
end
redis.call('ZADD', CLAIMS, lease, at .. ' ' .. id)
return 1
