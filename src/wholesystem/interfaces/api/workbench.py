"""What the API serves models from: the store, the uploaded files and compiled models.

An uploaded file is kept in the store byte for byte; to read it, it is written once into
its own folder (named by its hash) and read with :meth:`FileAccess.uploads_only`, so a
model can only read files uploaded with it. Compiled models are kept in memory, one per
version, so moving a lever re-runs an already compiled model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePath

from wholesystem.datafiles import FileAccess
from wholesystem.errors import WholesystemError
from wholesystem.interfaces.store import Store, sha256_hex
from wholesystem.interfaces.store.schema import ModelVersion
from wholesystem.run import Model
from wholesystem.system.files import load
from wholesystem.system.ledger import Ledger, build_ledger
from wholesystem.system.model import SystemModel, load_system
from wholesystem.system.read import SYSTEM_SUFFIXES

__all__ = ["KINDS", "UploadError", "Workbench", "kind_of", "safe_filename", "model_name"]

KINDS: dict[str, str] = {
    **dict.fromkeys(SYSTEM_SUFFIXES, "system"),
    ".xmile": "xmile", ".stmx": "xmile", ".itmx": "xmile", ".xml": "xmile",
    ".mdl": "vensim",
}
"""Model kind by file suffix."""

_CACHED_MODELS = 32


class UploadError(ValueError):
    """An upload that cannot be accepted (name, type or size); ``field`` names the part."""

    def __init__(self, message: str, field: str = "file", status: int = 422):
        super().__init__(message)
        self.field = field
        self.status = status


def safe_filename(name: str) -> str:
    """The file's own name, with no folders (a client may send ``../../x``)."""
    base = PurePath(name.replace("\\", "/")).name
    if not base or base in (".", "..") or base.startswith("."):
        raise UploadError(f"'{name}' is not a usable file name")
    return base


def kind_of(filename: str) -> str:
    """``system``, ``xmile`` or ``vensim``, from the file's suffix."""
    kind = KINDS.get(PurePath(filename).suffix.lower())
    if kind is None:
        raise UploadError(f"'{filename}' is not a model file: expected one of "
                          + ", ".join(sorted(KINDS)))
    return kind


@dataclass
class Workbench:
    """The store, the folder uploaded files are read from, and the compiled models."""

    store: Store
    uploads: Path
    max_upload_bytes: int = 16 * 1024 * 1024

    def __post_init__(self) -> None:
        self._loaded: OrderedDict[int, SystemModel | Model] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[int, threading.Lock] = {}
        self._ledgers: OrderedDict[tuple[int, str], Ledger] = OrderedDict()

    def check_upload(self, filename: str, content: bytes
                     ) -> tuple[str, str, SystemModel | Model]:
        """``(safe file name, kind, the model)`` of an acceptable upload; it is parsed
        (never executed) so a broken file is refused with its line and column."""
        name = safe_filename(filename)
        kind = kind_of(name)
        if len(content) > self.max_upload_bytes:
            raise UploadError(f"the file is {len(content):,} bytes; the limit is "
                              f"{self.max_upload_bytes:,}", status=413)
        return name, kind, self._read(name, content)

    def loaded(self, version: ModelVersion) -> SystemModel | Model:
        """The version's model, read and compiled once."""
        with self._lock:
            if version.id in self._loaded:
                self._loaded.move_to_end(version.id)
                return self._loaded[version.id]
            gate = self._loading.setdefault(version.id, threading.Lock())
        with gate:  # one compile per version, even when requests race
            with self._lock:
                if version.id in self._loaded:
                    return self._loaded[version.id]
            model = self._read(version.filename, version.content)
            with self._lock:
                self._loaded[version.id] = model
                while len(self._loaded) > _CACHED_MODELS:
                    self._loaded.popitem(last=False)
        return model

    def file_of(self, version: ModelVersion) -> Path:
        """Where the version's file is kept for reading (its own folder, named by its
        hash); it has been read once under :meth:`FileAccess.uploads_only`, so whatever
        it refers to lies in that folder."""
        self.loaded(version)
        return self._written(version.filename, version.content)

    def ledger(self, version: ModelVersion, scenario: str) -> Ledger:
        """The ledger of one of a system version's scenarios as the file has it (kept: a
        lever move compares against it without simulating it again)."""
        key = (version.id, scenario)
        with self._lock:
            found = self._ledgers.get(key)
        if found is None:
            loaded = self.loaded(version)
            assert isinstance(loaded, SystemModel)
            found = build_ledger(loaded.simulate(scenario))
            with self._lock:
                self._ledgers[key] = found
                while len(self._ledgers) > 4 * _CACHED_MODELS:
                    self._ledgers.popitem(last=False)
        return found

    def _written(self, filename: str, content: bytes) -> Path:
        folder = self.uploads / sha256_hex(content)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / filename
        if not path.exists() or path.read_bytes() != content:
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(content)
            partial.replace(path)  # never a half-written file under the real name
        return path

    def _read(self, filename: str, content: bytes) -> SystemModel | Model:
        path = self._written(filename, content)
        folder = path.parent
        access = FileAccess.uploads_only(folder, max_bytes=self.max_upload_bytes)
        try:
            if kind_of(filename) == "system":
                return load_system(path, access)
            return load(path, access)
        except WholesystemError as error:
            raise _without_folder(error, str(folder) + "/") from None


def _without_folder(error: WholesystemError, folder: str) -> WholesystemError:
    # Error messages name the uploaded file, never where the server keeps it.
    args = [str(a).replace(folder, "") for a in error.args]
    error.args = tuple(args)
    return error


def model_name(model: SystemModel | Model) -> str:
    """The model's own name, from its file."""
    return model.spec.name if isinstance(model, SystemModel) else model.name
