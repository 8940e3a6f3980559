-- Fires recorded started at or before a time, of active triggers, oldest first, at most a
-- number: {id, at, s, o, l, r, f, k} each; a member whose fire moved on is dropped. ARGV:
-- prefix, before, limit.
local out, limit = {}, tonumber(ARGV[3])
for _, member in ipairs(redis.call('ZRANGEBYSCORE', STARTED, '-inf', ARGV[2])) do
  if #out >= limit then break end
  local space = string.find(member, ' ', 1, true)
  local at, id = string.sub(member, 1, space - 1), string.sub(member, space + 1)
  local f = redis.call('HMGET', fire_key(id, at), unpack(FIRE_FIELDS))
  if f[1] ~= 'started' then
    redis.call('ZREM', STARTED, member)
  elseif redis.call('EXISTS', trigger_key(id)) == 1 then
    out[#out + 1] = {id, at, f[1], f[2], f[3], f[4], f[5], f[6]}
  end
end
return out
