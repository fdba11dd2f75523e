"""Helpers shared by the conference and directive views."""

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
