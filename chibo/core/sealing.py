"""Streamed authenticated encryption for backups (CHIBO_BACKUP_KEY).

Fernet would need the whole archive in memory (a province's dump is gigabytes), so the archive
is sealed in 1 MiB chunks with AES-256-GCM in the STREAM construction (Hoang, Reyhanitabar,
Rogaway, Vizár 2015; what Tink's streaming AEAD and age do): a fresh key per archive from the
master key and a random salt (HKDF-SHA256), each chunk's nonce is its number and a "last chunk"
flag, and the header is authenticated with every chunk. So a wrong key, a changed byte, chunks
swapped, dropped or cut off at the end, or a header from another archive all fail to open.

Layout: MAGIC | salt (16) | chunk size (4, big-endian) | chunks (each ciphertext + 16-byte tag).
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CHIBO-SEALED-1\n"
CHUNK = 1 << 20
TAG = 16
_SALT = 16
_INFO = b"chibo backup archive v1"


class SealError(Exception):
    """The key is wrong, or the sealed file was changed or cut short."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(
            "CHIBO_BACKUP_KEY phải là khóa 32 byte dạng base64 (tạo bằng `chibo backup "
            "--generate-key`). / CHIBO_BACKUP_KEY must be a 32-byte base64 key."
        )
    return key


def _aead(master: bytes, salt: bytes) -> AESGCM:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO)
    return AESGCM(kdf.derive(master))


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


class SealedWriter:
    """A write-only file object: what is written goes out sealed to `raw`; close() seals the
    last chunk (it must be called, or the file cannot be opened)."""

    def __init__(self, raw, master: bytes, chunk: int = CHUNK):
        salt = os.urandom(_SALT)
        self._raw, self._chunk = raw, chunk
        self._header = MAGIC + salt + chunk.to_bytes(4, "big")
        self._aead = _aead(master, salt)
        self._buf = bytearray()
        self._counter = 0
        raw.write(self._header)

    def write(self, data) -> int:
        self._buf += data
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buf) > self._chunk:
            self._emit(bytes(self._buf[: self._chunk]), last=False)
            del self._buf[: self._chunk]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._counter, last)
        self._raw.write(self._aead.encrypt(nonce, plain, self._header))
        self._counter += 1

    def close(self) -> None:
        self._emit(bytes(self._buf), last=True)
        self._buf.clear()


class SealedReader:
    """A read-only file object over a sealed stream; raises SealError on any tampering."""

    def __init__(self, raw, master: bytes):
        head = raw.read(len(MAGIC) + _SALT + 4)
        if not is_sealed(head) or len(head) < len(MAGIC) + _SALT + 4:
            raise SealError("không phải bản sao đã mã hóa của chibo / not a sealed chibo file")
        self._raw, self._header = raw, head
        self._chunk = int.from_bytes(head[-4:], "big")
        if not 0 < self._chunk <= 64 * CHUNK:
            raise SealError("tệp mã hóa hỏng (kích thước khối) / damaged sealed file")
        self._aead = _aead(master, head[len(MAGIC) : len(MAGIC) + _SALT])
        self._counter = 0
        self._pending = raw.read(self._chunk + TAG)
        self._plain = bytearray()
        self._done = False

    def _next(self) -> None:
        block = self._pending
        self._pending = self._raw.read(self._chunk + TAG) if block else b""
        last = not self._pending
        try:
            plain = self._aead.decrypt(_nonce(self._counter, last), block, self._header)
        except InvalidTag:
            raise SealError(
                "Không mở được bản sao: sai khóa CHIBO_BACKUP_KEY, hoặc tệp đã bị sửa hay bị cắt. "
                "/ wrong key, or the file was changed or cut short."
            ) from None
        self._counter += 1
        self._plain += plain
        self._done = last

    def read(self, n: int = -1) -> bytes:
        while not self._done and (n < 0 or len(self._plain) < n):
            self._next()
        if n < 0:
            n = len(self._plain)
        out = bytes(self._plain[:n])
        del self._plain[:n]
        return out
