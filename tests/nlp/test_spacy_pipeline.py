"""The project's own spaCy pipeline finds IEP vocabulary in real parent sentences."""

import pytest
import spacy

from bot.nlp.spacy_pipeline import PIPELINE_DIR, build


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    # Build from the vocabulary files exactly as `make` does, into a temp folder.
    return spacy.load(build(tmp_path_factory.mktemp("spacy") / "iep_en"))


def ents(nlp, text):
    return [(e.text, e.label_, e.ent_id_) for e in nlp(text).ents]


def test_programs_and_services_are_found_case_insensitively(nlp):
    found = ents(nlp, "does my son qualify for esy? he gets speech therapy and OT")
    assert ("esy", "program", "ESY") in found
    assert ("speech therapy", "service", "speech therapy") in found
    assert ("OT", "service", "occupational therapy") in found


def test_idea_the_law_is_not_confused_with_the_word_idea(nlp):
    assert ents(nlp, "I have no idea what to ask") == []
    assert ("IDEA", "law", "IDEA") in ents(nlp, "What does IDEA say about my rights?")


def test_states_are_found_with_their_canonical_name(nlp):
    found = ents(nlp, "we live in Mass. but my sister is in new york and we moved from Ohio")
    assert ("Mass.", "us_state", "Massachusetts") in found
    assert ("new york", "us_state", "New York") in found
    assert ("Ohio", "us_state", "Ohio") in found


def test_two_letter_codes_that_are_everyday_words_are_not_states(nlp):
    assert ents(nlp, "OR maybe in the morning, OK?") == []
    assert ("MA", "us_state", "Massachusetts") in ents(nlp, "what are the rules in MA")


def test_longest_phrase_wins(nlp):
    assert ents(nlp, "is a 504 plan enough") == [("504 plan", "program", "504")]
    assert ents(nlp, "what is an individualized education program") == [
        ("individualized education program", "program", "IEP")
    ]


def test_sentences_are_split(nlp):
    doc = nlp("she can't read yet. she loves horses! what should we do")
    assert [s.text for s in doc.sents] == [
        "she can't read yet.",
        "she loves horses!",
        "what should we do",
    ]


def test_rasa_loads_the_built_pipeline_from_its_path():
    """config.yml points SpacyNLP at this path; make builds it before training."""
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    assert (PIPELINE_DIR / "meta.json").exists(), "run `make test`, which builds it"
    component = SpacyNLP.create(
        {**SpacyNLP.get_default_config(), "model": str(PIPELINE_DIR)}, None, None, None
    )
    doc = component.provide().model("Can my daughter get ESY in Massachusetts?")
    assert {e.label_ for e in doc.ents} == {"program", "us_state"}
