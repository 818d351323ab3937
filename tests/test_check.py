"""``gwsim check`` and the checks ``gwsim run`` makes first (issue 12).

Every bad input the issue lists gives exit 2 and one named line, and neither command writes
anything; the references are the issue's own numbers and unit definitions (1 h = 1/24 d).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_fuzz_scenarios import dumps, load

from gwsim.check import check_scenario
from gwsim.cli import main
from gwsim.errors import GwsimError
from gwsim.wells import resolve_wells

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "scenarios" / "demo_wellfield.toml"
CHAJIA = ROOT / "scenarios" / "chajia_protection.toml"
RISK = ROOT / "scenarios" / "enterprise_risk_valley.toml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def scenario(tmp_path: Path, source: Path, *replace: tuple[str, str], overrides: str = "") -> Path:
    """A copy of ``source`` in ``tmp_path`` with text replaced and site overrides added."""
    text = source.read_text("utf-8").replace("../models/", f"{ROOT / 'models'}/")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new, 1)
    if overrides:
        text = text.replace(
            'variant = "steady"', f'variant = "steady"\noverrides = {{ {overrides} }}'
        )
    path = tmp_path / "scenario.toml"
    path.write_text(text, "utf-8")
    return path


def flow_only(tmp_path: Path, *replace: tuple[str, str]) -> Path:
    """The demo without protection zones and sensitivity: a run of a few seconds."""
    path = scenario(tmp_path, DEMO, *replace)
    path.write_text(path.read_text("utf-8").split("\n[protection]")[0] + "\n", "utf-8")
    return path


ISSUE_12_BAD_INPUTS = {
    "K of 30 m/s as a site override": (
        CHAJIA,
        (),
        '"aquifer.upper_k" = { value = 30.0, unit = "m/s" }',
        "model.overrides.aquifer.upper_k",
        "2.592e+06 m/d is outside the plausible range 1e-08 … 10000 m/d",
    ),
    "K of 30 m/s inline (2 592 000 m/d)": (
        DEMO,
        (("k = [0.2, 60.0]", "k = [0.2, 2592000.0]"),),
        "",
        "properties.k",
        "outside the plausible range 1e-08 … 10000 m/d",
    ),
    "an injecting well in a protected source": (
        DEMO,
        (("rate = -600.0 ", "rate = 600.0 "),),
        "",
        "protection.sources.demo_source",
        "well 'wellfield' injects 1800 m³/d",
    ),
    "an injecting source well of an enterprise-risk scenario": (
        RISK,
        (("rate = -600.0 ", "rate = 600.0 "),),
        "",
        "receptors.wellfield",
        "source well 'wellfield' injects 1800 m³/d in stress period 0",
    ),
    "an injecting site well": (
        CHAJIA,
        (),
        '"wells.rate" = { value = [-600.0, 600.0, 600.0], unit = "m3/d" }',
        "model.overrides.wells.rate",
        "below the allowed minimum",
    ),
    "an unknown HJ 338 medium": (
        DEMO,
        (('media = { demo_source = "gravel" }', 'media = { demo_source = "sandy gravel" }'),),
        "",
        "protection.media.demo_source",
        "'sandy gravel' is not an aquifer medium of HJ 338-2018's table",
    ),
    "a unit inside a list of numbers": (
        DEMO,
        (("k = [0.2, 60.0]", 'k = [0.2, "60 m/d"]'),),
        "",
        "properties.k[1]",
        "'60 m/d' is not a finite number",
    ),
    "two rates for three wells": (
        CHAJIA,
        (),
        '"wells.rate" = { value = [600.0, 600.0], unit = "m3/d" }',
        "model.overrides.wells.rate",
        "has 2 values for a parameter of 3",
    ),
}


@pytest.mark.parametrize("case", list(ISSUE_12_BAD_INPUTS))
@pytest.mark.parametrize("command", ["check", "run"])
def test_issue_12_bad_inputs_exit_2_with_one_named_line_and_write_nothing(
    tmp_path, capsys, monkeypatch, case, command
):
    source, replace, overrides, key, message = ISSUE_12_BAD_INPUTS[case]
    path = scenario(tmp_path, source, *replace, overrides=overrides)
    monkeypatch.setattr("gwsim.scenario.flow.run_flow", pytest.fail)  # MODFLOW must not start
    out = tmp_path / "out"
    assert main([command, str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"gwsim: error: {key}:"), err
    assert message in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.toml"]  # nothing written


def test_several_problems_are_all_reported(tmp_path, capsys):
    path = scenario(
        tmp_path,
        DEMO,
        ('engine = "mf6"', 'engine = "mf2005"'),
        ("head_map_layer = 1", "head_map_layer = 2"),
        ('media = { demo_source = "gravel" }', 'media = { demo_source = "sandy gravel" }'),
        ("alpha = 1.5", "alpha = -1.5"),
    )
    assert main(["check", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    keys = [line.split(":")[2].strip() for line in lines]
    assert keys == [
        "engine",
        "outputs.head_map_layer",
        "protection.alpha",
        "protection.media.demo_source",
    ]
    assert all(line.startswith("gwsim: error: ") for line in lines)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_pass_with_a_one_paragraph_summary(tmp_path, capsys, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.strip().splitlines()) == 1
    assert f"out/{path.stem}" in captured.out and "warning" not in captured.err
    assert list(tmp_path.iterdir()) == []  # check writes nothing


def test_summary_names_model_wells_zones_and_target(tmp_path):
    result = check_scenario(DEMO, tmp_path / "o")
    text = result.summary
    for part in (
        "flow scenario 'demo_wellfield'",
        "2 layers × 40 rows × 60 columns",
        "wells pumping 1800 m³/d",
        "demo_source (gravel)",
        str(tmp_path / "o"),
    ):
        assert part in text


def test_well_rates_in_m3_per_hour_are_converted_and_the_original_recorded(tmp_path):
    # 25 m³/h × 24 h/d = 600 m³/d per well: the shipped design rate, 1800 m³/d in all
    path = scenario(
        tmp_path, CHAJIA, overrides='"wells.rate" = { value = [25.0, 25.0, 25.0], unit = "m3/h" }'
    )
    result = check_scenario(path)
    wells = result.scenario.spec.boundary("chajia_wells")
    assert -wells.values["rate"].sum() == pytest.approx(1800.0, rel=1e-12)
    assert result.notes == [
        "parameter wells.rate: [600.0, 600.0, 600.0] m3/d "
        "(scenario override: [25.0, 25.0, 25.0] m3/h = [600.0, 600.0, 600.0] m3/d)"
    ]


def test_typical_range_gives_one_warning_and_runs(tmp_path, capsys):
    # 5e-3 m/d = 1826 mm/a of recharge: possible, but above the typical 0-1000 mm/a
    path = scenario(tmp_path, DEMO, ("rate = 9.6e-4", "rate = 5e-3"))
    assert main(["check", str(path)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("warning: boundary 'rain'.rate: 0.005 m/d")
    assert "outside the typical range 0 … 0.0027 m/d" in err[0]


@pytest.mark.needs_mf6
def test_a_run_records_warnings_and_converted_units_in_its_report(tmp_path, capsys):
    path = flow_only(tmp_path, ("rate = 9.6e-4", "rate = 5e-3"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert "warning: boundary 'rain'.rate" in capsys.readouterr().err
    for name in ("input_checks.md", "report.md"):
        text = (out / name).read_text("utf-8")
        assert "boundary 'rain'.rate: 0.005 m/d" in text, name
    assert "## Input checks" in (out / "report.md").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario.toml"]


def test_an_unexpected_error_is_one_line_with_the_log_and_leaves_outputs(
    tmp_path, capsys, monkeypatch
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("gwsim.scenario.flow.run_flow", broken)
    monkeypatch.setenv("GWSIM_LOG_DIR", str(tmp_path / "logs"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "heads.nc").write_text("previous results")
    assert main(["run", str(DEMO), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("gwsim: internal error: ZeroDivisionError: boom;")
    (log,) = (tmp_path / "logs").iterdir()
    assert str(log) in err
    assert "Traceback" in log.read_text() and "ZeroDivisionError: boom" in log.read_text()
    assert [p.name for p in out.iterdir()] == ["heads.nc"]
    assert (out / "heads.nc").read_text() == "previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs", "out"]


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("head_map_layer = 1", "head_map_layer = 2", "outputs.head_map_layer", "use 0..1 (0-based"),
        (
            "where = { layer = 1, row = 0 }",
            "where = { layer = 2, row = 0 }",
            "boundaries[1].where",
            "0-based: layer 0..1",
        ),
        ("layer = 1\nrate = -600.0", "layer = 2\nrate = -600.0", "boundary 'wellfield'", "0-based"),
    ],
)
def test_every_index_in_a_scenario_file_is_0_based(tmp_path, capsys, old, new, key, message):
    """head_map_layer, where = {layer = ...} and a well's layer count alike, from 0: the demo's
    two layers are 0 and 1, and 2 is refused everywhere."""
    assert main(["check", str(scenario(tmp_path, DEMO, (old, new)))]) == 2
    err = capsys.readouterr().err
    assert key in err and message in err


def test_a_value_a_kind_does_not_check_is_named_by_its_key(tmp_path, capsys):
    """The enterprise-risk kind iterates ``receptors`` without checking it is a list: the
    TypeError it raises is reported as a problem of that key, not as a traceback."""
    data = load(RISK)
    data["receptors"] = True
    path = tmp_path / "scenario.toml"
    path.write_text(dumps(data), "utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("gwsim: error: receptors: holds a value gwsim cannot read (TypeError")


def test_a_capture_zone_of_an_injecting_well_says_it_injects():
    """Past the checks (e.g. from Python), the well resolver names injection as such."""
    rates = np.zeros((1, 2, 1, 3))  # (time, layer, row, col), m³/d
    rates[0, 1, 0, :] = 600.0  # three injecting cells
    flow = SimpleNamespace(
        sources={"wellfield": rates}, source_types={"wellfield": "WEL"}, shape=(2, 1, 3)
    )
    with pytest.raises(GwsimError, match=r"\(wellfield\) injects 1800 m³/d \(positive WEL rate\)"):
        resolve_wells(flow, ["wellfield"])
