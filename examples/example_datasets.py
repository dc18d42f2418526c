"""Loaders for the real datasets that ship with the repository (nothing is downloaded).

- UCI Adult (census income): Becker & Kohavi (1996), UCI Machine Learning Repository,
  doi:10.24432/C5XW20, CC BY 4.0. Files in ``data/adult/``.
- UCI Statlog (German Credit Data): Hofmann (1994), UCI Machine Learning Repository,
  doi:10.24432/C5NC77, CC BY 4.0. Files in ``data/german_credit/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent / "data"

ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]
#: Adult's features: every column but the label
ADULT_FEATURES = ADULT_COLUMNS[:-1]
ADULT_NUMERIC = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
ADULT_CATEGORICAL = [c for c in ADULT_FEATURES if c not in ADULT_NUMERIC]
GERMAN_COLUMNS = [
    "status",
    "duration",
    "credit_history",
    "purpose",
    "amount",
    "savings",
    "present_employment",
    "installment_rate",
    "status_sex",
    "other_debtors",
    "residence_since",
    "property",
    "age",
    "installment_plans",
    "housing",
    "existing_credits",
    "job",
    "people_liable",
    "telephone",
    "foreign_worker",
    "credit",
]


def load_adult(split: str = "train", *, raw: bool = False) -> pd.DataFrame:
    """Adult's ``train`` (32,561 rows) or ``test`` (16,281 rows) split.

    With ``raw=False`` the file's ``?`` markers are read as missing values, ``income`` is the
    label text without the test file's trailing full stop, and ``target`` is 1 for ``>50K``.
    With ``raw=True`` the ``?`` markers stay as they are in the file.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = DATA / "adult" / ("adult.data.gz" if split == "train" else "adult.test.gz")
    df = pd.read_csv(
        path,
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        skiprows=1 if split == "test" else 0,
        na_values=None if raw else ["?"],
        keep_default_na=not raw,
    )
    df["income"] = df["income"].str.rstrip(".")
    df["target"] = (df["income"] == ">50K").astype("int64")
    return df


def load_german_credit() -> pd.DataFrame:
    """German credit (1,000 rows) with readable codes: ``sex`` and ``age_band`` derived from
    attributes 9 and 13; ``target`` is 1 for good credit."""
    df = pd.read_csv(
        DATA / "german_credit" / "german.data", sep=" ", header=None, names=GERMAN_COLUMNS
    )
    maps = json.loads((DATA / "german_credit" / "values_maps.json").read_text())
    df["sex"] = df["status_sex"].map(lambda code: maps["status_sex"][code].split(" :")[0])
    df["age_band"] = pd.cut(df["age"], bins=[0, 25, 40, 120], labels=["<=25", "26-40", ">40"])
    df["target"] = (df["credit"] == 1).astype("int64")
    return df
