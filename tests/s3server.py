"""A local S3 server for the media-storage tests: moto's real HTTP server on 127.0.0.1.

The site talks to it through django-storages and boto3 exactly as it would talk to a
bucket in production; nothing is patched, and nothing leaves 127.0.0.1.
"""

import json
import logging
import os
import urllib.request
import uuid

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"

# Fake credentials and no config files, so boto3 never finds real ones, and no EC2
# metadata endpoint, so it never asks a cloud machine's address for them either.
FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


class S3Server:
    """moto's S3 server on a free port of 127.0.0.1, in a thread of the test process."""

    def __init__(self):
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> "S3Server":
        # The server logs every request it answers; the tests' output is no place for it.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def client(self):
        """A boto3 client for looking into the buckets, as an operator would."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self) -> str:
        """A new, empty bucket set up as the README asks: anyone may read its objects.
        It keeps every version of every object, so tests can count the writes."""
        name = f"marginalia-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def environment(self, bucket: str) -> dict[str, str]:
        """The variables that point the site's uploads at `bucket` on this server."""
        return {
            "DJANGO_MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def writes(self, bucket: str, key_part: str) -> int:
        """How many objects were ever written to `bucket` with `key_part` in their key."""
        versions = self.client().list_object_versions(Bucket=bucket).get("Versions", [])
        return sum(key_part in version["Key"] for version in versions)


def public_read_policy(bucket: str) -> dict:
    """The bucket policy that lets browsers load the images (the README's)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def fetch(url: str) -> tuple[int, bytes]:
    """GET `url` as a browser would, with no credentials: (status, body)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()
