"""`manage.py solve_hhcrsp FILE --seconds N` prints one JSON line and nothing else."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .hhcrsp_data import SHARED, small_text


def test_prints_one_json_line_checked_independently() -> None:
    out = StringIO()
    call_command("solve_hhcrsp", str(SHARED / "A1.txt"), "--seconds", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {
        "objective",
        "distance",
        "total_tardiness",
        "max_tardiness",
        "feasible",
        "seconds",
    } <= set(result)
    assert result["feasible"] is True
    assert result["objective"] == pytest.approx(
        (result["distance"] + result["total_tardiness"] + result["max_tardiness"]) / 3, abs=1e-3
    )
    assert 0 < result["seconds"] < 30


def test_can_include_the_runs(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text(small_text())
    out = StringIO()
    call_command("solve_hhcrsp", str(path), "--seconds", "0.3", "--routes", stdout=out)
    result = json.loads(out.getvalue())
    assert result["feasible"] is True
    assert sorted(stop[0] for run in result["routes"] for stop in run) == [1, 2, 3, 3, 4, 4]


def test_a_missing_or_broken_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("solve_hhcrsp", str(tmp_path / "none.txt"), stdout=StringIO())
    broken = tmp_path / "broken.txt"
    broken.write_text("nbNodes\n3\n")
    with pytest.raises(CommandError, match="missing"):
        call_command("solve_hhcrsp", str(broken), stdout=StringIO())
