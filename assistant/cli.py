"""`tpa`: the command line. The only module that prints; everything else logs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.answer import Answer
from assistant.config import get_settings
from assistant.logs import setup_logging

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
    if json_out:
        out.print_json(json.dumps(report.as_dict()))
    else:
        for r in report.results:
            style = "red" if r.outcome == "failed" else "green"
            out.print(f"[{style}]{r.outcome:>12}[/]  {r.path}  {r.detail or ''}")
        out.print(report.summary())
    raise typer.Exit(0 if report.ok else 1)


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
    from assistant.store import StoreUnavailable
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
        for f in report.failures:
            err.print(f"[red]failed:[/] {f.path}: {f.reason}")
    raise typer.Exit(1 if report.failures else 0)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages.")] = 5,
    doc_type: Annotated[list[str] | None, typer.Option(help="Only these document types.")] = None,
    dense: Annotated[bool, typer.Option(help="Dense (embedding) retrieval only.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the passages that best match QUERY (hybrid dense + BM25), with their citations."""
    from assistant.retrieval import Filters, Retriever, dense_search
    from assistant.store import Store, StoreUnavailable

    if not query.strip():
        err.print("[red]error:[/] the query is empty")
        raise typer.Exit(2)
    filters = Filters(doc_types=doc_type)
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
    if answer.citations:
        out.print("\n[bold]Sources[/]")
    for c in answer.citations:
        when = f", {c.date}" if c.date else ""
        out.print(f"[{c.n}] [bold]{c.citation}[/] — {c.title}{when}", highlight=False)
        out.print(f"    “{' '.join(c.quote.split())}”", highlight=False)
        out.print(f"    [dim]{c.doc_id} chars {c.start}-{c.end}  {c.source_url or ''}[/]")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    doc_type: Annotated[list[str] | None, typer.Option(help="Only these document types.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
) -> None:
    """Answer QUESTION from the corpus, citing the exact passages (or say it is not covered)."""
    from assistant.chat import Assistant, QuestionError
    from assistant.retrieval import Filters
    from assistant.store import StoreUnavailable

    try:
        answer = Assistant(get_settings()).ask(question, filters=Filters(doc_types=doc_type))
    except QuestionError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    except StoreUnavailable as exc:
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
    """Score retrieval and answers on FILE; writes bench/results/eval.json and a recall plot."""
    from assistant.eval_runner import format_table, run_eval

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
    """Run the HTTP API (and, later, the web page) with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
    )


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
    from api.slack import run_socket_mode

    try:
        run_socket_mode(get_settings())
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def main() -> None:
    app()


if __name__ == "__main__":
    main()
