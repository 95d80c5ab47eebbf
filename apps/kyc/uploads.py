"""Refuse a too-large KYC file while it streams in, before it is read whole.

``KycUploadLimitHandler`` goes first in a request's upload handlers. It counts each file's bytes
as they arrive; past ``KYC_MAX_UPLOAD_MB`` it stops passing data on (so nothing beyond the limit
is kept in memory or on disk) and hands the view an empty ``OversizedUpload`` that carries the
counted size, which validation turns into a clear "too large" error.

The handler must be installed before the body is parsed: in DRF views ``initial()`` runs before
``request.data`` is touched; portal views are ``csrf_exempt`` and re-apply ``csrf_protect`` after
installing it (Django's documented pattern).
"""

import io

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from apps.kyc.files import max_upload_bytes


class OversizedUpload(UploadedFile):
    """Stands in for a file that went past the limit; it holds no content."""

    oversized = True

    def __init__(self, *, name: str, content_type: str, size: int) -> None:
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)


class KycUploadLimitHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # the next handlers stop receiving this file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.limit:
            return None  # let the next handler build the real file
        self._release_partial_files()
        return OversizedUpload(name=self.file_name or "upload", content_type=self.content_type, size=self.received)

    def _release_partial_files(self) -> None:
        """Close (and so delete) what the following handlers kept of this file."""
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()


def upload_limit_install(request) -> None:
    """Put the limit handler first on a Django ``HttpRequest`` whose body is not parsed yet."""
    if not any(isinstance(handler, KycUploadLimitHandler) for handler in request.upload_handlers):
        request.upload_handlers.insert(0, KycUploadLimitHandler(request))
