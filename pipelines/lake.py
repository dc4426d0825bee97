"""The local data lake: every ``s3://bucket/key`` maps to ``<lake>/bucket/key``.

Writes that another process may read at the same time are atomic: a file or a folder is
written beside its target under a temporary name (``.<name>.tmp-<pid>-<token>``) and renamed
into place, so a reader sees the old content or the new, never half of it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

TEMPORARY_MARK = ".tmp-"


def temporary_sibling(target: Path) -> Path:
    """A unique name beside ``target`` for writing it before the rename into place."""
    return target.with_name(f".{target.name}{TEMPORARY_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a leftover of an interrupted atomic write."""
    return is_temporary_name(path.name)


def is_temporary_name(name: str) -> bool:
    return name.startswith(".") and TEMPORARY_MARK in name


def write_atomically(target: Path, body: bytes) -> None:
    """Replace ``target`` with ``body`` in one rename (temporary file + ``os.replace``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(target)
    try:
        temporary.write_bytes(body)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def folder_digest(folder: Path) -> str:
    """A content hash of the files under ``folder``: relative paths and bytes, name-independent."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


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
        if not target.is_file() or target.read_bytes() != body:
            write_atomically(target, body)
        return target

    def put_folder_once(self, source: Path, uri: str) -> bool:
        """Copy a local folder to ``uri`` unless something is there already; True if copied.

        For content-addressed URIs: what is at ``uri`` is never replaced or removed, so a run
        reading it is never disturbed. The copy is made beside the target and renamed into
        place; when two processes race, the first rename wins and the other copy is dropped.
        """
        target = self.path(uri)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_sibling(target)
        try:
            shutil.copytree(source, temporary)
            os.rename(temporary, target)
        except OSError:
            if not target.is_dir():
                raise
            return False
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        return True

    def download(self, uri: str, destination: Path, *, link: bool = False) -> int:
        """Copy an S3 prefix (or a single object) into a folder, as a processing input does.

        Returns the number of files copied. A prefix with nothing under it gives an empty folder.
        ``link``: hard-link the files instead of copying them where the file system allows
        (the reader must never write to them: they are the lake's own files).
        """
        source = self.path(uri)
        destination.mkdir(parents=True, exist_ok=True)
        place = _link_or_copy if link else shutil.copy2
        if source.is_file():
            place(str(source), str(destination / source.name))
            return 1
        if not source.exists():
            return 0
        shutil.copytree(source, destination, dirs_exist_ok=True, copy_function=place)
        return sum(1 for p in destination.rglob("*") if p.is_file())

    def upload(self, source: Path, uri: str, *, move: bool = False) -> int:
        """Replace an S3 prefix with a folder's content, as a processing output does.

        The new content is copied beside the prefix first and swapped in by two renames, so a
        reader sees the old files or the new ones; only between the renames is nothing there.
        ``move``: the source folder is not needed afterwards; it is renamed into the lake
        instead of copied (thousands of files in an instant) when it is on the same file
        system, and copied otherwise.
        """
        target = self.path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming, outgoing = temporary_sibling(target), temporary_sibling(target)
        try:
            if not (move and _renamed(source, incoming)):
                shutil.copytree(source, incoming)
            if target.exists():
                os.rename(target, outgoing)
            os.rename(incoming, target)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
            if outgoing.is_dir():
                shutil.rmtree(outgoing, ignore_errors=True)
            else:
                outgoing.unlink(missing_ok=True)
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


def _renamed(source: Path, target: Path) -> bool:
    """Rename a folder; False when it must be copied instead (another file system)."""
    try:
        os.rename(source, target)
    except OSError:
        return False
    return True


def _link_or_copy(source: str, target: str) -> str:
    """A hard link to ``source`` at ``target``; a copy where links cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        return shutil.copy2(source, target)
    return target
