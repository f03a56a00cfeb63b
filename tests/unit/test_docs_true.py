"""README.md and docs/ name only what exists: files and folders of the repository, `make`
targets, `ocop` commands and their options, the services' endpoints and the settings the
platform reads. A doc that names something moved, renamed or gone fails here, at its line
(what counts as naming something: tests/support/doc_references.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import typer

from services.cli import app as ocop
from shared.platform.config import ENV_PREFIX, Settings
from tests.support.doc_references import Repository, read_repository, wrong_references
from tests.support.openapi import openapi_documents

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.fixture(scope="session")
async def repository(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Repository]:
    """The repository as the docs may name it (each service's document read once)."""
    async with openapi_documents(tmp_path_factory.mktemp("docs")) as documents:
        yield read_repository(ROOT, typer.main.get_command(ocop), documents.values(),
                              Settings.model_fields, ENV_PREFIX)


def test_the_readme_and_docs_name_only_what_exists(repository: Repository) -> None:
    wrong = [problem for doc in DOCS
             for problem in wrong_references(doc, doc.read_text(), repository)]
    assert not wrong, "Fix the doc (or say in words what is only planned):\n" + "\n".join(wrong)


NAMED_WRONG = {
    "see `services/traceability/scan.py`": "3: no file or folder `services/traceability/scan.py`",
    "rules in `rating/modle.Evaluation`": "3: no file or folder `rating/modle.Evaluation`",
    "`rating/evaluations/model.Evaluation.clos`":
        "3: `rating/evaluations/model.Evaluation.clos`: services/rating/evaluations/model.py "
        "defines no `Evaluation.clos`",
    "`shared.ports.bus.porter.compacted_topic`":
        "3: `shared.ports.bus.porter.compacted_topic`: shared/ports/bus/__init__.py "
        "defines no `porter.",
    "the [templates](templates/nothing.xlsx)": "3: a link to `templates/nothing.xlsx`",
    "run `make tests`": "3: no make target `tests`",
    "```bash\nOCOP_DATA_DIR=x ocop serve catalog --hots 0.0.0.0\n```":
        "4: `ocop serve` has no option `--hots`",
    "`ocop dead-letter list rating`": "3: no command `ocop dead-letter`",
    "it answers `GET /batches/{id}/verification`":
        "3: no service answers `GET /batches/{id}/verification`",
    "```bash\n# DELETE $C/channel/<id>/keys/<old key id>\n```":
        "4: no service answers `DELETE $C/channel/<id>/keys/<old key id>`",
    "set OCOP_SCAN_URL": "3: no setting `OCOP_SCAN_URL` is read",
}


@pytest.mark.parametrize("text", NAMED_WRONG)
def test_each_kind_of_wrong_name_is_told_with_its_line(repository: Repository,
                                                       text: str) -> None:
    wrong = wrong_references(ROOT / "docs" / "example.md", "# Example\n\n" + text,
                             repository)
    assert len(wrong) == 1, wrong
    assert wrong[0].startswith("docs/example.md:" + NAMED_WRONG[text]), wrong


def test_prose_other_sites_and_what_is_made_at_run_time_are_not_taken_for_names(
        repository: Repository) -> None:
    text = """
Make sure the `application/problem+json` answer, `host:port` and `vn.ocop.<service>.<what>.vN`
reach [the GS1 resolver](https://ref.gs1.org/standards/resolver/) at
`https://scan.ocop.example/01/…`, kept in `data/web.db` and `./data`, photographed into
`screenshots/workspace/`, as `tests/unit/test_*_model.py`, `services/<name>/access.py`,
`rating/certificates/model.Certificate.state_on`, `static/app.js`, `docs/templates/…`,
`config.py` and `shared.ports.bus.port.compacted_topic` say; `GET /batches/123/verify`,
`GET $T/01/08934563138165` and `POST $C/channels/<id>/keys` answer; OCOP_DATA_DIR and
`OCOP_TEST_DATE` are read.
```bash
make run     # make sure
ocop contracts export --out docs/events
ocop dead-letters replay rating <id> | --all
curl -s $C/listings | jq .items
```
"""
    assert wrong_references(ROOT / "docs" / "example.md", text, repository) == []
