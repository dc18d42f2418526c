"""pytest-html: its report shows mlgate's gate line and links to ``audit.html``."""

from __future__ import annotations

import html
import re

import pytest
import scipy.stats  # noqa: F401  (see IN_PROCESS)
import sklearn.metrics  # noqa: F401

import pytest_mlgate.checks.performance  # noqa: F401

# IN_PROCESS: the inner runs are in this process, so what a check loads is loaded before
# pytester's snapshot of sys.modules (a second import of numpy's extensions would fail).


pytest.importorskip("pytest_html", reason="pytest-html is not installed (the test extra has it)")

GATE = """
def test_gate(mlgate):
    mlgate.performance([0, 1] * 20, y_pred=[0, 1] * 20, name="holdout").expect("accuracy", min=0.9)
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_the_html_report_links_to_the_audit(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        *workers,
        "--html",
        "reports/tests.html",
        "--mlgate-report-dir",
        "gate",
    )
    result.assert_outcomes(passed=1)
    page = (pytester.path / "reports" / "tests.html").read_text(encoding="utf-8")
    [line] = re.findall(r'<p class="mlgate-gate"[^>]*>.*?</p>', page)
    assert 'href="../gate/audit.html"' in line
    assert "mlgate: gate passed (1 check, 0 blocking)" in html.unescape(line)
    assert (pytester.path / "reports" / "../gate/audit.html").is_file()


def test_no_report_still_shows_the_gate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest(
        "-p", "no:cacheprovider", "--html", "tests.html", "--mlgate-no-report"
    ).assert_outcomes(passed=1)
    page = (pytester.path / "tests.html").read_text(encoding="utf-8")
    assert "mlgate: gate passed (1 check, 0 blocking); no report was written." in page
