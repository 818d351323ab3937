"""Cumulative mass of one leak run (g): into wells, across a site boundary, and the numerical floor.

**Mass reaching a well** is the sink term the engine applies, integrated in time:
M(t) = ∫₀ᵗ Σᵢ Qᵢ·cᵢ dt over the well's cells (Qᵢ the cell's pumping, m³/d; cᵢ its concentration,
mg/L = g/m³), by the trapezoid rule over the run's output times, which :func:`integration_times`
makes dense (at least every service life / 200). The engines' own budgets are exact but not per
well: MT3D-USGS books every WEL cell in one "WELLS" term and MODFLOW 6 GWT in one SSM term per
package, so a supply well field and the containment wells of a control option could not be told
apart. The trapezoid's error is checked against the engine's balance where that is exact (a column
whose only outlet is one well: mass out = mass injected - mass stored).

**Mass crossing a site boundary** is a mass balance of the footprint's columns (every layer):
injected - stored (dissolved + sorbed + immobile) - decayed inside - taken out by sinks inside.
The stored mass is a state read off the concentrations, so without decay the balance is exact at
every output time to the engine's own mass-balance error; the decayed mass and the sinks inside are
integrated like a well's. In a dual-domain run the immobile (matrix) concentrations, which the
engines do not return, are integrated from the mobile ones (first-order exchange, no sorption in
the matrix). A cut-off wall that holds mass inside the site longer therefore reads as less mass
crossing, never more.

**Floors**: a peak below :data:`RATIO_FLOOR` of the Class III limit, or a mass below
:data:`MASS_FLOOR` of the mass leaked, is numerical noise (the TVD scheme and single precision
leave values down to 1e-19 mg/L far ahead of a plume) and reads :data:`NOT_REACHED`.
"""

from __future__ import annotations

import numpy as np

from gwsim.flowfield import FlowField

INTEGRATION_STEPS = 200  # output times over the service life at least, for the mass integrals
RATIO_FLOOR = 1e-4  # peak / Class III limit below which a receptor is "not reached"
GRAMS_PER_KG = 1000.0
MASS_FLOOR = 1e-6  # share of the leaked mass below which a mass is "not reached"
NOT_REACHED = "未到达 / not reached"


def integration_times(times, n: int = INTEGRATION_STEPS) -> np.ndarray:
    """``times`` (d) with ``n`` equal steps to their end added: output times dense enough for the
    trapezoid rule of the mass integrals (a 20-year service life: every 36.5 d)."""
    times = np.asarray(times, float)
    return np.unique(np.concatenate([times, np.linspace(0.0, times.max(), n + 1)[1:]]).round(3))


def cumulative(times, rate) -> np.ndarray:
    """(nt,) ∫₀ᵗ rate dt at each of ``times`` (d), trapezoid rule, rate 0 at t = 0."""
    t = np.concatenate([[0.0], np.asarray(times, float)])
    r = np.concatenate([[0.0], np.asarray(rate, float)])
    return np.cumsum(0.5 * (r[1:] + r[:-1]) * np.diff(t))


def injected_mass(times, mass_rate: float, start: float, stop: float | None) -> np.ndarray:
    """(nt,) mass leaked by each time, g: ``mass_rate`` (g/d) from ``start`` to ``stop`` (d)."""
    t = np.asarray(times, float)
    end = np.inf if stop is None else stop
    return mass_rate * np.clip(np.minimum(t, end) - start, 0.0, None)


def sink_rates(flow: FlowField, types=None) -> np.ndarray:
    """(nlay, nrow, ncol) water leaving the aquifer through sinks, m³/d (> 0), at the last saved
    flow step: every package of the given budget ``types`` (e.g. ``("WEL",)``), or all but
    storage."""
    q = np.zeros(flow.shape)
    for name, kind in flow.source_types.items():
        if (kind in types) if types is not None else not kind.startswith("STO"):
            q += np.maximum(-np.nan_to_num(flow.sources[name][-1]), 0.0)
    return q


def sink_mass(times, concentration: np.ndarray, cells: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """(nt,) cumulative mass taken out by sinks in ``cells`` ((m, 3) layer, row, col) pumping
    ``rates`` (m³/d, per cell), g, from concentrations (nt, nlay, nrow, ncol) in mg/L."""
    c = np.nan_to_num(concentration[(slice(None), *np.asarray(cells).T)])
    return cumulative(times, c @ np.asarray(rates, float))


def cell_mass(flow: FlowField, concentration: np.ndarray, cells: np.ndarray, retardation: float):
    """(nt, m) dissolved + sorbed (mobile-domain) mass in ``cells``, g: c·n·R·V_sat."""
    at = tuple(np.asarray(cells).T)
    volume = (flow.saturated_thickness[-1] * flow.grid.cell_area)[at]
    c = np.nan_to_num(concentration[(slice(None), *at)])
    return c * (flow.porosity[at] * retardation * volume)


def decayed_mass(flow, times, concentration, cells, rates, retardation: float) -> np.ndarray:
    """(nt,) cumulative mass decayed in ``cells`` at extra first-order ``rates`` (1/d per cell,
    mobile domain), g: ∫ Σ λᵢ·mᵢ dt (e.g. what a reactive barrier destroys)."""
    return cumulative(times, cell_mass(flow, concentration, cells, retardation) @ rates)


def immobile_concentration(times, mobile: np.ndarray, porosity, rate: float, decay) -> np.ndarray:
    """Immobile (matrix) concentrations (nt, m), mg/L, from mobile ones (nt, m):
    θ_im·dc_im/dt = ζ·(c_m - c_im) - λ·θ_im·c_im, c_im(0) = 0, the mobile concentration taken as
    its mean over each output interval (exact exponential step)."""
    t = np.concatenate([[0.0], np.asarray(times, float)])
    a = rate / np.asarray(porosity, float)
    k = a + np.asarray(decay, float)
    c_im = np.zeros(mobile.shape[1:])
    out = np.empty_like(mobile, dtype=float)
    previous = np.zeros(mobile.shape[1:])
    for i, dt in enumerate(np.diff(t)):
        mean = 0.5 * (previous + mobile[i])
        e = np.exp(-k * dt)
        c_im = c_im * e + np.divide(a * mean, k, out=np.zeros_like(mean), where=k > 0) * (1 - e)
        out[i], previous = c_im, mobile[i]
    return out


def boundary_crossing(
    flow: FlowField,
    times,
    concentration: np.ndarray,
    mask: np.ndarray,
    injected: np.ndarray,
    *,
    retardation: float,
    decay,
    immobile: tuple | None = None,
) -> np.ndarray:
    """(nt,) cumulative mass that has left the columns ``mask`` (nrow, ncol) by each time, g.

    injected - stored (dissolved + sorbed + immobile) - decayed - removed by sinks, all inside the
    columns; ``decay`` 1/d (scalar or per cell); ``immobile`` (θ_im, ζ 1/d) for a dual domain.
    """
    cells = np.argwhere(mask[None] & (flow.grid.idomain > 0))
    at = tuple(cells.T)
    lam = np.broadcast_to(np.asarray(decay, float), flow.shape)[at]
    mobile = cell_mass(flow, concentration, cells, retardation)
    stored, decaying = mobile.sum(axis=1), mobile @ lam
    if immobile is not None:
        theta, rate = immobile
        theta = np.broadcast_to(np.asarray(theta, float), flow.shape)[at]
        c = np.nan_to_num(concentration[(slice(None), *at)])
        volume = (flow.saturated_thickness[-1] * flow.grid.cell_area)[at]
        matrix = immobile_concentration(times, c, theta, rate, lam) * theta * volume
        stored, decaying = stored + matrix.sum(axis=1), decaying + matrix @ lam
    sinks = sink_mass(times, concentration, cells, sink_rates(flow)[tuple(cells.T)])
    return injected - stored - cumulative(times, decaying) - sinks


def floored(value: float | None, floor: float) -> float | None:
    """``value``, or 0.0 when it is below ``floor`` (numerical noise: "not reached")."""
    if value is None:
        return None
    return float(value) if value >= floor else 0.0
