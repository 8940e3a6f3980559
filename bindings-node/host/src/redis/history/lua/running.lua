-- Runs still running, as {id, owner, when the owner was last heard from ('' never)}, and the
-- server's clock: the last entry is {now}. ARGV: prefix.
local out = {}
for _, member in ipairs(redis.call('ZRANGE', p .. ':status:running', 0, -1)) do
  local id = id_of(member)
  local owner = redis.call('HGET', run_key(id), 'owner')
  local seen = owner and redis.call('ZSCORE', p .. ':alive', owner)
  out[#out + 1] = {id, owner or '', seen or ''}
end
out[#out + 1] = {tostring(now_ms())}
return out
