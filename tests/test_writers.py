"""Result files: tables (CSV and Markdown round trip), GeoJSON with CRS, atomic writes."""

import csv
import json

import pytest

from gwsim.writers import atomic_path, markdown_table, write_geojson, write_table

ROWS = [
    {"source": "town", "zone": "class1", "area_ha": 12.5},
    {"source": "town", "zone": "quasi", "area_ha": 310.0, "truncated": True},
]
ATTRS = {"gwsim_version": "0.1.0", "inputs_sha256": "ab" * 32}


def test_csv_round_trip_keeps_rows_columns_and_provenance(tmp_path):
    csv_path, md_path = write_table(ROWS, tmp_path, "zones", ATTRS, "Zones", "areas in ha")
    assert (csv_path.name, md_path.name) == ("zones.csv", "zones.md")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == [f"# {k}: {v}" for k, v in ATTRS.items()]
    read = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    # columns in order of first appearance; a missing value is an empty field
    assert list(read[0]) == ["source", "zone", "area_ha", "truncated"]
    assert read == [
        {"source": "town", "zone": "class1", "area_ha": "12.5", "truncated": ""},
        {"source": "town", "zone": "quasi", "area_ha": "310.0", "truncated": "True"},
    ]


def test_markdown_table_has_title_rows_notes_and_provenance(tmp_path):
    assert markdown_table(ROWS).splitlines() == [
        "| source | zone | area_ha | truncated |",
        "|---|---|---|---|",
        "| town | class1 | 12.5 |  |",
        "| town | quasi | 310.0 | True |",
    ]
    assert markdown_table([]) == "(no rows)\n"
    _, md_path = write_table(ROWS, tmp_path, "zones", ATTRS, "Zones", "areas in ha")
    text = md_path.read_text(encoding="utf-8")
    assert text.startswith("# Zones\n\n| source |")
    assert "\nareas in ha\n" in text
    assert text.rstrip().endswith(f"- inputs_sha256: {ATTRS['inputs_sha256']}")


def test_geojson_names_an_epsg_crs_or_carries_the_wkt(tmp_path):
    feature = {"type": "Feature", "geometry": None, "properties": {"zone": "class1"}}
    data = json.loads(
        write_geojson(tmp_path / "a.geojson", [feature], "EPSG:4548", ATTRS).read_text()
    )
    assert data["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4548"
    assert data["gwsim"] == ATTRS and data["features"] == [feature]
    local = "+proj=tmerc +lat_0=0 +lon_0=116.8 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
    data = json.loads(write_geojson(tmp_path / "b.geojson", [feature], local, {}).read_text())
    assert "crs" not in data and "Transverse Mercator" in data["gwsim"]["crs_wkt"]


def test_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    target = tmp_path / "out" / "table.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert list((tmp_path / "out").iterdir()) == []
