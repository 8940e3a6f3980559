-- One page of summaries: {total, rows}. ARGV: prefix, flowId filter, status filter ('' for none,
-- else '=' and the value), offset, last index (below offset: none), 'asc' or 'desc', and the
-- start-time range as sorted-set bounds ('-inf', '+inf', or a score; '(' before it: excluded).
local flow = ARGV[2] ~= '' and string.sub(ARGV[2], 2) or nil
local status = ARGV[3] ~= '' and string.sub(ARGV[3], 2) or nil
local offset, stop, desc = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == 'desc'
local min, max = ARGV[7], ARGV[8]
local total, members = 0, {}
if flow and status then
  -- No set holds both: the flow's runs in the range, checked against the status's.
  local of_status, matched = p .. ':status:' .. status, {}
  for _, member in ipairs(redis.call('ZRANGE', p .. ':flow:' .. flow, min, max, 'BYSCORE')) do
    if redis.call('ZSCORE', of_status, member) then matched[#matched + 1] = member end
  end
  total = #matched
  for i = offset + 1, math.min(stop + 1, total) do
    members[#members + 1] = matched[desc and (total - i + 1) or i]
  end
else
  local key = (flow and (p .. ':flow:' .. flow)) or (status and (p .. ':status:' .. status)) or (p .. ':runs')
  if min == '-inf' and max == '+inf' then
    total = redis.call('ZCARD', key)
  else
    total = redis.call('ZCOUNT', key, min, max)
  end
  if stop >= offset then
    local count = stop - offset + 1
    if desc then
      members = redis.call('ZRANGE', key, max, min, 'BYSCORE', 'REV', 'LIMIT', offset, count)
    else
      members = redis.call('ZRANGE', key, min, max, 'BYSCORE', 'LIMIT', offset, count)
    end
  end
end
local rows = {}
for _, member in ipairs(members) do rows[#rows + 1] = summary(id_of(member)) end
return {total, rows}
