"""The per-user API rate limit (scope ``user``), counted in O(1) per request (issue 13 §2).

DRF's ``UserRateThrottle`` keeps, per user, the list of the times of their requests in the last
period, reads the whole list from the cache and writes it back on every request: with a limit of
1,200 a minute that is up to 1,200 floats pickled twice a request, and two requests at once can
both read the old list (each is counted, one is lost). This one keeps the same scope, rate
setting, cache key prefix and refusal (429 ``throttled`` with ``Retry-After``), but counts with a
*sliding-window counter*: one counter per user and period, and a request is allowed while
``previous period's count × (share of the previous period still inside the window) + this
period's count`` stays within the rate. On Redis (production) it is one round trip: a small Lua
script (``INCR`` and ``EXPIRE`` of this period's counter, ``GET`` of the last one), atomic; on the
other caches (the embedded file cache, tests' memory cache) Django's ``add``/``incr``/``get``.
A refused request is taken off the count again, as DRF does not count it either.
"""

import contextlib

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling
from rest_framework.settings import api_settings


def _backend(cache):
    """The cache itself behind ``django.core.cache.cache`` (a proxy), which DRF's throttles use."""
    return caches[DEFAULT_CACHE_ALIAS] if cache is default_cache else cache


# This period's counter up by one (kept two periods), and the previous period's: one command,
# atomic on the server.
HIT_SCRIPT = """
local current = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {current, redis.call('GET', KEYS[2])}
"""
# Per connection pool: redis-py's client and the registered script. Django's cache makes a new
# client object for every call; one per pool is what redis-py intends (clients are thread-safe).
_redis_scripts: dict = {}


def _redis_hit_script(cache: RedisCache):
    pool = cache._cache._get_connection_pool(True)  # the server Django's cache writes to
    script = _redis_scripts.get(pool)
    if script is None:
        script = _redis_scripts[pool] = cache._cache.get_client(write=True).register_script(HIT_SCRIPT)
    return script


def _counter_hit(cache, current_key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """Add one to this period's counter; return it and the previous period's counter."""
    cache = _backend(cache)
    if isinstance(cache, RedisCache):
        keys = [cache.make_and_validate_key(current_key), cache.make_and_validate_key(previous_key)]
        current, previous = _redis_hit_script(cache)(keys=keys, args=[timeout])
        return int(current), int(previous or 0)
    cache.add(current_key, 0, timeout)
    try:
        current = cache.incr(current_key)
    except ValueError:  # expired between the two calls
        cache.set(current_key, 1, timeout)
        current = 1
    return current, int(cache.get(previous_key) or 0)


def _counter_undo(cache, key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


class UserRateThrottle(throttling.UserRateThrottle):
    """``rest_framework.throttling.UserRateThrottle`` with a sliding-window counter (see the module)."""

    def get_rate(self):
        # Read on every request (DRF's class reads the setting once, at import), as the auth
        # throttles do, so that a changed rate applies at once.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        return rates[self.scope] if self.scope in rates else super().get_rate()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, elapsed = divmod(self.now, self.duration)
        current_key, previous_key = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        current, previous = _counter_hit(self.cache, current_key, previous_key, 2 * self.duration)
        if previous * (1 - elapsed / self.duration) + current <= self.num_requests:
            return True
        _counter_undo(self.cache, current_key)
        self._wait = self._seconds_until_allowed(current=current - 1, previous=previous, elapsed=elapsed)
        return self.throttle_failure()

    def _seconds_until_allowed(self, *, current: int, previous: int, elapsed: float) -> float:
        """When one more request would fit: later in this period, as the previous period's share
        shrinks, or else in the next one (this period's count then being the previous)."""
        room = self.num_requests - current - 1
        if room >= 0 and previous > 0:
            at = self.duration * (1 - room / previous)
            if at < self.duration:
                return max(0.0, at - elapsed)
        next_start = self.duration - elapsed
        if current > self.num_requests - 1 and current > 0:
            return next_start + self.duration * (1 - (self.num_requests - 1) / current)
        return next_start

    def wait(self):
        return getattr(self, "_wait", None)
