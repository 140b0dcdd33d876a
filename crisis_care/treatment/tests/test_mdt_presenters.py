"""Display values for the MDT board and the order the chair moves through people."""

import datetime as dt
import uuid

from crisis_care.core.clock import LONDON
from crisis_care.people.models import Contact
from crisis_care.treatment.models import (
    Action,
    CarerConversationOffer,
    Goal,
    MdtAttendance,
    MdtReview,
    Medication,
    MedicationChange,
    RiskRating,
)
from crisis_care.treatment.presenters import mdt as p
from crisis_care.treatment.selectors.mdt import CarerLine, GoalLine, ReviewSequence

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=LONDON)


def test_the_rating_tag_is_the_teams_colour_or_not_rated():
    assert p.rating_tag(None) == {"text": "Not rated", "classes": "nhsuk-tag--grey"}
    assert p.rating_tag(RiskRating(rating="red"))["classes"] == "nhsuk-tag--red"
    assert p.rating_tag(RiskRating(rating="amber")) == {
        "text": "Amber",
        "classes": "nhsuk-tag--orange",
    }
    assert p.rating_tag(RiskRating(rating="green"))["text"] == "Green"


def test_days_in_the_episode():
    assert p.days_text(0) == "Started today"
    assert p.days_text(1) == "1 day"
    assert p.days_text(12) == "12 days"


def test_when_last_reviewed_reads_as_today_yesterday_or_a_date():
    def review(at):
        return MdtReview(reviewed_at=at)

    assert p.last_reviewed_text(None, NOW) == "Never reviewed"
    assert p.last_reviewed_text(review(NOW.replace(hour=9, minute=5)), NOW) == "Today at 9:05am"
    assert p.last_reviewed_text(review(NOW - dt.timedelta(days=1)), NOW) == "Yesterday at 9:30am"
    assert p.last_reviewed_text(review(NOW - dt.timedelta(days=3)), NOW) == "7 March 2026 at 9:30am"


def test_reviewed_today_is_the_london_date_not_the_utc_one():
    late = dt.datetime(2026, 6, 10, 23, 30, tzinfo=LONDON)  # 22:30 UTC
    after_midnight = dt.datetime(2026, 6, 11, 0, 30, tzinfo=LONDON)  # 23:30 UTC, 10 June
    assert p.reviewed_today(MdtReview(reviewed_at=late), late)
    assert not p.reviewed_today(MdtReview(reviewed_at=late), after_midnight)
    assert not p.reviewed_today(None, late)


def test_the_review_heading_says_which_person_of_how_many():
    assert p.review_heading(3, 27, "Sam Ellison") == "Review 3 of 27: Sam Ellison"
    assert p.review_heading(None, 27, "Sam Ellison") == "Review: Sam Ellison"


def test_professions_count_the_core_groups_and_leave_out_clerical_staff():
    rows = [
        MdtAttendance(profession="nurse"),
        MdtAttendance(profession="nurse"),
        MdtAttendance(profession="psychiatrist"),
        MdtAttendance(profession="administrator"),
    ]
    assert p.profession_count(rows) == 2
    assert p.profession_count_text(rows) == "2 professions"
    assert p.profession_count_text(rows[:1]) == "1 profession"
    assert p.professions(rows) == [
        ("Mental health nurse", 2),
        ("Administrator", 1),
        ("Psychiatrist", 1),
    ]


def test_an_actions_due_time_reads_naturally():
    action = Action(due_at=NOW.replace(hour=15, minute=0))
    assert p.action_due_text(action, NOW) == "due today at 3pm"
    action.due_at = NOW + dt.timedelta(days=6)
    assert p.action_due_text(action, NOW) == "due 16 March 2026 at 9:30am"


def test_missed_visits_and_contacts():
    assert p.missed_text(0) == "No missed visits"
    assert p.missed_text(1) == "1 missed visit"
    assert p.missed_text(3) == "3 missed visits"
    assert p.contacts_text(0) == "Not seen or spoken to"
    assert p.contacts_text(1) == "Seen or spoken to once"
    assert p.contacts_text(4) == "Seen or spoken to 4 times"


def test_carers_say_whether_they_were_offered_a_conversation_of_their_own():
    carer = Contact(name="Jo Ellison", relationship="sibling", is_carer=True)
    offer = CarerConversationOffer(offered_at=NOW, response="declined")

    assert p.carer_text(CarerLine(carer=carer, offer=None)) == (
        "Jo Ellison (brother or sister): not yet offered a conversation of their own"
    )
    assert p.carer_text(CarerLine(carer=carer, offer=offer)) == (
        "Jo Ellison (brother or sister): offered a conversation of their own on 10 March 2026, "
        "declined"
    )
    assert p.carer_needs_offer(CarerLine(carer=carer, offer=None))


def test_goals_and_medication_changes():
    goal = Goal(goal="To sleep through the night")
    assert p.goal_text(GoalLine(goal=goal, progress=None, progress_at=None)) == (
        "To sleep through the night: no progress recorded yet"
    )
    assert p.goal_text(GoalLine(goal=goal, progress="good", progress_at=NOW)) == (
        "To sleep through the night: good progress (10 March 2026)"
    )
    change = MedicationChange(
        medication=Medication(name="Sertraline"), kind="started", detail="50mg", changed_at=NOW
    )
    assert p.medication_change_text(change) == "Sertraline: started, 10 March 2026 (50mg)"
    assert p.medication_summary([]) == "No changes"
    assert p.medication_summary([change, change]) == "2 changes"


def test_a_page_not_built_yet_gives_no_link():
    assert p.url_or_none("treatment:no_such_page") is None
    assert p.url_or_none("treatment:mdt_board") == "/treatment/mdt/"


# -- Moving through people ---------------------------------------------------------------

A, B, C, D = (uuid.uuid4() for _ in range(4))


def test_the_next_person_is_the_next_not_yet_reviewed_going_round_the_board():
    sequence = ReviewSequence(order=[A, B, C, D], reviewed=frozenset({B}))

    assert sequence.next_to_review(None) == A
    assert sequence.next_to_review(A) == C  # B already reviewed
    assert sequence.next_to_review(D) == A  # back round to the top
    assert ReviewSequence(order=[A, B], reviewed=frozenset({A})).next_to_review(B) is None
    assert sequence.remaining == 3


def test_previous_and_position_follow_the_board():
    sequence = ReviewSequence(order=[A, B, C], reviewed=frozenset())

    assert sequence.previous(A) is None
    assert sequence.previous(C) == B
    assert sequence.position(B) == 2
    assert sequence.position(D) is None
