-- One page of summaries: {total, rows}. ARGV: prefix, flowId filter, status filter ('' for none,
-- else '=' and the value), offset, last index (below offset: none), 'asc' or 'desc'.
local flow = ARGV[2] ~= '' and string.sub(ARGV[2], 2) or nil
local status = ARGV[3] ~= '' and string.sub(ARGV[3], 2) or nil
local offset, stop, desc = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == 'desc'
local total, members = 0, {}
if flow and status then
  -- No set holds both: the flow's runs, checked against the status's.
  local of_status, matched = p .. ':status:' .. status, {}
  for _, member in ipairs(redis.call('ZRANGE', p .. ':flow:' .. flow, 0, -1)) do
    if redis.call('ZSCORE', of_status, member) then matched[#matched + 1] = member end
  end
  total = #matched
  for i = offset + 1, math.min(stop + 1, total) do
    members[#members + 1] = matched[desc and (total - i + 1) or i]
  end
else
  local key = (flow and (p .. ':flow:' .. flow)) or (status and (p .. ':status:' .. status)) or (p .. ':runs')
  total = redis.call('ZCARD', key)
  if stop >= offset then
    if desc then
      members = redis.call('ZRANGE', key, ARGV[4], ARGV[5], 'REV')
    else
      members = redis.call('ZRANGE', key, ARGV[4], ARGV[5])
    end
  end
end
local rows = {}
for _, member in ipairs(members) do rows[#rows + 1] = summary(id_of(member)) end
return {total, rows}
