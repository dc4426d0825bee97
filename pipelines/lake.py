"""The local data lake: every ``s3://bucket/key`` maps to ``<lake>/bucket/key``."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path


class LakePathError(ValueError):
    """An S3 URI the local lake cannot map (not s3://, or escaping the lake)."""


@dataclass(frozen=True)
class Lake:
    root: Path

    def path(self, uri: str) -> Path:
        """The local path standing for an S3 URI."""
        if not uri.startswith("s3://"):
            raise LakePathError(f"not an S3 URI: {uri!r}")
        relative = uri[len("s3://") :].strip("/")
        if not relative or any(part in ("..", ".") for part in relative.split("/")):
            raise LakePathError(f"S3 URI has no bucket or escapes the lake: {uri!r}")
        return self.root / relative

    def uri(self, path: Path) -> str:
        return "s3://" + path.resolve().relative_to(self.root.resolve()).as_posix()

    def write_bytes(self, uri: str, body: bytes) -> Path:
        target = self.path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != body:
            target.write_bytes(body)
        return target

    def download(self, uri: str, destination: Path) -> int:
        """Copy an S3 prefix (or a single object) into a folder, as a processing input does.

        Returns the number of files copied. A prefix with nothing under it gives an empty folder.
        """
        source = self.path(uri)
        destination.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copy2(source, destination / source.name)
            return 1
        if not source.exists():
            return 0
        shutil.copytree(source, destination, dirs_exist_ok=True)
        return sum(1 for p in destination.rglob("*") if p.is_file())

    def upload(self, source: Path, uri: str) -> int:
        """Replace an S3 prefix with a folder's content, as a processing output does."""
        target = self.path(uri)
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target)
        return sum(1 for p in target.rglob("*") if p.is_file())

    def digest(self, uri: str) -> str | None:
        """A content hash of everything under a URI; None when nothing is there."""
        source = self.path(uri)
        if not source.exists():
            return None
        files = (
            [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        )
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.relative_to(source.parent).as_posix().encode())
            digest.update(b"\0")
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()
