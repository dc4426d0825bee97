"""OCR engines: one picture of a page in, its text and a confidence out.

``rapidocr`` runs PaddleOCR's detection and recognition models (ONNX, shipped inside the
rapidocr wheel: nothing is downloaded at run time) on this machine's CPU. Its orientation
classifier is off: on slightly rotated scans it turned correct lines upside down (9% character
errors with it, 0.1% without, on a Portuguese CV page). ``textract`` (``cvtext.textract``) is the
managed engine on AWS. Both take a Pillow image and give an ``OcrText``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from PIL import Image


class OcrError(Exception):
    """The engine could not read a page (a service error, throttling past the retries)."""


@dataclass(frozen=True, slots=True)
class OcrText:
    """The text of one page image; ``confidence`` in [0, 1], None when nothing was read."""

    text: str
    confidence: float | None
    lines: int

    @classmethod
    def from_lines(cls, lines: list[tuple[str, float]]) -> OcrText:
        """The page's text from its (line, confidence) pairs in reading order."""
        return cls(
            text="\n".join(text for text, _ in lines),
            confidence=weighted_confidence((len(text), score) for text, score in lines),
            lines=len(lines),
        )


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image) -> OcrText: ...


def weighted_confidence(scored: Iterable[tuple[int, float | None]]) -> float | None:
    """Mean of confidences weighted by characters: a long line, picture or page counts more.

    ``scored`` holds (characters, confidence) pairs; a None confidence (nothing read) is left
    out. None when no characters were read with a confidence.
    """
    pairs = [(weight, value) for weight, value in scored if value is not None]
    total = sum(weight for weight, _ in pairs)
    return sum(weight * value for weight, value in pairs) / total if total else None


class RapidOcrEngine:
    """PaddleOCR models through rapidocr and onnxruntime; the model loads at the first page."""

    name = "rapidocr"

    def __init__(self, threads: int = 0) -> None:
        #: onnxruntime threads per page; 0 lets it use every core (one process reading alone)
        self.threads = threads
        self._engine = None

    def _load(self):
        # rapidocr logs every model file it opens at INFO; a batch needs none of that.
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        try:
            from rapidocr import RapidOCR
        except ImportError as error:  # an image without it: the server's fault, not the file's
            raise OcrError(f"rapidocr is not installed: {error}") from error

        params = {
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "EngineConfig.onnxruntime.intra_op_num_threads": self.threads or -1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1 if self.threads else -1,
        }
        return RapidOCR(params=params)

    def read(self, image: Image.Image) -> OcrText:
        import numpy as np

        if self._engine is None:
            self._engine = self._load()
        result = self._engine(np.asarray(image.convert("RGB")))
        texts = list(result.txts or ())
        scores = [float(score) for score in (result.scores or ())]
        lines = [(text, score) for text, score in zip(texts, scores, strict=True) if text.strip()]
        return OcrText.from_lines(lines)


#: the engines ``engine_named`` knows, and ``none`` (pages without a text layer stay unread)
ENGINE_NAMES = ("rapidocr", "textract", "none")


@cache
def engine_named(name: str, threads: int = 0) -> OcrEngine | None:
    """The process's one engine of that name (models and clients load once per process)."""
    if name == "none":
        return None
    if name == "rapidocr":
        return RapidOcrEngine(threads=threads)
    if name == "textract":
        from cvtext.textract import TextractEngine

        return TextractEngine.from_environment()
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")


def single_thread_runtimes() -> None:
    """Keep OpenMP/BLAS to one thread in a worker process: the pool is the parallelism."""
    for variable in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
