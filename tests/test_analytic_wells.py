"""The well solutions themselves, against limits nobody here derived."""

import numpy as np

from gwsim.analytic.wells import theis_drawdown, thiem_drawdown


def test_thiem_is_zero_at_the_radius_of_influence_and_logarithmic():
    assert thiem_drawdown(500.0, 1000.0, 200.0, 500.0) == 0.0
    s1, s2 = thiem_drawdown([10.0, 100.0], 1000.0, 200.0, 500.0)
    assert np.isclose(s1 - s2, 1000.0 / (2 * np.pi * 200.0) * np.log(10.0))


def test_theis_tends_to_cooper_jacob_for_small_u():
    """For u < 0.01, W(u) = -0.5772 - ln u to better than 0.1 % (Cooper & Jacob 1946)."""
    r, t, q, tr, s = 10.0, 100.0, 1000.0, 500.0, 1e-4
    u = r**2 * s / (4 * tr * t)
    jacob = q / (4 * np.pi * tr) * (-0.5772156649 - np.log(u))
    assert u < 1e-5
    assert np.isclose(theis_drawdown(r, t, q, tr, s), jacob, rtol=1e-3)
