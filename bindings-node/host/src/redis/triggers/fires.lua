-- The latest fires of a trigger, newest first: {id, at, s, o, l, r, f, k} each. ARGV: prefix,
-- id, how many.
local id = ARGV[2]
local out = {}
for _, at in ipairs(redis.call('ZREVRANGE', fires_key(id), 0, tonumber(ARGV[3]) - 1)) do
  local f = redis.call('HMGET', fire_key(id, at), unpack(FIRE_FIELDS))
  out[#out + 1] = {id, at, f[1], f[2], f[3], f[4], f[5], f[6]}
end
return out
