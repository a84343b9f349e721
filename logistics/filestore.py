"""Where uploaded files (proof-of-delivery photos and signatures) are kept.

``get_file_store()`` gives the configured store: a local directory under
``settings.var_dir / "files"`` by default, or an S3-compatible bucket when
``FILE_STORE_URL=s3://bucket/prefix`` (MinIO, Ceph, AWS; needs the optional
``boto3`` package and the usual ``AWS_*`` / ``S3_ENDPOINT_URL`` variables). A store
names what it keeps with an opaque reference (``local:...``, ``s3:...``) that the
database holds; keys are checked so that no reference reaches outside the store.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from logistics.config import get_settings
from logistics.exceptions import ConfigurationError, InvalidInput, NotFound

# Letters, digits, dot, dash, underscore; "/" between segments; no "..", no leading "/".
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}){0,7}")


def check_key(key: str) -> str:
    """``key`` if it is a safe relative name; raises InvalidInput(unsafe_file_key)."""
    if not _SAFE_KEY.fullmatch(key) or any(part in {".", ".."} or part.startswith("..") for part in key.split("/")):
        raise InvalidInput("A file key may hold only letters, digits, '.', '-', '_' and '/' between names.", code="unsafe_file_key")
    return key


def new_key(kind: str, extension: str) -> str:
    """A fresh, unguessable key: ``<kind>/<yyyy>/<mm>/<random>.<ext>``."""
    now = datetime.now(UTC)
    return check_key(f"{kind}/{now:%Y}/{now:%m}/{secrets.token_urlsafe(18)}.{extension}")


class FileStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> str: ...
    def open(self, ref: str) -> BinaryIO: ...
    def delete(self, ref: str) -> None: ...
    def refs_before(self, prefix: str, before: datetime) -> Iterator[str]:
        """The references of the files under ``prefix`` last written before ``before``."""
        ...


class LocalFileStore:
    """Files in a directory; references are ``local:<key>``."""

    prefix = "local:"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # belt and braces after check_key
            raise InvalidInput("The file key leaves the store.", code="unsafe_file_key")
        return path

    def _key(self, ref: str) -> str:
        if not ref.startswith(self.prefix):
            raise NotFound("No such file in this store.", code="file_not_found")
        return ref.removeprefix(self.prefix)

    def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{secrets.token_hex(4)}.part")
        with open(partial, "wb") as out:  # write then rename: a reader never sees half a file
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        return self.prefix + key

    def open(self, ref: str) -> BinaryIO:
        path = self._path(self._key(ref))
        if not path.is_file():
            raise NotFound("No such file in this store.", code="file_not_found")
        return open(path, "rb")

    def delete(self, ref: str) -> None:
        self._path(self._key(ref)).unlink(missing_ok=True)

    def refs_before(self, prefix: str, before: datetime) -> Iterator[str]:
        folder = self._path(prefix)
        if not folder.is_dir():
            return
        cutoff = before.timestamp()
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.stat().st_mtime < cutoff:
                yield self.prefix + path.relative_to(self.root).as_posix()


class S3FileStore:
    """Files in an S3-compatible bucket; references are ``s3:<key>`` (the bucket is
    configuration, so a bucket move needs no data migration)."""

    prefix = "s3:"

    def __init__(self, bucket: str, *, key_prefix: str = "", endpoint_url: str | None = None, client: object | None = None) -> None:
        self.bucket = bucket
        self.key_prefix = key_prefix.strip("/")
        if client is None:
            try:
                import boto3  # optional: pip install 'bcci-logistics[s3]'
            except ImportError:
                raise ConfigurationError(
                    "FILE_STORE_URL names an S3 bucket but boto3 is not installed; install the 's3' extra "
                    "or use the local store.",
                    code="s3_client_missing",
                ) from None
            client = boto3.client("s3", endpoint_url=endpoint_url or os.environ.get("S3_ENDPOINT_URL") or None)
        self.client = client

    def _object(self, key: str) -> str:
        check_key(key)
        return f"{self.key_prefix}/{key}" if self.key_prefix else key

    def _key(self, ref: str) -> str:
        if not ref.startswith(self.prefix):
            raise NotFound("No such file in this store.", code="file_not_found")
        return ref.removeprefix(self.prefix)

    def put(self, key: str, data: bytes, content_type: str) -> str:
        self.client.put_object(Bucket=self.bucket, Key=self._object(key), Body=data, ContentType=content_type)
        return self.prefix + key

    def open(self, ref: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(self._key(ref)))["Body"]
        except Exception as exc:  # botocore's NoSuchKey is generated per client: match by name
            if type(exc).__name__ in {"NoSuchKey", "ClientError"}:
                raise NotFound("No such file in this store.", code="file_not_found") from None
            raise

    def delete(self, ref: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(self._key(ref)))

    def refs_before(self, prefix: str, before: datetime) -> Iterator[str]:
        start = len(self.key_prefix) + 1 if self.key_prefix else 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._object(prefix) + "/"):
            for entry in page.get("Contents", ()):
                if entry["LastModified"] < before:
                    yield self.prefix + entry["Key"][start:]


def store_from_url(url: str | None, *, var_dir: Path) -> FileStore:
    """The store a ``FILE_STORE_URL`` names: empty or ``local`` -> under ``var_dir/files``,
    ``file:///path`` -> that directory, ``s3://bucket/prefix`` -> S3-compatible."""
    if not url or url == "local":
        return LocalFileStore(var_dir / "files")
    if url.startswith("file://"):
        return LocalFileStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        bucket, _, key_prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ConfigurationError("FILE_STORE_URL=s3://<bucket>[/prefix] needs a bucket.", code="invalid_file_store_url")
        return S3FileStore(bucket, key_prefix=key_prefix)
    raise ConfigurationError(f"FILE_STORE_URL scheme not understood: {url.split(':', 1)[0]!r}.", code="invalid_file_store_url")


@lru_cache(maxsize=1)
def get_file_store() -> FileStore:
    settings = get_settings()
    url = settings.file_store_url
    return store_from_url(url, var_dir=settings.var_dir)
