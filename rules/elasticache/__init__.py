"""ElastiCache (Redis OSS, Valkey, Memcached) rules."""
