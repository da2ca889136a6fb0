"""`tpa`: the command line. The only module that prints; everything else logs."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from assistant.access import Caller
from assistant.config import Settings, get_settings
from assistant.logs import setup_logging
from assistant.models import Answer

if TYPE_CHECKING:
    from ingest.screening_sync import FetchResult

app = typer.Typer(
    help="Trade-policy assistant: sync and ingest the corpus, search it, serve the API.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


@app.callback()
def _setup() -> None:
    setup_logging(get_settings())


GroupsOption = Annotated[
    str | None,
    typer.Option(
        "--groups",
        help="Read as a caller of these access groups (comma-separated). "
        "Default: every group, since the CLI reads the store directly.",
    ),
]


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Answer as of this date (YYYY-MM-DD): later documents and list entries are left out.",
    ),
]


def _date_option(value: str | None, flag: str = "--as-of") -> date | None:
    """An optional YYYY-MM-DD option, or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        err.print(f"[red]error:[/] {flag} {value!r} is not a date like 2019-11-20")
        raise typer.Exit(2) from exc


def _cli_caller(groups: str | None) -> Caller:
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    wanted = None
    if groups is not None:
        wanted = tuple(g.strip() for g in groups.split(",") if g.strip())
        if not wanted:
            err.print("[red]error:[/] --groups names no group")
            raise typer.Exit(2)
    return Caller(f"cli:{user}", wanted, "cli")


@app.command()
def sync(
    offline: Annotated[
        bool, typer.Option(help="Copy from the mirror; do not try the network.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Fetch the default corpus (corpus/sources.toml) into the data dir, or copy the mirror."""
    from ingest.sources import SourcesError, load_sources
    from ingest.sync import sync_sources

    settings = get_settings()
    if offline:
        settings = settings.model_copy(update={"offline": True})
    try:
        sources = load_sources(settings.sources_file)
    except SourcesError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    report = sync_sources(sources, settings, progress=not json_out)
    screening = _sync_screening_list(settings)
    if json_out:
        out.print_json(json.dumps({**report.as_dict(), "screening": screening.as_dict()}))
    else:
        for r in report.results:
            style = "red" if r.outcome == "failed" else "green"
            out.print(f"[{style}]{r.outcome:>12}[/]  {r.path}  {r.detail or ''}")
        style = "green" if screening.status in ("fetched", "not_modified") else "yellow"
        out.print(
            f"[{style}]{screening.status:>12}[/]  screening/current/csl.csv  {screening.detail}"
        )
        out.print(report.summary())
    raise typer.Exit(0 if report.ok else 1)


def _sync_screening_list(settings: Settings) -> FetchResult:
    """The extra sync step: the Consolidated Screening List into the data dir. It never fails
    the sync (a missing list is reported, and `tpa screen` says to sync again); a good copy is
    never replaced by a bad one."""
    from assistant.screening.models import ScreeningError
    from ingest.screening_sync import FetchResult, fetch_csl

    try:
        return fetch_csl(settings)
    except (OSError, ScreeningError) as exc:  # e.g. disk full, or a corrupted existing copy
        return FetchResult("missing", f"no screening list available ({exc})")


@app.command()
def screen(
    name: Annotated[str, typer.Argument(help="The party's name (company or person).")],
    country: Annotated[
        str | None, typer.Option(help="Only entries in this country (ISO-2 code, e.g. CN).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only entries listed on this date (YYYY-MM-DD)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many matches.")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Screen NAME against the Consolidated Screening List synced by `tpa sync`."""
    from assistant.screening.models import ScreeningError
    from assistant.screening.repository import load_list

    when = _date_option(as_of)
    settings = get_settings()
    try:
        screening_list = load_list(settings)
        if screening_list is None:
            err.print(
                "[red]error:[/] no screening list yet: run `tpa sync` to fetch the Consolidated "
                f"Screening List (looked in {settings.screening_dir})"
            )
            raise typer.Exit(2)
        matches = screening_list.screen(name, country=country, as_of=when, limit=limit)
    except ScreeningError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    message = screening_list.summary(matches, name)
    if json_out:
        data = {
            "list_version": screening_list.version,
            "matches": [m.to_dict() for m in matches],
            "message": message,
        }
        print(json.dumps(data, ensure_ascii=False))
        return
    if not matches:
        out.print(message, highlight=False)
        return
    from rich.table import Table

    table = Table(title=f"{name}: {message}", title_justify="left")
    for column in ("#", "score", "listed name", "list", "country", "since", "FR notice"):
        table.add_column(column, overflow="fold")
    for n, m in enumerate(matches, 1):
        d = m.to_dict()
        listed = d["name"]
        if d["matched_name"] != d["name"]:
            listed += f"\n[dim]matched: {d['matched_name']}[/]"
        short = d["source"].split(" - ")[0]
        if "(" in short:
            short = short[short.rindex("(") + 1 :].rstrip(")")
        table.add_row(
            str(n),
            f"{m.score:.1f}",
            listed,
            short,
            d["country"] or "",
            d["start_date"] or "",
            d["federal_register_notice"] or "",
        )
    out.print(table)
    for n, m in enumerate(matches, 1):
        d = m.to_dict()
        out.print(f"[{n}] {d['source']}", highlight=False)
        if d["license_requirement"]:
            out.print(f"    licence requirement: {d['license_requirement']}", highlight=False)
        if d["license_policy"]:
            out.print(f"    licence policy: {d['license_policy']}", highlight=False)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: the synced corpus.")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print one JSON report on stdout.")
    ] = False,
) -> None:
    """Add, update and remove documents in the store; unchanged files cost nothing."""
    from assistant.index.store import StoreUnavailable
    from ingest.pipeline import IngestBusy, run_ingest
    from ingest.sources import SourcesError

    settings = get_settings()
    try:
        report = run_ingest(paths or None, settings, progress=sys.stderr.isatty() or not json_out)
    except (IngestBusy, StoreUnavailable, SourcesError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    data = report.to_dict()
    if json_out:
        print(json.dumps(data))
    else:
        d, c = data["documents"], data["chunks"]
        out.print(
            f"documents: {d['added']} added, {d['updated']} updated, {d['unchanged']} unchanged, "
            f"{d['removed']} removed, {d['failed']} failed; chunks: {c['added']} added, "
            f"{c['removed']} removed, {c['total']} in store ({data['seconds']:.1f} s)"
        )
        from rich.markup import escape  # paths and messages quote file contents: not markup

        for f in report.failures:
            err.print(f"[red]failed:[/] {escape(f.path)}: {escape(f.reason)}")
        for w in report.warnings:
            err.print(f"[yellow]warning:[/] {escape(w.path)}: {escape(w.message)}")
    raise typer.Exit(1 if report.failures else 0)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages.")] = 5,
    doc_type: Annotated[list[str] | None, typer.Option(help="Only these document types.")] = None,
    dense: Annotated[bool, typer.Option(help="Dense (embedding) retrieval only.")] = False,
    groups: GroupsOption = None,
    as_of: AsOfOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the passages that best match QUERY (hybrid dense + BM25), with their citations."""
    from assistant.index.store import Store, StoreUnavailable
    from assistant.models import Filters
    from assistant.retrieval.retriever import Retriever, dense_search

    if not query.strip():
        err.print("[red]error:[/] the query is empty")
        raise typer.Exit(2)
    filters = _cli_caller(groups).restrict(Filters(doc_types=doc_type, date_to=_date_option(as_of)))
    try:
        store = Store(get_settings())
        if dense:
            results = dense_search(store, query, k, filters)
        else:
            results = Retriever(store).retrieve(query, k, filters)
    except StoreUnavailable as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if json_out:
        print(json.dumps({"results": [r.to_dict() for r in results]}, ensure_ascii=False))
        return
    if not results:
        out.print("No passages found. Is the corpus ingested? Try `tpa ingest`.")
    for i, r in enumerate(results, 1):
        out.print(f"[bold]{i}. {r.citation}[/]  [dim]{r.title}  (score {r.score:.3f})[/]")
        out.print(f"   [dim]{r.doc_id} · {r.source_path} · chars {r.start}-{r.end}[/]")
        snippet = " ".join(r.text.split())
        out.print(f"   {snippet[:400]}{'…' if len(snippet) > 400 else ''}\n", highlight=False)


def _print_answer(answer: Answer) -> None:
    out.print(answer.answer, highlight=False)
    if answer.citations or answer.screening:
        out.print("\n[bold]Sources[/]")
    if answer.screening:
        for hit in answer.screening.hits:
            out.print(
                f"[{hit.ref}] [bold]{hit.source}[/] — {hit.name} "
                f"(list version {answer.screening.list_version})",
                highlight=False,
            )
            if hit.source_url:
                out.print(f"    [dim]{hit.source_url}[/]")
    for c in answer.citations:
        when = f", {c.date}" if c.date else ""
        out.print(f"[{c.n}] [bold]{c.citation}[/] — {c.title}{when}", highlight=False)
        out.print(f"    “{' '.join(c.quote.split())}”", highlight=False)
        out.print(f"    [dim]{c.doc_id} chars {c.start}-{c.end}  {c.source_url or ''}[/]")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    doc_type: Annotated[list[str] | None, typer.Option(help="Only these document types.")] = None,
    groups: GroupsOption = None,
    as_of: AsOfOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
) -> None:
    """Answer QUESTION from the corpus, citing the exact passages (or say it is not covered)."""
    from assistant.answering.audit import AuditError
    from assistant.answering.conversation import QuestionError
    from assistant.answering.service import Assistant
    from assistant.index.store import StoreUnavailable
    from assistant.models import Filters

    caller = _cli_caller(groups)
    when = _date_option(as_of)
    try:
        answer = Assistant(get_settings()).ask(
            question, filters=Filters(doc_types=doc_type), caller=caller, as_of=when
        )
    except QuestionError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    except (StoreUnavailable, AuditError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if json_out:
        print(answer.model_dump_json(exclude_none=True))
    else:
        _print_answer(answer)


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="Questions in the eval JSONL format.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    baseline: Annotated[bool, typer.Option(help="Also score the LangChain baseline.")] = True,
) -> None:
    """Score retrieval and answers on FILE; eval.json and a recall plot go to $TPA_DATA_DIR/eval."""
    from assistant.eval.report import format_table
    from assistant.eval.runner import run_eval

    if not file.is_file():
        err.print(f"[red]error:[/] no such file: {file}")
        raise typer.Exit(2)
    try:
        result = run_eval(file, get_settings(), with_baseline=baseline, progress=not json_out)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if json_out:
        print(json.dumps(result))
    else:
        out.print(format_table(result), highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default TPA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default TPA_PORT).")] = None,
) -> None:
    """Run the HTTP API, the web page and (when configured) the Slack endpoint with uvicorn."""
    import uvicorn

    from api.app import create_app
    from api.security.auth import AuthConfigError

    settings = get_settings().model_copy(update={"host": host or get_settings().host})
    try:
        web_app = create_app(settings)  # refuses open access on a non-loopback address
    except AuthConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    uvicorn.run(
        web_app,
        host=settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        # uvicorn would believe X-Forwarded-For from any loopback client (a forged caller in the
        # audit, a dodged rate limit); the app applies it only from TPA_FORWARDED_ALLOW_IPS.
        proxy_headers=False,
    )


@app.command()
def audit(
    since: Annotated[
        str | None, typer.Option(help="Only answers from this date (YYYY-MM-DD, UTC) on.")
    ] = None,
    caller: Annotated[str | None, typer.Option(help="Only this caller's answers.")] = None,
) -> None:
    """Export the audit trail (one JSON object per answer, oldest first) to stdout."""
    from assistant.answering.audit import AuditLog

    floor = _date_option(since, "--since")
    log = AuditLog(get_settings())
    if not log.files():
        err.print(f"no audit trail yet at {log.path}")
        return
    for record in log.read(since=floor, caller=caller):
        # ASCII-escaped like the stored file: a raw U+2028/U+2029 in a question would split the
        # line for any reader that splits on Unicode line boundaries.
        sys.stdout.write(json.dumps(record, ensure_ascii=True) + "\n")


@app.command()
def slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Connect over Socket Mode (needs TPA_SLACK_APP_TOKEN).")
    ] = False,
) -> None:
    """Run the Slack bot over Socket Mode (HTTP mode is served by `tpa serve` at /slack/events)."""
    if not socket:
        err.print("HTTP mode runs inside `tpa serve` (POST /slack/events); use --socket here.")
        raise typer.Exit(2)
    from api.slack.transport import run_socket_mode

    try:
        run_socket_mode(get_settings())
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def main() -> None:
    app()


if __name__ == "__main__":
    main()
