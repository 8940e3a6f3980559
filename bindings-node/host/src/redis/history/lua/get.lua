-- One run: {summary, flow, input, variables, nodes}, or nil. ARGV: prefix, id.
local id = ARGV[2]
local row = summary(id)
if not row[2] then return false end
local run = redis.call('HMGET', run_key(id), 'flow', 'input', 'variables')
local flow = run[1]
if flow == '' then flow = redis.call('HGET', p .. ':def:' .. row[3], 'text') end
return {row, flow, run[2], run[3], redis.call('LRANGE', p .. ':nodes:' .. id, 0, -1)}
