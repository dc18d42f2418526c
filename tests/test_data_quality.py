"""Data-quality figures against plain pandas computations on real data, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from pytest_mlgate.families.data import DataChecks
from pytest_mlgate.stats.leakage import leakage_scores

from .conftest import make_recorder


def checks(df, name="data") -> DataChecks:
    return DataChecks(make_recorder("t.py::t"), df, name=name)


REAL = ["adult", "adult_raw", "german"]


@pytest.fixture(params=REAL)
def frame(request):
    return request.getfixturevalue(request.param)


def test_not_null_matches_pandas(frame):
    r = checks(frame).expect_not_null(max_fraction=0.05)
    nulls = frame.isna().sum()
    assert r.observed == nulls.max() / len(frame)
    assert r.details["violations"] == nulls.max()
    assert r.status == ("passed" if (nulls / len(frame)).max() <= 0.05 else "failed")
    for col, v in r.details["columns"].items():
        assert v["nulls"] == nulls[col]
    assert len(r.details["examples"]) <= 5


@pytest.mark.parametrize(
    ("column", "low", "high"),
    [("age", 20, 60), ("hours_per_week", 10, 80), ("capital_gain", None, 5000)],
)
def test_between_matches_pandas(adult, column, low, high):
    r = checks(adult).expect_between(column, min=low, max=high, max_fraction=0.5)
    s = adult[column].dropna()
    bad = pd.Series(False, index=s.index)
    if low is not None:
        bad |= s < low
    if high is not None:
        bad |= s > high
    assert r.details["violations"] == bad.sum()
    assert r.observed == bad.sum() / len(s)
    assert set(r.details["examples"]) <= set(s[bad].unique().tolist())
    assert len(r.details["examples"]) == min(5, s[bad].nunique())


def test_between_is_inclusive_and_ignores_nulls():
    df = pd.DataFrame({"x": [0.0, 1.0, np.nan, 2.0, 3.0]})
    r = checks(df).expect_between("x", min=0, max=2)
    assert r.details["violations"] == 1 and r.observed == 0.25 and r.status == "failed"


def test_values_in_matches_pandas(german):
    allowed = ["A11", "A12", "A13"]
    r = checks(german).expect_values_in("status", allowed, max_fraction=1.0)
    bad = ~german["status"].isin(allowed)
    assert r.details["violations"] == bad.sum() == (german["status"] == "A14").sum()
    assert r.observed == bad.mean()
    assert r.details["examples"] == ["A14"]


def test_unique_single_and_compound(adult):
    r = checks(adult).expect_unique("fnlwgt", max_count=10**6)
    assert r.observed == adult["fnlwgt"].duplicated().sum()
    key = ["age", "fnlwgt", "education"]
    r2 = checks(adult).expect_unique(key, max_count=10**6)
    assert r2.observed == adult.duplicated(subset=key).sum()
    assert all(isinstance(e, list) and len(e) == 3 for e in r2.details["examples"])


def test_duplicate_rows_matches_pandas(frame):
    r = checks(frame).expect_no_duplicate_rows(max_count=100)
    assert r.observed == frame.duplicated().sum()
    assert r.details["violations"] == frame.duplicated().sum()


def test_row_count(german):
    assert checks(german).expect_row_count(min=1000).status == "passed"
    r = checks(german).expect_row_count(min=1001)
    assert r.status == "failed" and r.observed == 1000 and r.details["violations"] == 1
    assert checks(german).expect_row_count(min=10, max=999).status == "failed"


def test_overlap_matches_pandas(adult, adult_test):
    key = ["age", "fnlwgt", "education", "sex"]
    r = checks(adult_test, "test").expect_no_overlap(adult, columns=key, max_count=10**6)
    merged = adult_test[key].merge(adult[key].drop_duplicates(), how="left", indicator=True)
    assert r.observed == (merged["_merge"] == "both").sum()
    single = checks(adult_test).expect_no_overlap(adult, columns="fnlwgt", max_count=10**6)
    assert single.observed == adult_test["fnlwgt"].isin(adult["fnlwgt"]).sum()


def test_columns_and_dtypes(adult):
    assert checks(adult).expect_columns(["age", "sex"]).status == "passed"
    r = checks(adult).expect_columns(["age", "salary", "bonus"])
    assert r.status == "failed" and r.details["missing"] == ["salary", "bonus"]
    assert r.observed == 2
    exact = checks(adult).expect_columns(["age", "sex"], exact=True)
    assert exact.status == "failed" and len(exact.details["unexpected"]) == adult.shape[1] - 2
    ordered = checks(adult).expect_columns(["sex", "age"], ordered=True)
    assert ordered.status == "failed" and not ordered.details["order_ok"]
    kinds = {"age": "integer", "fnlwgt": "numeric", "sex": "string", "target": "integer"}
    assert checks(adult).expect_dtypes(kinds).status == "passed"
    bad = checks(adult).expect_dtypes({"age": "float", "sex": "category"})
    assert bad.status == "failed" and bad.observed == 2
    assert bad.details["mismatched"]["age"] == "int64"


@pytest.mark.parametrize(
    ("series", "kind"),
    [
        (pd.Series([1, 2], dtype="Int64"), "integer"),
        (pd.Series([1.5, None]), "float"),
        (pd.Series([True, False]), "bool"),
        (pd.Series(["a", None], dtype=object), "string"),
        (pd.Series(["a", "b"], dtype="string"), "string"),
        (pd.Series(["a", "b"], dtype="category"), "category"),
        (pd.to_datetime(pd.Series(["2024-01-01", None])), "datetime"),
    ],
)
def test_dtype_kinds(series, kind):
    df = pd.DataFrame({"c": series})
    assert checks(df).expect_dtypes({"c": kind}).status == "passed"
    others = {"integer", "float", "bool", "category", "datetime"} - {kind}
    if kind == "integer":
        others -= {"numeric"}
    for other in others:
        assert checks(df).expect_dtypes({"c": other}).status == "failed", other


def test_consistent_missing_on_the_raw_adult_file(adult_raw):
    r = checks(adult_raw).expect_consistent_missing()
    expected = (adult_raw == "?").sum()
    assert r.observed == expected.sum() == 1836 + 1843 + 583
    assert r.details["columns"] == {c: {"'?'": int(n)} for c, n in expected.items() if n}
    assert r.status == "failed" and "na_values" in r.message


def test_consistent_missing_mixed_tokens():
    df = pd.DataFrame(
        {
            "city": ["Paris", "", " NA ", None, "null", "Lyon"],
            "income": [100.0, -999.0, np.nan, 50.0, -999.0, 10.0],
            "flag": [True, False, True, True, False, True],
        }
    )
    r = checks(df).expect_consistent_missing()
    assert r.observed == 5
    assert r.details["columns"]["city"] == {"''": 1, "' NA '": 1, "'null'": 1}
    assert r.details["columns"]["income"] == {"-999": 2}
    assert sorted(r.details["mixed_with_nulls"]) == ["city", "income"]
    custom = checks(df).expect_consistent_missing(["city"], tokens=["Lyon"])
    assert custom.observed == 1


def test_leakage_scores_match_sklearn(adult):
    features = ["age", "education_num", "hours_per_week", "capital_gain"]
    scores, kind, _ = leakage_scores(adult, "target", features)
    assert kind == "roc_auc"
    for col in features:
        auc = roc_auc_score(adult["target"], adult[col])
        assert scores[col] == pytest.approx(max(auc, 1 - auc), abs=1e-12)


def test_leakage_categorical_uses_out_of_fold_rates(adult):
    df = adult.copy()
    df["row_id"] = [f"id{i}" for i in range(len(df))]  # an identifier, not a leak
    df["leak"] = np.where(df["target"] == 1, "yes", "no")  # a categorical copy of the target
    r = checks(df).expect_no_leakage("target", columns=["row_id", "leak", "relationship"])
    assert r.status == "failed" and r.details["examples"] == ["leak"]
    assert r.details["scores"]["leak"] == pytest.approx(1.0)
    # every identifier is unseen out of fold: a constant score, skipped with its reason
    assert "row_id" not in r.details["scores"] and "row_id" in r.details["skipped"]
    # relationship: out-of-fold category rates give nearly the in-sample AUC
    rate = df.groupby("relationship")["target"].transform("mean")
    in_sample = roc_auc_score(df["target"], rate)
    assert r.details["scores"]["relationship"] == pytest.approx(in_sample, abs=0.005)


def test_leakage_numeric_target_uses_spearman(german):
    from scipy.stats import spearmanr

    r = checks(german).expect_no_leakage("amount", columns=["duration", "age"], max_score=0.99)
    assert r.details["scoring"] == "spearman"
    rho = spearmanr(german["duration"], german["amount"]).statistic
    assert r.details["scores"]["duration"] == pytest.approx(abs(rho), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(-50, 50)), min_size=1, max_size=60),
    st.integers(-60, 60),
    st.integers(-60, 60),
)
def test_between_property(values, a, b):
    low, high = min(a, b), max(a, b)
    s = pd.Series(values, dtype="float64")
    r = checks(pd.DataFrame({"x": s})).expect_between("x", min=low, max=high)
    nonnull = s.dropna()
    if nonnull.empty:
        assert r.status == "insufficient" and r.observed is None
    else:
        bad = ((nonnull < low) | (nonnull > high)).sum()
        assert r.details["violations"] == bad
        assert r.observed == bad / len(nonnull)
        assert r.status == ("passed" if bad == 0 else "failed")


# -- bad input ------------------------------------------------------------------------------


def test_non_frame_is_an_error_naming_the_argument():
    dq = checks([1, 2, 3], "numbers")
    results = dq._recorder.record.results
    assert results[0][1].status == "error"
    assert "mlgate.data('numbers'): df: expected a pandas DataFrame" in results[0][1].message
    later = dq.expect_not_null()
    assert later.status == "error" and later.message == results[0][1].message


def test_arrow_table_is_converted():
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"x": [1, 2, 2]})
    assert checks(table).expect_unique("x").observed == 1


def test_empty_frame_is_an_error():
    r = checks(pd.DataFrame({"a": []})).expect_row_count(min=1)
    assert r.status == "error" and "the frame is empty (0 rows x 1 columns)" in r.message


def test_missing_column_is_an_error_naming_the_column(adult):
    r = checks(adult).expect_between("salary", min=0)
    assert r.status == "error" and r.message.startswith("column: no such column 'salary'")
    r = checks(adult).expect_not_null(["age", "salary"])
    assert r.status == "error" and "columns: no such column 'salary'" in r.message


def test_unknown_dtype_kind_is_an_error(adult):
    r = checks(adult).expect_dtypes({"age": "int"})
    assert r.status == "error"
    assert "dtypes: unknown dtype kind 'int' for column 'age'" in r.message
    assert "integer, float, numeric" in r.message


def test_null_in_key_column_is_an_error():
    df = pd.DataFrame({"id": [1.0, None, 2.0]})
    r = checks(df).expect_unique("id")
    assert r.status == "error" and "key column 'id' has 1 null" in r.message


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda dq: dq.expect_not_null(max_fraction=1.5), "max_fraction"),
        (lambda dq: dq.expect_unique("a", max_count=-1), "max_count"),
        (lambda dq: dq.expect_between("a"), "min/max"),
        (lambda dq: dq.expect_between("a", min="x"), "column"),
        (lambda dq: dq.expect_values_in("a", []), "values"),
        (lambda dq: dq.expect_no_overlap(42, columns="a"), "other"),
        (lambda dq: dq.expect_no_leakage("a", max_score=2), "max_score"),
        (lambda dq: dq.expect_row_count(min="10"), "min"),
        (lambda dq: dq.expect_row_count(min=1, severity="loud"), "severity"),
    ],
)
def test_bad_arguments_are_errors_naming_the_argument(call, argument):
    dq = checks(pd.DataFrame({"a": [1, 2, 3], "b": [0, 1, 0]}))
    r = call(dq)
    assert r.status == "error"
    assert r.message.startswith(f"{argument}:"), r.message
    assert r.observed is None


def test_fingerprint_equals_the_contract_definition(adult):
    """sha256 over column names, dtype families and hash_pandas_object(df, index=False)."""
    import hashlib

    from pytest_mlgate.frames import dtype_family, fingerprint

    families = {"integer", "float", "text", "category", "bool"}
    assert {dtype_family(d) for d in adult.dtypes} <= families

    big = pd.concat([adult] * 3, ignore_index=True)  # large enough for the threaded path
    for frame in (adult.head(50), big):
        digest = hashlib.sha256()
        for name, dtype in frame.dtypes.items():
            digest.update(f"{name!s}\x1f{dtype_family(dtype)}\x1e".encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        assert fingerprint(frame) == "sha256:" + digest.hexdigest()
    assert fingerprint(big) == fingerprint(big)  # cached
    changed = adult.head(50).copy()
    changed.loc[0, "age"] += 1
    assert fingerprint(changed) != fingerprint(adult.head(50))
    odd = pd.DataFrame({"lists": [[1], [2, 3]]})
    assert fingerprint(odd).startswith("sha256:")


def awkward_frames():
    """Frames whose duplicates hashing must not miss: -0.0 and 0.0, NaN payloads, NaT,
    categories, strings, Python objects where 1 == 1.0, datetimes of two units."""
    rng = np.random.default_rng(5)
    n = 400
    base = pd.DataFrame(
        {
            "x": rng.choice([0.0, -0.0, np.nan, -np.nan, 1.5], n),
            "f32": rng.choice([0.0, -0.0, 2.0], n).astype(np.float32),
            "i": rng.integers(0, 3, n),
            "u8": rng.integers(0, 2, n).astype(np.uint8),
            "b": rng.random(n) > 0.5,
            "s": pd.Series(rng.choice(["a", "b", None], n), dtype="str"),
            "c": pd.Categorical(rng.choice(["p", "q", None], n)),
            "t": pd.to_datetime(rng.choice(["2024-01-01", "2024-01-02", None], n)),
        }
    )
    objects = base.assign(o=pd.Series(rng.choice([1, 1.0, True, "1"], n), dtype=object))
    nullable = base.assign(k=pd.array(rng.choice([1, 2, None], n), dtype="Int64"))
    # text as Python objects (pandas 2's default), missing as None, NaN and pd.NA alike
    text = base.assign(
        o=pd.Series(rng.choice(np.array(["a", "b", None, np.nan, pd.NA], dtype=object), n))
    )
    mixed = base.assign(  # Python objects where 1 == 1.0 == True: compared, not hashed
        m=pd.Series(rng.choice(np.array([1, 1.0, True, "1", None], dtype=object), n))
    )
    return [base, objects, nullable, text, mixed, base[["x"]], base.iloc[:0], base.iloc[:1]]


@pytest.mark.parametrize("canonical", [True, False], ids=["pandas-3-floats", "pandas-2-floats"])
@pytest.mark.parametrize("frame", awkward_frames())
def test_duplicated_rows_from_hashes_equals_pandas(frame, canonical, monkeypatch):
    from pytest_mlgate import frames

    # on a pandas whose hashes tell 0.0 from -0.0 (pandas 2), floats are hashed our own way
    monkeypatch.setattr(frames, "pandas_canonical_floats", lambda: canonical)
    from pytest_mlgate.frames import _ROW_HASHES
    from pytest_mlgate.tables.pandas import duplicated_rows

    expected = frame.duplicated().to_numpy()
    np.testing.assert_array_equal(duplicated_rows(frame), expected)
    cols = list(frame.columns[:2])
    if cols:
        np.testing.assert_array_equal(
            duplicated_rows(frame, cols), frame.duplicated(subset=cols).to_numpy()
        )
    _ROW_HASHES.clear()


def test_duplicated_rows_confirms_hash_collisions_exactly(monkeypatch):
    """With every row hashed into four buckets, nearly every row collides: the exact check
    of the candidates must still give pandas' answer."""
    from pytest_mlgate import frames
    from pytest_mlgate.tables.pandas import duplicated_rows

    real = frames.row_hashes
    monkeypatch.setattr(frames, "row_hashes", lambda df: real(df) % np.uint64(4))
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"a": rng.integers(0, 40, 2000), "b": rng.choice(["u", "v"], 2000)})
    assert duplicated_rows(df).sum() == df.duplicated().sum() > 0
    np.testing.assert_array_equal(duplicated_rows(df), df.duplicated().to_numpy())
    np.testing.assert_array_equal(
        duplicated_rows(df, ["a", "b"]), df.duplicated(subset=["a", "b"]).to_numpy()
    )
    unique = df.drop_duplicates()
    assert not duplicated_rows(unique).any()  # collisions alone are no duplicates
    frames._ROW_HASHES.clear()


def test_duplicate_row_and_compound_key_checks_use_the_exact_answer():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.integers(0, 30, 500), "b": rng.integers(0, 3, 500)})
    dq = DataChecks(make_recorder("t"), df, name="d")
    rows = dq.expect_no_duplicate_rows()
    key = dq.expect_unique(["a", "b"])
    assert rows.observed == key.observed == int(df.duplicated().sum())
    assert rows.details["examples"] == df.index[df.duplicated()][:5].tolist()


def test_fast_number_hashes_equal_pandas_hash_array():
    from pytest_mlgate.frames import _hash_numbers, pandas_canonical_floats

    rng = np.random.default_rng(1)
    arrays = [
        np.r_[rng.normal(size=50), [0.0, -0.0, np.nan, -np.nan, np.inf]],
        rng.normal(size=50).astype(np.float32),
        rng.integers(-100, 100, 50).astype(np.int8),
        rng.integers(0, 2**63, 50).astype(np.uint64) * np.uint64(2),
        rng.random(50) > 0.5,
        np.arange(50).astype("datetime64[ns]"),
        np.arange(50).astype("timedelta64[ns]"),
    ]
    for values in arrays:
        np.testing.assert_array_equal(
            _hash_numbers(values, pandas_canonical_floats()), pd.util.hash_array(values)
        )


def test_overlap_notes_key_kinds_that_can_never_match_not_mere_dtype_names():
    import polars as pl

    ids = pd.DataFrame({"id": np.arange(10, dtype=np.int64)})
    nullable = pd.DataFrame({"id": pd.array(np.arange(5, 15), dtype="Int64")})
    same_kind = checks(ids).expect_no_overlap(nullable, columns=["id"], max_count=100)
    assert same_kind.status == "passed" and same_kind.details["dtype_mismatch"] == []
    assert "differ" not in same_kind.message
    lazy = pl.DataFrame({"id": list(range(5, 15))}).lazy()
    from_polars = checks(lazy).expect_no_overlap(ids, columns=["id"], max_count=100)
    assert from_polars.status == "passed", from_polars.message
    assert from_polars.details["dtype_mismatch"] == [] and from_polars.observed == 5
    text = pd.DataFrame({"id": [str(i) for i in range(10)]})
    other_kind = checks(ids).expect_no_overlap(text, columns=["id"], max_count=100)
    assert other_kind.details["dtype_mismatch"] == ["id"]
    assert "Key dtypes differ between the frames: id." in other_kind.message
