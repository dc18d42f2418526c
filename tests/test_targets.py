"""The one target validator (checks/targets.py): every error names its argument, one message
for missing values, one positive-class rule, one fingerprint routine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.checks.targets import (
    as_array,
    check_targets,
    check_task,
    check_values,
    digest,
    resolve_pos_label,
    unique_labels,
)
from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.metrics import resolve

Y = np.array([0, 1] * 5)
SCORE = np.linspace(0.05, 0.95, 10)


def targets(y_true=Y, y_pred=None, y_score=SCORE, task="auto", weight=None, pos_label=None):
    return check_targets(y_true, y_pred, y_score, task, weight, pos_label)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"task": "ranking"}, "task"),
        ({"y_true": 3}, "y_true"),
        ({"y_true": "01"}, "y_true"),
        ({"y_true": np.array([])}, "y_true"),
        ({"y_true": np.zeros((10, 2))}, "y_true"),
        ({"y_true": np.array([0.0, np.nan] * 5)}, "y_true"),
        ({"y_true": pd.Series([0, None] * 5)}, "y_true"),
        ({"y_pred": None, "y_score": None}, "y_pred/y_score"),
        ({"y_pred": np.zeros(9, int)}, "y_pred"),
        ({"y_pred": np.array([0, None] * 5, dtype=object)}, "y_pred"),
        ({"y_pred": SCORE}, "y_pred"),  # scores where labels belong
        ({"y_score": np.array(["a"] * 10)}, "y_score"),
        ({"y_score": np.array([0.1, np.inf] * 5)}, "y_score"),
        ({"y_score": SCORE[:9]}, "y_score"),
        ({"weight": -np.ones(10)}, "sample_weight"),
        ({"weight": np.array([1.0, np.nan] * 5)}, "sample_weight"),
        ({"weight": np.array(["x"] * 10)}, "sample_weight"),
        ({"weight": np.ones(11)}, "sample_weight"),
        ({"y_true": np.array(["no", "yes"] * 5)}, "pos_label"),
        ({"pos_label": 2}, "pos_label"),
        ({"y_true": np.array([0, 2] * 5)}, "pos_label"),  # the default 1 is not a class
    ],
)
def test_every_error_names_its_argument(kwargs, argument):
    with pytest.raises(MlgateInputError) as info:
        targets(**kwargs)
    assert info.value.argument == argument
    assert str(info.value).startswith(f"{argument}: ")


@pytest.mark.parametrize(
    "value",
    [
        np.array([0.0, np.nan, 1.0, np.nan]),
        np.array([0.0, np.inf, 1.0, -np.inf]),
        np.array([0, None, 1, None], dtype=object),
        pd.Series([0, pd.NA, 1, pd.NA], dtype="Int64"),
        pd.Series(["a", None, "b", np.nan]),
    ],
)
def test_one_message_for_missing_values(value):
    with pytest.raises(MlgateInputError) as info:
        as_array(value, "y_true")
    assert info.value.problem == (
        "has 2 missing or infinite values (NaN, None or inf), the first at row 1."
    )
    assert "every argument" in info.value.fix


def test_scores_may_have_one_column_per_class():
    proba = np.random.default_rng(0).dirichlet([1, 1, 1], 9)
    t = check_targets([0, 1, 2] * 3, None, proba, "auto", None, None)
    assert t.task == "multiclass" and t.y_score.shape == (9, 3)
    with pytest.raises(MlgateInputError, match=r"^y_pred: must be one-dimensional"):
        check_targets([0, 1, 2] * 3, proba, None, "auto", None, None)


def test_task_inference():
    assert targets().task == "binary" and targets().inferred
    assert targets(y_true=np.linspace(0, 1, 10), y_pred=SCORE, y_score=None).task == "regression"
    assert targets(y_true=np.arange(10) % 3, y_pred=np.arange(10) % 3).task == "multiclass"
    # integer targets of a regression need task="regression"; given, the task is kept
    given = targets(y_true=np.arange(10), y_pred=np.arange(10), task="regression")
    assert given.task == "regression" and not given.inferred and given.pos_label is None


@pytest.mark.parametrize(
    ("pos_label", "classes", "task", "expected"),
    [
        (None, [0, 1], "binary", 1),
        (None, [False, True], "binary", True),
        (None, [0], "binary", 1),  # one class seen: figures needing the other are undefined
        ("yes", ["no"], "binary", "yes"),
        (">50K", ["<=50K", ">50K"], "binary", ">50K"),
        (None, ["a", "b", "c"], "multiclass", None),  # multiclass metrics average classes
        (None, [0, 1, 2], "multiclass", None),
        (2, [0, 1, 2], "multiclass", 2),
    ],
)
def test_one_positive_class_rule(pos_label, classes, task, expected):
    assert resolve_pos_label(pos_label, classes, task) == expected


@pytest.mark.parametrize(
    ("pos_label", "classes", "task", "words"),
    [
        (None, ["<=50K", ">50K"], "binary", "is required"),
        (None, ["a"], "binary", "is required"),
        ("x", ["a", "b"], "binary", "'x' is not among the classes seen: 'a', 'b'"),
        (3, [0, 1, 2], "multiclass", "3 is not among"),
        (None, [0, 2], "binary", "1 is not among"),
    ],
)
def test_positive_class_errors(pos_label, classes, task, words):
    with pytest.raises(MlgateInputError) as info:
        resolve_pos_label(pos_label, classes, task)
    assert info.value.argument == "pos_label" and words in info.value.problem


def test_unique_labels_are_python_values_sorted():
    assert unique_labels(np.array([2, 0, 1, 0])) == [0, 1, 2]
    assert all(type(v) is int for v in unique_labels(np.array([2, 0])))
    mixed = unique_labels(np.array([1, "a"], dtype=object))  # unsortable: first seen first
    assert mixed == [1, "a"]


def test_metric_and_task():
    three = check_targets([0, 1, 2] * 3, None, np.full((9, 3), 1 / 3), "auto", None, None)
    with pytest.raises(MlgateInputError) as info:
        check_task(three, resolve("roc_auc"))
    assert info.value.argument == "metric"
    assert "roc_auc_ovr" in info.value.fix and "roc_auc_ovo" in info.value.fix
    check_task(three, resolve("roc_auc_ovr"))
    binary = targets(y_score=np.linspace(-1, 2, 10))
    with pytest.raises(MlgateInputError, match=r"^y_score: brier needs probabilities"):
        check_values(binary, resolve("brier"), binary.y_score)
    with pytest.raises(MlgateInputError, match=r"^other: log_loss needs probabilities"):
        check_values(binary, resolve("log_loss"), binary.y_score, argument="other")
    one_column = check_targets([0, 1, 2] * 3, None, np.full(9, 0.5), "auto", None, None)
    with pytest.raises(MlgateInputError, match=r"^y_score: is one column"):
        check_values(one_column, resolve("roc_auc_ovr"), one_column.y_score)


def test_values_for_names_what_is_missing():
    labels_only = targets(y_pred=Y, y_score=None)
    with pytest.raises(MlgateInputError, match=r"^y_score: roc_auc needs scores"):
        labels_only.values_for(resolve("roc_auc"))
    scores_only = targets()
    with pytest.raises(MlgateInputError, match=r"^y_pred: recall needs predicted labels"):
        scores_only.values_for(resolve("recall"))


def test_one_fingerprint_routine():
    a = targets(y_pred=Y)
    m = resolve("accuracy")
    assert a.fingerprint(m) == digest((a.y_true, a.y_pred, None))
    assert a.rows_fingerprint() == digest((a.y_true, None))
    assert a.predictions_fingerprint(m) == digest((a.y_pred,))
    # dtype and shape are part of the bytes hashed; object arrays hash their values
    assert digest((np.array([0, 1]),)) != digest((np.array([0.0, 1.0]),))
    assert digest((np.zeros((2, 2)),)) != digest((np.zeros(4),))
    same = digest((np.array(["a", 1], dtype=object),))
    assert same == digest((np.array(["a", 1], dtype=object),)) and same.startswith("sha256:")
    weighted = targets(weight=np.full(10, 2.0))
    assert weighted.rows_fingerprint() != targets().rows_fingerprint()
