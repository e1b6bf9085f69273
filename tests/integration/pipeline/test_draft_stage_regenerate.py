"""Regenerating a draft: with the rep's instruction or around other content, the old text kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select

from assistant.cli import cli
from assistant.errors import StateError
from assistant.llm.offline import COULD_NOT
from assistant.models import ContentItem, Draft, DraftVersion, ModelUsage
from assistant.pipeline import approve as approve_stage
from assistant.pipeline.draft import redraft
from tests.servers.anthropic_standin import StandIn
from tests.world import LEAD, REP, World, model_answers

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def with_a_reply(world: World) -> Draft:
    world.first_touch(LEAD, datetime(2026, 11, 16, 9, tzinfo=UTC))
    world.reply(
        LEAD,
        "Thanks. We are comparing tools this quarter; how does the CRM integration work?",
        datetime(2026, 11, 22, 18, tzinfo=UTC),
    )
    world.tick(NOW)
    [draft] = world.drafts(LEAD)
    return draft


@pytest.fixture
def world(make_world: Callable[..., World], sqlite_url: str) -> World:
    return make_world(sqlite_url, NOW, library_at=NOW - timedelta(days=30))


def slug(world: World, content_id: int | None) -> tuple[str, str]:
    with Session(world.engine) as session:
        item = session.get(ContentItem, content_id)
        assert item is not None
        return item.slug, item.type


def test_an_instruction_makes_a_new_version_and_keeps_the_old_text(world: World) -> None:
    before = with_a_reply(world)

    after = world.run(
        redraft(world.ctx, before.id or 0, actor=REP, now=LATER, instruction="shorter, more formal")
    )

    assert after.id == before.id and after.version == 2
    assert len(after.body.split()) < len(before.body.split())
    assert after.body.startswith("Dear Ms López,")
    assert "rep's instruction: shorter, more formal" in after.rationale
    assert after.content_id == before.content_id
    with Session(world.engine) as session:
        [kept] = session.exec(select(DraftVersion)).all()
    assert (kept.version, kept.body) == (1, before.body)
    assert kept.replaced_by == "instruction: shorter, more formal"


def test_mention_the_webinar_brings_in_a_webinar(world: World) -> None:
    before = with_a_reply(world)
    assert slug(world, before.content_id)[1] != "webinar"

    after = world.run(
        redraft(world.ctx, before.id or 0, actor=REP, now=LATER, instruction="mention the webinar")
    )

    item, kind = slug(world, after.content_id)
    assert kind == "webinar"
    assert "webinar" in after.body.lower()
    assert not [f for f in after.flags if f.startswith(COULD_NOT)]
    with Session(world.engine) as session:
        webinar = session.exec(select(ContentItem).where(ContentItem.slug == item)).one()
    assert webinar.url in after.body


def test_a_content_swap_redrafts_around_the_named_item(world: World) -> None:
    before = with_a_reply(world)

    after = world.run(
        redraft(
            world.ctx,
            before.id or 0,
            actor=REP,
            now=LATER,
            content_slug="pipeline-hygiene-checklist",
        )
    )

    assert slug(world, after.content_id)[0] == "pipeline-hygiene-checklist"
    assert after.content_reason == "chosen by the rep"
    assert "https://acme.test/resources/pipeline-hygiene-checklist" in after.body


def test_only_a_pending_draft_can_be_redone(world: World) -> None:
    draft = with_a_reply(world)
    approve_stage.approve(world.engine, world.ctx.settings, draft.id or 0, REP, NOW)

    with pytest.raises(StateError, match="only pending drafts"):
        world.run(redraft(world.ctx, draft.id or 0, actor=REP, now=LATER, instruction="shorter"))


def test_a_model_regeneration_is_booked_on_the_draft(
    make_world: Callable[..., World], sqlite_url: str, anthropic_standin: StandIn
) -> None:
    anthropic_standin.responder = model_answers
    llm = {"provider": "anthropic", "base_url": anthropic_standin.base_url, "classifier": "offline"}
    model = make_world(sqlite_url, NOW, llm=llm, library_at=NOW - timedelta(days=30))
    before = with_a_reply(model)
    after = model.run(
        redraft(model.ctx, before.id or 0, actor=REP, now=LATER, instruction="shorter")
    )

    assert after.prompt_template == "reply.j2+regenerate.j2"
    assert after.output_tokens > before.output_tokens
    assert after.cost_usd is not None and before.cost_usd is not None
    assert after.cost_usd > before.cost_usd
    with Session(model.engine) as session:
        uses = session.exec(select(ModelUsage).order_by(col(ModelUsage.id))).all()
    assert [(u.purpose, u.draft_id) for u in uses] == [
        ("draft", before.id),
        ("regenerate", before.id),
    ]


def test_the_cli_regenerates_and_shows_what_it_could_not_do(
    world: World, tmp_path: Path, sqlite_url: str
) -> None:
    draft = with_a_reply(world)
    config = tmp_path / "cli.toml"
    config.write_text(
        f'[database]\nurl = "{sqlite_url}"\n[llm]\nprovider = "offline"\n'
        f'[[reps]]\nemail = "{REP}"\nname = "Ana Ruiz"\nsignature = "Ana Ruiz\\nAcme"\n',
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "regenerate", str(draft.id), "--instruction", "make it rhyme"],
    )

    assert result.exit_code == 0, result.output
    assert f"Draft #{draft.id} is now version 2 (offline)." in result.output
    assert f'Flag: {COULD_NOT}: "make it rhyme"' in result.output
    missing = CliRunner().invoke(cli, ["--config", str(config), "regenerate", str(draft.id)])
    assert missing.exit_code == 2 and "--instruction" in missing.output
