"""gunicorn's settings for the web process (the Procfile's ``web``; ``bench/api_read.py`` serves
with the same file). Chosen from ``bench/api_read.py`` at 16 clients on the 2-core reference
machine (issue 13 §2); the command line still overrides any of them.

- Sync workers, ``WEB_CONCURRENCY`` of them, by default one per core this process may run on.
  Once a read made only two or three short round trips (issue 13 §2), more workers than cores only
  added switching: on 2 cores, 2 workers served ``users/profile/`` at 1,118 req/s (p99 26 ms) and
  ``transactions/`` at 618 req/s (p99 45 ms), where 4 workers served 666 and 355 (p99 over 100 ms)
  in the same run, and the pages were faster too. gthread workers (threads) had a p99 of
  100-500 ms, requests queueing behind the GIL. A deployment whose requests wait longer on the
  database (a remote one) may want more: measure with ``bench/api_read.py --configs``.
- The workers' heartbeat files in ``/dev/shm`` (memory) where it exists: a sync worker touches its
  file on every request, and on a disk file system that is a journal write each time (about 15 %
  more requests a second in memory).
- Each worker freezes what it loaded at start (Django, the URL patterns, the compiled queries) out
  of the cyclic garbage collector, and collects its youngest generation after 50,000 new objects
  instead of 700: an API request makes a few thousand short-lived objects, and the default
  thresholds ran a collection every few requests, each walking every live object of the young
  generations (10-16 % of a request's CPU time in-process). Reference counting still frees almost
  everything at once; the collector is only for cycles, which a request rarely leaves.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's own advice: only its heartbeat files, no data)
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

GC_THRESHOLDS = (50_000, 20, 100)


def post_worker_init(worker) -> None:
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
