#!/usr/bin/env bash
# Starts PostgreSQL and Redis when they are installed here but do not answer.
set -uo pipefail
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if ! redis_up && command -v redis-server >/dev/null; then
  echo "Starting Redis"
  mkdir -p /tmp/wpl-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/wpl-redis --logfile /tmp/wpl-redis/redis.log
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi
if [ -n "${DATABASE_URL:-}" ] && [[ "$DATABASE_URL" == postgres* ]] && ! pg_up; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 100); do pg_up && break; sleep 0.1; done
  fi
fi
redis_up || echo "Redis does not answer on 127.0.0.1:6379; the Celery worker tests will fail." >&2
exit 0
