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
