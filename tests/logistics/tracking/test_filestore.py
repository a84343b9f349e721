"""The file store keeps bytes under safe keys and refuses escapes."""

from __future__ import annotations

import pytest

from logistics.exceptions import ConfigurationError, InvalidInput, NotFound
from logistics.filestore import LocalFileStore, S3FileStore, new_key, store_from_url


def test_local_store_round_trip(tmp_path):
    """put returns a ref that opens to the same bytes; delete removes it."""
    store = LocalFileStore(tmp_path)
    ref = store.put(new_key("photo", "jpg"), b"bytes", "image/jpeg")
    with store.open(ref) as f:
        assert f.read() == b"bytes"
    store.delete(ref)
    with pytest.raises(NotFound):
        store.open(ref)


@pytest.mark.parametrize("key", ["../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "", "a\\b", "..hidden"])
def test_unsafe_keys_are_refused(tmp_path, key):
    """Keys that could leave the store's directory are refused."""
    with pytest.raises(InvalidInput):
        LocalFileStore(tmp_path).put(key, b"x", "image/png")


def test_refs_of_another_store_are_not_found(tmp_path):
    """A ref from another backend (s3:...) is not opened by the local store."""
    with pytest.raises(NotFound):
        LocalFileStore(tmp_path).open("s3:photo/x.jpg")


def test_s3_without_boto3_is_a_clear_configuration_error(tmp_path):
    """Choosing S3 without boto3 installed says what to install."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match="boto3"):
            store_from_url("s3://proofs/prod", var_dir=tmp_path)
    else:
        pytest.skip("boto3 is installed here")


def test_s3_store_with_a_client(tmp_path):
    """The S3 store puts under the prefix and returns an s3: ref (fake client)."""
    calls = []

    class FakeS3:
        def put_object(self, **kw):
            calls.append(kw)

    store = S3FileStore("bucket", key_prefix="proofs/", client=FakeS3())
    ref = store.put("signature/2026/11/abc.png", b"x", "image/png")
    assert ref == "s3:signature/2026/11/abc.png"
    assert calls[0]["Key"] == "proofs/signature/2026/11/abc.png" and calls[0]["Bucket"] == "bucket"


def test_local_store_lists_old_files_under_a_prefix(tmp_path):
    """refs_before names the files under a prefix written before a time, as refs."""
    import os
    from datetime import UTC, datetime, timedelta

    store = LocalFileStore(tmp_path)
    old = store.put("photo/2026/01/old.jpg", b"x", "image/jpeg")
    new = store.put("photo/2026/11/new.jpg", b"x", "image/jpeg")
    store.put("signature/2026/01/other.png", b"x", "image/png")
    week_ago = (datetime.now(UTC) - timedelta(days=8)).timestamp()
    os.utime(tmp_path / "photo/2026/01/old.jpg", (week_ago, week_ago))
    assert list(store.refs_before("photo", datetime.now(UTC) - timedelta(days=7))) == [old]
    assert sorted(store.refs_before("photo", datetime.now(UTC) + timedelta(seconds=5))) == sorted([old, new])
    assert list(store.refs_before("nothing", datetime.now(UTC))) == []


def test_s3_store_lists_old_objects_without_its_prefix():
    """refs_before pages through list_objects_v2 and returns refs relative to the key prefix."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)

    class Paginator:
        def paginate(self, **kw):
            assert kw == {"Bucket": "bucket", "Prefix": "proofs/photo/"}
            yield {"Contents": [{"Key": "proofs/photo/a.jpg", "LastModified": now - timedelta(days=9)}]}
            yield {"Contents": [{"Key": "proofs/photo/b.jpg", "LastModified": now}]}

    class FakeS3:
        def get_paginator(self, name):
            assert name == "list_objects_v2"
            return Paginator()

    store = S3FileStore("bucket", key_prefix="proofs/", client=FakeS3())
    assert list(store.refs_before("photo", now - timedelta(days=7))) == ["s3:photo/a.jpg"]
