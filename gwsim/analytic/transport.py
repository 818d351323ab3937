"""Analytical solutions of solute transport in uniform groundwater flow (m, d, g, mg/L).

Both solve the advection–dispersion equation with linear equilibrium sorption (retardation factor
R ≥ 1) and first-order decay at rate λ (1/d) acting on the dissolved and the sorbed phase alike:

    R ∂c/∂t = ∇·(D ∇c) − v ∂c/∂x − λ R c

with the seepage velocity v (m/d) along +x and dispersion coefficients D (m²/d). They serve as test
references for :func:`gwsim.transport` and as screening tools (HJ 610-2016 uses the same models).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special


def _exp_erfc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """exp(a)·erfc(b) without overflow for large a and b (uses erfcx(b) = exp(b²)·erfc(b))."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    positive = b > 0
    out = np.empty(a.shape)
    out[positive] = np.exp(a[positive] - b[positive] ** 2) * special.erfcx(b[positive])
    out[~positive] = np.exp(a[~positive]) * special.erfc(b[~positive])
    return out


def ogata_banks(x, t, velocity, dispersion, c0=1.0, retardation=1.0, decay=0.0):
    """1-D concentration downstream of a boundary held at ``c0`` from t = 0 (mg/L).

    Semi-infinite column x ≥ 0, initially free of solute, with c(0, t) = c0 for t > 0
    (Ogata & Banks 1961; with decay: van Genuchten & Alves 1982, with their μ = λR):

        c/c0 = ½ exp((v − u)x / 2D) erfc((Rx − ut) / 2√(DRt))
             + ½ exp((v + u)x / 2D) erfc((Rx + ut) / 2√(DRt)),   u = v √(1 + 4λRD/v²)

    Without decay u = v and this is the Ogata–Banks solution; as t → ∞ it tends to the steady
    profile c0·exp((v − u)x / 2D).

    Parameters
    ----------
    x : array_like
        Distance downstream of the boundary, m (≥ 0).
    t : array_like
        Time since the boundary concentration was applied, d (0 gives 0).
    velocity : float
        Seepage (pore-water) velocity v, m/d (> 0).
    dispersion : float
        Longitudinal dispersion coefficient D = α_L·v + D*, m²/d (> 0).
    c0 : float
        Boundary concentration, mg/L.
    retardation : float
        Retardation factor R (≥ 1).
    decay : float
        First-order decay rate λ of the dissolved and sorbed phases, 1/d (≥ 0).

    Returns
    -------
    numpy.ndarray
        Concentration, mg/L, broadcast over ``x`` and ``t``.

    References
    ----------
    Ogata, A., Banks, R.B. (1961) A solution of the differential equation of longitudinal
    dispersion in porous media. USGS Professional Paper 411-A.
    van Genuchten, M.Th., Alves, W.J. (1982) Analytical solutions of the one-dimensional
    convective-dispersive solute transport equation. USDA Technical Bulletin 1661.
    """
    x, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(t, float))
    if np.any(x < 0):
        raise ValueError("ogata_banks: x must be >= 0 (distance downstream of the boundary)")
    v, d, r = float(velocity), float(dispersion), float(retardation)
    u = v * np.sqrt(1.0 + 4.0 * decay * r * d / v**2)
    ts = np.where(t > 0, t, 1.0)
    root = 2.0 * np.sqrt(d * r * ts)
    c = 0.5 * (
        _exp_erfc((v - u) * x / (2 * d), (r * x - u * ts) / root)
        + _exp_erfc((v + u) * x / (2 * d), (r * x + u * ts) / root)
    )
    return np.where(t > 0, c0 * c, 0.0)


def _point_source_params(velocity, disp_long, disp_trans, retardation, decay):
    """Coefficients of the instantaneous 2-D point-source kernel (see point_source_2d)."""
    v, dx, dy, r = float(velocity), float(disp_long), float(disp_trans), float(retardation)
    return v, dx, dy, r, v**2 / (4 * r * dx) + decay


def point_source_2d(
    x,
    y,
    t,
    velocity,
    disp_long,
    disp_trans,
    mass_rate,
    thickness,
    porosity,
    retardation=1.0,
    decay=0.0,
):
    """2-D concentration from a continuous point source in uniform flow (mg/L).

    A fully penetrating source at the origin releases ``mass_rate`` (g/d) from t = 0 into an
    aquifer of thickness b and porosity n, with flow along +x. The instantaneous point-source
    solution for a mass m (a Gaussian puff; Bear 1972, ch. 10; Wexler 1992)

        c = m / (4π n b τ √(Dx Dy)) · exp(−(Rx − vτ)² / (4RDxτ) − Ry² / (4Dyτ) − λτ)

    is integrated over the release time τ from 0 to t (by quadrature in ln τ):

        c(x, y, t) = ∫₀ᵗ ṁ / (4π n b τ √(Dx Dy)) · exp(xv/2Dx − A/τ − Bτ) dτ,
        A = R (x²/Dx + y²/Dy) / 4,  B = v² / (4RDx) + λ

    Parameters
    ----------
    x, y : array_like
        Position relative to the source, m (x along the flow).
    t : float
        Time since the source started, d.
    velocity : float
        Seepage velocity v, m/d (> 0).
    disp_long, disp_trans : float
        Longitudinal and transverse dispersion coefficients Dx = α_L·v, Dy = α_T·v, m²/d.
    mass_rate : float
        Source strength ṁ, g/d.
    thickness : float
        Aquifer thickness b, m.
    porosity : float
        Effective porosity n, -.
    retardation : float
        Retardation factor R (≥ 1).
    decay : float
        First-order decay rate λ of the dissolved and sorbed phases, 1/d.

    Returns
    -------
    numpy.ndarray
        Concentration, mg/L (= g/m³), shaped like ``x`` and ``y`` broadcast; infinite at the
        source itself.

    References
    ----------
    Bear, J. (1972) Dynamics of Fluids in Porous Media. Elsevier, ch. 10.
    Wexler, E.J. (1992) Analytical solutions for one-, two-, and three-dimensional solute
    transport in ground-water systems with uniform flow. USGS TWRI 3-B7.
    """
    v, dx, dy, r, b = _point_source_params(velocity, disp_long, disp_trans, retardation, decay)
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    scale = mass_rate / (4 * np.pi * porosity * thickness * np.sqrt(dx * dy))
    log_t = np.log(t)
    out = np.empty(x.shape)
    for idx, (xi, yi) in enumerate(zip(x.ravel(), y.ravel(), strict=True)):
        a = r * (xi**2 / dx + yi**2 / dy) / 4
        if a == 0:
            out.flat[idx] = np.inf
            continue
        shift = xi * v / (2 * dx)

        def integrand(s, a=a, shift=shift):
            return np.exp(shift - a * np.exp(-s) - b * np.exp(s))

        # the integrand peaks at s = ln√(A/B); split there so quad sees the peak
        peak = min(0.5 * np.log(a / b), log_t)
        with np.errstate(over="ignore"):  # exp(-s) overflows far left, where the integrand is 0
            left, _ = integrate.quad(integrand, -np.inf, peak, limit=200)
            right, _ = integrate.quad(integrand, peak, log_t, limit=200)
        out.flat[idx] = scale * (left + right)
    return out


def point_source_2d_steady(
    x,
    y,
    velocity,
    disp_long,
    disp_trans,
    mass_rate,
    thickness,
    porosity,
    retardation=1.0,
    decay=0.0,
):
    """Steady-state limit (t → ∞) of :func:`point_source_2d`, mg/L.

    With ∫₀^∞ τ⁻¹ exp(−A/τ − Bτ) dτ = 2 K₀(2√(AB)) (Hantush-type well-function form):

        c = ṁ / (2π n b √(Dx Dy)) · exp(xv / 2Dx) · K₀(√((x²/Dx + y²/Dy)(v²/4Dx + λR)))

    Parameters and units as :func:`point_source_2d`; with no decay the retardation cancels.

    References
    ----------
    Wilson, J.L., Miller, P.J. (1978) Two-dimensional plume in uniform ground-water flow. Journal of
    the Hydraulics Division, ASCE 104(4), 503–514.
    """
    v, dx, dy, r, b = _point_source_params(velocity, disp_long, disp_trans, retardation, decay)
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    a = r * (x**2 / dx + y**2 / dy) / 4
    scale = mass_rate / (2 * np.pi * porosity * thickness * np.sqrt(dx * dy))
    arg = 2 * np.sqrt(a * b)
    with np.errstate(divide="ignore"):
        return scale * np.exp(x * v / (2 * dx) - arg) * special.k0e(arg)
