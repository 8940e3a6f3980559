-- The owner ARGV[2] is alive (see `beat`); owners not heard from for a day are forgotten.
beat(ARGV[2])
redis.call('ZREMRANGEBYSCORE', p .. ':alive', '-inf', now_ms() - 86400000)
return 1
