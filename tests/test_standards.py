"""GB/T 14848-2017 Class III limits as data."""

import pytest

from gwsim.errors import SpecError
from gwsim.standards import class3_limit, class3_limits


def test_limits_match_the_standard_as_transcribed_in_domain_md():
    assert class3_limit("trichloroethylene") == 0.070
    assert class3_limit("nitrate_n") == 20.0
    assert class3_limit("ammonia_n") == 0.50
    assert len(class3_limits()) >= 25


def test_unknown_contaminant_says_which_and_how_to_add_it():
    with pytest.raises(SpecError) as err:
        class3_limit("glyphosate", where="enterprises[0].contaminants")
    message = str(err.value)
    assert "enterprises[0].contaminants" in message and "'glyphosate'" in message
    assert "add a line 'glyphosate = <limit in mg/L>'" in message
