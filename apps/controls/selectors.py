"""Reads with rules: what the maintenance banner shows."""

from dataclasses import dataclass

from apps.controls.runtime import maintenance_message, maintenance_mode_on


@dataclass(frozen=True)
class MaintenanceNotice:
    message: str


def maintenance_notice() -> MaintenanceNotice | None:
    """The banner while maintenance mode is on, else None (one cached read, no query)."""
    if not maintenance_mode_on():
        return None
    return MaintenanceNotice(message=maintenance_message())
