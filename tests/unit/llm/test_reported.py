"""A lead's question as the rep reports it, and the lead's typos of the library's words."""

from __future__ import annotations

import pytest

from assistant.llm.base import ContentBrief
from assistant.llm.points import index, respelled
from assistant.llm.reported import reported


@pytest.mark.parametrize(
    ("question", "context", "clause"),
    [
        ("Are you BSI C5 certified?", "", "whether we are BSI C5 certified"),
        ("Is there a recording?", "", "whether there is a recording"),
        ("Can your system handle 40 sites?", "", "whether our system can handle 40 sites"),
        ("Is the data encrypted at rest?", "", "whether the data is encrypted at rest"),
        (
            "Does your mobile app work offline?",
            "",
            "whether our mobile app works offline",
        ),
        ("How long does it take?", "", "how long it takes"),
        ("What time is that for us in London?", "", "what time that is for you in London"),
        (
            "Do you have one, and if not, when?",
            "Our policy requires a BSI C5 attestation for every cloud provider.",
            "whether we have a BSI C5 attestation",
        ),
        # Where the grammar is not plain, nothing: the draft quotes the question instead.
        ("Do you have one?", "Our LPs ask for SOC 2.", ""),
        ("Is your SOC 2 report a Type I or Type II?", "", ""),
        ("Pricing?", "", ""),
        # "Could you tell me / let me know …": what follows is the question.
        ("Could you let me know if you support SAML?", "", "whether we support SAML"),
        ("Can you tell me what you charge per site?", "", "what we charge per site"),
        (
            "Could you please confirm whether the portal is included?",
            "",
            "whether the portal is included",
        ),
        ("Could you tell me:", "", ""),
        ("Do you support MFA, or not?", "", "whether we support MFA"),
        # A request to the rep is no question to look into.
        ("Could you reply to both of us?", "", ""),
        ("Can you send it to my colleague as well?", "", ""),
    ],
)
def test_a_question_is_reported_in_the_reps_words(question: str, context: str, clause: str) -> None:
    assert reported(question, context) == clause


def test_a_typo_of_a_library_word_is_put_right_and_other_words_are_left() -> None:
    library = (
        ContentBrief(
            "webinar",
            "Webinar",
            "webinar",
            "https://x.test/w",
            "",
            "- The recording is emailed to all registrants.\n- Integration with SCADA.",
        ),
    )
    points = index(library)
    assert respelled("is there a recroding?", points) == "is there a recording?"
    assert respelled("any integraton docs?", points) == "any integration docs?"
    # Not one slip away from a library word, or too short to tell: as written.
    assert respelled("what about reporting?", points) == "what about reporting?"
    assert respelled("the pilot", points) == "the pilot"
