"""`tpa`: the command line. The only module that prints; everything else logs."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from assistant import __version__
from assistant.access import Caller
from assistant.config import Settings, get_settings
from assistant.logs import setup_logging
from assistant.models import Answer

if TYPE_CHECKING:
    from assistant.index.store import Store
    from ingest.screening_sync import FetchResult

app = typer.Typer(
    help="Trade-policy assistant: sync and ingest the corpus, search it, serve the API.",
    no_args_is_help=True,
    add_completion=False,
)
# Piped output is not wrapped at 80 columns (a URL cut in two is no longer a link); on a
# terminal rich wraps at word boundaries.
out = Console(soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())


def _print_version(value: bool) -> None:
    if value:
        print(f"tpa {__version__}")
        raise typer.Exit()


@app.callback()
def _setup(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Debug logs and the model libraries' progress bars on stderr."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    settings = get_settings()
    if verbose:
        settings = settings.model_copy(update={"log_level": "DEBUG"})
    else:
        # The model libraries draw a "Loading weights" bar each time the model loads: noise on
        # every command. They read these when first imported, which is after this point.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    setup_logging(settings)
    # bm25s sets its own logger to DEBUG, and records propagate to the root handler whatever the
    # root's level: the handler itself must hold the line.
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setLevel(root.level)


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
    """Fetch the corpus (the EAR from eCFR, BIS documents from the Federal Register, the rest
    of corpus/sources.toml) into the data dir; the mirror stands in for what cannot be fetched."""
    from rich.markup import escape

    from ingest.corpus_sync import sync_corpus
    from ingest.sources import SourcesError, load_catalogue, parse_parts

    settings = get_settings()
    if offline:
        settings = settings.model_copy(update={"offline": True})
    try:
        catalogue = load_catalogue(settings.sources_file)
        if settings.ecfr_parts:
            parse_parts(settings.ecfr_parts)
    except (SourcesError, ValueError) as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    report = sync_corpus(catalogue, settings, progress=not json_out)
    screening = _sync_screening_list(settings)
    if json_out:
        out.print_json(json.dumps({**report.as_dict(), "screening": screening.as_dict()}))
    else:
        # One line per entry, unwrapped: the whole report stays short enough to read.
        for style, line in report.lines():
            out.print(f"[{style}]{escape(line)}[/]", highlight=False, soft_wrap=True)
        style = "green" if screening.status in ("fetched", "not_modified") else "yellow"
        out.print(
            f"[{style}]{screening.status:>12}[/]  screening/current/csl.csv  {screening.detail}",
            soft_wrap=True,
        )
        out.print(report.summary(), soft_wrap=True)
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
        if report.skipped:
            kinds = sorted({Path(p).suffix.lower() or "(no suffix)" for p in report.skipped})
            err.print(
                f"[yellow]skipped:[/] {len(report.skipped)} file(s) of a type ingest does not "
                f"read ({', '.join(kinds)}):"
            )
            for path in report.skipped:
                err.print(f"  {escape(path)}", highlight=False)
    raise typer.Exit(1 if report.failures else 0)


def _check_doc_types(store: Store, doc_types: list[str] | None) -> None:
    """Exit 2 naming the valid types when a --doc-type matches no stored document's type."""
    if not doc_types:
        return
    import difflib

    valid = sorted(
        {str(r["doc_type"]) for r in store.document_records().values() if r.get("doc_type")}
    )
    unknown = [t for t in doc_types if t not in valid]
    if not valid or not unknown:
        return  # an empty store is reported by the command itself
    close = difflib.get_close_matches(unknown[0], valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    err.print(
        f"[red]error:[/] unknown --doc-type {unknown[0]!r}{hint}; valid types: {', '.join(valid)}",
        highlight=False,
    )
    raise typer.Exit(2)


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
    filters = _cli_caller(groups).restrict(Filters(doc_types=doc_type, as_of=_date_option(as_of)))
    try:
        store = Store(get_settings())
        _check_doc_types(store, doc_type)
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


_QUOTE_MARKS = "\"'“”‘’«»"


def _quoted(text: str) -> str:
    """The quote in quotation marks, unless it already starts or ends with one of its own."""
    flat = " ".join(text.split())
    if flat[:1] in _QUOTE_MARKS or flat[-1:] in _QUOTE_MARKS:
        return flat
    return f"“{flat}”"


def _print_answer(answer: Answer) -> None:
    from rich.markup import escape  # titles and quotes are document text: never markup

    from assistant.answering.quotes import is_shown

    # The answer's own **bold** (its lead) shows as bold on a terminal, as plain text in a pipe.
    out.print(re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(answer.answer)), highlight=False)
    if answer.citations or answer.screening:
        out.print("\n[bold]Sources[/]")
    if answer.screening:
        for hit in answer.screening.hits:
            out.print(
                f"[{hit.ref}] [bold]{escape(hit.source)}[/] — {escape(hit.name)} "
                f"(list version {answer.screening.list_version})",
                highlight=False,
            )
            if hit.source_url:
                out.print(f"    [dim]{escape(hit.source_url)}[/]", highlight=False)
    shown = " ".join(answer.answer.split())
    for c in answer.citations:
        name = " ".join((c.citation or c.title).split())
        title = " ".join(c.title.split())
        about = f" — {escape(title)}" if title and title.casefold() != name.casefold() else ""
        when = f", {c.date}" if c.date else ""
        second = " (secondary)" if c.secondary else ""
        out.print(f"[{c.n}] [bold]{escape(name)}[/]{about}{when}{second}", highlight=False)
        if not is_shown(c.quote, shown):  # each quote once
            out.print(f"    {_quoted(c.quote)}", highlight=False, markup=False)
        where = f"{c.doc_id} chars {c.start}-{c.end}  {c.source_url or ''}".rstrip()
        out.print(f"    [dim]{escape(where)}[/]", highlight=False)


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
        assistant = Assistant(get_settings())
        _check_doc_types(assistant.store, doc_type)
        answer = assistant.ask(
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
