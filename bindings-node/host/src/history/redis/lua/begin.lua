-- A run begins, or (begun already) has its input and variables amended. ARGV: prefix, id,
-- flowId, flowHash, status, startTime, endTime, duration, error, retryOf, owner ('' when absent),
-- input, variables, then the definition as `define` takes it: how, given.
local id = ARGV[2]
local run = run_key(id)
if redis.call('EXISTS', run) == 1 then
  redis.call('HSET', run, 'input', ARGV[12], 'variables', ARGV[13])
  return {'amended'}
end
local member = string.format('%016x:', redis.call('INCR', p .. ':seq')) .. id
local start = ARGV[6]
redis.call('HSET', run, 'member', member, 'flowId', ARGV[3], 'flowHash', ARGV[4], 'status', ARGV[5],
  'startTime', start, 'flow', PENDING, 'input', ARGV[12], 'variables', ARGV[13])
local optional = {endTime = ARGV[7], duration = ARGV[8], error = ARGV[9], retryOf = ARGV[10], owner = ARGV[11]}
for field, value in pairs(optional) do
  if value ~= '' then redis.call('HSET', run, field, value) end
end
redis.call('ZADD', p .. ':runs', start, member)
redis.call('ZADD', p .. ':status:' .. ARGV[5], start, member)
redis.call('ZADD', p .. ':flow:' .. ARGV[3], start, member)
return define(run, ARGV[4], ARGV[14], ARGV[15])
