"""The exported workshop pack, opened in Chromium: it asks for nothing outside itself."""

from __future__ import annotations

import io

import pytest

from coopcreds_proto.consultation.feedback import read_feedback
from coopcreds_proto.consultation.sample_feedback import sample_decisions, sample_file
from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.workshop.pack import build_pack


def test_a_browser_opening_the_pack_requests_nothing_outside_it(tmp_path, browser):
    definition = load_definition(definition_path("cooperative-membership", "0.1"))
    pack = build_pack(definition, read_feedback(sample_file()), decisions=sample_decisions(),
                      generated_at="2026-03-12T17:00:00Z")
    page_file = tmp_path / "pack.html"
    page_file.write_text(pack.html, encoding="utf-8")
    requested: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(page_file.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.alt.length])")
        title = page.title()
    finally:
        context.close()
    assert title == pack.title
    assert requested and all(url.startswith(("file:", "data:")) for url in requested), requested
    assert len(images) == 2 and all(done and width > 300 and alt for done, width, alt in images)


def test_the_printed_pack_numbers_its_pages(tmp_path, browser):
    # Printed as Chromium prints it (A4, the pack's own page rules), then read
    # back: every page's foot says which page of how many it is.
    pypdf = pytest.importorskip("pypdf", reason="pypdf is a test dependency (pip install -e '.[test]')")
    definition = load_definition(definition_path("cooperative-membership", "0.1"))
    pack = build_pack(definition, read_feedback(sample_file()), decisions=sample_decisions(),
                      generated_at="2026-03-12T17:00:00Z")
    page_file = tmp_path / "pack.html"
    page_file.write_text(pack.html, encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    count = len(pages)
    assert count > 3
    for number, printed in enumerate(pages, start=1):
        text = " ".join(printed.extract_text().split())
        assert f"Page {number} of {count}" in text, (number, text[-200:])
