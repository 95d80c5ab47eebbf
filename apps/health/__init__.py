"""Liveness and readiness probes (``/health/live``, ``/health/ready``): a plain package, no models."""
