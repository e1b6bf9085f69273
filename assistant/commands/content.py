"""`nurture content ...` (the library, a lead's ledger, the gaps) and `nurture eval selection`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlmodel import Session, col, select

from assistant import clock
from assistant.commands.ops import progress_option, show_progress
from assistant.content import policy
from assistant.content.evaluate import evaluate
from assistant.content.gaps import gaps
from assistant.content.rank import RANKERS
from assistant.content.store import import_library, set_retired
from assistant.db import transaction
from assistant.errors import NotFound
from assistant.models import ContentDelivery, ContentItem, Lead

if TYPE_CHECKING:
    from assistant.commands.app import App


@click.group()
def content() -> None:
    """Manage the content library and see what it lacks."""


@content.command("import")
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@progress_option
@click.pass_obj
def content_import(app: App, folder: Path | None, progress: bool | None) -> None:
    """Import the library and the [content] rules; all files or none.

    Every file with a problem is named with its field; if any file is bad nothing is
    imported, so the library never mixes old and new versions of its items.
    """
    folder = folder or app.settings.resolve(app.settings.content.library)
    report = import_library(
        app.engine,
        folder,
        app.settings.content,
        str(app.settings.path),
        clock.now(),
        progress=show_progress(progress),
    )
    click.echo(f"Content: {len(report.added)} added, {len(report.updated)} updated.")
    for stage, slugs in report.tracks.items():
        click.echo(f"Track {stage}: {', '.join(slugs)}")
    if report.same_company_days:
        click.echo(
            f"Same-company rule: no item to a lead if a colleague got it in the last "
            f"{report.same_company_days} days."
        )
    for slug in report.kept_retired:
        click.echo(
            f"Still retired: '{slug}' was retired by hand ("
            f"`nurture content restore {slug}` brings it back).",
            err=True,
        )
    if report.not_in_folder:
        click.echo(
            f"Not in {folder} but still offered: {', '.join(report.not_in_folder)} "
            "(`nurture content retire SLUG` stops that).",
            err=True,
        )


@content.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def content_list(app: App, as_json: bool) -> None:
    """List library items; retired and expired ones are marked."""
    today = clock.now().date()
    with Session(app.engine) as session:
        items = session.exec(
            select(ContentItem).order_by(ContentItem.stage, ContentItem.slug)
        ).all()
    if as_json:
        click.echo(json.dumps([_item_dict(i, today) for i in items], indent=2))
        return
    for i in items:
        flag = "" if _state(i, today) == "available" else f" ({_state(i, today)})"
        click.echo(f"{i.slug:<44} {i.type:<12} {i.stage:<13} {i.title}{flag}")


@content.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def content_show(app: App, slug: str, as_json: bool) -> None:
    """Show one item, whether it is offered, and how many leads have received it."""
    today = clock.now().date()
    with Session(app.engine) as session:
        item = _item(session, slug)
        received = len(
            session.exec(
                select(ContentDelivery.id).where(ContentDelivery.content_id == item.id)
            ).all()
        )
        tracks = [s for s, slugs in policy.current(session).tracks.items() if slug in slugs]
        data = {
            **_item_dict(item, today),
            "body": item.body,
            "received_by": received,
            "tracks": tracks,
        }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{item.title}  [{item.slug}]")
    click.echo(f"{item.type} · {item.stage} · {item.url}")
    click.echo(f"Topics: {', '.join(item.topics)} · Personas: {', '.join(item.personas)}")
    click.echo(f"\n{item.summary}\n\n{item.body.strip()}\n")
    state = data["state"]
    if item.expires and state == "available":
        state += f", expires {item.expires:%Y-%m-%d}"
    on = f"; on the {' and '.join(tracks)} track" if tracks else ""
    click.echo(f"{state}{on}; received by {received} lead(s).")


@content.command("retire")
@click.argument("slug")
@click.pass_obj
def content_retire(app: App, slug: str) -> None:
    """Stop offering an item (leads who received it keep it in their ledger)."""
    with transaction(app.engine) as session:
        set_retired(session, slug, True, clock.now())
    click.echo(f"Retired '{slug}': it will not be offered again.")


@content.command("restore")
@click.argument("slug")
@click.pass_obj
def content_restore(app: App, slug: str) -> None:
    """Offer a retired item again (to leads who have not received it)."""
    with transaction(app.engine) as session:
        set_retired(session, slug, False, clock.now())
    click.echo(f"Restored '{slug}': it can be offered again.")


@content.command("ledger")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def content_ledger(app: App, email: str, as_json: bool) -> None:
    """What one lead has received, by Nurture or by the rep's own mail: never offered again."""
    with Session(app.engine) as session:
        lead = session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()
        if lead is None:
            raise NotFound(f"There is no lead {email}.")
        rows = session.exec(
            select(ContentDelivery, ContentItem)
            .join(ContentItem, col(ContentItem.id) == ContentDelivery.content_id)
            .where(ContentDelivery.lead_id == lead.id)
            .order_by(col(ContentDelivery.delivered_at), col(ContentDelivery.id))
        ).all()
        data = [
            {
                "slug": item.slug,
                "title": item.title,
                "source": delivery.source,
                "delivered_at": _iso(delivery.delivered_at),
            }
            for delivery, item in rows
        ]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if not data:
        click.echo(f"{email} has received nothing from the library yet.")
    for d in data:
        when = (d["delivered_at"] or "")[:10]
        click.echo(f"{when:<10}  {d['source']:<11}  {d['slug']}")


@content.command("gaps")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=20, show_default=True, help="At most this many topics.")
@click.option("--days", type=int, help="Only questions asked in the last DAYS days.")
@click.pass_obj
def content_gaps(app: App, as_json: bool, limit: int, days: int | None) -> None:
    """What leads ask about that no item covers, most asked first: marketing's to-do list."""
    with transaction(app.engine) as session:
        found = gaps(session, limit, now=clock.now(), days=days)
    if as_json:
        click.echo(json.dumps([g.as_dict() for g in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No gaps: every question leads asked has an item that covers it.")
        return
    click.echo(f"{'topic':<28} {'leads':>5} {'asked':>5}  last asked  example")
    for g in found:
        last = f"{g.last_asked:%Y-%m-%d}" if g.last_asked else "-"
        click.echo(f"{g.topic[:28]:<28} {g.leads:>5} {g.questions:>5}  {last:<10}  {g.examples[0]}")
        for example in g.examples[1:]:
            click.echo(f"{'':<54}{example}")


@click.group("eval")
def evaluation() -> None:
    """Measure how well Nurture reads, chooses and drafts."""


@evaluation.command("selection")
@click.argument("cases", type=click.Path(path_type=Path))
@click.option(
    "--library",
    type=click.Path(path_type=Path),
    help="The library folder (else [content] library of the configuration).",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the random baseline.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge expiry dates and webinars on this day (else today).",
)
@click.option(
    "--ranker",
    "method",
    type=click.Choice(RANKERS),
    help="bm25, or hybrid with sentence embeddings (else [content] ranker).",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Count a case's 'acceptable' items as right too, not only 'best'.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def eval_selection(
    app: App,
    cases: Path,
    library: Path | None,
    seed: int,
    today: datetime | None,
    method: str | None,
    lenient: bool,
    as_json: bool,
) -> None:
    """Precision@1 and MRR of the ranker and two baselines on labelled cases (JSON lines).

    Each line: {"id", "lead": {"title", "industry", "stage", "topics"}, "delivered",
    "reply", "expected"}; optional "intent" and "events", else read from the reply. Also
    read: "best" (or "expected_slug") with "acceptable", "sent_slugs", and a "thread" whose
    last lead message is the reply.
    """
    settings = app.settings_or_defaults()
    folder = library or settings.resolve(settings.content.library)
    day = today.date() if today else clock.now().date()
    method = method or settings.content.ranker
    report = evaluate(cases, folder, seed=seed, today=day, method=method, lenient=lenient)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(report.format_text())


def _item(session: Session, slug: str) -> ContentItem:
    item = session.exec(select(ContentItem).where(ContentItem.slug == slug)).first()
    if item is None:
        raise NotFound(f"There is no content item '{slug}'.")
    return item


def _state(item: ContentItem, today: Any) -> str:
    if item.retired:
        return "retired"
    if item.expires and item.expires < today:
        return f"expired {item.expires:%Y-%m-%d}"
    return "available"


def _item_dict(item: ContentItem, today: Any) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "type": item.type,
        "url": item.url,
        "stage": item.stage,
        "topics": item.topics,
        "personas": item.personas,
        "industries": item.industries,
        "summary": item.summary,
        "retired": item.retired,
        "expires": item.expires.isoformat() if item.expires else None,
        "state": _state(item, today),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _more_evaluations() -> None:
    """Reading and drafting are measured from their own modules, loaded with `nurture eval`."""
    from assistant.commands.eval_drafting import eval_drafting
    from assistant.commands.eval_injection import eval_injection
    from assistant.commands.understanding import eval_understanding

    evaluation.add_command(eval_understanding)
    evaluation.add_command(eval_drafting)
    evaluation.add_command(eval_injection)


_more_evaluations()
