"""gwsim's exception types.

Every error gwsim raises on purpose is a :class:`GwsimError`; its message says what was wrong and
what to do about it, so a scenario script or the command line can print it as one clear line.
"""


class GwsimError(Exception):
    """Base class of all errors raised by gwsim on purpose."""


class SpecError(GwsimError, ValueError):
    """A model specification or scenario value is invalid.

    ``field`` names the offending entry (e.g. ``"properties.k"``) so tools can point at it.
    """

    def __init__(self, field: str, problem: str, fix: str = ""):
        self.field = field
        self.problem = problem
        self.fix = fix
        message = f"{field}: {problem}"
        if fix:
            message += f" (fix: {fix})"
        super().__init__(message)


class SpecErrors(SpecError):
    """Several input problems found at once (``errors``, each a :class:`SpecError`); the message
    has one line per problem. ``field``, ``problem`` and ``fix`` are the first problem's."""

    def __init__(self, errors: list[SpecError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.field, first.problem, first.fix)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return self.args[0]


class ExecutableError(GwsimError):
    """A MODFLOW-family executable is missing, will not run, or could not be installed."""


class EngineError(GwsimError):
    """A MODFLOW run failed; the message carries the tail of its listing file."""

    def __init__(self, message: str, listing_tail: str = ""):
        self.listing_tail = listing_tail
        if listing_tail:
            message = f"{message}\n--- last lines of the listing file ---\n{listing_tail}"
        super().__init__(message)


class FlowFieldError(GwsimError):
    """A flow model's output cannot be read into a FlowField."""


class CaptureZoneError(GwsimError, ValueError):
    """Wells or travel times given to :func:`gwsim.capture_zone` are invalid."""


class WellError(CaptureZoneError):
    """Wells given by name or (x, y) do not resolve to pumping cells of a flow field.

    A :class:`CaptureZoneError`, as wave 1 raised for the same mistakes; risk and monitoring resolve
    wells the same way.
    """


class ProtectionZoneError(GwsimError, ValueError):
    """Inputs of a protection-zone delineation are invalid."""


class GwsimWarning(UserWarning):
    """Base class of gwsim's warnings: results exist but need a look."""


class MassBalanceWarning(GwsimWarning):
    """A model's volume or mass budget does not close within the tolerance."""


class DryWellWarning(GwsimWarning):
    """A well delivers less than its specified rate (its cell went dry)."""


class TruncatedZoneWarning(GwsimWarning):
    """A capture zone reaches the edge of the model: it is cut off there."""


class IncompleteZoneWarning(GwsimWarning):
    """A transient flow simulation ended before the tracked water reached the wells."""


class Mf6DispersionWarning(GwsimWarning):
    """The MODFLOW 6 in use turns the dispersion tensor wrongly where the flow has qy < 0.

    modflow6 issue #2826, fixed by PR #2849 (June 2026): MODFLOW 6 up to then (the PyPI wheel's
    6.4.1 included) takes the tensor's horizontal angle from ``acos``, so plumes in flow with a
    southward (qy < 0) component spread along the mirrored direction. Ways out: an official
    MODFLOW 6 release from after mid-2026 (``get-modflow``, then ``gwsim install-exes --mf6
    PATH``), or ``engine="mt3d"`` (MT3D-USGS, which is right).
    """


class AdvectionFallbackWarning(GwsimWarning):
    """MT3D-USGS's TVD run failed and was run again with upstream finite differences: the plume
    is more smeared (numerical dispersion) than TVD would give."""


class MissingFontWarning(GwsimWarning):
    """No font with Chinese glyphs was found: maps fall back to English labels."""
