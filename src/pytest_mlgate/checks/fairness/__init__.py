"""Fairness computations across the groups of one or more sensitive features (the API is
``families/fairness.py``).

Figures follow fairlearn's definitions exactly (``MetricFrame.difference``/``ratio``,
``demographic_parity_*``, ``equalized_odds_*``), with what a gate cannot live with fixed:
denominator-aware group sizes (``min_group_size`` counts the rows a rate divides by), excluded
groups listed with their counts instead of turned into numbers, intersections labelled
``col=value, col=value`` with empty ones reported as coverage gaps, and group-stratified
bootstrap intervals whose unfavourable bound is judged.

- ``inputs``: the arguments of ``mlgate.fairness`` validated and grouped once;
- ``table``: the group table (per-group values, denominators, exclusions, overall values);
- ``resampling``: intervals of a disparity and of each group's figure;
- ``compute``: the two computations (a disparity, a metric in every group);
- ``verdicts``: the outcome and its message, and the cap on listed groups.
"""

from .verdicts import MAX_LISTED_GROUPS as MAX_LISTED_GROUPS
