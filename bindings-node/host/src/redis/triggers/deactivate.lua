-- Makes every trigger of a flow inactive (their fires stay); how many were. ARGV: prefix, the
-- start every id of the flow has (`[<flow as JSON>,`).
local start = ARGV[2]
local removed = 0
for _, id in ipairs(redis.call('SMEMBERS', TRIGGERS)) do
  if string.sub(id, 1, #start) == start then
    redis.call('DEL', trigger_key(id))
    redis.call('SREM', TRIGGERS, id)
    removed = removed + 1
  end
end
return removed
