-- Removes a run, its nodes, and its definition when no other run shares it.
-- ARGV: prefix, id, 'any' or 'ended' (leave a running run).
local id = ARGV[2]
local run = run_key(id)
local f = redis.call('HMGET', run, 'member', 'status', 'flowId', 'flowHash', 'flow')
if not f[1] or (ARGV[3] == 'ended' and f[2] == 'running') then return 0 end
redis.call('ZREM', p .. ':runs', f[1])
redis.call('ZREM', p .. ':status:' .. f[2], f[1])
redis.call('ZREM', p .. ':flow:' .. f[3], f[1])
redis.call('DEL', run, p .. ':nodes:' .. id)
if f[5] == '' then
  local def = p .. ':def:' .. f[4]
  if redis.call('HINCRBY', def, 'refs', -1) <= 0 then redis.call('DEL', def) end
end
return 1
