"""The error type of monitoring-network design and source attribution."""

from gwsim.errors import GwsimError


class MonitoringError(GwsimError, ValueError):
    """Candidates, sources, detections or design options are invalid; the message names the
    problem and the fix."""
