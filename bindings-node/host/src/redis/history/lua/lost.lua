-- Ends a run whose process was lost, when it is still running and still `owner`'s ('': anyone's):
-- another process may have taken it over meanwhile. 1 when it did, else 0. ARGV: prefix, id,
-- owner, status, endTime, error ('' for none).
local id = ARGV[2]
local f = redis.call('HMGET', run_key(id), 'member', 'status', 'startTime', 'owner')
if f[2] ~= 'running' then return 0 end
if ARGV[3] ~= '' and f[4] ~= ARGV[3] then return 0 end
finish(id, f, ARGV[4], ARGV[5], ARGV[6])
return 1
