-- Removes the entries of a flow, of a node (by its path or its own id, the path's last part), of
-- both, or every entry (both ''); answers how many. ARGV: prefix, flow id or '', node or ''.
local flow, node = ARGV[2], ARGV[3]
local removed = 0
for _, key in ipairs(redis.call('ZRANGE', LRU, 0, -1)) do
  local f = redis.call('HMGET', entry_key(key), 'f', 'n')
  local path = f[2] or ''
  local flow_matches = flow == '' or f[1] == flow
  local node_matches = node == '' or path == node or string.match(path, '[^/]*$') == node
  if flow_matches and node_matches then removed = removed + remove(key) end
end
return removed
