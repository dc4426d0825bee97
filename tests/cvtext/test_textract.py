"""The Textract engine against botocore's Textract API model (Stubber checks every request and
response shape): one page synchronously, a multi-page document asynchronously, failures."""

import io

import boto3
import pytest
from botocore.stub import Stubber
from PIL import Image

from cvtext.ocr import OcrError
from cvtext.textract import MAX_SYNC_BYTES, RETRIES, TextractEngine, encode_for_textract
from tests.cvtext.conftest import picture


def line(text: str, confidence: float, page: int | None = None) -> dict:
    block = {"BlockType": "LINE", "Text": text, "Confidence": confidence, "Id": text[:8]}
    if page is not None:
        block["Page"] = page
    return block


@pytest.fixture
def client():
    return boto3.client(
        "textract",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_one_page_is_read_synchronously_from_png_bytes(client):
    engine = TextractEngine(client)
    image = picture()
    with Stubber(client) as stub:
        stub.add_response(
            "detect_document_text",
            {
                "DocumentMetadata": {"Pages": 1},
                "Blocks": [
                    {"BlockType": "PAGE", "Id": "p"},
                    line("Analista de Sistemas", 99.0),
                    line("São Paulo", 90.0),
                    {"BlockType": "WORD", "Text": "Analista", "Confidence": 99.0, "Id": "w"},
                ],
            },
            {"Document": {"Bytes": encode_for_textract(image)}},
        )
        result = engine.read(image)
        stub.assert_no_pending_responses()
    assert result.text == "Analista de Sistemas\nSão Paulo"
    assert result.lines == 2
    assert result.confidence == pytest.approx((20 * 0.99 + 9 * 0.90) / 29)


def test_a_multi_page_document_is_read_by_an_async_job_polled_and_paged(client):
    sleeps: list[float] = []
    engine = TextractEngine(client, poll_seconds=2.0, sleep=sleeps.append)
    location = {"S3Object": {"Bucket": "raw", "Name": "decision/cvs/31000.pdf"}}
    with Stubber(client) as stub:
        stub.add_response(
            "start_document_text_detection",
            {"JobId": "job-1"},
            {"DocumentLocation": location, "ClientRequestToken": "a" * 64},
        )
        stub.add_response(
            "get_document_text_detection",
            {"JobStatus": "IN_PROGRESS"},
            {"JobId": "job-1", "MaxResults": 1000},
        )
        stub.add_response(
            "get_document_text_detection",
            {
                "JobStatus": "SUCCEEDED",
                "DocumentMetadata": {"Pages": 3},
                "Blocks": [line("Página um", 98.0, page=1)],
                "NextToken": "t1",
            },
            {"JobId": "job-1", "MaxResults": 1000},
        )
        stub.add_response(
            "get_document_text_detection",
            {"JobStatus": "SUCCEEDED", "Blocks": [line("Página três", 96.0, page=3)]},
            {"JobId": "job-1", "MaxResults": 1000, "NextToken": "t1"},
        )
        pages = engine.read_s3_document("raw", "decision/cvs/31000.pdf", token="a" * 80)
        stub.assert_no_pending_responses()
    assert [page.text for page in pages] == ["Página um", "", "Página três"]
    assert pages[1].confidence is None
    assert sleeps == [2.0]


def test_a_failed_job_is_an_ocr_error_with_the_services_message(client):
    engine = TextractEngine(client, sleep=lambda _: None)
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "job-2"})
        stub.add_response(
            "get_document_text_detection",
            {"JobStatus": "FAILED", "StatusMessage": "Request has unsupported document format"},
        )
        with pytest.raises(OcrError, match="job failed: Request has unsupported document"):
            engine.read_s3_document("raw", "cvs/x.pdf")


def test_a_job_that_never_ends_is_given_up_after_the_wait_limit(client):
    engine = TextractEngine(client, poll_seconds=5, max_wait_seconds=10, sleep=lambda _: None)
    with Stubber(client) as stub:
        stub.add_response("start_document_text_detection", {"JobId": "job-3"})
        for _ in range(3):
            stub.add_response("get_document_text_detection", {"JobStatus": "IN_PROGRESS"})
        with pytest.raises(OcrError, match="still IN_PROGRESS after 10s"):
            engine.read_s3_document("raw", "cvs/x.pdf")


@pytest.mark.parametrize(
    "code",
    ["ThrottlingException", "ProvisionedThroughputExceededException", "BadDocumentException"],
)
def test_service_errors_left_after_the_retries_are_ocr_errors_naming_the_code(client, code):
    engine = TextractEngine(client)
    with Stubber(client) as stub:
        stub.add_client_error("detect_document_text", service_error_code=code, http_status_code=400)
        with pytest.raises(OcrError, match=f"detect_document_text: {code}$"):
            engine.read(picture())


def test_the_client_retries_throttling_adaptively(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("TEXTRACT_REGION", "eu-west-1")
    engine = TextractEngine.from_environment()
    retries = engine.client.meta.config.retries
    assert (retries["mode"], retries["total_max_attempts"]) == ("adaptive", 10)
    assert RETRIES["mode"] == "adaptive"
    assert engine.client.meta.region_name == "eu-west-1"


def test_a_picture_too_big_as_png_is_sent_as_jpeg_under_the_limit():
    noise = Image.effect_noise((2600, 2600), 120).convert("RGB")  # ~20 MB as PNG
    data = encode_for_textract(noise)
    assert len(data) <= MAX_SYNC_BYTES
    assert Image.open(io.BytesIO(data)).format == "JPEG"
