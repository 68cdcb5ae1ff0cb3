"""Round-trip and injection properties of the metadata reader and writer."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pasdeporte import metadata
from pasdeporte.metadata import MetadataError

KEYS = st.sampled_from(["Title", "Commune", "Address", "Aids", "Contact_name", "Expectations"])
# Text biased towards what breaks headers: line breaks of every kind, colons, spaces, keys.
NASTY = st.sampled_from(
    ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", ":", " ", "    ", "\t",
     "Save_as: x", "Template: y", "Status: draft", "---", "...", "\u202e", "\x00", "\ufeff"]
)
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=8).map("".join)
META = st.dictionaries(KEYS, TEXT, min_size=1, max_size=5)


def pelican_meta(text: str) -> tuple[dict, str]:
    """What Pelican's Markdown reader sees: lower-case keys with their values, and the HTML."""
    md = markdown.Markdown(extensions=["meta"])
    html = md.convert(text.removeprefix("\ufeff"))
    return {key: values for key, values in md.Meta.items()}, html


@given(META, TEXT)
@settings(max_examples=400)
@example({"Title": "a\nSave_as: ../../evil"}, "")
@example({"Title": "a\u2028Template: x"}, "")
@example({"Title": " leading"}, "")
@example({"Title": "0"}, "\t0")  # a tab in the body is kept as written
def test_written_files_read_back_the_same_in_us_and_pelican(meta, body):
    try:
        text = metadata.dumps(meta, body)
    except MetadataError:
        # Refused input must be something unsafe, never something safe.
        assert any(metadata.value_problem(v) for v in meta.values()) or metadata.body_problem(
            metadata.normalize_body(body)
        )
        return
    doc = metadata.loads(text)
    assert doc.meta == meta
    assert doc.body == metadata.normalize_body(body)
    assert doc.problems == []
    seen, _ = pelican_meta(text)
    assert seen == {key.lower(): [value] for key, value in meta.items()}


@given(TEXT)
@settings(max_examples=300)
def test_clean_text_is_always_writable(text):
    cleaned = metadata.clean_text(text)
    if cleaned:
        assert metadata.value_problem(cleaned) is None
        assert metadata.loads(metadata.dumps({"Title": cleaned})).meta == {"Title": cleaned}


@given(TEXT)
def test_body_never_adds_metadata(body):
    try:
        text = metadata.dumps({"Title": "x"}, body)
    except MetadataError:
        return
    seen, _ = pelican_meta(text)
    assert seen == {"title": ["x"]}


def test_canonical_file_round_trips_byte_for_byte():
    text = "Title: Boulangerie à reprendre\nCommune: 44131\n\nPremier paragraphe.\n\n- un\n- deux\n"
    doc = metadata.loads(text)
    assert metadata.dumps(doc.meta, doc.body) == text


@pytest.mark.parametrize(
    "key, value",
    [
        ("Save_as", "x.html"),
        ("Template", "base"),
        ("Status", "draft"),
        ("title", "lower-case key"),
        ("Bad key", "x"),
        ("Title", "two\nlines"),
        ("Title", "sep\u2028arated"),
        ("Title", " padded"),
        ("Title", ""),
        ("Title", "right\u202eto-left"),
    ],
)
def test_dumps_refuses_unsafe_pairs(key, value):
    with pytest.raises(MetadataError):
        metadata.dumps({key: value})


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("Title: a\nTitle: b\n", 2, "en double"),
        ("Title: a\n    suite\n", 2, "une seule ligne"),
        ("Title:  a\n", 1, "espace superflue"),
        ("Title: a\nnot a key\n\nbody", 2, "ligne inattendue"),
        ("---\nTitle: a\n", 1, "---"),
    ],
)
def test_loads_reports_irregular_headers_with_their_line(text, line, fragment):
    problems = metadata.loads(text).problems
    assert any(n == line and fragment in message for n, message in problems), problems


def test_loads_mirrors_pelican_on_where_the_body_starts():
    text = "Title: a\nnot a key\n\nbody"
    doc = metadata.loads(text)
    seen, _ = pelican_meta(text)
    assert doc.meta == {"Title": "a"} and seen == {"title": ["a"]}
    assert doc.body.startswith("not a key")
