"""The workshop app in Chromium, as a facilitator and participants use it (390x844 and 1280x800)."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import LAPTOP, LIVE_SECONDS, PHONE

KEEP_ALIVE_SECONDS = 5  # uvicorn's idle keep-alive timeout in workshop.server
PARTICIPANT_PAGES = ("/", "/draft", "/give", "/mine", "/react", "/results", "/cards", "/wallet",
                     "/projector")


def expect():
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


def join(context, workshop, *, name="", consent="anonymous", by_link=False):
    page = context.new_page()
    if by_link:
        page.goto(workshop.url(f"/join?code={workshop.join_code}"))
    else:
        page.goto(workshop.url("/join"))
        page.locator("#code").fill(workshop.join_code.lower())
    page.locator(f"#consent-{consent}").check()
    if name:
        page.locator("#name").fill(name)
        page.locator("#organisation").fill("Riverside Food Co-operative")
    page.locator("#role").select_option("member")
    page.get_by_role("button", name="Join").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    return page


def fill_view(page, *, field="memberSince", sphere="work", stance="keep", priority="4",
              comment="We use it for voting rights."):
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + "/give")
    page.locator("#field").select_option(field)
    page.locator(f"#sphere-{sphere}").check()
    page.locator(f"#stance-{stance}").check()
    page.locator(f"#priority-{priority}").check()
    page.locator("#comment").fill(comment)


def save(page):
    page.get_by_role("button", name="Save my view").click()
    expect()(page.locator(".cc-saved")).to_have_text("Saved. Thank you.")


def sign_in(context, workshop):
    page = context.new_page()
    page.goto(workshop.url("/console"))
    page.locator("#secret").fill(workshop.secret)
    page.get_by_role("button", name="Open the console").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Facilitator's console")
    return page


def views_shown(projector) -> int:
    text = projector.locator(".cc-counts").inner_text()
    return int(re.search(r"(\d+) views", text).group(1))


def test_a_request_without_the_code_gets_the_join_page(new_context, workshop):
    page = new_context().new_page()
    for path in ("/", "/results", "/give", "/projector", "/console/preview", "/api/kernels"):
        response = page.goto(workshop.url(path))
        assert response.status in (200, 404), path
        assert "Traceback" not in page.content() and "jupyter" not in page.content().lower()
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading in ("Join the workshop", "Facilitator's console", "Page not found")


def test_a_full_round_from_joining_to_the_downloaded_pack(new_context, workshop, browser,
                                                          screenshot):
    facilitator = new_context(LAPTOP)
    console = sign_in(facilitator, workshop)
    projector = facilitator.new_page()
    projector.goto(workshop.url("/projector"))
    expect()(projector.locator(".cc-code")).to_have_text(workshop.join_code)
    projector.wait_for_function("document.querySelector('img.cc-qr').complete")
    assert projector.locator("img.cc-qr").evaluate("img => img.naturalWidth") > 100
    before = views_shown(projector)

    ada = join(new_context(), workshop, name="Ada Okafor", consent="attributed", by_link=True)
    bea = join(new_context(), workshop)
    fill_view(ada, comment="Voting rules need the year.")
    save(ada)
    expect()(projector.locator(".cc-counts")).to_contain_text(f"{before + 1} views",
                                                             timeout=5_000)
    fill_view(bea, field="roles", stance="change", comment="Say board or staff.")
    save(bea)
    fill_view(bea, stance="drop", comment="Off-topic remark to hide.")
    save(bea)
    expect()(projector.locator(".cc-counts")).to_contain_text(f"{before + 3} views",
                                                             timeout=5_000)

    ada.goto(workshop.url("/react"))
    card = ada.locator("li.cc-react", has_text="Say board or staff.")
    card.get_by_role("button", name="Agree", exact=True).click()
    expect()(ada.locator("li.cc-react", has_text="Say board or staff.")).to_contain_text(
        "You reacted: Agree")

    console.reload()
    hidden = console.locator("#moderate li", has_text="Off-topic remark to hide.")
    hidden.get_by_label("Reason").fill("Not about this field")
    hidden.get_by_role("button", name="Hide this comment").click()
    expect()(console.locator(".cc-saved")).to_have_text("The moderation is recorded.")
    ada.goto(workshop.url("/results"))
    expect()(ada.locator("body")).to_contain_text("Hidden by the facilitator: Not about this field")

    console.locator("#target").select_option("memberSince")
    console.locator("#outcome-adopt").check()
    console.locator("#decision-reason").fill("Most keep it")
    console.get_by_role("button", name="Record the decision").click()
    expect()(console.locator(".cc-saved")).to_have_text("The decision is recorded.")
    console.locator("#target").select_option("roles")
    console.locator("#outcome-change").check()
    console.locator("#label").fill("Roles in the co-op")
    console.locator("#decision-reason").fill("Clearer words")
    console.get_by_role("button", name="Record the decision").click()
    expect()(console.locator(".cc-saved")).to_have_text("The decision is recorded.")
    console.get_by_role("link", name="Preview it, with what changes").click()
    expect()(console.locator("main")).to_contain_text("Roles in the co-op")
    console.goto(workshop.url("/console"))
    console.locator("#votes_for").fill("12")
    console.locator("#votes_against").fill("3")
    console.locator("#rule-two-thirds").check()
    console.get_by_role("button", name="Record the vote").click()
    expect()(console.locator(".cc-saved")).to_have_text("The vote is recorded.")
    screenshot(console, "console")

    with console.expect_download() as download:
        console.get_by_role("button", name="Download the pack (HTML)").click()
    path = download.value.path()
    reader = browser.new_context()
    try:
        pack = reader.new_page()
        pack.goto(f"file://{path}")
        body = pack.locator("body")
        expect()(body).to_contain_text("Summary")
        expect()(body).to_contain_text("Voting rules need the year.")
        expect()(body).to_contain_text("Hidden by the facilitator: Not about this field")
        expect()(body).to_contain_text("12 for, 3 against")
        assert "Off-topic remark to hide." not in pack.content()
    finally:
        reader.close()
    screenshot(projector, "projector")


def test_a_phone_offline_longer_than_every_server_timeout_still_saves(new_context, workshop):
    context = new_context()
    page = join(context, workshop)
    fill_view(page, field="membershipNumber", comment="Typed before the phone slept.")
    context.set_offline(True)
    page.get_by_role("button", name="Save my view").click()
    expect()(page.locator("#cc-offline")).to_be_visible()
    expect()(page.locator(".cc-form-status")).to_contain_text("You are offline")
    expect()(page.locator("#comment")).to_have_value("Typed before the phone slept.")
    time.sleep(max(LIVE_SECONDS, KEEP_ALIVE_SECONDS) + 1.5)
    context.set_offline(False)
    expect()(page.locator("#cc-offline")).to_be_hidden()
    save(page)
    expect()(page.locator(".cc-receipt")).to_contain_text("Typed before the phone slept.")


def test_a_double_click_stores_one_view_and_shows_one_saved(new_context, workshop):
    page = join(new_context(), workshop)
    fill_view(page, field="votingRights", comment="Double-clicked once.")
    page.get_by_role("button", name="Save my view").dblclick()
    expect()(page.locator(".cc-saved")).to_have_count(1)
    page.goto(workshop.url("/mine"))
    expect()(page.locator("main li")).to_have_count(1)


def _tab_to(page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_joining_and_giving_a_view_with_the_keyboard_only(new_context, workshop):
    page = new_context().new_page()
    page.goto(workshop.url("/join"))
    _tab_to(page, "code")
    page.keyboard.type(workshop.join_code)
    _tab_to(page, "consent-attributed")
    page.keyboard.press("ArrowDown")  # moves to, and chooses, "Anonymously"
    _tab_to(page, "role")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "sector")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    page.goto(workshop.url("/give"))
    _tab_to(page, "field")
    page.keyboard.press("ArrowDown")
    for group in ("sphere-legal", "stance-keep", "priority-1"):
        _tab_to(page, group)
        page.keyboard.press("ArrowDown")  # the second choice of each group
    _tab_to(page, "comment")
    page.keyboard.type("Typed with the keyboard.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect()(page.locator(".cc-saved")).to_have_text("Saved. Thank you.")
    expect()(page.locator(".cc-receipt")).to_contain_text("Typed with the keyboard.")


def _pages_of_a_participant_and_the_facilitator(new_context, workshop, viewport):
    participant = join(new_context(viewport), workshop, name="Ana Lima", consent="attributed")
    fill_view(participant, comment="A comment to see everywhere.")
    save(participant)
    receipt = participant.url.split("?")[0]
    pages = [(participant, workshop.url(p)) for p in PARTICIPANT_PAGES]
    pages += [(participant, receipt), (participant, receipt + "/edit")]
    stranger = new_context(viewport).new_page()
    pages += [(stranger, workshop.url("/join")), (stranger, workshop.url("/console"))]
    console = sign_in(new_context(viewport), workshop)
    pages += [(console, workshop.url("/console")), (console, workshop.url("/console/preview"))]
    return pages, participant


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390x844", "1280x800"])
def test_no_page_has_a_serious_accessibility_violation(new_context, workshop, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages, participant = _pages_of_a_participant_and_the_facilitator(new_context, workshop,
                                                                     viewport)
    found = {}
    for page, url in pages:
        page.goto(url)
        results = axe.run(page)
        serious = [v["id"] for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            found[url] = serious
    participant.goto(workshop.url("/give"))
    participant.get_by_role("button", name="Save my view").click()  # errors beside fields
    results = axe.run(participant)
    found.update({"give with errors": [v["id"] for v in results.response["violations"]
                                       if v["impact"] in ("serious", "critical")]} if [
        v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        else {})
    assert found == {}


def test_no_page_is_wider_than_a_phone(new_context, workshop):
    pages, participant = _pages_of_a_participant_and_the_facilitator(new_context, workshop,
                                                                     PHONE)
    widths = {}
    for page, url in pages:
        page.goto(url)
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
    participant.goto(workshop.url("/give"))
    participant.get_by_role("button", name="Save my view").click()
    widths["give with errors"] = participant.evaluate("document.documentElement.scrollWidth")
    assert {url: w for url, w in widths.items() if w > PHONE["width"]} == {}
