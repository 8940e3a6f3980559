-- Removes runs by retention, choosing as `pruned_ids` does: runs still running, interrupted
-- (they may be resumed) or waiting (they may be woken) stay and are not counted; of the others, every one past the newest `keep` (newest by start time, then by
-- sequence number) and every one begun before `before`. With nothing to remove it costs a ZCARD
-- (and with `before`, a ZRANGEBYSCORE). At most `limit` runs go per call, so a large prune does
-- not hold the server for long: answers {how many went, 1 when it stopped at the limit}.
-- ARGV: prefix, before, keep ('' when not given), limit.
local runs = p .. ':runs'
local before, keep, limit = ARGV[2] ~= '' and ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local PAGE = 128
local removed = 0

-- The statuses whose runs stay (`remove` itself keeps running ones).
local STAYING = {'running', 'interrupted', 'waiting'}

local function stays(member)
  return redis.call('ZSCORE', p .. ':status:interrupted', member) or redis.call('ZSCORE', p .. ':status:waiting', member)
end

-- Removes the runs `page(offset)` lists (members, `offset` being how many it listed and were
-- kept), until it lists none or `limit` runs went.
local function sweep(page)
  local kept = 0
  while removed < limit do
    local members = page(kept)
    if #members == 0 then return end
    for _, member in ipairs(members) do
      if removed >= limit then return end
      if not stays(member) and remove(id_of(member), false) == 1 then removed = removed + 1 else kept = kept + 1 end
    end
  end
end

if keep and redis.call('ZCARD', runs) > keep then
  -- Where the newest `keep` runs that do not stay end, newest first: `keep`, plus one for each
  -- run that stays before that point. Removing runs past it moves none before it.
  local ranks = {}
  for _, status in ipairs(STAYING) do
    for _, member in ipairs(redis.call('ZRANGE', p .. ':status:' .. status, 0, -1)) do
      local rank = redis.call('ZREVRANK', runs, member)
      if rank then ranks[#ranks + 1] = rank end
    end
  end
  table.sort(ranks)
  local cut = keep
  for _, rank in ipairs(ranks) do
    if rank >= cut then break end
    cut = cut + 1
  end
  sweep(function(kept) return redis.call('ZREVRANGE', runs, cut + kept, cut + kept + PAGE - 1) end)
end
if before then
  sweep(function(kept) return redis.call('ZRANGEBYSCORE', runs, '-inf', '(' .. before, 'LIMIT', kept, PAGE) end)
end
return {removed, removed >= limit and 1 or 0}
