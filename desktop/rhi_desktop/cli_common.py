"""Shared by the command modules: one-sentence errors, the profile option, the passphrase."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import platformdirs

from rhi_desktop.security.errors import SecurityError
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.store.errors import StoreError

F = TypeVar("F", bound=Callable[..., Any])
EXPECTED = (StoreError, SecurityError, ValidationFailed)


def friendly(fn: F) -> F:
    """Turn known failures into one sentence and exit 1; unknown ones into a short notice."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except click.exceptions.Exit:
            raise
        except EXPECTED as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "), err=True)
            sys.exit(1)
        except Exception as exc:  # never a traceback at the user
            click.echo(
                f"RHI Desktop hit an unexpected problem ({type(exc).__name__}); "
                "nothing saved has been lost. Please report it.",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


def default_profile_dir() -> Path:
    return Path(platformdirs.user_data_dir("rhi-desktop", appauthor=False)) / "profile"


def read_passphrase(prompt: str = "Passphrase") -> str:
    env = os.environ.get("RHI_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise click.UsageError("Set RHI_PASSPHRASE or run in a terminal to type the passphrase.")
    return click.prompt(prompt, hide_input=True)


profile_option = click.option(
    "--profile",
    "profile_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Profile folder (default: your user data folder).",
)
