"""Polling business systems: fetch each company's files, import them, report problems.

One poll of one company: connect with its settings, list the files, and take them in chunks:
fetch a chunk, ``prepare`` it (in worker processes when given an executor), ``store`` it in one
transaction, and only after the commit remove what the settings say to remove (POP3: the mails
whose files are all stored). A file that fails is stored as failed, so it too is safe to remove.
Connection problems and failed files become notices, mailed after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db.models import Company, MembershipLevel
from ..db.models.accounts import CompanyStatus
from ..db.models.integration import (
    FetchProtocol,
    IntegrationSettings,
    SubstitutionRule,
    UnitCodeTranslation,
)
from ..db.party_mapping import seller_party
from ..delivery.render import RenderPool
from ..domain.errors import N_
from ..domain.invoice import PaymentMeans
from ..domain.substitution import Rule
from ..mail.outbox import Mailer, MailError
from ..services.context import Portal
from . import notices
from .pickers import open_picker
from .pickers.base import ConnectionSettings, Picker, PickerError, RemoteFile
from .pipeline import (
    NO_MATCHING_ATTACHMENT,
    CompanyBook,
    Fetched,
    Outcome,
    Prepared,
    Recipe,
    file_digest,
    prepare,
    store_all,
)
from .report import Problem
from .secret_box import SecretBox, SecretUnreadable

log = logging.getLogger(__name__)

CHUNK = 50
# How long a poller holds a company's poll; each stored chunk extends it. A poller that died
# is taken over once it runs out.
POLL_LEASE = timedelta(minutes=10)
TOO_LARGE = N_(
    "The file has {size} bytes; the portal takes files of up to {limit} bytes. It was left on"
    " the server."
)
NOT_STORED = N_(
    "The portal could not store the invoice in this file. Support can find the reason in the"
    " portal's log."
)
# Levels whose members may fetch from a business system.
INTEGRATION_LEVELS = frozenset({MembershipLevel.PLUS, MembershipLevel.PREMIUM})


@dataclass(slots=True)
class PollSummary:
    imported: int = 0
    failed: int = 0
    duplicates: int = 0
    error: PickerError | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcomes: list[Outcome]) -> None:
        self.outcomes += outcomes
        for outcome in outcomes:
            if outcome.status == "imported":
                self.imported += 1
            elif outcome.status == "failed":
                self.failed += 1
            else:
                self.duplicates += 1


@dataclass(frozen=True, slots=True)
class _Plan:
    company_id: int
    connection: ConnectionSettings
    recipe: Recipe
    auto_approve: bool
    remove: bool
    pinned: bool
    last_polled_at: datetime | None  # as the poll found it ("fetch now" sets it to None)


def now_utc() -> datetime:
    return datetime.now(UTC)


def recipe_for(session: Session, company: Company, settings: IntegrationSettings) -> Recipe:
    rules = session.scalars(
        select(SubstitutionRule)
        .where(SubstitutionRule.company_id == company.id)
        .order_by(SubstitutionRule.id)
    )
    units = session.execute(
        select(UnitCodeTranslation.source, UnitCodeTranslation.target).where(
            UnitCodeTranslation.company_id == company.id
        )
    )
    payment = (
        PaymentMeans(
            code="58" if company.country == "NL" else "30",
            iban=company.iban or "",
            bic=company.bic,
            account_name=company.name,
        )
        if company.iban
        else None
    )
    return Recipe(
        file_format=settings.file_format,
        rules=tuple(Rule(r.field, r.mode, r.value) for r in rules),
        unit_codes={source: target for source, target in units},
        seller=seller_party(company),
        payment=payment,
    )


def connection_for(
    settings: IntegrationSettings, box: SecretBox, ca_file: str = ""
) -> ConnectionSettings:
    return ConnectionSettings(
        protocol=settings.protocol,
        host=settings.host,
        port=settings.port,
        username=settings.username,
        password=box.decrypt(settings.secret_encrypted),
        private_key=box.decrypt(settings.private_key_encrypted),
        path=settings.path,
        pattern=settings.file_pattern,
        ftps_mode=settings.ftps_mode or "none",
        use_ssl=settings.use_ssl,
        binary_mode=settings.binary_mode,
        passive_mode=settings.passive_mode,
        host_key=settings.host_key,
        ca_file=ca_file,
    )


def _plan(portal: Portal, company_id: int, now: datetime) -> _Plan | None:
    """What a poll of the company needs, once this poller holds the company's poll (another
    poller, on this node or another, may be at it: then None)."""
    with portal.transaction(writes=True) as session:
        company = session.get(Company, company_id)
        settings = session.scalar(
            select(IntegrationSettings).where(IntegrationSettings.company_id == company_id)
        )
        if (
            company is None
            or settings is None
            or not settings.enabled
            or company.level not in INTEGRATION_LEVELS
            or company.status is not CompanyStatus.ACTIVE
        ):
            return None
        claimed = session.execute(
            update(IntegrationSettings)
            .where(
                IntegrationSettings.company_id == company_id,
                or_(
                    IntegrationSettings.polling_until.is_(None),
                    IntegrationSettings.polling_until < now,
                ),
            )
            .values(polling_until=now + POLL_LEASE),
            execution_options={"synchronize_session": False},
        )
        if claimed.rowcount != 1:
            return None
        box = SecretBox.in_data_dir(portal.settings.data_dir)
        return _Plan(
            company_id,
            connection_for(settings, box, portal.settings.integration_ca_file),
            recipe_for(session, company, settings),
            settings.send_automatically,
            settings.protocol == FetchProtocol.POP3 or settings.remove_after_polling,
            bool(settings.host_key),
            settings.last_polled_at,
        )


async def poll_company(
    portal: Portal,
    company_id: int,
    *,
    mailer: Mailer | None = None,
    pool: RenderPool | None = None,
    clock: Callable[[], datetime] = now_utc,
) -> PollSummary:
    """Fetch and import what company ``company_id``'s business system has now. ``pool``:
    processes that read and validate the files (None: a thread)."""
    summary = PollSummary()
    started = clock()
    try:
        plan = await asyncio.to_thread(_plan, portal, company_id, started)
    except SecretUnreadable as error:  # the data directory's key changed: tell the admin
        notice = await asyncio.to_thread(_unreadable, portal, company_id, error, clock())
        await asyncio.to_thread(_polled, portal, company_id, started, None)
        await _mail(portal, mailer, [notice] if notice is not None else [])
        return summary
    if plan is None:
        return summary
    due: list[notices.DueNotice] = []
    try:
        async with open_picker(plan.connection) as picker:
            remotes = await picker.list()
            await asyncio.to_thread(_connected, portal, plan, picker.host_key, clock())
            limit = plan.recipe.max_bytes
            too_large = [r for r in remotes if r.size is not None and r.size > limit]
            if too_large:  # reported (once), never fetched into memory, left on the server
                summary.count(
                    await asyncio.to_thread(_too_large, portal, plan, too_large, clock(), due)
                )
                remotes = [r for r in remotes if r not in too_large]
            safe = await _take(portal, plan, picker, remotes, pool, clock, summary, due)
            if plan.remove and plan.connection.protocol == FetchProtocol.POP3:
                await picker.remove(safe)
    except PickerError as error:
        summary.error = error
        notice = await asyncio.to_thread(_connection_failed, portal, plan, error, clock())
        due += [notice] if notice is not None else []
    finally:
        await asyncio.to_thread(_polled, portal, company_id, started, plan.last_polled_at)
        # Also when something unexpected ended the poll: the notices of the chunks stored
        # before it are marked as mailed and must go out.
        await _mail(portal, mailer, due)
    return summary


_DONE = None


async def _take(
    portal: Portal,
    plan: _Plan,
    picker: Picker,
    remotes: list[RemoteFile],
    pool: RenderPool | None,
    clock: Callable[[], datetime],
    summary: PollSummary,
    due: list[notices.DueNotice],
) -> list[RemoteFile]:
    """Fetch, prepare and store ``remotes`` chunk by chunk, the three steps overlapping (the
    next chunk is fetched and prepared while this one is stored); the files stored. A fetch
    that fails ends the fetching; what was fetched before it is still stored."""
    connection = asyncio.Lock()  # one request at a time on FTP's and POP3's connections
    fetched: asyncio.Queue[tuple[list[RemoteFile], list[bytes]] | None] = asyncio.Queue(2)
    ready: asyncio.Queue[tuple[list[RemoteFile], list[bytes], list[Prepared]] | None]
    ready = asyncio.Queue(2)

    async def fetch() -> None:
        try:
            for start in range(0, len(remotes), CHUNK):
                chunk = remotes[start : start + CHUNK]
                async with connection:
                    datas = await _fetch_chunk(picker, chunk)
                await fetched.put((chunk, datas))
        finally:
            await fetched.put(_DONE)

    async def prepare_chunks() -> None:
        try:
            while (item := await fetched.get()) is not _DONE:
                chunk, datas = item
                await ready.put((chunk, datas, await _prepare_all(chunk, datas, plan.recipe, pool)))
        finally:
            await ready.put(_DONE)

    fetching = asyncio.create_task(fetch())
    preparing = asyncio.create_task(prepare_chunks())
    safe: list[RemoteFile] = []
    try:
        while (item := await ready.get()) is not _DONE:
            chunk, datas, prepared = item
            outcomes, chunk_due = await asyncio.to_thread(
                _store_chunk, portal, plan, chunk, datas, prepared, clock()
            )
            due += chunk_due
            summary.count(outcomes)
            safe += chunk
            if plan.remove and plan.connection.protocol != FetchProtocol.POP3:
                try:
                    async with connection:
                        await picker.remove(chunk)
                except PickerError as error:  # stored all the same; the next chunks go on
                    notice = await asyncio.to_thread(
                        _connection_failed, portal, plan, error, clock()
                    )
                    due += [notice] if notice is not None else []
    finally:
        for task in (fetching, preparing):
            if not task.done():
                task.cancel()
    await preparing  # their errors (a failed fetch) once everything fetched is stored
    await fetching
    return safe


async def _fetch_chunk(picker: Picker, chunk: list[RemoteFile]) -> list[bytes]:
    """The chunk's files, ``picker.parallel`` requests at a time (a round trip each is what
    a fetch mostly waits for)."""
    if picker.parallel <= 1:
        return [await picker.fetch(remote) for remote in chunk]
    gate = asyncio.Semaphore(picker.parallel)

    async def one(remote: RemoteFile) -> bytes:
        async with gate:
            return await picker.fetch(remote)

    try:
        async with asyncio.TaskGroup() as group:  # one failing fetch cancels the others
            tasks = [group.create_task(one(remote)) for remote in chunk]
    except ExceptionGroup as failed:  # the first failure, as a sequential fetch would raise
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


async def _prepare_all(
    chunk: list[RemoteFile], datas: list[bytes], recipe: Recipe, pool: RenderPool | None
) -> list[Prepared]:
    files = [(data, remote.whole_message) for remote, data in zip(chunk, datas, strict=True)]
    if pool is None:  # a thread: the event loop (the SSH sessions of serve) stays free
        return await asyncio.to_thread(_prepare_files, files, recipe)
    # One call per process, not per file: the recipe and the calls' overhead once a slice.
    ways = max(1, pool.processes)
    slices = [files[n::ways] for n in range(ways)]
    done = await asyncio.gather(*(pool.run(_prepare_files, part, recipe) for part in slices))
    prepared: list[Prepared] = [Prepared()] * len(files)
    for n, part in enumerate(done):
        prepared[n::ways] = part
    return prepared


def _prepare_files(files: list[tuple[bytes, bool]], recipe: Recipe) -> list[Prepared]:
    return [prepare(data, recipe, whole_message=whole) for data, whole in files]


def _store_chunk(
    portal: Portal,
    plan: _Plan,
    chunk: list[RemoteFile],
    datas: list[bytes],
    prepared: list[Prepared],
    now: datetime,
) -> tuple[list[Outcome], list[notices.DueNotice]]:
    files = [
        Fetched(ready, remote.name, remote.source, data)
        for remote, data, ready in zip(chunk, datas, prepared, strict=True)
    ]
    try:
        return _store_files(portal, plan, files, now)
    except (SQLAlchemyError, ValueError):
        log.exception(
            "company %d: a chunk could not be stored; storing it file by file", plan.company_id
        )
    # One at a time: a file the database refuses is kept as failed, the rest go in as usual,
    # so one bad file cannot hold up every file after it, poll after poll.
    outcomes: list[Outcome] = []
    due: list[notices.DueNotice] = []
    for fetched in files:
        try:
            stored = _store_files(portal, plan, [fetched], now)
        except (SQLAlchemyError, ValueError):
            log.exception("company %d: file %r could not be stored", plan.company_id, fetched.name)
            refused = Prepared(problems=[Problem(NOT_STORED)])
            stored = _store_files(portal, plan, [replace(fetched, prepared=refused)], now)
        outcomes += stored[0]
        due += stored[1]
    return outcomes, due


def _too_large(
    portal: Portal,
    plan: _Plan,
    remotes: list[RemoteFile],
    now: datetime,
    due: list[notices.DueNotice],
) -> list[Outcome]:
    """Files over the size limit, each kept as a failed file whose content is a note of what
    it was (the same note next time: reported once)."""
    files = []
    for remote in remotes:
        note = f"not fetched: {remote.source} ({remote.size} bytes)".encode()
        problem = Problem(TOO_LARGE, {"size": remote.size, "limit": plan.recipe.max_bytes})
        files.append(Fetched(Prepared(problems=[problem]), remote.name, remote.source, note))
    outcomes, notices_due = _store_files(portal, plan, files, now)
    due += notices_due
    return outcomes


def _store_files(
    portal: Portal, plan: _Plan, files: list[Fetched], now: datetime
) -> tuple[list[Outcome], list[notices.DueNotice]]:
    due: list[notices.DueNotice] = []
    with portal.transaction(writes=True) as session:
        session.execute(
            update(IntegrationSettings)
            .where(IntegrationSettings.company_id == plan.company_id)
            .values(polling_until=now + POLL_LEASE),
            execution_options={"synchronize_session": False},
        )
        book = CompanyBook(session, plan.company_id)
        outcomes = store_all(session, book, files, now=now, auto_approve=plan.auto_approve)
        for fetched, outcome in zip(files, outcomes, strict=True):
            if outcome.status == "failed":
                key, problem = notices.file_problem(
                    file_digest(fetched.data),
                    fetched.name,
                    mail_only=any(p.message == NO_MATCHING_ATTACHMENT for p in outcome.problems),
                )
                notice = notices.record(
                    session, plan.company_id, key, problem, now, outcome.problems
                )
                due += [notice] if notice is not None else []
    return outcomes, due


def _connected(portal: Portal, plan: _Plan, host_key: str, now: datetime) -> None:
    with portal.transaction(writes=True) as session:
        notices.resolve(session, plan.company_id, now, prefix=notices.CONNECTION)
        if host_key and not plan.pinned:
            settings = session.scalar(
                select(IntegrationSettings).where(IntegrationSettings.company_id == plan.company_id)
            )
            if settings is not None and not settings.host_key:
                settings.host_key = host_key


def _connection_failed(
    portal: Portal, plan: _Plan, error: PickerError, now: datetime
) -> notices.DueNotice | None:
    log.warning(
        "integration of company %d: %s: %s", plan.company_id, error.kind, error.server_message
    )
    key, problem = notices.connection_problem(error, plan.connection.host, plan.connection.username)
    with portal.transaction(writes=True) as session:
        return notices.record(session, plan.company_id, key, problem, now)


def _unreadable(
    portal: Portal, company_id: int, error: SecretUnreadable, now: datetime
) -> notices.DueNotice | None:
    log.warning("integration of company %d: the stored secret cannot be decrypted", company_id)
    with portal.transaction(writes=True) as session:
        problem = Problem.from_error(error)
        return notices.record(session, company_id, notices.CONNECTION + "secret", problem, now)


def _polled(portal: Portal, company_id: int, started: datetime, seen: datetime | None) -> None:
    """The poll is over: let go of the company, and count the interval from ``started``
    unless "fetch now" asked for another poll meanwhile."""
    with portal.transaction(writes=True) as session:
        settings = session.scalar(
            select(IntegrationSettings).where(IntegrationSettings.company_id == company_id)
        )
        if settings is None:
            return
        settings.polling_until = None
        if settings.last_polled_at == seen or seen is None:
            settings.last_polled_at = started


async def _mail(portal: Portal, mailer: Mailer | None, due: list[notices.DueNotice]) -> None:
    if not due:
        return
    from ..mail.integration_mail import error_notice_mail

    mailer = mailer or Mailer.from_settings(portal.settings)
    for notice in due:
        try:
            await mailer.send(error_notice_mail(notice, sender=mailer.sender))
        except (MailError, ValueError) as error:
            log.warning("error notice %d not mailed: %s", notice.notice_id, error)
            await asyncio.to_thread(_mail_failed, portal, notice.notice_id)


def _mail_failed(portal: Portal, notice_id: int) -> None:
    with portal.transaction(writes=True) as session:
        notices.mail_failed(session, notice_id)


def due_companies(portal: Portal, now: datetime) -> list[int]:
    """Enabled integrations of members that may use them, whose poll interval has passed."""
    with portal.transaction(writes=False) as session:
        rows = session.execute(
            select(
                IntegrationSettings.company_id,
                IntegrationSettings.last_polled_at,
                IntegrationSettings.poll_interval_seconds,
            )
            .join(Company, Company.id == IntegrationSettings.company_id)
            .where(
                IntegrationSettings.enabled.is_(True),
                Company.level.in_(INTEGRATION_LEVELS),
                Company.status == CompanyStatus.ACTIVE,
            )
            .order_by(IntegrationSettings.company_id)
        ).all()
    return [
        company_id
        for company_id, last, interval in rows
        if last is None or last + timedelta(seconds=interval) <= now
    ]


async def run_poller(
    portal: Portal,
    stop: asyncio.Event,
    *,
    once: bool = False,
    tick: float = 10.0,
    mailer: Mailer | None = None,
    pool: RenderPool | None = None,
    clock: Callable[[], datetime] = now_utc,
) -> int:
    """Poll every due company until ``stop`` is set (``once``: one round); files imported."""
    imported = 0
    while not stop.is_set():
        for company_id in await asyncio.to_thread(due_companies, portal, clock()):
            if stop.is_set():
                break
            try:
                summary = await poll_company(
                    portal, company_id, mailer=mailer, pool=pool, clock=clock
                )
            except Exception:  # one company's trouble must not stop the others' polls
                log.exception("polling company %d failed", company_id)
                continue
            imported += summary.imported
        if once:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), tick)
    return imported
