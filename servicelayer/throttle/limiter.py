"""Named rate limits over the ``limits`` package, raising ``RateLimited`` (HTTP 429).

A rule (e.g. ``writes_per_account``) is one or more rates from ``LimitSettings``; a
request is counted against a rule for one key (an account or a client address). Counts
live in the configured storage (per process in memory by default).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES, RateLimiter

from servicelayer.errors import RateLimited
from servicelayer.throttle.settings import RULES, LimitSettings


class Throttle:
    def __init__(self, settings: LimitSettings) -> None:
        self.enabled = settings.enabled
        self._rules: dict[str, list[RateLimitItem]] = {
            rule: parse_many(text) if (text := getattr(settings, rule)).strip() else []
            for rule in RULES
        }
        self._limiter: RateLimiter = STRATEGIES[settings.strategy](
            storage_from_string(settings.storage_uri)
        )

    def hit(self, rule: str, key: str, what: str) -> None:
        """Count one request of ``key`` under ``rule``; RateLimited past any of its rates."""
        if not self.enabled:
            return
        for item in self._rules[rule]:
            if not self._limiter.hit(item, rule, key):
                raise self._refusal(item, rule, key, what)

    def check(self, rule: str, key: str, what: str) -> None:
        """RateLimited if ``key`` has used up ``rule`` already; counts nothing."""
        if not self.enabled:
            return
        for item in self._rules[rule]:
            if not self._limiter.test(item, rule, key):
                raise self._refusal(item, rule, key, what)

    def _refusal(self, item: RateLimitItem, rule: str, key: str, what: str) -> RateLimited:
        reset = self._limiter.get_window_stats(item, rule, key).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        return RateLimited(f"too many {what} (at most {item}); retry in {wait} s", wait)
