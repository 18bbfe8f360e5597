"""HTML views: templates with autoescape, one stylesheet, no colour written in Python."""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import ipywidgets as w
import pytest

import coopcreds_proto
from coopcreds_proto import html_views
from coopcreds_proto.consultation.feedback import read_feedback
from coopcreds_proto.consultation.report import summarise
from coopcreds_proto.consultation.sample_feedback import sample_decisions, sample_file
from coopcreds_proto.definitions.artefacts import diff_definitions, sheet_html
from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.did_key import resolve_did_key
from coopcreds_proto.display.cards import (
    compare_credentials,
    credential_card,
    did_document_view,
)
from coopcreds_proto.display.decision_report import decision_report
from coopcreds_proto.ecosystem import growth_plots, plots
from coopcreds_proto.palette import colours
from coopcreds_proto.trust.policy import Benefit, VerifierPolicy
from coopcreds_proto.trust.recognition import Decision, policy_check
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentation_request import PresentationRequest, consent_summary
from coopcreds_proto.vc.presentations import PresentationResult
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.status_list import new_status_list
from coopcreds_proto.vc.verification import verify_credential
from coopcreds_proto.vc.wallet import Wallet
from coopcreds_proto.widgets.consultation import ConsultationDashboard
from coopcreds_proto.widgets.styled import styled, widget_bundle
from coopcreds_proto.workshop.pack import build_pack

PACKAGE = Path(coopcreds_proto.__file__).parent
TEMPLATES = PACKAGE / "templates"
ROOT = PACKAGE.parent
# A colour written out: #rgb, #rrggbb, #rrggbbaa, or a CSS colour function.
COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b|\b(?:rgba?|hsla?)\(")
# JupyterLab's own classes, which the workshop pages deliberately enlarge.
FOREIGN_CLASSES = {"jp-RenderedHTMLCommon", "widget-label"}


# --- no colour in Python; one stylesheet ---------------------------------------------


def test_no_python_file_of_the_package_writes_a_colour():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if COLOUR.search(line)]
    assert found == []


def test_the_colour_check_finds_a_colour():
    assert COLOUR.search('"color:#1b7f3b"') and COLOUR.search("c='#fff'")
    assert COLOUR.search("rgb(0, 0, 0)") and not COLOUR.search("&#x27; #12 did:key:z6Mk#z6Mk")


def test_templates_have_no_inline_style_and_no_colour():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text and "<style>" not in text, path.name
        assert not COLOUR.search(text), path.name


def _palette_block(css: str) -> str:
    return re.search(r":root\s*\{([^}]*)\}", css).group(1)


def test_colours_live_only_in_the_stylesheets_palette():
    css = (TEMPLATES / "coopcreds.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    palette = _palette_block(css)
    outside = css.replace(palette, "")
    assert COLOUR.findall(palette) and not COLOUR.findall(outside)
    defined = set(re.findall(r"(--cc-[\w-]+)\s*:", palette))
    used = set(re.findall(r"var\((--cc-[\w-]+)\)", css))
    assert used <= defined <= used | {"--cc-paper"}


def test_the_stylesheets_classes_are_prefixed():
    css = re.sub(r"/\*.*?\*/", "", (TEMPLATES / "coopcreds.css").read_text(encoding="utf-8"),
                 flags=re.DOTALL)
    selectors = re.findall(r"([^{}]+)\{", re.sub(r"\{[^{}]*\}", "{}", css))
    classes = {c for s in selectors for c in re.findall(r"\.([A-Za-z_][\w-]*)", s)}
    assert classes and {c for c in classes if not c.startswith("cc-")} == FOREIGN_CLASSES
    used = {c for path in TEMPLATES.rglob("*.html")
            for attribute in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8"))
            for c in re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", attribute).split()}
    assert used and all(c.startswith("cc-") or c == "dataframe" for c in used), used


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_and_badges_have_sufficient_contrast():
    palette = dict(re.findall(r"--cc-([\w-]+)\s*:\s*(#[0-9a-fA-F]+)",
                              _palette_block((TEMPLATES / "coopcreds.css").read_text())))
    paper = palette["paper"]
    for name in ("ok", "bad", "warn", "info", "neutral", "ink", "muted", "accent"):
        # As text on the page, and as the background of a badge's white text.
        assert _contrast(palette[name], paper) >= 4.5, name
    assert _contrast(palette["ink"], palette["zebra"]) >= 4.5
    assert _contrast(palette["ink"], palette["highlight"]) >= 4.5


def test_the_stylesheet_travels_compact_and_unchanged_in_meaning():
    sheet = html_views.stylesheet()
    assert "/*" not in sheet and "\n" not in sheet
    assert ".cc-workshop :focus-visible{" in sheet  # a descendant selector keeps its space
    assert sheet.startswith(":root{--cc-ok:")
    assert str(html_views.style_element()) == f"<style>{sheet}</style>"


# --- plots take their colours from the palette file ----------------------------------


def test_plots_take_their_colours_from_the_palette_file():
    assert plots.SECTOR_COLOURS == colours("tol_muted")
    assert growth_plots.PALETTE == colours("okabe_ito")
    assert {c for c, _, _ in plots.ROLE_STYLE.values()} == set(colours("roles").values())
    with pytest.raises(KeyError):
        colours("about")  # the file's note is not a colour group


# --- templates escape --------------------------------------------------------------


def test_values_are_escaped_in_text_and_attributes():
    hostile = '"><script>alert(1)</script>'
    page = html_views.render("display/credential_diff.html",
                             rows=[("added", hostile, "—", hostile, "1", "1")])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'title="&#34;&gt;&lt;script&gt;' in page  # the attribute cannot be closed
    with pytest.raises(Exception, match="undefined"):
        html_views.render("display/credential_diff.html")  # a missing value is an error


# --- once per output -----------------------------------------------------------------


def _styles(page: str) -> int:
    return page.count("<style>")


@pytest.fixture(scope="module")
def views():
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    result = verify_credential(signed, now=SAMPLE_NOW)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["memberName"] = "Eve"
    request = PresentationRequest(
        verifier=actors.outsider.did, verifier_name="Stay Fair", purpose="a discount",
        credential_type="CooperativeMembershipCredential", fields=("memberName",),
        challenge="c" * 22, domain="https://stayfair.example")
    v01 = load_definition(definition_path("cooperative-membership", "0.1"))
    v02 = load_definition(definition_path("cooperative-membership", "0.2"))
    return {
        "card": credential_card(signed, result),
        "did document": did_document_view(resolve_did_key(actors.coop.did)),
        "diff": compare_credentials(signed, tampered),
        "verification": result,
        "consent": consent_summary(request, signed),
        "wallet": Wallet().add_key(actors.member).add_credential(signed),
        "status list": new_status_list("https://example.org/status/1", actors.coop.did),
        "definition diff": diff_definitions(v01, v02),
        "consultation": summarise(read_feedback(sample_file())),
    }


def test_every_view_carries_the_stylesheet_once_first(views):
    for name, view in views.items():
        page = view._repr_html_()
        assert page.startswith("<style>") and _styles(page) == 1, name
        assert 'class="cc-view' in page, name


def test_a_view_inside_a_view_does_not_repeat_the_stylesheet():
    dashboard = ConsultationDashboard(read_feedback(sample_file()))
    assert _styles(dashboard._repr_html_()) == 1
    bundle = dashboard._repr_mimebundle_()
    assert _styles(bundle["text/html"]) == 1
    v01 = load_definition(definition_path("cooperative-membership", "0.1"))
    assert _styles(sheet_html(v01)) == 1 and _styles(sheet_html(v01, stylesheet=False)) == 0


def test_a_decision_report_carries_the_stylesheet_once():
    policy = VerifierPolicy(name="p", verifier="did:example:shop", verifier_name="Shop",
                            trusted_issuers=("did:example:coop",), accepted_types=("M",),
                            benefit=Benefit("access", "the lounge"))
    decision = Decision(False, None, policy, "did:example:ada", PresentationResult(False, ()),
                        (), (policy_check("presentation", False, "no"),))
    report = decision_report(decision)
    assert _styles(report.html) == 0 and _styles(report._repr_html_()) == 1


def test_the_workshop_pack_carries_the_stylesheet_once_in_its_head():
    v01 = load_definition(definition_path("cooperative-membership", "0.1"))
    pack = build_pack(v01, read_feedback(sample_file()), decisions=sample_decisions(),
                      generated_at="2026-03-12T17:00:00Z")
    head, body = pack.html.split("</head>")
    assert _styles(head) == 1 and _styles(body) == 0
    assert '<html lang="en" class="cc-document">' in head


# --- shipped with the package --------------------------------------------------------


def test_every_template_file_is_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    entry = re.search(r'^"coopcreds_proto" = (\[[^\]]*\])', pyproject, re.MULTILINE)
    patterns = ast.literal_eval(entry.group(1))  # [tool.setuptools.package-data]
    shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern) if TEMPLATES in p.parents}
    files = {p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files and files == shipped


def test_a_widget_shown_on_its_own_carries_the_stylesheet_once():
    label = w.Label("x")
    box = styled(label)
    assert box.children[1] is label and box.children[0].value == str(html_views.style_element())
    bundle = widget_bundle(label, html='<p class="cc-view">x</p>', text="x")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert _styles(bundle["text/html"]) == 1 and bundle["text/plain"] == "x"
