-- A run's checkpoints as {field, value, ...}; false when the run or its checkpoints are gone.
-- ARGV: prefix, id.
if redis.call('EXISTS', run_key(ARGV[2])) == 0 then return false end
local fields = redis.call('HGETALL', checkpoints_key(ARGV[2]))
if #fields == 0 then return false end
return fields
