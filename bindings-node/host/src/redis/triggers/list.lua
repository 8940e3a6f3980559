-- Every active trigger: {id, kind, parameters, activated at, handled through, paused}.
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', TRIGGERS)) do
  local f = redis.call('HMGET', trigger_key(id), 'k', 'par', 'a', 'h', 'z')
  if f[1] then
    out[#out + 1] = {id, f[1], f[2], f[3], f[4], f[5]}
  end
end
return out
