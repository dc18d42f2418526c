"""Pages read at a glance (issue 13), checked in a real browser's DOM: every category of a
drift chart labelled, no negative zero, full selectable sha256 values, group bars with
tooltips and one compact excluded line, dataset descriptions from ``model_card.toml``."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from pytest_mlgate.report.charts import _wrap, group_chart, histogram_charts
from pytest_mlgate.report.formatting import format_number, short_number

GATE = """
import numpy as np
import pandas as pd
import pytest

rng = np.random.default_rng(0)
NAMES = [f"Married-civ-spouse-{i:02d}" for i in range(25)]


@pytest.fixture(scope="module")
def frames():
    ref = pd.DataFrame({"status": rng.choice(NAMES, 3000, p=np.linspace(1, 2, 25) / 37.5)})
    cur = pd.DataFrame({"status": rng.choice(NAMES, 3000, p=np.linspace(2, 1, 25) / 37.5)})
    return ref, cur


def test_pages(mlgate, frames):
    ref, cur = frames
    mlgate.data(ref, name="applications").expect_row_count(min=10)
    drift = mlgate.drift(ref, cur, name="status-shift")
    assert drift.expect_no_drift(severity="warn").status == "warned"
    y = rng.integers(0, 2, 2000)
    score = np.clip(y * 0.3 + rng.random(2000) * 0.7, 0, 1)
    other = rng.random(2000)
    perf = mlgate.performance(y, y_score=score, name="holdout")
    assert perf.expect_not_worse_than(other, "roc_auc", margin=0.0).status == "passed"
    sex = np.where(rng.random(2000) < 0.5, "female", "male")
    band = rng.choice(["<=25", "26-40", ">40", "tiny"], 2000, p=[0.3, 0.3, 0.39, 0.01])
    pred = (score > 0.5).astype(int)
    fair = mlgate.fairness(
        y, pred, sensitive_features=pd.DataFrame({"SEX": sex, "AGE_BAND": band}), name="by sex"
    )
    fair.expect_group_metric("selection_rate", min=0.0, on_insufficient="warn")
    fair.expect_difference("selection_rate", max=1.0)
"""

CARD = """
[model]
name = "page-model"

[datasets]
applications = "Loan applications of 2024, one row per applicant."
"""


from tests.test_governance import _chromium  # noqa: E402  one way to find the browser

NEGATIVE_ZERO = re.compile(r"(?<![\w-])-0(?!\.?\d)")


@pytest.fixture
def pages(pytester: pytest.Pytester):
    pytester.makepyfile(test_gate=GATE)
    (pytester.path / "model_card.toml").write_text(CARD, encoding="utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    return pytester.path / "mlgate-report"


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (CI installs it)")
def test_pages_show_labels_hashes_and_no_negative_zero_in_the_browser(pages, tmp_path):
    doc = json.loads((pages / "audit.json").read_text(encoding="utf-8"))
    drift = next(c for c in doc["checks"] if c["category"] == "drift")
    categories = drift["details"]["columns"]["status"]["histogram"]["categories"]
    assert len(categories) == 21 and categories[-1] == "(other)"  # top 20 plus the rest
    shas = [d["sha256"] for d in doc["datasets"]]
    browser = _chromium()
    dom = {}
    for page in ("audit.html", "model_card.html"):
        dom[page] = subprocess.run(
            [
                str(browser),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                (pages / page).as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
        assert "</html>" in dom[page], f"{page}: no DOM"
        text = dom[page]
        # every category of the drift chart is a label of its own bar, whole
        for name in categories:
            assert f'class="glabel">{name}</text>' in text, (page, name)
        assert "Moved most:" in text
        # no negative zero anywhere a reader looks
        shown = re.sub(r"<[^>]+>", " ", text)
        assert not NEGATIVE_ZERO.search(shown), NEGATIVE_ZERO.findall(shown)[:5]
        # the full fingerprints, selectable as one piece
        for sha in shas:
            assert f'class="sha">{sha}</td>' in text, (page, sha)
        # group bars: full labels, a tooltip each, the tiny group on one compact line
        assert "<title>SEX=female, AGE_BAND=&lt;=25: " in text
        assert re.search(r"\d+ groups? excluded \(", text)
    card = dom["model_card.html"]
    assert "Loan applications of 2024, one row per applicant." in card
    perf = next(c for c in doc["checks"] if c["category"] == "performance")
    rows_sha = perf["details"]["rows_fingerprint"]
    assert f'class="sha">{rows_sha}</td>' in card  # the figure's rows are a Datasets row
    assert f'title="{rows_sha}"' in card  # ... linked from the figure


def test_numbers_never_read_negative_zero():
    assert format_number(-0.0) == "0" and short_number(-0.0) == "0"
    assert short_number(-0.0001) == "-0.0001" and format_number(-0.25) == "-0.25"


def test_long_and_intersectional_group_labels_wrap_whole():
    label = "SEX=1, MARRIAGE=0, EDUCATION=university graduate school, AGE_BAND=26-40"
    lines = _wrap(label)
    assert " ".join(lines) == label  # broken between groups' parts, nothing cut
    assert all(len(line) <= 47 for line in lines) and len(lines) == 3
    check = {
        "category": "fairness",
        "threshold": {"min": 0.5},
        "details": {
            "metric": "recall",
            "groups": {
                **{f"SEX={s}, MARRIAGE={m}": {"value": 0.6, "n": 100} for s in "12" for m in "01"},
                **{f"SEX=3, MARRIAGE={m}": {"value": None, "n": 4, "denominator": 2} for m in "01"},
            },
        },
    }
    chart = group_chart(check)
    assert chart is not None
    assert chart["rows"][0]["title"].startswith("SEX=1, MARRIAGE=0: 0.6")
    assert chart["excluded_count"] == 2 and "SEX=3, MARRIAGE=0 (denominator 2)" in chart["excluded"]


def test_category_histogram_labels_every_bar_and_names_movers():
    check = {
        "details": {
            "columns": {
                "marital": {
                    "drifted": True,
                    "histogram": {
                        "categories": ["Married-civ-spouse", "Never-married", "(other)"],
                        "reference": [0.5, 0.3, 0.2],
                        "current": [0.3, 0.5, 0.2],
                    },
                }
            }
        }
    }
    (chart,) = histogram_charts(check)
    assert [r["label"] for r in chart["rows"]] == ["Married-civ-spouse", "Never-married", "(other)"]
    assert chart["movers"][0].startswith("Married-civ-spouse 50.0% → 30.0% (−20.0 points)")


TWO_MODELS = """
import numpy as np
import pandas as pd
import pytest

rng = np.random.default_rng(1)
y = rng.integers(0, 2, 1500)
champion = np.clip(y * 0.35 + rng.random(1500) * 0.65, 0, 1)
challenger = np.clip(y * 0.25 + rng.random(1500) * 0.75, 0, 1)
sex = pd.Series(np.where(rng.random(1500) < 0.5, "female", "male"), name="sex")


def test_champion(mlgate):
    perf = mlgate.performance(y, y_score=champion, name="holdout")
    perf.expect("roc_auc", min=0.6, confidence=0.95)
    pred = (champion > 0.5).astype(int)
    fair = mlgate.fairness(y, pred, sensitive_features=sex.to_frame())
    fair.expect_ratio("selection_rate", min=0.5)


def test_challenger(mlgate):
    perf = mlgate.performance(y, y_score=challenger, name="holdout", model="challenger")
    perf.expect("roc_auc", min=0.55, confidence=0.95)


@pytest.mark.mlgate(model="price-regressor")
def test_regressor(mlgate):
    truth = rng.normal(100, 10, 500)
    mlgate.performance(truth, y_pred=truth + rng.normal(0, 2, 500), name="prices").expect(
        "mae", max=3
    )
"""

TWO_CARD = """
[model]
name = "credit-champion"
version = "3.0"

[models.challenger]
version = "3.1-rc1"
description = "A smaller model that would replace the champion."

[models.challenger.intended_use]
primary_uses = "Shadow scoring only."
"""


def test_one_card_per_model_and_render_gives_the_same_pages(pytester, tmp_path):
    pytester.makepyfile(test_gate=TWO_MODELS)
    (pytester.path / "model_card.toml").write_text(TWO_CARD, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    report = pytester.path / "mlgate-report"
    main = (report / "model_card.html").read_text(encoding="utf-8")
    challenger = (report / "model_cards" / "challenger.html").read_text(encoding="utf-8")
    regressor = (report / "model_cards" / "price-regressor.html").read_text(encoding="utf-8")
    assert "Model card: credit-champion" in main and "min 0.6" in main
    assert "min 0.55" not in main and "mae" not in main  # other models' figures stay out
    assert "Model card: challenger" in challenger and "3.1-rc1" in challenger
    assert "Shadow scoring only." in challenger and "min 0.55" in challenger
    assert "min 0.6" not in challenger and "selection_rate" not in challenger
    assert "mae &lt;= 3" in regressor and "roc_auc" not in regressor
    audit = (report / "audit.html").read_text(encoding="utf-8")
    assert 'href="model_cards/challenger.html"' in audit
    assert 'href="../model_card.html"' in challenger
    from pytest_mlgate.cli import main as cli

    out = tmp_path / "again"
    assert cli(["render", str(report / "audit.json"), "-o", str(out)]) == 0
    for page in ("model_card.html", "model_cards/challenger.html", "audit.html"):
        assert (out / page).read_bytes() == (report / page).read_bytes(), page
    # verify checks the cards too: each names the record; a stale or stray card is NOT INTACT
    assert cli(["verify", str(report / "audit.json")]) == 0
    card = report / "model_cards" / "challenger.html"
    original = card.read_text(encoding="utf-8")
    digest = json.loads((report / "audit.json").read_text(encoding="utf-8"))["digest"]
    card.write_text(original.replace(digest, "sha256:" + "0" * 64), encoding="utf-8")
    assert cli(["verify", str(report / "audit.json")]) == 1
    card.write_text(original, encoding="utf-8")
    stray = report / "model_cards" / "retired-model.html"
    stray.write_text(original, encoding="utf-8")
    assert cli(["verify", str(report / "audit.json")]) == 1
    stray.unlink()
    assert cli(["verify", str(report / "audit.json")]) == 0
    # a later run that gates one model leaves no stale card of the others
    pytester.makepyfile(test_gate="def test_one(mlgate):\n    mlgate.card.note('factors', 'x')\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert not (report / "model_cards").exists()
