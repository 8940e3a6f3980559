-- Removes runs (see `remove`); how many went. ARGV: prefix, 'any' or 'ended' (leave runs still
-- running), then the ids.
local removed = 0
for i = 3, #ARGV do removed = removed + remove(ARGV[i], ARGV[2] == 'any') end
return removed
