"""Click options generated from the Settings table, and the services built from them."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from kg.settings import Settings, setting_fields

F = TypeVar("F", bound=Callable[..., Any])


def _click_type(annotation: Any, field: dataclasses.Field[Any]) -> dict[str, Any]:
    """Return the click keyword arguments for a setting's type."""
    choices = field.metadata.get("choices")
    if choices:
        return {"type": click.Choice(choices)}
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if annotation is bool:
        return {"is_flag": True}
    if typing.get_origin(annotation) is tuple:
        inner = args[0]
        return {"multiple": True, "type": click.Path(path_type=Path) if inner is Path else inner}
    base = args[0] if args else annotation
    if base is Path:
        return {"type": click.Path(path_type=Path)}
    return {"type": base}


def settings_options(
    names: Iterable[str] | None = None, flags: dict[str, str] | None = None
) -> Callable[[F], F]:
    """Add one option per setting (all, or those named), each reading its environment variable.

    ``flags`` renames an option where a shorter flag reads better in a command's context.
    """
    hints = typing.get_type_hints(Settings)
    wanted = None if names is None else set(names)
    fields = [f for f in setting_fields() if wanted is None or f.name in wanted]

    def decorate(command: F) -> F:
        for field in reversed(fields):
            option = click.option(
                (flags or {}).get(field.name, "--" + field.name.replace("_", "-")),
                field.name,
                envvar=field.metadata["env"],
                show_envvar=True,
                default=field.default,
                show_default=field.default not in (None, (), False),
                help=field.metadata["help"],
                **_click_type(hints[field.name], field),
            )
            command = option(command)
        return command

    return decorate


def settings_from(values: dict[str, Any]) -> Settings:
    """Build Settings from the options a command received (others keep their defaults)."""
    known = {f.name for f in setting_fields()}
    chosen: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list | tuple) else v for k, v in values.items() if k in known
    }
    return with_token_file(Settings(**chosen))


def with_token_file(settings: Settings) -> Settings:
    """Read the write token from --write-token-file; warn when it was given on the command line.

    A command line is visible to every local user (ps, /proc); a file or the environment is not.
    """
    context = click.get_current_context(silent=True)
    if (
        context is not None
        and settings.write_token is not None
        and context.get_parameter_source("write_token") is ParameterSource.COMMANDLINE
    ):
        click.echo(
            "warning: --write-token on the command line is visible to every local user; "
            "use KG_WRITE_TOKEN or --write-token-file",
            err=True,
        )
    path = settings.write_token_file
    if path is None:
        return settings
    if settings.write_token is not None:
        raise click.UsageError("give the write token one way: --write-token-file or --write-token")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"cannot read the write token file {path}: {error}") from None
    token = lines[0].strip() if lines else ""
    if not token:
        raise click.UsageError(f"the write token file {path} is empty")
    return settings.replace(write_token=token)
