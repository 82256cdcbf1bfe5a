"""SVG line charts for the reports."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from measure.chart import line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0.7, 1), (1, 1), (1.2, 2), (2.2, 2.5), (3, 5), (42, 50), (107, 200)]
)
def test_the_y_axis_ends_at_a_round_number(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_a_chart_is_valid_svg_with_a_line_and_a_legend_entry_per_series():
    svg = line_chart(
        "p50 by turn",
        {"current": [(10, 30.0), (20, 31.0)], "stock <Rasa>": [(10, 120.0), (20, 240.0)]},
        "turn",
        "ms",
    )
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "p50 by turn"
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "current" in texts and "stock <Rasa>" in texts  # escaped in the file, read back whole
    # The higher series reaches higher on the page (smaller y).
    top = [min(float(p.split(",")[1]) for p in line.get("points").split()) for line in lines]
    assert top[1] < top[0]


def test_a_chart_without_points_is_refused():
    with pytest.raises(ValueError):
        line_chart("empty", {"a": []}, "x", "y")
