"""Checks of a transport run's inputs: numbers, times, decay, sources, dual domain, flow field.

Each check raises :class:`~gwsim.errors.SpecError` naming the input (sources by index) and the fix,
or :class:`~gwsim.errors.GwsimError` when the flow field cannot drive a transport run.
"""

from __future__ import annotations

import warnings

import numpy as np

from gwsim.engines.transport_interface import THIN_CELL_FRACTION, CellId, ImmobileDomain
from gwsim.errors import GwsimError, SpecError
from gwsim.flowfield import FlowField
from gwsim.solute.inputs import DualDomain, Source

FLOW_BALANCE_RTOL = 0.01  # share of a cell's gross flows its budget may miss


def check_number(name: str, value, minimum: float, fix: str, strict: bool = False) -> float:
    """``value`` as a finite float >= ``minimum`` (> with ``strict``); SpecError naming ``name``."""
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise SpecError(name, f"{value!r} is not a number", fix) from exc
    if not np.isfinite(value) or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise SpecError(name, f"is {value}; it must be {relation} {minimum}", fix)
    return value


def check_decay(decay, shape) -> float | np.ndarray:
    """A scalar decay rate (1/d), or a per-cell (nlay, nrow, ncol) array of rates, checked."""
    fix = "give the first-order rate in 1/d (ln 2 / half-life), a scalar or one per cell"
    if np.ndim(decay) == 0:
        return check_number("decay", decay, 0.0, fix)
    rates = np.asarray(decay, float)
    if rates.shape != tuple(shape):
        raise SpecError("decay", f"has shape {rates.shape}, not the grid's {tuple(shape)}", fix)
    if not np.all(np.isfinite(rates) & (rates >= 0)):
        raise SpecError("decay", "has negative or non-finite rates", fix)
    return rates


def check_times(times) -> np.ndarray:
    """Output times (d) as a sorted array of unique finite times > 0."""
    times = np.atleast_1d(np.asarray(times, float))
    if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times <= 0):
        raise SpecError(
            "times",
            f"{times.tolist()} must be one or more finite times > 0",
            "give output times in days, e.g. [100, 1000]",
        )
    return np.unique(times)


def source_cell(flow: FlowField, i: int, src: Source) -> CellId:
    """(layer, row, col) of source ``i``; raises SpecError if it is outside or inactive."""
    name = f"sources[{i}]"
    lay, row, col = flow.grid.locate(src.x, src.y, src.z)
    lay, row, col = int(lay[0]), int(row[0]), int(col[0])
    where = f"({src.x}, {src.y}" + (f", z={src.z})" if src.z is not None else ")")
    if row < 0 or col < 0 or (src.z is not None and lay < 0):
        xl, yl = flow.grid.to_model(
            [0, flow.grid.x_edges_local[-1]], [0, flow.grid.y_edges_local[0]]
        )
        raise SpecError(
            name,
            f"{where} is outside the grid (x {xl[0]:.1f}..{xl[1]:.1f}, y {yl[0]:.1f}..{yl[1]:.1f}"
            + (", or z outside the column's top and bottom" if src.z is not None else "")
            + ")",
            "move the source into the model domain",
        )
    saturation = flow.saturation[:, :, row, col].max(axis=0)
    wet = (flow.grid.idomain[:, row, col] > 0) & (saturation > THIN_CELL_FRACTION)  # THKMIN
    if src.z is None:
        if not wet.any():
            raise SpecError(name, f"{where} lies over no active, wet cell", "move the source")
        lay = int(np.argmax(wet))
    elif not wet[lay]:
        raise SpecError(
            name,
            f"{where} is in an inactive or dry cell (layer {lay}, row {row}, col {col}; "
            f"below {THIN_CELL_FRACTION:.0%} saturated counts as dry)",
            "move the source, or give z in an active layer",
        )
    return lay, row, col


def check_source(i: int, src: Source, t_end: float) -> None:
    """Source ``i``: a Source with one of mass rate or concentration, and a valid on/off time."""
    name = f"sources[{i}]"
    if not isinstance(src, Source):
        raise SpecError(name, f"is a {type(src).__name__}", "give gwsim.Source(x, y, ...) objects")
    if (src.mass_rate is None) == (src.concentration is None):
        given = "both" if src.mass_rate is not None else "neither"
        raise SpecError(
            name,
            f"gives {given} of mass_rate and concentration",
            "give exactly one: mass_rate in g/d or concentration in mg/L",
        )
    if src.mass_rate is not None:
        check_number(f"{name}.mass_rate", src.mass_rate, 0.0, "give the mass added in g/d, >= 0")
        if src.fixed is not None:
            raise SpecError(f"{name}.fixed", "applies to concentration sources only", "drop fixed")
    else:
        check_number(f"{name}.concentration", src.concentration, 0.0, "give mg/L, >= 0")
    start = check_number(f"{name}.start", src.start, 0.0, "give the start time in days, >= 0")
    if (
        src.stop is not None
        and check_number(f"{name}.stop", src.stop, 0.0, "give days or None") <= start
    ):
        raise SpecError(
            f"{name}.stop",
            f"{src.stop} d is not after start {start} d",
            "give stop > start, or None",
        )
    if start >= t_end:
        warnings.warn(
            f"{name} starts at {start} d, after the last output time {t_end} d: no effect",
            stacklevel=3,
        )


def check_flow(flow: FlowField) -> None:
    """The flow field saved saturation, and every cell's budget closes (all package flows saved)."""
    if not flow.saturation_saved:
        raise GwsimError(
            "the flow model's budget file holds no saturation (DATA-SAT), which MODFLOW 6 "
            "transport needs: set SAVE_SATURATION and SAVE_FLOWS in its NPF package and rerun it"
        )
    for t in range(flow.ntimes):
        residual = flow.net_face_inflow(t) + sum(q[t] for q in flow.sources.values())
        scale = sum(np.abs(q[t]) for q in flow.sources.values()) + sum(
            np.abs(face[t])
            for face in (flow.flow_right_face, flow.flow_front_face, flow.flow_lower_face)
        )
        bad = (np.abs(residual) > FLOW_BALANCE_RTOL * scale + 1e-6 * scale.max()) & (
            flow.grid.idomain > 0
        )
        if bad.any():
            cell = tuple(int(c) for c in np.argwhere(bad)[0])
            raise GwsimError(
                f"the flow budget does not balance in {int(bad.sum())} cells at saved step {t} "
                f"(e.g. layer, row, col {cell}): flows of some packages are missing. Save the "
                "flows of every package (SAVE_FLOWS in the GWF name file) and run it again"
            )


def immobile_domain(
    dual_domain: DualDomain | None, porosity: np.ndarray, shape
) -> ImmobileDomain | None:
    """The checked immobile domain (per-cell θ_im and ζ) of ``dual_domain``, or None."""
    if dual_domain is None:
        return None
    theta_im = np.broadcast_to(np.asarray(dual_domain.immobile_porosity, float), shape).astype(
        float
    )
    if np.any(theta_im < 0) or np.any(theta_im + porosity > 1):
        raise SpecError(
            "dual_domain.immobile_porosity",
            "must be >= 0 with mobile + immobile porosity <= 1",
            "give the matrix pore volume per cell volume",
        )
    rate = check_number(
        "dual_domain.transfer_rate", dual_domain.transfer_rate, 0.0, "give ζ in 1/d"
    )
    return ImmobileDomain(porosity=theta_im, rate=np.full(shape, rate))


def check_dispersivity(dispersivity) -> tuple[float, float, float]:
    """(α_L, α_TH, α_TV) in m, each >= 0."""
    if np.size(dispersivity) != 3:
        raise SpecError(
            "dispersivity",
            f"{dispersivity!r} is not 3 values",
            "give (alpha_L, alpha_TH, alpha_TV) in m",
        )
    return tuple(
        check_number(f"dispersivity[{k}]", a, 0.0, "dispersivities are lengths in m, >= 0")
        for k, a in enumerate(dispersivity)
    )
