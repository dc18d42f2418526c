"""Performance checks on one set of predictions, as pure computations (the API the fixture
returns is :mod:`pytest_mlgate.families.performance`).

- :mod:`.arguments`: validating thresholds and rules, and writing bands in names and messages;
- :mod:`.estimate`: a metric's point value (or why it is undefined) and its interval;
- :mod:`.verdicts`: bands (``expect``) and champion/challenger (``expect_not_worse_than``);
- :mod:`.baseline`: the comparison with a committed baseline (``expect_no_regression``);
- :mod:`.slices`: the same band on every slice of the rows (``by(...).expect``).

Each check is a function of validated targets (:mod:`pytest_mlgate.checks.targets`) and its
arguments that returns an :class:`~pytest_mlgate.results.Outcome`; nothing here records.
"""
