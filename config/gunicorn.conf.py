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
  of the cyclic garbage collector, so that its full collections no longer walk them (on
  ``transactions/``, in-process: 0.05 ms a request in full collections before, 0.005 ms after).
  The thresholds stay Python's: a request leaves about two hundred objects in reference cycles,
  and letting them pile up (a first generation of 50,000 instead of 700) made the collections
  2-3 times dearer in all, each walking memory long out of the cache.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's own advice: only its heartbeat files, no data)
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY


def post_worker_init(worker) -> None:
    gc.freeze()
