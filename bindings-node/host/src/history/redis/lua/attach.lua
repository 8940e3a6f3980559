-- The definition `begin` answered 'missing' for. ARGV: prefix, id, flowHash, text.
local run = run_key(ARGV[2])
if redis.call('HGET', run, 'flow') ~= PENDING then return {'gone'} end
return define(run, ARGV[3], 'text', ARGV[4])
