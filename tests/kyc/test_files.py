"""apps.kyc.files (sniffing, limits, bombs, re-encoding, PDF checks) and apps.kyc.uploads (the
streaming size limit, through Django's real multipart parser)."""

import hashlib
import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image, ImageCms, PngImagePlugin

from apps.common.errors import ApplicationError
from apps.kyc.files import document_clean
from apps.kyc.uploads import KycUploadLimitHandler, OversizedUpload, upload_limit_install
from tests.kyc.helpers import GPS_TAG, MAKE_TAG, jpeg_bytes, pdf_bytes, png_bomb_bytes, png_bytes, upload

ORIENTATION_TAG = 0x0112
MB = 1024 * 1024


def refusal(content: bytes, name: str = "scan.jpg", content_type: str = "image/jpeg") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        document_clean(upload(content, name, content_type), field="id_front_image")
    assert caught.value.field == "id_front_image"
    return caught.value


def image_bytes(image: Image.Image, image_format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (padded with a comment line)."""
    base = pdf_bytes(extra=b"%")
    return pdf_bytes(extra=b"%" + b"x" * (size - len(base)))


def object_stream_pdf(objects: bytes) -> bytes:
    """A PDF 1.5 whose dictionaries live in a compressed object stream (invisible to a byte scan)."""
    data = zlib.compress(b"4 0 " + objects)
    return (
        b"%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + b"3 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def reopened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


# --- sniffing ------------------------------------------------------------------------------------


def test_png_bytes_named_pdf_are_taken_as_png():
    content = png_bytes(size=(64, 48))
    clean = document_clean(upload(content, "passport.pdf", "application/pdf"), field="id_front_image")
    assert (clean.content_type, clean.width, clean.height) == ("image/png", 64, 48)
    assert reopened(clean.content).format == "PNG"
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64, id="exe"),
        pytest.param(image_bytes(Image.new("RGB", (8, 8)), "GIF"), id="gif"),
        pytest.param(image_bytes(Image.new("RGB", (8, 8)), "WEBP"), id="webp"),
        pytest.param(b"just some text, not an image\n", id="text"),
        pytest.param(b"\xff\xd8", id="two-byte-jpeg-prefix"),
    ],
)
def test_other_types_under_a_jpg_name_are_refused(content):
    error = refusal(content, "passport.jpg", "image/jpeg")
    assert (error.code, error.message) == ("file_type_invalid", "Upload a JPEG, PNG or PDF file.")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(jpeg_bytes(size=(200, 150))[:300], id="truncated"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x13\x37" * 200, id="corrupt"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="corrupt-png"),
    ],
)
def test_truncated_or_corrupt_images_are_unreadable(content):
    error = refusal(content)
    assert (error.code, error.message) == (
        "file_unreadable",
        "This image could not be read; upload a clear JPEG or PNG.",
    )


# --- size ----------------------------------------------------------------------------------------


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    content = pdf_of_size(MB)
    assert len(content) == MB
    clean = document_clean(upload(content, "scan.pdf", "application/pdf"), field="selfie_image")
    assert (clean.content, clean.size, clean.content_type) == (content, MB, "application/pdf")


def test_one_byte_over_the_limit_is_refused(settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    error = refusal(pdf_of_size(MB + 1), "scan.pdf", "application/pdf")
    assert (error.code, error.message) == ("file_too_large", "The file is too large: the limit is 1 MB.")


def test_a_file_that_understates_its_size_is_still_refused(settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    lying = UploadedFile(io.BytesIO(pdf_of_size(MB + 1)), name="scan.pdf", content_type="application/pdf", size=10)
    with pytest.raises(ApplicationError) as caught:
        document_clean(lying, field="id_back_image")
    assert (caught.value.code, caught.value.field) == ("file_too_large", "id_back_image")


def test_an_empty_file_is_refused():
    error = refusal(b"")
    assert (error.code, error.message) == ("file_empty", "The file is empty.")


def test_a_missing_file_is_refused():
    with pytest.raises(ApplicationError) as caught:
        document_clean(None, field="selfie_image")
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "file_required",
        "selfie_image",
        "This file is required.",
    )


# --- decompression bombs -------------------------------------------------------------------------


def test_a_png_bomb_is_refused_from_its_header():
    # 30000×30000 claimed, 64 rows of data: decoding it would fail as truncated ("file_unreadable"),
    # so "file_bomb" shows the refusal came from the header, before any decoding.
    content = png_bomb_bytes(width=30000, height=30000)
    assert len(content) < 2000
    error = refusal(content, "bomb.png", "image/png")
    assert (error.code, error.message) == ("file_bomb", "This image is too large to process.")


def test_the_pixel_cap_comes_from_settings(settings):
    settings.KYC_MAX_IMAGE_PIXELS = 10_000
    assert refusal(png_bomb_bytes(width=5000, height=5000), "bomb.png", "image/png").code == "file_bomb"
    assert refusal(png_bytes(size=(101, 100)), "big.png", "image/png").code == "file_bomb"


def test_an_image_exactly_at_the_pixel_cap_is_accepted(settings):
    settings.KYC_MAX_IMAGE_PIXELS = 10_000
    clean = document_clean(upload(png_bytes(size=(100, 100))), field="selfie_image")
    assert (clean.content_type, clean.width, clean.height) == ("image/png", 100, 100)


# --- re-encoding ---------------------------------------------------------------------------------


def test_exif_make_and_gps_are_dropped():
    content = jpeg_bytes(size=(64, 48), exif=True)
    original = Image.open(io.BytesIO(content)).getexif()
    assert original[MAKE_TAG] == "SpyCam 3000" and GPS_TAG in original  # the input really has them
    clean = document_clean(upload(content, "front.jpg", "image/jpeg"), field="id_front_image")
    image = reopened(clean.content)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"SpyCam" not in clean.content
    assert b"Exif\x00\x00" not in clean.content
    assert (clean.content_type, image.format, image.size) == ("image/jpeg", "JPEG", (64, 48))


def test_exif_orientation_is_applied_and_recorded():
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6  # rotate 90° clockwise to display
    content = image_bytes(Image.new("RGB", (40, 20), (250, 250, 250)), "JPEG", exif=exif.tobytes())
    clean = document_clean(upload(content, "front.jpg", "image/jpeg"), field="id_front_image")
    image = reopened(clean.content)
    assert image.size == (20, 40)
    assert (clean.width, clean.height) == (20, 40)
    assert dict(image.getexif()) == {}


def test_png_text_chunks_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 12 Secret Street")
    info.add_itxt("Author", "Amina Haddad")
    content = image_bytes(Image.new("RGB", (32, 32), (1, 2, 3)), "PNG", pnginfo=info)
    assert Image.open(io.BytesIO(content)).text == {
        "Comment": "home address: 12 Secret Street",
        "Author": "Amina Haddad",
    }
    clean = document_clean(upload(content, "back.png", "image/png"), field="id_back_image")
    image = reopened(clean.content)
    assert image.text == {}
    assert b"Secret Street" not in clean.content and b"tEXt" not in clean.content and b"iTXt" not in clean.content
    assert image.getpixel((5, 5)) == (1, 2, 3)


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_icc_profiles_and_xmp_are_dropped(fmt, content_type):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="51,30N"/></x:xmpmeta>'
    if fmt == "PNG":  # PNG carries XMP in an iTXt chunk
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        extra = {"pnginfo": info}
    else:
        extra = {"xmp": xmp}
    content = image_bytes(Image.new("RGB", (24, 24), (9, 9, 9)), fmt, icc_profile=profile, **extra)
    original = Image.open(io.BytesIO(content))
    assert original.info.get("icc_profile") == profile and b"GPSLatitude" in content  # the input has them
    clean = document_clean(upload(content, "scan", content_type), field="id_front_image")
    image = reopened(clean.content)
    assert "icc_profile" not in image.info and "xmp" not in image.info
    assert b"GPSLatitude" not in clean.content


def test_a_cmyk_jpeg_is_converted_to_rgb():
    content = image_bytes(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")
    assert Image.open(io.BytesIO(content)).mode == "CMYK"
    clean = document_clean(upload(content, "front.jpg", "image/jpeg"), field="id_front_image")
    image = reopened(clean.content)
    assert (clean.content_type, image.mode, image.size) == ("image/jpeg", "RGB", (16, 16))


def test_a_16_bit_greyscale_png_keeps_its_tones():
    grey = Image.new("I;16", (8, 8), 30000)  # 46 % grey
    content = image_bytes(grey, "PNG")
    assert Image.open(io.BytesIO(content)).mode == "I;16"
    clean = document_clean(upload(content, "back.png", "image/png"), field="id_back_image")
    image = reopened(clean.content)
    assert (image.mode, image.getpixel((3, 3))) == ("L", 117)  # 30000 / 256, not clipped to white


def test_a_palette_png_keeps_its_transparency():
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255])
    palette.putpixel((0, 0), 1)
    content = image_bytes(palette, "PNG", transparency=0)
    clean = document_clean(upload(content, "selfie.png", "image/png"), field="selfie_image")
    image = reopened(clean.content).convert("RGBA")
    assert (image.getpixel((0, 0)), image.getpixel((4, 4))) == ((0, 0, 255, 255), (255, 0, 0, 0))


# --- PDFs ----------------------------------------------------------------------------------------


def test_a_valid_pdf_is_kept_byte_for_byte():
    content = pdf_bytes()
    clean = document_clean(upload(content, "passport.pdf", "application/pdf"), field="id_front_image")
    assert clean.content == content
    assert (clean.content_type, clean.size, clean.width, clean.height) == ("application/pdf", len(content), None, None)
    assert clean.sha256 == hashlib.sha256(content).hexdigest()


def test_a_pdf_without_eof_is_refused():
    error = refusal(pdf_bytes().replace(b"%%EOF", b""), "scan.pdf", "application/pdf")
    assert (error.code, error.message) == ("file_unreadable", "This PDF is damaged or incomplete.")


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj", id="javascript"),
        pytest.param(b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj", id="launch"),
        pytest.param(b"3 0 obj << /Type /EmbeddedFile /Length 3 >>\nstream\nMZ!\nendstream endobj", id="embedded"),
        pytest.param(b"3 0 obj << /Type /RichMedia >> endobj", id="richmedia"),
        pytest.param(b"3 0 obj << /XFA 5 0 R >> endobj", id="xfa"),
        pytest.param(b"3 0 obj << /S /J#61vaScript /JS (app.alert(1)) >> endobj", id="hex-escaped-name"),
        pytest.param(b"3 0 obj << /S /#4Caunch /F (cmd.exe) >> endobj", id="hex-escaped-launch"),
    ],
)
def test_pdfs_with_active_content_are_refused(extra):
    error = refusal(pdf_bytes(extra=extra), "scan.pdf", "application/pdf")
    assert (error.code, error.message) == (
        "file_active_content",
        "This PDF contains scripts or attachments; upload a plain scan.",
    )


def test_javascript_hidden_in_a_compressed_object_stream_is_refused():
    content = object_stream_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in content  # a plain byte scan sees nothing
    assert refusal(content, "scan.pdf", "application/pdf").code == "file_active_content"


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param(b"/LZWDecode", id="other-filter"),
        pytest.param(b"[/ASCIIHexDecode /FlateDecode]", id="filter-chain"),
        pytest.param(b"/FlateDecode /DecodeParms << /Predictor 12 >>", id="predictor"),
    ],
)
def test_an_object_stream_that_cannot_be_inspected_is_refused(replacement):
    content = object_stream_pdf(b"<< /Type /Page >>").replace(b"/FlateDecode", replacement)
    error = refusal(content, "scan.pdf", "application/pdf")
    assert (error.code, error.message) == ("file_unreadable", "This PDF is damaged or incomplete.")


def test_an_object_stream_that_inflates_past_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr("apps.kyc.files.PDF_OBJECT_STREAMS_MAX_BYTES", 1000)
    content = object_stream_pdf(b"<< /Type /Page >>" + b" " * 1000)
    assert len(content) < 500
    assert refusal(content, "scan.pdf", "application/pdf").code == "file_unreadable"


def test_a_corrupt_object_stream_is_refused():
    content = object_stream_pdf(b"<< /Type /Page >>").replace(b"stream\nx", b"stream\nX")
    assert refusal(content, "scan.pdf", "application/pdf").code == "file_unreadable"


def test_a_pdf_with_a_harmless_object_stream_is_accepted():
    content = object_stream_pdf(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    clean = document_clean(upload(content, "scan.pdf", "application/pdf"), field="id_front_image")
    assert (clean.content, clean.content_type) == (content, "application/pdf")


@pytest.mark.parametrize("trailer", [b"/Encrypt 9 0 R", b"/Encr#79pt 9 0 R"])
def test_an_encrypted_pdf_is_refused(trailer):
    content = pdf_bytes().replace(b"/Root 1 0 R", b"/Root 1 0 R " + trailer)
    error = refusal(content, "scan.pdf", "application/pdf")
    assert (error.code, error.message) == (
        "file_encrypted",
        "This PDF is password-protected; upload an unprotected copy.",
    )


# --- the streaming upload limit ------------------------------------------------------------------


def parsed_request(fields: dict):
    body = encode_multipart(BOUNDARY, fields)
    request = RequestFactory().generic("POST", "/kyc/", body, content_type=MULTIPART_CONTENT)
    upload_limit_install(request)
    return request


def test_an_oversized_file_arrives_empty_with_its_size_and_the_rest_intact(settings, tmp_path):
    settings.KYC_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # files go through temporary files on disk
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = pdf_of_size(MB + 70_000)
    small = png_bytes(size=(20, 10))
    request = parsed_request(
        {
            "full_name": "Amina Haddad",
            "id_type": "passport",
            "id_front_image": SimpleUploadedFile("front.pdf", big, "application/pdf"),
            "selfie_image": SimpleUploadedFile("selfie.png", small, "image/png"),
        }
    )

    assert request.POST.dict() == {"full_name": "Amina Haddad", "id_type": "passport"}
    oversized = request.FILES["id_front_image"]
    assert type(oversized) is OversizedUpload
    assert (oversized.name, oversized.content_type, oversized.size, oversized.read()) == (
        "front.pdf",
        "application/pdf",
        len(big),
        b"",
    )
    selfie = request.FILES["selfie_image"]
    assert (selfie.name, selfie.size, selfie.read()) == ("selfie.png", len(small), small)
    # Only the selfie's temporary file is left; the partial copy of the big file was deleted.
    assert [path.name for path in tmp_path.iterdir()] == [selfie.file.name.rsplit("/", 1)[-1]]
    with pytest.raises(ApplicationError) as caught:
        document_clean(oversized, field="id_front_image")
    assert (caught.value.code, caught.value.field) == ("file_too_large", "id_front_image")


def test_an_oversized_file_kept_in_memory_is_dropped_too(settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    big = pdf_of_size(MB + 1)
    request = parsed_request({"selfie_image": SimpleUploadedFile("selfie.pdf", big, "application/pdf")})
    oversized = request.FILES["selfie_image"]
    assert (type(oversized), oversized.size, oversized.read()) == (OversizedUpload, MB + 1, b"")


def test_a_file_exactly_at_the_limit_passes_the_handler(settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    content = pdf_of_size(MB)
    request = parsed_request({"id_back_image": SimpleUploadedFile("back.pdf", content, "application/pdf")})
    received = request.FILES["id_back_image"]
    assert not isinstance(received, OversizedUpload)
    assert received.read() == content
    assert document_clean(received, field="id_back_image").content == content


def test_the_handler_is_installed_once_and_first():
    request = RequestFactory().post("/kyc/", data={"a": "b"})
    upload_limit_install(request)
    upload_limit_install(request)
    kinds = [type(handler).__name__ for handler in request.upload_handlers]
    assert kinds == ["KycUploadLimitHandler", "MemoryFileUploadHandler", "TemporaryFileUploadHandler"]
    assert isinstance(request.upload_handlers[0], KycUploadLimitHandler)
