-- A node's record (JSON), kept in the order written; dropped for a run never begun.
-- ARGV: prefix, id, record.
if redis.call('EXISTS', run_key(ARGV[2])) == 0 then return 0 end
return redis.call('RPUSH', p .. ':nodes:' .. ARGV[2], ARGV[3])
