"""``source=``: a dataset's file lineage (sha256, DVC's md5) and its DVC status, read from the
``.dvc`` file or ``dvc.lock`` that a test writes itself (DVC is not installed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import scipy.stats  # noqa: F401  (see IN_PROCESS)
import sklearn.metrics  # noqa: F401

import pytest_mlgate.checks.performance  # noqa: F401
from pytest_mlgate.integrations.dvc import describe_source

# IN_PROCESS: the inner runs are in this process, so what a check loads is loaded before
# pytester's snapshot of sys.modules (a second import of numpy's extensions would fail).

CSV = "age,income\n30,1.5\n40,2.5\n50,3.5\n"


def dvc_add(path: Path, *, legacy: bool = False) -> None:
    """What ``dvc add`` writes beside the file (DVC 3; DVC 2 without ``hash: md5``)."""
    data = path.read_bytes()
    md5 = hashlib.md5(data.replace(b"\r\n", b"\n") if legacy else data).hexdigest()
    hash_line = "" if legacy else "  hash: md5\n"
    path.with_name(path.name + ".dvc").write_text(
        f"outs:\n- md5: {md5}\n  size: {len(data)}\n{hash_line}  path: {path.name}\n"
    )


def source_of(pytester: pytest.Pytester, name: str, role: str = "data") -> dict:
    doc = json.loads((pytester.path / "mlgate-report" / "audit.json").read_text())
    [entry] = [d for d in doc["datasets"] if d["name"] == name and d["role"] == role]
    return entry["source"]


GATE = """
import pandas as pd

def test_gate(mlgate):
    train = pd.read_csv("data/train.csv")
    mlgate.data(train, name="train", source="data/train.csv").expect_row_count(min=1)
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_tracked_file_that_matches(pytester: pytest.Pytester, workers: tuple[str, ...]) -> None:
    data = pytester.mkdir("data") / "train.csv"
    data.write_text(CSV)
    dvc_add(data)
    pytester.makepyfile(test_gate=GATE)
    run = pytester.runpytest_subprocess if workers else pytester.runpytest
    run("-p", "no:cacheprovider", *workers).assert_outcomes(passed=1)
    raw = data.read_bytes()
    assert source_of(pytester, "train") == {
        "path": "data/train.csv",
        "bytes": len(raw),
        "sha256": "sha256:" + hashlib.sha256(raw).hexdigest(),
        "md5": hashlib.md5(raw).hexdigest(),
        "dvc": {"file": "data/train.csv.dvc", "md5": hashlib.md5(raw).hexdigest(), "match": True},
    }


def test_a_file_edited_after_dvc_add(pytester: pytest.Pytester) -> None:
    data = pytester.mkdir("data") / "train.csv"
    data.write_text(CSV)
    dvc_add(data)
    tracked = hashlib.md5(data.read_bytes()).hexdigest()
    data.write_text(CSV + "60,4.5\n")
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    source = source_of(pytester, "train")
    assert source["dvc"] == {"file": "data/train.csv.dvc", "md5": tracked, "match": False}
    assert source["md5"] == hashlib.md5(data.read_bytes()).hexdigest() != tracked


def test_an_untracked_file_records_its_hashes(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_text(CSV)
    record = describe_source("train.csv", tmp_path)
    assert record["dvc"] is None
    assert record["md5"] == hashlib.md5(CSV.encode()).hexdigest()


def test_an_output_of_a_dvc_lock_stage(tmp_path: Path) -> None:
    (tmp_path / "data" / "prepared").mkdir(parents=True)
    data = tmp_path / "data" / "prepared" / "train.parquet"
    data.write_bytes(b"PAR1\x00\x01binary")
    md5 = hashlib.md5(data.read_bytes()).hexdigest()
    (tmp_path / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n"
        "    deps:\n    - path: raw.csv\n      md5: 0123\n      hash: md5\n"
        f"    outs:\n    - path: data/prepared/train.parquet\n      hash: md5\n      md5: {md5}\n"
        "      size: 14\n"
    )
    record = describe_source(str(data), tmp_path)
    assert record["path"] == "data/prepared/train.parquet"
    assert record["dvc"] == {"stage": "prepare", "file": "dvc.lock", "md5": md5, "match": True}


def test_dvc2_md5_of_a_text_file_ignores_windows_line_ends(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_bytes(CSV.replace("\n", "\r\n").encode())
    dvc_add(data, legacy=True)
    record = describe_source("train.csv", tmp_path)
    assert record["dvc"]["match"] is True
    assert record["md5"] == hashlib.md5(data.read_bytes()).hexdigest() != record["dvc"]["md5"]


def test_a_dvc_file_that_cannot_be_read_is_recorded_as_such(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_text(CSV)
    (tmp_path / "train.csv.dvc").write_text("outs: [unclosed\n")
    record = describe_source("train.csv", tmp_path)
    assert record["dvc"]["file"] == "train.csv.dvc"
    assert record["dvc"]["error"].startswith("unreadable:")


def test_drift_and_card_sources_and_a_missing_file(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("data")
    (folder / "ref.csv").write_text(CSV)
    (folder / "cur.csv").write_text(CSV)
    dvc_add(folder / "ref.csv")
    pytester.makepyfile(
        test_gate="""
import pandas as pd


def test_drift(mlgate):
    ref, cur = pd.read_csv("data/ref.csv"), pd.read_csv("data/cur.csv")
    mlgate.drift(ref, cur, name="prod", reference_source="data/ref.csv",
                 current_source="data/cur.csv")
    mlgate.card.dataset("evaluation", cur, source="data/cur.csv")

def test_missing(mlgate):
    result = mlgate.card.dataset("training", pd.read_csv("data/ref.csv"),
                                 source="data/gone.csv")
    assert result.status == "error"
    assert "data/gone.csv does not exist" in result.message
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert source_of(pytester, "prod", "reference")["dvc"]["match"] is True
    assert source_of(pytester, "prod", "current")["dvc"] is None
    assert source_of(pytester, "evaluation", "evaluation")["path"] == "data/cur.csv"
