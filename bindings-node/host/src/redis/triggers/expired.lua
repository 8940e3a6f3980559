-- Claims not started whose lease passed before now, of active triggers: {id, at, s, o, l, r,
-- f, k} each. ARGV: prefix, now.
local out = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', CLAIMS, '-inf', '(' .. ARGV[2])) do
  local space = string.find(member, ' ', 1, true)
  local at, id = string.sub(member, 1, space - 1), string.sub(member, space + 1)
  if redis.call('EXISTS', trigger_key(id)) == 1 then
    local f = redis.call('HMGET', fire_key(id, at), unpack(FIRE_FIELDS))
    if f[1] == 'claimed' then
      out[#out + 1] = {id, at, f[1], f[2], f[3], f[4], f[5], f[6]}
    end
  end
end
return out
