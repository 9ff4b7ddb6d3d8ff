"""Turning exceptions into ``file:line:col: error: message`` lines and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer

from wholesystem.errors import WholesystemError

__all__ = ["report_errors", "Outcome", "fail"]


@dataclass
class Outcome:
    """Exit code decided while handling a command."""

    code: int | None = None


def fail(message: str, code: int = 1) -> None:
    """Print an error line and exit."""
    print(message, file=sys.stderr)
    raise SystemExit(code)


@contextmanager
def report_errors() -> Iterator[Outcome]:
    """Run a command; print expected errors plainly and set the exit code."""
    outcome = Outcome()
    try:
        yield outcome
    except WholesystemError as err:
        print(str(err), file=sys.stderr)
        outcome.code = 1
    except FileNotFoundError as err:
        print(f"{err.filename or ''}: error: {err.strerror or err}".lstrip(": "),
              file=sys.stderr)
        outcome.code = 1
    except (PermissionError, IsADirectoryError, UnicodeError) as err:
        print(f"error: {err}", file=sys.stderr)
        outcome.code = 1
    except typer.Exit as err:
        outcome.code = getattr(err, "exit_code", getattr(err, "code", 0))
    except typer.Abort:
        print("aborted", file=sys.stderr)
        outcome.code = 130
    except typer.TyperException as err:
        print(f"error: {err.format_message()}", file=sys.stderr)
        outcome.code = err.exit_code
    except SystemExit as err:
        outcome.code = err.code if isinstance(err.code, int) else 1
    except KeyboardInterrupt:
        outcome.code = 130
    except MemoryError:
        print("error: out of memory; the model asks for more than this machine holds "
              "(lower the limits with --limit NAME=VALUE so such models are refused "
              "early)", file=sys.stderr)
        outcome.code = 1
    except Exception as err:
        print(f"error: internal error ({type(err).__name__}: {err}); please report it "
              "with the model file", file=sys.stderr)
        outcome.code = 70
