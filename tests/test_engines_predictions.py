"""Performance and fairness on prediction tables held in Spark, Dask and polars (issue 16):
every count-based figure, verdict and interval equal to the pandas path on the same rows (and
to scikit-learn / fairlearn), the rows never collected (a metric that needs them is an
``error`` naming the check and what to do), and bad input an ``error`` naming the argument."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ._engines import dask_client, gate_with_record, spark, write_parquet  # noqa: F401
from .conftest import make_gate

ROWS = 24_000
ENGINES = [
    pytest.param("spark", marks=pytest.mark.spark),
    pytest.param(
        "dask",
        marks=[
            pytest.mark.dask,
            pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index"),
        ],
    ),
    "polars",
]
#: the details that name the data and so differ between an engine and pandas
IDENTITY = {"data_fingerprint", "rows_fingerprint", "predictions_fingerprint"}


def make_predictions(rows: int = ROWS, seed: int = 5) -> pd.DataFrame:
    """Binary, multiclass and regression predictions with weights and sensitive columns:
    a group whose labels are all positive ("Tiny": no negatives), an unused category, and a
    sensitive column with nulls."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows).astype(np.int64)
    flip = rng.random(rows) < 0.25
    pred = np.where(flip, 1 - y, y).astype(np.int64)
    region = rng.choice(["North", "South", "East", "Tiny"], rows, p=[0.45, 0.35, 0.19, 0.01])
    y = np.where(region == "Tiny", 1, y)
    grade = rng.integers(0, 3, rows).astype(np.int64)
    truth_r = rng.normal(10.0, 3.0, rows)
    return pd.DataFrame(
        {
            "y": y,
            "pred": pred,
            "score": np.clip(0.3 * y + rng.random(rows) * 0.7, 0, 1),
            "w": rng.gamma(2.0, 1.0, rows),
            "sex": pd.Categorical(
                rng.choice(["F", "M"], rows), categories=["F", "M", "unused"]
            ).astype(str),
            "region": region,
            "age_band": pd.Series(
                np.where(rng.random(rows) < 0.03, None, rng.choice(["<40", "40+"], rows)),
                dtype=object,
            ),
            "grade": grade,
            "grade_pred": np.where(rng.random(rows) < 0.3, rng.integers(0, 3, rows), grade),
            "y_r": truth_r,
            "p_r": truth_r + rng.normal(0, 1.0, rows),
            "label_null": np.where(rng.random(rows) < 0.01, np.nan, y.astype(float)),
            "y_float": y.astype(np.float64),
            "text_label": np.where(y == 1, ">50K", "<=50K"),
            "text_pred": np.where(pred == 1, ">50K", "<=50K"),
        }
    )


@pytest.fixture(scope="module")
def predictions() -> pd.DataFrame:
    return make_predictions()


@pytest.fixture(scope="module")
def folder(predictions: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet(predictions, tmp_path_factory.mktemp("predictions") / "p")


def engine_frame(request: pytest.FixtureRequest, engine: str, folder: Path) -> Any:
    if engine == "spark":
        return request.getfixturevalue("spark").read.parquet(str(folder))
    if engine == "dask":
        dd = pytest.importorskip("dask.dataframe")
        request.getfixturevalue("dask_client")
        return dd.read_parquet(str(folder))
    pl = pytest.importorskip("polars")
    return pl.scan_parquet(str(folder / "*.parquet"))


@pytest.fixture(scope="module", params=ENGINES)
def table(request: pytest.FixtureRequest, folder: Path) -> Any:
    return engine_frame(request, request.param, folder)


def same(a: Any, b: Any, rel: float) -> bool:
    """Equal, floats within ``rel`` (0: exactly), through dicts and lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (rel > 0 and math.isclose(a, b, rel_tol=rel, abs_tol=rel))
    return bool(a == b)


def same_result(mine: Any, theirs: Any, rel: float = 0) -> None:
    assert mine.status == theirs.status, (mine.message, theirs.message)
    assert same(mine.observed, theirs.observed, rel), (mine.observed, theirs.observed)
    assert same(mine.interval, theirs.interval, rel), (mine.interval, theirs.interval)
    a = {k: v for k, v in mine.details.items() if k not in IDENTITY}
    b = {k: v for k, v in theirs.details.items() if k not in IDENTITY}
    assert same(a, b, rel), {k for k in a.keys() | b.keys() if not same(a.get(k), b.get(k), rel)}
    assert mine.message == theirs.message


def compare(
    engine_family: Callable[[Any], Any],
    pandas_family: Callable[[Any], Any],
    calls: list[Callable[[Any], Any]],
    rel: float = 0,
) -> list[Any]:
    """The same checks, in the same order, on one family per path, each from a fresh gate
    (same node id and positions: same seeds)."""
    mine, theirs = engine_family(make_gate()), pandas_family(make_gate())
    results = []
    for call in calls:
        results.append(call(mine))
        same_result(results[-1], call(theirs), rel)
    return results


REGRESSION = {"target": "y_r", "y_pred": "p_r", "task": "regression"}
PERFORMANCE: list[tuple[str, dict[str, Any], dict[str, Any], float]] = [
    # (metric, expect kwargs, factory kwargs on column names, tolerance)
    ("accuracy", {"min": 0.7}, {}, 0),
    ("precision", {"min": 0.7}, {}, 0),
    ("recall", {"min": 0.8}, {}, 0),
    ("f1", {"min": 0.7}, {}, 0),
    ("balanced_accuracy", {"min": 0.7}, {}, 0),
    ("selection_rate", {"max": 0.6}, {}, 0),
    ("false_positive_rate", {"max": 0.2}, {}, 0),
    ("true_negative_rate", {"min": 0.7}, {}, 0),
    ("accuracy", {"min": 0.74, "confidence": 0.95}, {}, 0),
    ("recall", {"min": 0.7, "confidence": 0.9}, {}, 0),
    ("precision", {"min": 0.7, "confidence": 0.95}, {"sample_weight": "w"}, 1e-12),
    ("f1", {"min": 0.7}, {"sample_weight": "w"}, 1e-12),
    ("accuracy", {"min": 0.7}, {"target": "grade", "y_pred": "grade_pred"}, 0),
    ("f1_macro", {"min": 0.7}, {"target": "grade", "y_pred": "grade_pred"}, 0),
    ("balanced_accuracy", {"min": 0.7}, {"target": "grade", "y_pred": "grade_pred"}, 0),
    ("recall_weighted", {"min": 0.7}, {"target": "grade", "y_pred": "grade_pred"}, 0),
    (
        "recall",
        {"min": 0.7},
        {"target": "text_label", "y_pred": "text_pred", "pos_label": ">50K"},
        0,
    ),
    ("recall", {"min": 0.7}, {"target": "y_float"}, 0),  # float labels: still binary
    ("mae", {"max": 1.0}, {"target": "y_r", "y_pred": "p_r"}, 1e-9),
    ("rmse", {"max": 1.0}, {"target": "y_r", "y_pred": "p_r"}, 1e-9),
    ("mse", {"max": 1.0}, {**REGRESSION, "sample_weight": "w"}, 1e-9),
    ("r2", {"min": 0.85}, {"target": "y_r", "y_pred": "p_r"}, 1e-9),
    ("mape", {"max": 0.1}, {**REGRESSION, "sample_weight": "w"}, 1e-9),
]


def _pandas_kwargs(kwargs: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    out = {k: v for k, v in kwargs.items() if k not in ("target", "y_pred", "sample_weight")}
    out["y_pred"] = frame[kwargs.get("y_pred", "pred")]
    if "sample_weight" in kwargs:
        out["sample_weight"] = frame[kwargs["sample_weight"]]
    return out


def test_performance_equals_pandas(table, predictions):
    factories: dict[tuple[tuple[str, Any], ...], list[tuple[str, dict[str, Any], float]]] = {}
    for metric, expect, kwargs, rel in PERFORMANCE:
        key = tuple(sorted({"target": "y", "y_pred": "pred", **kwargs}.items()))
        factories.setdefault(key, []).append((metric, expect, rel))
    for key, checks in factories.items():
        engine_kwargs = dict(key)
        truth = predictions[engine_kwargs["target"]]
        compare(
            lambda g, k=engine_kwargs: g.performance(table, **k),
            lambda g, k=engine_kwargs, t=truth: g.performance(t, **_pandas_kwargs(k, predictions)),
            [lambda p, m=m, e=e: p.expect(m, **e) for m, e, _ in checks],
            max(rel for _, _, rel in checks),
        )


def test_performance_equals_scikit_learn(table, predictions):
    from sklearn import metrics

    perf = make_gate().performance(table, target="y", y_pred="pred", sample_weight="w")
    weighted = metrics.f1_score(
        predictions["y"], predictions["pred"], sample_weight=predictions["w"]
    )
    assert perf.expect("f1", min=0).observed == pytest.approx(weighted, rel=1e-12)
    plain = make_gate().performance(table, target="grade", y_pred="grade_pred")
    assert plain.task == "multiclass"
    assert plain.expect("f1_macro", min=0).observed == metrics.f1_score(
        predictions["grade"], predictions["grade_pred"], average="macro"
    )
    regression = make_gate().performance(table, target="y_r", y_pred="p_r")
    assert regression.task == "regression"
    assert regression.expect("r2", min=0).observed == pytest.approx(
        metrics.r2_score(predictions["y_r"], predictions["p_r"]), rel=1e-9
    )


def test_baseline_on_an_engine_table(table, predictions, tmp_path):
    def run(data: Any, **kw: Any) -> Any:
        gate = make_gate(baseline_dir=tmp_path, update_baselines=True)
        return gate.performance(data, **kw).expect_no_regression(
            "recall", baseline="b", max_drop=0.01
        )

    stored = run(table, target="y", y_pred="pred")
    pandas = run(predictions["y"], y_pred=predictions["pred"])
    update = stored.details["baseline_update"]
    assert update["value"] == pandas.details["baseline_update"]["value"]
    assert update["n"] == ROWS and update["fingerprint"].startswith("sha256:")


FAIRNESS: list[tuple[str, Callable[[Any], Any]]] = [
    ("parity", lambda f: f.expect_demographic_parity(min_ratio=0.9)),
    ("opportunity", lambda f: f.expect_equal_opportunity(max_difference=0.05)),
    ("odds", lambda f: f.expect_equalized_odds(max_difference=0.05, confidence=0.95, n_boot=300)),
    ("ratio", lambda f: f.expect_ratio("selection_rate", min=0.8, method="to_overall")),
    ("difference", lambda f: f.expect_difference("precision", max=0.05, confidence=0.9)),
    ("band", lambda f: f.expect_group_metric("recall", min=0.7, confidence=0.95)),
    ("band fpr", lambda f: f.expect_group_metric("false_positive_rate", max=0.3)),
    ("accuracy", lambda f: f.expect_group_metric("accuracy", min=0.7, confidence=0.95)),
    ("f1", lambda f: f.expect_difference("f1", max=0.05, method="to_overall")),
    ("balanced", lambda f: f.expect_group_metric("balanced_accuracy", min=0.7)),
]
GROUPINGS: list[dict[str, Any]] = [
    {"sensitive_features": "region"},  # "Tiny" has positives only
    {"sensitive_features": ["sex", "region"], "min_group_size": 50},
    {"sensitive_features": "age_band", "missing_group": "own_group"},
    {"sensitive_features": "sex", "expected_groups": {"sex": ["F", "M", "X"]}},
]


def test_fairness_equals_pandas(table, predictions):
    for grouping in GROUPINGS:
        names = grouping["sensitive_features"]
        features = predictions[names if isinstance(names, list) else [names]]
        rest = {k: v for k, v in grouping.items() if k != "sensitive_features"}
        results = compare(
            lambda g, n=names, r=rest: g.fairness(
                table, "pred", target="y", sensitive_features=n, **r
            ),
            lambda g, f=features, r=rest: g.fairness(
                predictions["y"], predictions["pred"], sensitive_features=f, **r
            ),
            [call for _, call in FAIRNESS],
        )
        for (label, _), result in zip(FAIRNESS, results, strict=True):
            # on pandas too: scikit-learn warns on a group with one true class ("Tiny"), and
            # the test session makes warnings errors
            tiny = label == "balanced" and "y_pred contains classes not in y_true" in result.message
            assert result.status != "error" or tiny, (label, result.message)


def test_fairness_equals_fairlearn(table, predictions):
    from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate

    fair = make_gate().fairness(table, "pred", target="y", sensitive_features=["sex", "region"])
    assert fair.name == "by sex, region"
    frame = MetricFrame(
        metrics={"sr": selection_rate, "tpr": true_positive_rate},
        y_true=predictions["y"],
        y_pred=predictions["pred"],
        sensitive_features=predictions[["sex", "region"]],
    )
    result = fair.expect_ratio("selection_rate", min=0.5)
    assert result.observed == pytest.approx(frame.ratio()["sr"], rel=1e-12)
    groups = result.details["groups"]
    for (sex, region), value in frame.by_group["sr"].items():
        assert groups[f"sex={sex}, region={region}"]["value"] == pytest.approx(value, rel=1e-12)
    odds = fair.expect_equal_opportunity(max_difference=1.0)
    assert odds.observed == pytest.approx(frame.difference()["tpr"], rel=1e-12)


def test_metrics_that_need_rows_are_errors_naming_the_fix(table):
    perf = make_gate().performance(table, target="y", y_pred="pred", y_score="score")
    auc = perf.expect("roc_auc", min=0.5)
    assert auc.status == "error"
    assert "roc_auc" in auc.message and "does not collect" in auc.message
    assert f"({ROWS:,} rows)" in auc.message and "Gate a sample" in auc.message
    boot = perf.expect("f1", min=0.5, confidence=0.95)
    assert boot.status == "error" and "a bootstrap interval of f1" in boot.message
    assert perf.by("region").expect("recall", min=0.5).status == "error"
    other = perf.expect_not_worse_than(np.zeros(ROWS), "recall", margin=0.1)
    assert other.status == "error" and "another model" in other.message
    custom = perf.expect(lambda t, p: 0.5, min=0.1)
    assert custom.status == "error" and "callable" in custom.message
    # the factory's input stays usable: count metrics still pass
    assert perf.expect("recall", min=0.5).status == "passed"
    fair = make_gate().fairness(
        table, "pred", target="y", sensitive_features="sex", y_score="score"
    )
    ranked = fair.expect_group_metric("roc_auc", min=0.5)
    assert ranked.status == "error" and "roc_auc per group (it ranks" in ranked.message
    f1 = fair.expect_difference("f1", max=0.1, confidence=0.95)
    assert f1.status == "error" and "a bootstrap interval of f1 per group" in f1.message
    assert fair.expect_difference("f1", max=0.5).status == "passed"


def test_bad_input_is_an_error_naming_the_argument(table, predictions):
    def error(call: Callable[[Any], Any]) -> str:
        result = call(make_gate())
        assert result.status == "error"
        return str(result.message)

    missing = error(
        lambda g: g.performance(table, target="nope", y_pred="pred").expect("f1", min=0)
    )
    assert "target" in missing and "'nope'" in missing and "not a column" in missing
    array = error(
        lambda g: g.performance(table, target="y", y_pred=predictions["pred"]).expect("f1", min=0)
    )
    assert "y_pred" in array and "must name a column" in array
    no_target = error(lambda g: g.performance(table, y_pred="pred").expect("f1", min=0))
    assert "target" in no_target and "is required" in no_target
    nulls = error(
        lambda g: g.performance(table, target="label_null", y_pred="pred").expect("f1", min=0)
    )
    pandas_nulls = error(
        lambda g: g.performance(predictions["label_null"], y_pred=predictions["pred"]).expect(
            "f1", min=0
        )
    )
    assert "missing value" in nulls and "'label_null'" in nulls and "y_true" in pandas_nulls
    text_weight = error(
        lambda g: g.performance(table, target="y", y_pred="pred", sample_weight="sex").expect(
            "f1", min=0
        )
    )
    assert "sample_weight" in text_weight and "must hold numbers" in text_weight
    no_pos = error(
        lambda g: g.performance(table, target="text_label", y_pred="text_pred").expect("f1", min=0)
    )
    assert "pos_label" in no_pos and "is required" in no_pos
    sensitive_nulls = error(
        lambda g: g.fairness(
            table, "pred", target="y", sensitive_features="age_band"
        ).expect_demographic_parity(min_ratio=0.8)
    )
    pandas_sensitive = error(
        lambda g: g.fairness(
            predictions["y"], predictions["pred"], sensitive_features=predictions[["age_band"]]
        ).expect_demographic_parity(min_ratio=0.8)
    )
    assert sensitive_nulls == pandas_sensitive  # same count of missing values, same advice
    bad_name = error(
        lambda g: g.fairness(
            table, "pred", target="y", sensitive_features=["sex", 3]
        ).expect_demographic_parity(min_ratio=0.8)
    )
    assert "sensitive_features" in bad_name
    stray = error(
        lambda g: g.performance(predictions["y"], y_pred=predictions["pred"], target="y").expect(
            "f1", min=0
        )
    )
    assert "target" in stray and "not one" in stray


def test_the_table_is_recorded_and_fingerprinted_in_the_engine(table, predictions):
    gate, record = gate_with_record()
    gate.performance(table, target="y", y_pred="pred", name="scored").expect("recall", min=0)
    gate.fairness(table, "pred", target="y", sensitive_features="sex").expect_group_metric(
        "recall", min=0
    )
    entries = {d["name"]: d for d in record.payload("setup")["datasets"]}
    assert entries["scored"]["rows"] == ROWS and entries["scored"]["role"] == "evaluation"
    assert entries["by sex"]["sha256"] == entries["scored"]["sha256"]
    assert entries["scored"]["sha256"].startswith("sha256:")


def test_failures_inside_the_engine_are_errors(request, table):
    engine = type(table).__module__.split(".")[0]
    if engine == "pyspark":
        from pyspark.sql import functions as F

        broken = table.withColumn("pred", F.col("sex").cast("int"))  # ANSI: "F" is no int
        start = "Spark could not compute"
    elif engine.startswith("dask"):

        def boom(part: pd.DataFrame) -> pd.DataFrame:
            raise RuntimeError("partition is corrupt")

        broken = table.map_partitions(boom, meta=table._meta)
        start = "Dask could not compute"
    else:
        import polars as pl

        broken = table.with_columns(pl.col("sex").cast(pl.Int64))
        start = "polars could not compute"
    result = make_gate().performance(broken, target="y", y_pred="pred").expect("recall", min=0)
    assert result.status == "error" and start in result.message, result.message
    assert "Traceback" not in result.message


def test_an_empty_table_and_slices_say_what_to_do(table):
    import polars as pl

    if isinstance(table, pl.LazyFrame):
        empty = table.filter(pl.col("y") < 0)
    elif type(table).__module__.startswith("pyspark"):
        empty = table.filter("y < 0")
    else:
        empty = table[table["y"] < 0]
    result = make_gate().performance(empty, target="y", y_pred="pred").expect("recall", min=0)
    assert result.status == "error" and "y_true: the " in result.message
    assert "is empty" in result.message
    sliced = make_gate().performance(table, target="y", y_pred="pred").by("sex")
    message = sliced.expect("recall", min=0.5).message
    assert "slices (perf.by)" in message and "expect_group_metric" in message


def test_no_engine_is_imported_for_arrays():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from pytest_mlgate.card import Card\n"
        "from pytest_mlgate.gate import Gate\n"
        "from pytest_mlgate.recording import GateSettings, Recorder, TestRecord\n"
        "r = Recorder(GateSettings(nodeid='t::t', markers={}), TestRecord('t::t'))\n"
        "g = Gate(r, Card({}, r))\n"
        "y = np.array([0, 1] * 100); p = y.copy(); p[:20] = 1 - p[:20]\n"
        "assert g.performance(y, y_pred=p).expect('recall', min=0.5).status == 'passed'\n"
        "s = pd.Series(['a', 'b'] * 100, name='s')\n"
        "g.fairness(y, p, sensitive_features=s).expect_demographic_parity(min_ratio=0.5)\n"
        "print(sorted(m for m in ('pyspark', 'dask', 'polars') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "[]", out.stderr


def scored_lake(predictions: pd.DataFrame, root: Path) -> None:
    """The README's scored table: label, prediction, w, sex, race."""
    scored = pd.DataFrame(
        {
            "label": predictions["y"],
            "prediction": predictions["pred"],
            "w": predictions["w"],
            "sex": predictions["sex"],
            "race": predictions["region"].replace({"Tiny": "East"}),
        }
    )
    write_parquet(scored, root / "lake" / "scored")


def readme_prediction_blocks() -> list[str]:
    from ._engines import README

    text = README.read_text(encoding="utf-8")
    section = text.split("\n### Predictions in an engine: performance and fairness\n", 1)[1]
    section = section.split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_predictions_on_a_lazyframe(pytester, predictions):
    pytest.importorskip("polars")
    pytester.makepyfile(test_scored=readme_prediction_blocks()[1])
    scored_lake(predictions, pytester.path)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.spark
def test_readme_predictions_on_a_spark_table(pytester, spark, predictions):  # noqa: F811
    from ._engines import readme_blocks

    conftest = readme_blocks()[0].split("# test_lake.py\n")[0]
    pytester.makeconftest(conftest)
    scored_lake(predictions, pytester.path)
    # Spark resolves a relative path against the JVM's working folder (where the outer
    # pytest started): the one change to the README's code, as in test_engines_spark
    folder = repr(str(pytester.path / "lake" / "scored"))
    pytester.makepyfile(test_scored=readme_prediction_blocks()[0].replace('"lake/scored"', folder))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_too_many_combinations_is_an_error(monkeypatch, table):
    from pytest_mlgate.tables import predictions

    monkeypatch.setattr(predictions, "MAX_CELLS", 50)
    fair = make_gate().fairness(table, "pred", target="y", sensitive_features="y_r")
    result = fair.expect_demographic_parity(min_ratio=0.8)
    assert result.status == "error" and "more than 50 distinct combinations" in result.message
    assert "bin it" in result.message


def test_engine_columns_are_not_arrays(table, predictions):
    if type(table).__module__.startswith("polars"):
        pytest.skip("a polars Series is in memory: an array like any other")
    column = table["y"]  # a Dask Series (converting it would compute it) or a Spark Column
    perf = make_gate().performance(column, y_pred=column).expect("recall", min=0)
    assert perf.status == "error" and "the gate does not collect it" in perf.message
    assert "target=" in perf.message
    fair = make_gate().fairness(predictions["y"], predictions["pred"], sensitive_features=table)
    result = fair.expect_demographic_parity(min_ratio=0.8)
    assert result.status == "error" and result.message.count("sensitive_features") >= 1
    same = make_gate().performance(table, target="y", y_pred="y").expect("accuracy", min=1)
    assert same.status == "passed" and same.observed == 1.0


def test_a_pandas_table_takes_the_same_names(predictions):
    """``target=`` and column names work on a pandas frame too: the arrays' path exactly."""
    named = make_gate().performance(predictions, target="y", y_pred="pred", sample_weight="w")
    arrays = make_gate().performance(
        predictions["y"], y_pred=predictions["pred"], sample_weight=predictions["w"]
    )
    a, b = named.expect("f1", min=0.5), arrays.expect("f1", min=0.5)
    assert (a.status, a.observed, a.details) == (b.status, b.observed, b.details)
    fair = make_gate().fairness(predictions, "pred", target="y", sensitive_features=["sex"])
    plain = make_gate().fairness(
        predictions["y"], predictions["pred"], sensitive_features=predictions[["sex"]]
    )
    a = fair.expect_demographic_parity(min_ratio=0.8)
    b = plain.expect_demographic_parity(min_ratio=0.8)
    assert (a.status, a.observed, a.details) == (b.status, b.observed, b.details)
    assert fair.name == "by sex"
    bad = make_gate().performance(predictions, target="y", y_pred="nope").expect("f1", min=0)
    assert bad.status == "error" and "'nope', which is not a column of the pandas table" in (
        bad.message
    )


def test_an_eager_polars_frame_goes_the_engine_way(predictions):
    pl = pytest.importorskip("polars")
    eager = pl.from_pandas(predictions)
    perf = make_gate().performance(eager, target="y", y_pred="pred")
    assert type(perf._targets()).__name__ == "CountedTargets"
    same_result(
        perf.expect("recall", min=0.7, confidence=0.95),
        make_gate()
        .performance(predictions["y"], y_pred=predictions["pred"])
        .expect("recall", min=0.7, confidence=0.95),
    )


def test_r2_from_sums_refuses_a_target_whose_mean_dwarfs_its_spread():
    """R² on an engine table comes from one-pass sums: where they would lose its digits (a
    mean 10^5 standard deviations from zero) the check says so and how to fix it; shifted
    by a constant, as the message says, it equals scikit-learn's."""
    pl = pytest.importorskip("polars")
    from sklearn import metrics

    rng = np.random.default_rng(3)
    y = 1e6 + rng.normal(0, 10, 5_000)
    p = y + rng.normal(0, 3, 5_000)
    far = make_gate().performance(pl.LazyFrame({"y": y, "p": p}), target="y", y_pred="p")
    result = far.expect("r2", min=0.5)
    assert result.status != "passed"
    assert "subtract a constant" in result.message
    shifted = pl.LazyFrame({"y": y - 1e6, "p": p - 1e6})
    near = make_gate().performance(shifted, target="y", y_pred="p").expect("r2", min=0.5)
    assert near.status == "passed"
    assert near.observed == pytest.approx(metrics.r2_score(y, p), rel=1e-9)
