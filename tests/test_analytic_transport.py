"""Analytic transport solutions against limits and identities that hold independently of them."""

import numpy as np
import pytest
from scipy import special

from gwsim.analytic.transport import ogata_banks, point_source_2d, point_source_2d_steady

V, D = 0.5, 2.0  # m/d, m²/d


def test_ogata_banks_boundary_and_initial_values():
    """c = c0 at the boundary for t > 0 and 0 everywhere at t = 0."""
    x = np.array([0.0, 5.0, 50.0])
    assert ogata_banks(0.0, [1.0, 100.0], V, D, c0=3.0) == pytest.approx([3.0, 3.0])
    assert np.all(ogata_banks(x, 0.0, V, D) == 0.0)


def test_ogata_banks_is_the_erfc_pair_without_decay():
    """Without decay and sorption it is ½[erfc((x−vt)/2√Dt) + exp(vx/D) erfc((x+vt)/2√Dt)]."""
    x, t = np.linspace(0, 60, 13), 40.0
    root = 2 * np.sqrt(D * t)
    expected = 0.5 * (
        special.erfc((x - V * t) / root) + np.exp(V * x / D) * special.erfc((x + V * t) / root)
    )
    assert ogata_banks(x, t, V, D) == pytest.approx(expected, rel=1e-10, abs=1e-300)


def test_ogata_banks_sharp_front_limit():
    """As D → 0 the profile becomes a step at the retarded front x = vt/R (no overflow)."""
    x = np.array([10.0, 19.0, 21.0, 40.0])
    c = ogata_banks(x, 80.0, V, 1e-6, retardation=2.0)
    assert c == pytest.approx([1.0, 1.0, 0.0, 0.0], abs=1e-12)


def test_ogata_banks_steady_state_with_decay():
    """At late time the decaying profile is c0·exp((v − √(v² + 4λRD)) x / 2D)."""
    lam, r, x = 0.01, 2.5, np.linspace(0, 100, 11)
    steady = np.exp((V - np.sqrt(V**2 + 4 * lam * r * D)) * x / (2 * D))
    assert ogata_banks(x, 1e5, V, D, retardation=r, decay=lam) == pytest.approx(steady, rel=1e-9)


def test_ogata_banks_satisfies_the_transport_equation():
    """Finite-difference residual of R c_t − D c_xx + v c_x + λRc is ~0 away from the boundary."""
    lam, r, h, k = 0.02, 1.8, 1e-2, 1e-3
    x, t = np.linspace(2, 30, 15), 25.0

    def c(x, t):
        return ogata_banks(x, t, V, D, retardation=r, decay=lam)

    c_t = (c(x, t + k) - c(x, t - k)) / (2 * k)
    c_x = (c(x + h, t) - c(x - h, t)) / (2 * h)
    c_xx = (c(x + h, t) - 2 * c(x, t) + c(x - h, t)) / h**2
    residual = r * c_t - D * c_xx + V * c_x + lam * r * c(x, t)
    assert np.max(np.abs(residual)) < 1e-5


PS = {"velocity": 1.0, "disp_long": 5.0, "disp_trans": 0.5, "thickness": 10.0, "porosity": 0.2}


@pytest.mark.parametrize(("retardation", "decay"), [(1.0, 0.0), (2.0, 0.01)])
def test_point_source_2d_conserves_mass(retardation, decay):
    """Mass in the aquifer (dissolved and sorbed) = ṁ(1 − e^{−λt})/λ, or ṁt without decay.

    Midpoint-rule integration of R·n·b·c over a 0.5 m grid that covers the plume; the log
    singularity at the source is integrable and costs well under 1 %.
    """
    t, mass_rate = 40.0, 100.0
    h = 0.5
    x, y = np.meshgrid(np.arange(-30, 90, h) + h / 2, np.arange(0, 15, h) + h / 2)
    c = point_source_2d(x, y, t, mass_rate=mass_rate, retardation=retardation, decay=decay, **PS)
    mass = 2 * c.sum() * h * h * retardation * PS["porosity"] * PS["thickness"]  # ±y symmetric
    expected = mass_rate * (t if decay == 0 else (1 - np.exp(-decay * t)) / decay)
    assert mass == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(("retardation", "decay"), [(1.0, 0.0), (3.0, 0.005)])
def test_point_source_2d_tends_to_the_k0_steady_state(retardation, decay):
    """At very late time the time integral equals the closed-form K₀ (Wilson & Miller) plume."""
    x, y = np.array([-5.0, 3.0, 20.0, 60.0]), np.array([1.0, 0.5, 4.0, -8.0])
    late = point_source_2d(x, y, 1e6, mass_rate=10.0, retardation=retardation, decay=decay, **PS)
    steady = point_source_2d_steady(
        x, y, mass_rate=10.0, retardation=retardation, decay=decay, **PS
    )
    assert late == pytest.approx(steady, rel=1e-6)


def test_point_source_2d_steady_without_decay_ignores_retardation():
    """Sorption only delays the plume: with no decay the steady state does not depend on R."""
    a = point_source_2d_steady(10.0, 2.0, mass_rate=10.0, retardation=1.0, **PS)
    b = point_source_2d_steady(10.0, 2.0, mass_rate=10.0, retardation=4.0, **PS)
    assert a == pytest.approx(b, rel=1e-12)
