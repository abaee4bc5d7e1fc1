"""The old site's images: copied into this site's media storage, or left where they are.

A WordPress export names its images by address (https://old.blog/wp-content/uploads/
2024/05/photo.jpg); the files themselves are not in it. Given a copy of the old site's
`wp-content/uploads` folder (--media-dir), an image is copied from there into the
media storage (local files or S3) and its address rewritten. With --fetch-media, an
image missing from that folder is downloaded from its address. Otherwise nothing is
fetched: the import never reaches the network unless asked.
"""

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from blog.images import validate_image

from .report import ImportReport

IMPORTED_FOLDER = "imported"
FETCH_TIMEOUT_SECONDS = 10
FETCH_MAX_BYTES = 20 * 1024 * 1024
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"}


class MediaLibrary:
    """Finds the old site's images and copies each one into the media storage once."""

    def __init__(
        self,
        *,
        report: ImportReport,
        media_dir: Path | None = None,
        fetch: bool = False,
        dry_run: bool = False,
    ):
        self.report = report
        self.media_dir = Path(media_dir) if media_dir else None
        self.fetch = fetch
        self.dry_run = dry_run
        self._stored: dict[str, str | None] = {}

    @property
    def copies_images(self) -> bool:
        return bool(self.media_dir or self.fetch)

    def relative_path(self, url: str) -> PurePosixPath | None:
        """Where the image at `url` sits within wp-content/uploads: 2024/05/photo.jpg."""
        path = unquote(urlsplit(url).path)
        if "/wp-content/uploads/" in path:
            path = path.split("/wp-content/uploads/", 1)[1]
        relative = PurePosixPath(path.lstrip("/"))
        if not relative.parts or ".." in relative.parts:
            return None
        return relative

    def read(self, url: str) -> bytes | None:
        """The image's bytes, from the uploads folder or (if allowed) its address."""
        relative = self.relative_path(url)
        if relative is None or relative.suffix.lower() not in IMAGE_SUFFIXES:
            return None
        if self.media_dir is not None:
            candidate = (self.media_dir / relative).resolve()
            inside = candidate.is_relative_to(self.media_dir.resolve())
            if inside and candidate.is_file():
                return candidate.read_bytes()
        if self.fetch and url.lower().startswith(("http://", "https://")):
            return self._download(url)
        return None

    def _download(self, url: str) -> bytes | None:
        try:
            with httpx.stream("GET", url, timeout=FETCH_TIMEOUT_SECONDS) as response:
                if response.status_code != 200:
                    status = response.status_code
                    self.report.note(f"Image {url} answered {status}; kept its address.")
                    return None
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > FETCH_MAX_BYTES:
                        self.report.note(f"Image {url} is over 20 MB; kept its address.")
                        return None
                return bytes(content)
        except httpx.HTTPError as error:
            self.report.note(f"Image {url} could not be fetched ({error}); kept its address.")
            return None

    def stored_url(self, url: str) -> str | None:
        """The address of `url`'s copy in the media storage, copying it the first time;
        None when the image could not be found, so it keeps its old address."""
        if url in self._stored:
            return self._stored[url]
        stored = None
        if self.copies_images and (name := self.stored_name(url)):
            stored = default_storage.url(name)
        self._stored[url] = stored
        return stored

    def stored_name(self, url: str) -> str | None:
        """The name of `url`'s copy in the media storage, copying it the first time."""
        relative = self.relative_path(url)
        if relative is None:
            return None
        name = f"{IMPORTED_FOLDER}/{relative}"
        if default_storage.exists(name):
            self.report.add("images", "skipped", "already copied")
            return name
        content = self.read(url)
        if content is None:
            return None
        if self.dry_run:
            self.report.add("images", "imported")
            return name
        name = default_storage.save(name, ContentFile(content))
        self.report.add("images", "imported")
        return name

    def image_file(self, url: str) -> ContentFile | None:
        """The featured image at `url` as a file for Post.image, checked as an upload is."""
        content = self.read(url)
        if content is None:
            return None
        upload = ContentFile(content, name=PurePosixPath(self.relative_path(url)).name)
        try:
            validate_image(upload)
        except ValidationError as error:
            self.report.add("images", "failed")
            self.report.note(f"Featured image {url} refused: {' '.join(error.messages)}")
            return None
        upload.seek(0)
        return upload
