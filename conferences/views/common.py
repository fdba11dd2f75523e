"""Helpers shared by the conference and directive views."""

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "png": "image/png",
}
# Shown in the page (a photo's thumbnail); anything else is always a download.
INLINE_TYPES = {"jpg", "png"}


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class UploadLimit(FileUploadHandler):
    """Stops reading a file past `max_bytes` instead of spooling any size to disk first;
    the view then refuses the whole form (nothing is stored)."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def private_file_response(field_file, *, name: str, file_type: str, inline: bool = False) -> FileResponse:
    """A private upload under its original name; never cached, never sniffed."""
    try:
        stream = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream, as_attachment=not (inline and file_type in INLINE_TYPES), filename=name,
        content_type=CONTENT_TYPES.get(file_type, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
