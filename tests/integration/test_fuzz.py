"""Property-based fuzzing of the real HTTP API: schemathesis reads the running server's OpenAPI
schema and sends every operation a bounded number of generated requests (valid and invalid).

The contract checked: no response is a server error (status >= 500), no body leaks a stack
trace, and no streamed answer ends with the "failed (logged)" frame that stands in for a 500
once a Server-Sent Events response has started (its status is already 200 by then).

Bounded: about 20 generated cases per operation and mode plus the schema's own examples and
coverage cases; the whole run takes about a minute on 2 cores once the corpus is ingested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.integration.servers import api_server

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 20
# A body with any of these is a leaked internal error, whatever its status: a stack trace, the
# 500 handler's message, or the error frame that ends a stream whose answer failed.
LEAKS = ("Traceback", "internal error (logged)", "the answer failed (logged)")

# Requests sent per operation, printed at teardown (`pytest -s` shows it).
SENT: Counter[str] = Counter()


@pytest.fixture(scope="module")
def api_base(corpus_store) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with api_server({"TPA_DATA_DIR": str(corpus_store.settings.data_dir)}) as base:
        yield base
    if SENT:
        lines = [f"  {n:4d}  {label}" for label, n in sorted(SENT.items())]
        print(f"\nfuzz: {sum(SENT.values())} requests\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def api_schema(api_base: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {"base-url": api_base, "request-timeout": 60, "max-stream-events": 200}
    )
    return schemathesis.openapi.from_url(f"{api_base}/openapi.json", config=config, timeout=30)


def no_leaked_error(ctx, response, case):  # type: ignore[no-untyped-def]
    """No stack trace in any body; no internal-error frame in an event stream."""
    body = response.content.decode("utf-8", errors="replace")
    for leak in LEAKS:
        if leak in body:
            raise AssertionError(
                f"{case.operation.label}: response {response.status_code} contains {leak!r}: "
                f"{body[:500]!r}"
            )
    return None


def _fuzz(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every run
        database=None,  # no .hypothesis/ directory, no replay of old failures
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the failure as found
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        SENT[f"{operation.label} ({mode.value})"] += 1
        case.call_and_validate(checks=[not_a_server_error, no_leaked_error])

    run()


def test_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, valid and invalid inputs: never a 5xx, never a leaked error."""
    operations = []
    for result in api_schema.get_all_operations():
        operations.append(result.ok())  # an operation the schema cannot describe fails here
    assert len(operations) >= 8, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode)
            except Exception as exc:  # collect every operation's failure, then report all
                failures.append(f"--- {operation.label} ({mode.value}) ---\n{exc}")
    assert not failures, "\n\n".join(failures)
