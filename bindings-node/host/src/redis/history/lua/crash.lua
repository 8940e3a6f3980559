-- Runs still running whose process is gone end: durable ones `interrupted` (their checkpoints
-- kept, to resume), the others `crashed`; how many did. ARGV: prefix, now, then the ids.
local crashed = 0
for i = 3, #ARGV do
  local run = run_key(ARGV[i])
  local f = redis.call('HMGET', run, 'member', 'status', 'startTime', 'endTime', 'durable')
  if f[2] == 'running' then
    local status = f[5] == '1' and 'interrupted' or 'crashed'
    restatus(f[1], 'running', status, f[3])
    redis.call('HSET', run, 'status', status, 'endTime', f[4] or ARGV[2])
    crashed = crashed + 1
  end
end
return crashed
