-- Runs still running, as {id, owner}. ARGV: prefix.
local out = {}
for _, member in ipairs(redis.call('ZRANGE', p .. ':status:running', 0, -1)) do
  local id = id_of(member)
  out[#out + 1] = {id, redis.call('HGET', run_key(id), 'owner')}
end
return out
