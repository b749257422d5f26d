"""Small-number protection: no published figure, and no sum or difference of
published figures, is a count between zero and the threshold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.reports.suppression import breakdown, publish

thresholds = st.integers(min_value=1, max_value=20)
counts = st.integers(min_value=0, max_value=100_000)


@pytest.mark.parametrize(
    ("count", "threshold", "shown"),
    [
        (0, 5, "0"),
        (1, 5, "<5"),
        (4, 5, "<5"),
        (5, 5, "5"),
        (7, 5, "5"),
        (8, 5, "10"),
        (12, 5, "10"),
        (13, 5, "15"),
        (3, 1, "3"),
        (1, 2, "<2"),
        (3, 2, "4"),
        (10, 11, "<11"),
        (11, 11, "11"),
    ],
)
def test_each_count_is_published_as_the_rule_says(count, threshold, shown):
    assert str(publish(count, threshold)) == shown


@given(counts, thresholds)
def test_no_published_figure_is_a_small_count(count, threshold):
    figure = publish(count, threshold)
    assert figure.value is None or figure.value == 0 or figure.value >= threshold
    assert figure.value is None or figure.value % threshold == 0
    # Never further from the truth than half the threshold.
    assert figure.value is None or abs(figure.value - count) <= threshold // 2


@given(st.lists(counts, min_size=2, max_size=8), thresholds)
def test_no_sum_or_difference_of_published_figures_is_a_small_count(values, threshold):
    shown = [publish(v, threshold).value for v in values]
    known = [v for v in shown if v is not None]
    for a in known:
        for b in known:
            assert abs(a - b) == 0 or abs(a - b) >= threshold
    table = breakdown({str(i): v for i, v in enumerate(values)}, threshold=threshold)
    if table.total.value is not None:
        rest = table.total.value - sum(r.figure.value or 0 for r in table.rows)
        assert rest % threshold == 0


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        publish(3, 0)
