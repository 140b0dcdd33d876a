"""The CORE fidelity catalogue and its scoring: pure functions, no database."""

import pytest

from crisis_care.reporting import fidelity
from crisis_care.reporting.models import Band
from crisis_care.reporting.selectors.fidelity import FIGURE_RULES, from_figure
from crisis_care.reporting.selectors.figures import Value

OWN_KEYS = {
    "visit_windows",
    "arrival_in_window",
    "phoned_when_late",
    "written_up_same_day",
    "needs_and_goals",
    "beyond_medication",
    "named_worker",
    *(f"checklist_25{x}" for x in "abcdef"),
}


def test_the_catalogue_has_39_items_in_four_subscales() -> None:
    assert [i.number for i in fidelity.ITEMS] == list(range(1, 40))
    by_subscale = {
        s.key: [i.number for i in fidelity.ITEMS if i.subscale == s.key] for s in fidelity.SUBSCALES
    }
    assert by_subscale["referrals-access"] == list(range(1, 11))
    assert by_subscale["content-delivery"] == list(range(11, 27))
    assert by_subscale["staffing-team-procedures"] == list(range(27, 37))
    assert by_subscale["location-timing-help"] == [37, 38, 39]


def test_items_without_sourced_criteria_are_scored_directly() -> None:
    direct = [i.number for i in fidelity.ITEMS if i.judged_directly]
    assert direct == [4, 7, 16, 23, 26, 28, 30, 35, 37]
    assert all(fidelity.BY_NUMBER[n].guidance for n in direct)


def test_criteria_are_lettered_in_order_and_items_20_and_25_are_held_in_full() -> None:
    for item in fidelity.ITEMS:
        codes = [c.code for c in item.criteria]
        assert codes == [f"{item.number}{chr(97 + n)}" for n in range(len(codes))]
        assert all(c.text and c.how for c in item.criteria)
    assert len(fidelity.BY_NUMBER[20].criteria) == 3
    assert len(fidelity.BY_NUMBER[25].criteria) == 6
    assert len(fidelity.BY_NUMBER[1].criteria) == 6
    assert len(fidelity.BY_NUMBER[2].criteria) == 4
    assert len(fidelity.BY_NUMBER[3].criteria) == 7


def test_every_computed_criterion_has_a_computation() -> None:
    assert set(fidelity.COMPUTED_KEYS) == set(FIGURE_RULES) | OWN_KEYS
    computed = {c.code for i in fidelity.ITEMS for c in i.criteria if c.is_computed}
    assert computed == {
        "1b",
        "1d",
        "1e",
        "10b",
        "10c",
        "12b",
        "12d",
        "12e",
        "12f",
        "14a",
        "20a",
        "20c",
        "21c",
        "25a",
        "25b",
        "25c",
        "25d",
        "25e",
        "25f",
        "27a",
        "33d",
        "34b",
        "36a",
        "38c",
        "39a",
    }


@pytest.mark.parametrize(("met", "score"), [(6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (0, 1)])
def test_item_1_six_criteria(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[1], met) == score


@pytest.mark.parametrize(("met", "score"), [(4, 5), (3, 4), (2, 3), (1, 2), (0, 1)])
def test_item_2_four_criteria(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[2], met) == score


@pytest.mark.parametrize(("met", "score"), [(7, 5), (6, 4), (5, 3), (4, 3), (3, 2), (2, 1), (0, 1)])
def test_item_3_seven_sources(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[3], met) == score


@pytest.mark.parametrize(("met", "score"), [(5, 5), (4, 4), (3, 3), (2, 2), (1, 1), (0, 1)])
def test_inferred_pattern_five_criteria_one_off_for_each_short(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[6], met) == score  # gatekeeping, a–e


@pytest.mark.parametrize(("met", "score"), [(6, 5), (5, 4), (3, 2), (1, 1)])
def test_inferred_pattern_item_25_six_criteria(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[25], met) == score


@pytest.mark.parametrize(("met", "score"), [(3, 5), (2, 4), (1, 2), (0, 1)])
def test_three_criteria_scored_in_proportion(met: int, score: int) -> None:
    assert fidelity.item_score(fidelity.BY_NUMBER[20], met) == score


def test_two_and_one_criteria_scored_in_proportion() -> None:
    two = fidelity.BY_NUMBER[11]
    assert [fidelity.item_score(two, m) for m in (0, 1, 2)] == [1, 3, 5]
    one = fidelity.BY_NUMBER[39]
    assert [fidelity.item_score(one, m) for m in (0, 1)] == [1, 5]


def test_more_criteria_met_never_scores_lower() -> None:
    for item in fidelity.ITEMS:
        if item.criteria:
            scores = [fidelity.item_score(item, m) for m in range(len(item.criteria) + 1)]
            assert scores == sorted(scores)
            assert scores[0] == 1
            assert scores[-1] == 5


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="has 6 criteria"):
        fidelity.item_score(fidelity.BY_NUMBER[1], 7)
    with pytest.raises(ValueError, match="scored directly"):
        fidelity.item_score(fidelity.BY_NUMBER[4], 0)


def test_score_from_met_criteria_and_direct_scores() -> None:
    item1 = fidelity.BY_NUMBER[1]
    met = {"1a": True, "1b": True, "1c": False, "1d": True, "1e": False, "1f": True}
    assert fidelity.score_from(item1, met) == 3
    assert fidelity.score_from(fidelity.BY_NUMBER[4], {}, direct=4) == 4
    with pytest.raises(ValueError, match="1 to 5"):
        fidelity.score_from(fidelity.BY_NUMBER[4], {}, direct=None)
    with pytest.raises(ValueError, match="1 to 5"):
        fidelity.score_from(fidelity.BY_NUMBER[4], {}, direct=6)


def test_total_needs_39_scores() -> None:
    assert fidelity.total([1] * 39) == 39
    assert fidelity.total([5] * 39) == 195
    with pytest.raises(ValueError):
        fidelity.total([5] * 38)
    with pytest.raises(ValueError):
        fidelity.total([0] + [5] * 38)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (195, Band.HIGH),
        (157, Band.HIGH),
        (156, Band.MODERATE),
        (122, Band.MODERATE),  # the 2014 survey's median
        (117, Band.MODERATE),
        (116, Band.LOW),
        (39, Band.LOW),
    ],
)
def test_bands(total: int, band: Band) -> None:
    assert fidelity.band(total) == band


def test_band_outside_the_range_is_refused() -> None:
    with pytest.raises(ValueError):
        fidelity.band(38)


def test_figure_criteria_read_the_shared_values() -> None:
    at_least = from_figure("referrer_response_30m", Value(numerator=18, denominator=20))
    assert at_least.met is True
    assert at_least.figure == "18 of 20 (90%)"
    short = from_figure("referrer_response_30m", Value(numerator=17, denominator=20))
    assert short.met is False
    # 1d and 1e read the same figure against 50% and 90%.
    same_day = Value(numerator=6, denominator=10)
    assert from_figure("first_contact_same_day_50", same_day).met is True
    assert from_figure("first_contact_same_day_90", same_day).met is False
    # Nothing to divide by, or no figure: not met, and says why.
    empty = from_figure("contacts_at_home", Value(numerator=0, denominator=0))
    assert (empty.met, empty.figure) == (False, "No records in the period")
    assert from_figure("contacts_at_home", None).figure == "Not available"


def test_caseload_is_met_at_25_or_fewer_and_partly_at_30() -> None:
    def caseload(per_14: float) -> Value:
        return Value(numerator=20, denominator=14, measured=per_14, is_median=True)

    assert from_figure("caseload_per_14_fte", caseload(25)).met is True
    partly = from_figure("caseload_per_14_fte", caseload(28))
    assert partly.met is False
    assert "partly met" in partly.figure
    assert "partly" not in from_figure("caseload_per_14_fte", caseload(31)).figure


def test_tags_for_criteria_and_bands() -> None:
    from crisis_care.reporting.presenters import fidelity as p

    assert p.met_tag(True) == {"text": "Met", "classes": "nhsuk-tag--green"}
    assert p.met_tag(False)["text"] == "Not met"
    assert p.band_tag(Band.HIGH)["text"] == "High fidelity"
    assert p.band_tag(Band.LOW)["classes"] == "nhsuk-tag--red"


def test_the_progress_table_puts_the_oldest_review_first() -> None:
    import datetime as dt

    from crisis_care.reporting.models import FidelityReview
    from crisis_care.reporting.presenters import fidelity as p

    newer = FidelityReview(reviewed_on=dt.date(2026, 11, 1), total=130)
    older = FidelityReview(reviewed_on=dt.date(2026, 5, 1), total=110)
    table = p.progress_table([newer, older], {newer.pk: {1: 4}, older.pk: {1: 2}})
    assert table["head"] == ["1 May 2026", "1 November 2026"]
    assert table["rows"][0]["scores"] == [2, 4]
    assert table["rows"][1]["scores"] == ["", ""]
    assert table["totals"] == [110, 130]
