"""Rate limits of the REST API: named rules over the ``limits`` package (see ``limiter``)."""

from servicelayer.throttle.limiter import Throttle
from servicelayer.throttle.settings import LimitSettings

__all__ = ["LimitSettings", "Throttle"]
