"""Scenario files and the command line: outputs, and bad files that write nothing."""

import ast
import inspect
import json
import shutil
from pathlib import Path

import pytest
import xarray as xr

from gwsim.cli import main
from gwsim.errors import SpecError
from gwsim.scenario import SCENARIO_KINDS, FlowScenario, load_scenario

pytestmark = pytest.mark.needs_mf6

DEMO = Path(__file__).parents[1] / "scenarios" / "demo_wellfield.toml"


def test_demo_scenario_writes_heads_map_budget_and_zones(tmp_path, capsys):
    assert main(["run", str(DEMO), "--out", str(tmp_path / "demo")]) == 0
    printed = capsys.readouterr().out
    outputs = (
        "heads.nc",
        "head_map.png",
        "summary.json",
        "protection_zones.geojson",
        "protection_zones.csv",
        "protection_zones.md",
        "protection_map.png",
        "sensitivity.csv",
        "sensitivity.md",
        "report.md",
    )
    for name in outputs:
        assert (tmp_path / "demo" / name).is_file()
        assert name in printed
    summary = json.loads((tmp_path / "demo" / "summary.json").read_text())
    assert summary["budget_m3_per_day"]["wellfield"]["out"] == pytest.approx(1800.0)
    assert abs(summary["percent_discrepancy"]) < 0.5
    with xr.open_dataset(tmp_path / "demo" / "heads.nc") as ds:
        assert ds.attrs["scenario_file"] == str(DEMO.resolve())
        assert len(ds.attrs["inputs_sha256"]) == 64
        # the river valley drains east: heads fall down-valley in the aquifer
        head = ds["head"].isel(time=-1, layer=1)
        assert float(head.isel(x=5).mean()) > float(head.isel(x=-5).mean())
    zones = json.loads((tmp_path / "demo" / "protection_zones.geojson").read_text())["features"]
    assert len(zones) == 6 and {f["properties"]["source"] for f in zones} == {"demo_source"}
    lines = (tmp_path / "demo" / "sensitivity.csv").read_text().splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    assert len(rows) == 1 + 3 * 2  # header + (K, porosity, recharge) x (0.5, 2)
    porosity_halved = next(r for r in rows if r.startswith("demo_source,porosity,0.5"))
    assert float(porosity_halved.split(",")[4]) > 0  # less porosity: faster water, larger zone
    report = (tmp_path / "demo" / "report.md").read_text()
    for heading in ("## Water balance", "## Protection zones", "## Sensitivity", "## Assumptions"):
        assert heading in report


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('engine = "mf6"', 'engine = "mf2005"', "engine"),
        ("heads_netcdf = true", "heads_netcdf = true\nhead_maps = true", "outputs.head_maps"),
        ("head_map_layer = 1", "head_map_layer = 7", "outputs.head_map_layer"),
        ("rate = -600.0", "rate = -600.0\nunits = 'm3/d'", "boundaries[5].units"),
        ("cond = 20.0", "cond = -20.0", "boundary 'north_hills'.cond"),
        ('name = "demo_wellfield"', 'name = "demo_wellfield"\ncolour = "red"', "colour"),
        ('name = "demo_wellfield"', 'name = "demo_wellfield"\nkind = "weather"', "kind"),
        ("alpha = 1.5", "alpha = -1.5", "protection.alpha"),
        (
            'demo_source = ["wellfield"] }',
            'demo_source = ["nowell"] }',
            "protection.sources.demo_source",
        ),
        ("alpha = 1.5", "alpha = 1.5\nradius = 50", "protection.radius"),
        ("factors = [0.5, 2.0]", "factors = [0.5, 1.0]", "sensitivity.factors"),
        ('"recharge"]', '"storativity"]', "sensitivity.parameters"),
    ],
)
def test_bad_scenario_is_one_clear_line_and_writes_nothing(tmp_path, capsys, old, new, key):
    text = DEMO.read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gwsim: error:") and key in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def test_model_spec_in_a_separate_file(tmp_path):
    shutil.copy(DEMO, tmp_path / "demo.toml")
    scenario = load_scenario(tmp_path / "demo.toml")
    assert scenario.spec.name == "demo_valley"
    (tmp_path / "s.toml").write_text('name = "x"\n[model]\nspec = "missing.toml"\n')
    with pytest.raises(SpecError, match="file not found"):
        FlowScenario.from_toml(tmp_path / "s.toml")


CHAJIA = Path(__file__).parents[1] / "scenarios" / "chajia_protection.toml"


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (
            '"wells.rate" = { value = [-600.0, 600.0, 600.0], unit = "m3/d" }',
            "model.overrides.wells.rate",
        ),
        ('"wells.rate" = { value = [600.0, 600.0, 600.0] }', "model.overrides.wells.rate"),
        ('"wells.rate" = { value = [7.0, 7.0, 7.0], unit = "m/d" }', "model.overrides.wells.rate"),
        ('"wells.pumping" = { value = 1.0, unit = "m3/d" }', "model.overrides.wells.pumping"),
    ],
)
def test_bad_site_overrides_are_one_clear_line(tmp_path, capsys, extra, key):
    """Negative pumping, a value without its unit or with the wrong one, an unknown parameter."""
    text = CHAJIA.read_text().replace(
        'site = "../models/valley_porous"',
        f'site = "{CHAJIA.parents[1] / "models" / "valley_porous"}"',
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('variant = "steady"', f'variant = "steady"\noverrides = {{ {extra} }}', 1)
    )
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert key in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_missing_site_model_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(CHAJIA.read_text().replace("../models/valley_porous", "../models/nowhere"))
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "model.site" in capsys.readouterr().err


def test_every_registered_kind_follows_the_scenario_protocol():
    """from_dict(data, path) as a classmethod, inputs_hash as a property, run(out, log)."""
    assert set(SCENARIO_KINDS) == {"flow", "keyzones", "enterprise_risk", "monitoring"}
    for kind, cls in SCENARIO_KINDS.items():
        assert isinstance(cls.__dict__["from_dict"], classmethod), kind
        assert isinstance(cls.__dict__["inputs_hash"], property), kind
        assert list(inspect.signature(cls.run).parameters) == ["self", "out", "log"], kind


def _module_imports(package_root: Path) -> dict[str, set[str]]:
    """{module: gwsim modules it imports at module level}; importing a submodule from outside its
    package also runs the package's ``__init__``."""
    graph = {}
    for path in package_root.rglob("*.py"):
        parts = path.relative_to(package_root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        deps = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gwsim"):
                deps.add(node.module)
                deps.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("gwsim"))
        graph[name] = deps
    for name, deps in graph.items():  # importing a.b.c runs a.b's __init__ first (from outside)
        for dep in list(deps):
            parents = (".".join(dep.split(".")[:i]) for i in range(2, dep.count(".") + 1))
            deps.update(p for p in parents if not name.startswith(f"{p}."))
        graph[name] = {d for d in deps if d in graph and d != name}
    return graph


def test_scenario_spec_and_config_modules_are_in_no_import_cycle():
    """The registry imports the kinds; no kind (nor the spec or config layer) imports back."""
    graph = _module_imports(Path(__file__).parents[1] / "gwsim")
    watched = [
        m
        for m in graph
        if m.startswith(("gwsim.scenario", "gwsim.spec"))
        or m in ("gwsim.config", "gwsim.site_model", "gwsim.params")
    ]
    for start in watched:
        seen, stack = set(), list(graph[start])
        while stack:
            module = stack.pop()
            assert module != start, f"{start} imports itself through {sorted(seen)}"
            if module not in seen:
                seen.add(module)
                stack.extend(graph[module])
