"""KYC on S3: moto's standalone server started once per test session (a real HTTP endpoint, as
the app would talk to in production), one bucket, and a fixture that points ``STORAGES["kyc"]``
at it under a prefix of the test's own, built by the same ``kyc_s3_storage`` as base.py."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

from config.settings.base import kyc_s3_storage

BUCKET = "bursar-kyc-test"
REGION = "us-east-1"
# moto accepts any credentials; these only make the requests signed, as they are against AWS.
ACCESS_KEY = "AKIAKYCTESTKEY000000"
SECRET_KEY = "kyc-test-secret-key-not-real-0000000000"
SERVER_START_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto.server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"moto.server did not answer at {endpoint} within {SERVER_START_SECONDS} s")


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """``http://127.0.0.1:<port>`` of a moto server living as long as the test session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(endpoint, process)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def s3_client(moto_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        config=Config(signature_version="s3v4"),
    )
    client.create_bucket(Bucket=BUCKET)
    return client


@dataclass(frozen=True)
class KycBucket:
    client: object
    endpoint: str
    bucket: str
    prefix: str

    def keys(self) -> list[str]:
        """Every object key under this test's prefix, sorted."""
        listing = self.client.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/")
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def key(self, object_name: str) -> str:
        return f"{self.prefix}/{object_name}"

    def body(self, object_name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(object_name))["Body"].read()


@pytest.fixture
def kyc_s3(settings, s3_client, moto_endpoint) -> KycBucket:
    """KYC documents go to the moto bucket under a fresh prefix, configured as in production."""
    prefix = f"kyc-{uuid.uuid4().hex[:12]}"
    settings.KYC_S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "kyc": kyc_s3_storage(
            bucket=BUCKET,
            expire=settings.KYC_PRESIGNED_URL_SECONDS,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region_name=REGION,
            endpoint_url=moto_endpoint,
            location=prefix,
        ),
    }
    return KycBucket(client=s3_client, endpoint=moto_endpoint, bucket=BUCKET, prefix=prefix)
