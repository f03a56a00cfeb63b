"""The ``ocop`` command: run the platform, serve one service, operate dead letters,
export event contracts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar
from urllib.parse import urlsplit

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from services import DEFAULT_PORTS, build_service
from shared.i18n import N_, in_every_language
from shared.messaging import Outcome, deadletters
from shared.messaging.events.asyncapi import asyncapi_document
from shared.messaging.events.contracts import json_schema, registered
from shared.platform.config import (
    FRONTS,
    SERVICES,
    ConfigError,
    Settings,
    load_settings,
    one_machine_demo,
    redact_url,
)
from shared.platform.runtime import ServiceRuntime, server_config
from shared.platform.sockets import port_free, tcp_socket
from shared.platform.telemetry import setup_logging

if TYPE_CHECKING:  # the commands import the services they run, when they run
    from services.registry.imports.rules import RowProblem

T = TypeVar("T")

app = typer.Typer(help="OCOP platform (Mỗi xã một sản phẩm): services and operations.",
                  no_args_is_help=True)
dead_letters_app = typer.Typer(help="Inspect and replay events a service could not apply.",
                               no_args_is_help=True)
contracts_app = typer.Typer(help="Event contracts (JSON Schema, AsyncAPI).",
                            no_args_is_help=True)
users_app = typer.Typer(help="Accounts of the registry.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(contracts_app, name="contracts")
console = Console()

ServiceName = Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]
DataDir = Annotated[Path | None, typer.Option(
    help="Where the platform keeps its data (default: OCOP_DATA_DIR, else ./data).")]


def _settings(**overrides: object) -> Settings:
    try:
        settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    setup_logging(settings.log_level)
    return settings


def _existing_data(settings: Settings, service: str) -> Settings:
    """``settings`` if they reach a platform's data: an embedded store must already exist,
    so a command run from another folder never writes a new ./data that nothing reads."""
    url = settings.store_url_for(service)
    if urlsplit(url).scheme == "sqlite" and not Path(urlsplit(url).path).exists():
        console.print(f"[red]No platform data in {settings.data_dir.resolve()} (no "
                      f"{Path(urlsplit(url).path).name}). Give --data-dir the folder that "
                      "'ocop run' uses, or set OCOP_DATA_DIR.[/red]")
        raise typer.Exit(2)
    return settings


def _check_service(name: str) -> None:
    if name not in SERVICES:
        console.print(f"[red]Unknown service '{name}'. Choose one of: {', '.join(SERVICES)}[/red]")
        raise typer.Exit(2)


def _check_consumer(name: str) -> None:
    """A process that consumes events, so keeps dead letters: a service or the web front
    (people's notifications)."""
    if name not in (*SERVICES, *FRONTS):
        console.print(f"[red]Unknown service '{name}'. Choose one of: "
                      f"{', '.join((*SERVICES, *FRONTS))}[/red]")
        raise typer.Exit(2)


@app.command()
def run(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        base_port: Annotated[int, typer.Option(
            help="The producers' workspace listens on base, the services on base+1 "
                 "(registry) … base+4 (catalog).")] = 8000,
        data_dir: DataDir = None) -> None:
    """Start all four services and the producers' workspace in one process on the embedded
    defaults."""
    from services.embedded import EmbeddedPlatform, ServiceEndpoint

    settings = _settings(data_dir=data_dir)
    if one_machine_demo(settings, host):
        settings = settings.model_copy(update={"allow_private_scan_url": True})
        console.print(
            f"[yellow]A one-machine demo: listening on {host} only, so label sheets may "
            "encode this computer's own scan address, which no shopper's phone can open. "
            "For labels people scan, serve the public address and set OCOP_SCAN_BASE_URL "
            "to it (OCOP_ALLOW_PRIVATE_SCAN_URL=false refuses such labels here too).[/yellow]")
    ports = {"web": base_port} | {name: base_port + i + 1 for i, name in enumerate(SERVICES)}
    busy = [f"{p} ({n})" for n, p in ports.items() if not port_free(host, p)]
    if busy:
        console.print(f"[red]Port(s) {', '.join(busy)} already in use. Stop what uses them or "
                      f"choose other ports with --base-port.[/red]")
        raise typer.Exit(1)

    def ready(endpoints: list[ServiceEndpoint]) -> None:
        table = Table(title=f"OCOP platform running — data in {settings.data_dir.resolve()}")
        table.add_column("service")
        table.add_column("URL")
        table.add_column("API docs")
        for e in endpoints:
            table.add_row(e.name, e.url, "(the producers' workspace)" if e.name == "web"
                          else f"{e.url}/docs")
        console.print(table)
        console.print("Press Ctrl+C to stop.")

    asyncio.run(EmbeddedPlatform(settings, host=host, ports=ports).serve(on_ready=ready))


@app.command()
def serve(service: ServiceName,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int | None, typer.Option(help="Port (default: the service's own).")]
          = None, data_dir: DataDir = None,
          reuse_port: Annotated[bool, typer.Option(help=(
              "Share the port with other processes serving the same service on this "
              "machine (SO_REUSEPORT: the kernel spreads the connections among them)."))]
          = False) -> None:
    """Serve one service, or the web front ('web': reaches the services at OCOP_REGISTRY_URL,
    OCOP_RATING_URL, OCOP_TRACEABILITY_URL and OCOP_CATALOG_URL); the distributed deployment
    runs one per container, and replicas of a service join its consumer group."""
    if service not in FRONTS:
        _check_service(service)
    settings = _settings(data_dir=data_dir)
    if service in FRONTS:
        from services.web.app import build as build_web

        served = build_web(settings).fastapi_app()
    else:
        served = build_service(service, settings).fastapi_app()
    port = port or DEFAULT_PORTS[service]
    server = uvicorn.Server(server_config(served, host=host, port=port,
                                          trusted_proxies=settings.trusted_proxies))
    server.run(sockets=[tcp_socket(host, port, reuse_port=True)] if reuse_port else None)


@app.command()
def config(data_dir: DataDir = None) -> None:
    """Show the effective configuration, with secrets hidden."""
    settings = _settings(data_dir=data_dir)
    for service in (*SERVICES, *FRONTS):
        console.print(f"{service:>13} store   {redact_url(settings.store_url_for(service))}")
    console.print(f"{'':>13} bus     {redact_url(settings.bus_url_resolved())}")
    console.print(f"{'':>13} objects {redact_url(settings.objects_url_resolved())}")
    console.print(f"{'':>13} traces  {settings.otlp_endpoint or '(not exported)'}")


async def _with_runtime(service: str, data_dir: Path | None,
                        work: Callable[[ServiceRuntime], Awaitable[T]]) -> T:
    settings = _existing_data(_settings(data_dir=data_dir), service)
    if service in FRONTS:
        from services.web.app import build as build_web

        runtime = build_web(settings)
    else:
        runtime = build_service(service, settings)
    await runtime.store.open()
    try:
        return await work(runtime)
    finally:
        await runtime.store.close()


@dead_letters_app.command("list")
def list_dead_letters(service: ServiceName,
                      limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
                      as_json: Annotated[bool, typer.Option("--json")] = False,
                      data_dir: DataDir = None) -> None:
    """List a service's (or the web front's) dead letters, oldest first."""
    _check_consumer(service)

    async def work(runtime: ServiceRuntime) -> list[deadletters.DeadLetter]:
        letters, _ = await deadletters.list_letters(runtime.store, limit=limit)
        return letters

    letters = asyncio.run(_with_runtime(service, data_dir, work))
    if as_json:
        print(json.dumps([letter.summary() for letter in letters], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Dead letters of {service} ({len(letters)})")
    for column in ("id", "type", "subject", "failed at", "attempts", "error"):
        table.add_column(column)
    for letter in letters:
        s = letter.summary()
        table.add_row(s["id"], s["type"], str(s["subject"]), s["failed_at"], str(s["attempts"]),
                      s["error"][:80])
    console.print(table)


@dead_letters_app.command("replay")
def replay_dead_letters(service: ServiceName,
                        letter_id: Annotated[str | None, typer.Argument(
                            help="The dead letter to replay; omit with --all.")] = None,
                        replay_all: Annotated[bool, typer.Option("--all")] = False,
                        data_dir: DataDir = None) -> None:
    """Apply dead letters again, once their cause is fixed. Applied ones are removed."""
    _check_consumer(service)
    if bool(letter_id) == replay_all:
        console.print("[red]Give one dead letter id, or --all.[/red]")
        raise typer.Exit(2)

    async def work(runtime: ServiceRuntime) -> dict[str, str]:
        if letter_id:
            ids = [letter_id]
        else:
            letters, _ = await deadletters.list_letters(runtime.store, limit=1000)
            ids = [letter.id for letter in letters]
        results: dict[str, str] = {}
        for i in ids:
            try:
                results[i] = (await runtime.consumer.replay(i)).value
            except (LookupError, ValueError) as exc:
                results[i] = f"error: {exc}"
        return results

    results = asyncio.run(_with_runtime(service, data_dir, work))
    for i, outcome in results.items():
        colour = "green" if outcome in (Outcome.APPLIED.value, Outcome.IGNORED.value) else "red"
        console.print(f"[{colour}]{i}: {outcome}[/{colour}]")
    if any(o not in (Outcome.APPLIED.value, Outcome.IGNORED.value) for o in results.values()):
        raise typer.Exit(1)


@users_app.command("add-admin")
def add_admin(username: Annotated[str, typer.Argument(help="The new admin's username.")],
              password: Annotated[str, typer.Option(
                  prompt=True, hide_input=True, confirmation_prompt=True,
                  envvar="OCOP_ADMIN_PASSWORD",
                  help="Asked for when not given (or from OCOP_ADMIN_PASSWORD).")],
              data_dir: DataDir = None) -> None:
    """Create an admin account (the provincial office) directly in the registry's store:
    how the first account is made, so it may start a new data directory (it says where).
    Works while the platform runs."""
    from services.registry.app import accounts_only
    from shared.identity.auth import Role
    from shared.refusals.http import AppError

    settings = _settings(data_dir=data_dir)
    store, accounts = accounts_only(settings)

    async def work() -> None:
        await store.open()
        try:
            await accounts.create_user(username, password, Role.ADMIN, created_by="ocop-cli")
        finally:
            await store.close()

    try:
        asyncio.run(work())
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Admin '{username.strip().lower()}' created in "
                  f"{redact_url(settings.store_url_for('registry'))}. Sign in with POST "
                  "/auth/token on the registry.")


@app.command("import")
def import_file(kind: Annotated[str, typer.Argument(help="subjects or products")],
                file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                     help="A .csv or .xlsx file")],
                partial: Annotated[bool, typer.Option(
                    help="Keep the valid rows when some are refused.")] = False,
                data_dir: DataDir = None) -> None:
    """Import subjects (chủ thể) or products from the lists offices keep, straight into the
    registry's store (its events go out through the running registry). All rows or none,
    unless --partial; every refused row is listed with its field and reason."""
    from rich.progress import Progress

    from services.registry.app import build_parts
    from services.registry.imports.commands import ImportRejected, ImportReport, Imports
    from services.registry.imports.rules import MAX_ROWS, parse
    from shared.files.tables import read_table
    from shared.identity.auth import Caller, Role
    from shared.refusals.http import AppError

    if kind not in ("subjects", "products"):
        console.print("[red]Import 'subjects' or 'products'.[/red]")
        raise typer.Exit(2)
    runtime, registry = build_parts(_existing_data(_settings(data_dir=data_dir), "registry"))
    operator = Caller("ocop-cli", "ocop-cli", Role.ADMIN)

    async def work() -> ImportReport:
        parsed = parse(kind, read_table(file.read_bytes(), "", file.name, max_rows=MAX_ROWS))
        await runtime.store.open()
        try:
            with Progress(console=console) as progress:
                task = progress.add_task(f"importing {file.name}", total=len(parsed.rows))
                return await Imports(registry).import_rows(
                    operator, kind, parsed, partial=partial,
                    progress=lambda n: progress.advance(task, n))
        finally:
            await runtime.store.close()

    try:
        report = asyncio.run(work())
    except ImportRejected as exc:
        _print_refused(exc.problems)
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Imported {len(report.ids)} {kind}; {len(report.rejected)} row(s) "
                  "refused.")
    if report.rejected:
        _print_refused(report.rejected)
        raise typer.Exit(1)


def _print_refused(problems: list[RowProblem]) -> None:
    title, reason = in_every_language(N_("Refused rows")), in_every_language(N_("reason"))
    table = Table(title=f"{title['en']} / {title['vi']}")  # the command line's English first
    for column in ("row", "field", reason["en"], reason["vi"]):
        table.add_column(column)
    for problem in problems:
        for error in problem.errors:
            # a reason written by a library is in its own words only
            table.add_row(str(problem.row), error.field, error.text("en"),
                          "" if error.from_elsewhere else error.text("vi"))
    console.print(table)


def _key_files() -> tuple[str, ...]:
    """The keys the embedded platform makes and keeps in its data directory."""
    from services.traceability.app import FINGERPRINT_KEY_FILE
    from services.web.sessions import TOKEN_KEY_FILE
    from shared.identity.auth import PRIVATE_KEY_FILE
    from shared.ports.objects import SIGNING_KEY_FILE

    return (PRIVATE_KEY_FILE, SIGNING_KEY_FILE, TOKEN_KEY_FILE, FINGERPRINT_KEY_FILE)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size, unit = n / 1024, "KB"
    for bigger in ("MB", "GB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{size:.1f} {unit}"


def _not_included(parts: list[dict[str, str]]) -> None:
    for part in parts:
        console.print(f"[yellow]Not in this backup: the {part['part']} ({part['url']}); "
                      f"{part['how']} (README: Backups and restore).[/yellow]")


@app.command("backup")
def backup_data(target: Annotated[Path, typer.Argument(
                    help="An empty or new folder to write the backup into.")],
                data_dir: DataDir = None) -> None:
    """Back up the platform while it runs: every SQLite store and the bus as they stood at
    one instant (SQLite's online backup), then the object directory and the keys kept in the
    data directory, with a manifest of sizes and SHA-256 checksums. Stores on PostgreSQL or
    MongoDB, Kafka and S3 are backed up with their own tools (README)."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn

    from shared.platform.backup import (
        BackupRefused,
        backup,
        present_databases,
        refuse_non_empty,
    )
    from shared.platform.clock import SystemClock

    settings = _settings(data_dir=data_dir)
    try:  # before the progress lines: the refusal alone
        refuse_non_empty(target, "the backup")
    except BackupRefused as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    columns = (TextColumn("{task.description:<20}"), BarColumn(),
               TextColumn("{task.fields[done]}"))
    with Progress(*columns, console=console) as progress:
        tasks = {name: progress.add_task(f"{name} {'bus' if name == 'bus' else 'store'}",
                                         total=1, done="")
                 for name in present_databases(settings)}
        objects: list[TaskID] = []

        def copied(name: str, size: int) -> None:
            progress.update(tasks[name], completed=1, done=_size(size))

        def object_copied(count: int) -> None:
            if not objects:
                objects.append(progress.add_task("objects", total=None, done=""))
            progress.update(objects[0], done=f"{count} files")

        try:
            manifest = backup(settings, target, clock=SystemClock(), key_files=_key_files(),
                              on_database=copied, on_object=object_copied)
        except BackupRefused as exc:
            progress.stop()
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        for task in objects:
            progress.update(task, total=1, completed=1)
    keys = sum(1 for p in manifest.parts if p.kind == "key")
    total = sum(p.size for p in manifest.parts)
    console.print(f"Backed up {settings.data_dir.resolve()} as it stood at "
                  f"{manifest.taken_at} into {target} ({len(manifest.parts)} files, "
                  f"{_size(total)}; {keys} key file(s), kept private: guard the folder as "
                  "you guard the data directory). Checksums in manifest.json.")
    _not_included(manifest.not_included)


@app.command("restore")
def restore_data(backup_dir: Annotated[Path, typer.Argument(
                     help="A folder 'ocop backup' wrote (one that is not is refused, saying "
                          "why).")],
                 data_dir: DataDir = None) -> None:
    """Restore a backup into an empty (or new) data directory, after checking every file
    against the manifest's SHA-256 checksums. Start the platform on it afterwards."""
    from rich.progress import Progress

    from shared.platform.backup import BackupRefused, Part, platform_version, restore

    settings = _settings(data_dir=data_dir)
    progress = Progress(console=console)
    task = progress.add_task("restoring", total=None)

    def restored(part: Part) -> None:  # shown once every file is checked and copying begins
        progress.start()
        progress.advance(task)

    try:
        manifest = restore(backup_dir, settings, on_part=restored)
    except BackupRefused as exc:
        progress.stop()
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    progress.update(task, total=len(manifest.parts), completed=len(manifest.parts))
    progress.stop()
    console.print(f"Restored {len(manifest.parts)} files of the backup taken at "
                  f"{manifest.taken_at} into {settings.data_dir.resolve()}.")
    if manifest.version != platform_version():
        console.print(f"[yellow]The backup was taken by version {manifest.version}; this is "
                      f"{platform_version()}.[/yellow]")
    _not_included(manifest.not_included)


@app.command()
def templates(out: Annotated[Path, typer.Option(help="Target directory.")]
              = Path("docs/templates")) -> None:
    """Write the spreadsheet templates offices fill in for the imports: subjects.xlsx,
    products.xlsx (the registry's) and criteria-table.xlsx (rating's, for the newest
    criteria set), each with its guide and lists."""
    from services.rating.criteria.template import LATEST, criteria_template
    from services.registry.imports.template import TEMPLATES
    from shared.files.templates import write_templates

    made = (*TEMPLATES.values(), criteria_template(LATEST))
    for path in write_templates(out, made):
        console.print(f"Wrote {path}")


@app.command("auth-keys")
def auth_keys() -> None:
    """Print a new token signing key pair as .env lines: OCOP_AUTH_PRIVATE_KEY for the
    registry only, OCOP_AUTH_PUBLIC_KEY for every service."""
    from shared.identity.auth import new_key_pair

    private, public = new_key_pair()
    print("OCOP_AUTH_PRIVATE_KEY=" + private.strip().replace("\n", "\\n"))
    print("OCOP_AUTH_PUBLIC_KEY=" + public.strip().replace("\n", "\\n"))


@contracts_app.command("export")
def export_contracts(out: Annotated[Path, typer.Option(help="Target directory.")]
                     = Path("docs/events")) -> None:
    """Write every event contract's JSON Schema and one AsyncAPI document."""
    import shared.messaging.contracts  # noqa: F401  (importing it registers every contract)

    out.mkdir(parents=True, exist_ok=True)
    for event_type, cls in registered().items():
        (out / f"{event_type}.json").write_text(
            json.dumps(json_schema(cls), ensure_ascii=False, indent=2) + "\n")
    (out / "asyncapi.json").write_text(
        json.dumps(asyncapi_document(), ensure_ascii=False, indent=2) + "\n")
    console.print(f"Wrote {len(registered())} schemas and asyncapi.json to {out}")


if __name__ == "__main__":
    app()
