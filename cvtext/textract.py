"""Amazon Textract as the OCR engine on AWS.

- One page picture: ``DetectDocumentText`` (synchronous; the picture is sent as PNG bytes, at
  most 10 MiB, the API model's limit; a larger one is sent as JPEG).
- A multi-page document already in S3 (a scanned PDF or TIFF): ``StartDocumentTextDetection``
  then ``GetDocumentTextDetection``, polled until the job ends and read page after page of
  results (``NextToken``). The synchronous call takes single-page documents only.

Throttling and 5xx errors are retried by botocore (adaptive mode, which also paces the calls);
what still fails becomes ``OcrError`` with the service's error code, so the document is counted
as ``ocr_failed`` and read again by a later run. The text itself never goes to a log.

Portuguese: AWS's Textract documentation lists Portuguese among the languages of printed text
detection; Textract does not run in sa-east-1 (São Paulo), so the region is a setting
(``TEXTRACT_REGION``, default the job's region) and the README says where CVs are sent.
"""

from __future__ import annotations

import io
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PIL import Image

from cvtext.ocr import OcrError, OcrText

#: DetectDocumentText's Document.Bytes limit (botocore's Textract model: max 10485760).
MAX_SYNC_BYTES = 10 * 1024 * 1024
RETRIES = {"mode": "adaptive", "total_max_attempts": 10}


def _lines(blocks: Iterable[Mapping[str, Any]]) -> dict[int, list[tuple[str, float]]]:
    """LINE blocks grouped by page (the synchronous call has no ``Page``: page 1)."""
    pages: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for block in blocks:
        if block.get("BlockType") == "LINE" and block.get("Text", "").strip():
            confidence = float(block.get("Confidence", 0.0)) / 100.0
            pages[int(block.get("Page", 1))].append((block["Text"], confidence))
    return pages


def encode_for_textract(image: Image.Image) -> bytes:
    """PNG bytes of the picture, or JPEG when the PNG is over the synchronous limit."""
    for fmt, options in (("PNG", {"optimize": False}), ("JPEG", {"quality": 85})):
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format=fmt, **options)
        if buffer.tell() <= MAX_SYNC_BYTES:
            return buffer.getvalue()
    raise OcrError(f"page picture over {MAX_SYNC_BYTES} bytes even as JPEG: {image.size}")


class TextractEngine:
    name = "textract"

    def __init__(
        self,
        client: Any,
        poll_seconds: float = 5.0,
        max_wait_seconds: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.poll_seconds = poll_seconds
        self.max_wait_seconds = max_wait_seconds
        self.sleep = sleep

    @classmethod
    def from_environment(cls) -> TextractEngine:
        """A client for ``TEXTRACT_REGION`` (else the default region), retries included."""
        import boto3
        from botocore.config import Config

        region = os.environ.get("TEXTRACT_REGION") or None
        config = Config(retries=RETRIES, connect_timeout=10, read_timeout=120)
        return cls(boto3.client("textract", region_name=region, config=config))

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise OcrError(f"textract {operation}: {code}") from error
        except BotoCoreError as error:
            raise OcrError(f"textract {operation}: {type(error).__name__}") from error

    def read(self, image: Image.Image) -> OcrText:
        """One page picture, synchronously."""
        response = self._call(
            "detect_document_text", Document={"Bytes": encode_for_textract(image)}
        )
        lines = _lines(response.get("Blocks", []))
        return OcrText.from_lines([line for page in sorted(lines) for line in lines[page]])

    def read_s3_document(self, bucket: str, key: str, token: str | None = None) -> list[OcrText]:
        """Every page of a document in S3 (asynchronous job); one ``OcrText`` per page.

        ``token`` (the file's content hash, say) makes a retried start return the same job.
        """
        start: dict[str, Any] = {"DocumentLocation": {"S3Object": {"Bucket": bucket, "Name": key}}}
        if token:
            start["ClientRequestToken"] = token[:64]
        job_id = self._call("start_document_text_detection", **start)["JobId"]
        first = self._wait(job_id)
        pages_total = int(first.get("DocumentMetadata", {}).get("Pages", 0))
        blocks = list(first.get("Blocks", []))
        next_token = first.get("NextToken")
        while next_token:
            response = self._call(
                "get_document_text_detection", JobId=job_id, MaxResults=1000, NextToken=next_token
            )
            blocks.extend(response.get("Blocks", []))
            next_token = response.get("NextToken")
        lines = _lines(blocks)
        count = max([pages_total, *lines]) if lines or pages_total else 0
        return [OcrText.from_lines(lines.get(number, [])) for number in range(1, count + 1)]

    def _wait(self, job_id: str) -> dict[str, Any]:
        """Poll until the job leaves IN_PROGRESS; the first page of its results."""
        waited = 0.0
        while True:
            response = self._call("get_document_text_detection", JobId=job_id, MaxResults=1000)
            status = response.get("JobStatus")
            if status in ("SUCCEEDED", "PARTIAL_SUCCESS"):
                return response
            if status == "FAILED":
                raise OcrError(f"textract job failed: {response.get('StatusMessage', '')[:200]}")
            if waited >= self.max_wait_seconds:
                raise OcrError(f"textract job still {status} after {waited:.0f}s")
            self.sleep(self.poll_seconds)
            waited += self.poll_seconds
