-- Every run as {id, startTime, status}, in the order they began (what pruning chooses from).
-- ARGV: prefix.
local out = {}
for _, member in ipairs(redis.call('ZRANGE', p .. ':runs', 0, -1)) do
  local id = id_of(member)
  local f = redis.call('HMGET', run_key(id), 'startTime', 'status')
  out[#out + 1] = {id, f[1], f[2]}
end
return out
