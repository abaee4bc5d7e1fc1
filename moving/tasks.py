"""The import started from the admin, run by the task worker (`manage.py db_worker`).

The upload sits in the media storage (on S3, any server's worker can read it); the task
copies it to a local file, which the importer reads twice as a stream, and deletes the
upload when done: an export holds commenters' addresses and emails, which the site now
keeps under its own retention rules and need not keep twice.
"""

import tempfile
import time
from pathlib import Path

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import ImportRun
from .report import ImportReport

# How often the page's progress bar moves: a save per item would slow a large import.
PROGRESS_EVERY_SECONDS = 1.0


@task
def import_run(run_id: int) -> str:
    """Import the export of ImportRun `run_id`, once; a second run of the task does nothing."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != ImportRun.Status.WAITING:
            return "nothing to do"
        run.status = ImportRun.Status.RUNNING
        run.save(update_fields=["status"])
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / "export.xml"
        with run.export_file.open("rb") as upload, local.open("wb") as copy:
            for chunk in upload.chunks():
                copy.write(chunk)
        report, error = _run_import(run, local)
    run.status = ImportRun.Status.REFUSED if error else ImportRun.Status.DONE
    run.error = error
    run.report = report.as_dict() if report else {}
    run.finished_at = timezone.now()
    run.export_file.delete(save=False)
    run.save(
        update_fields=["status", "error", "report", "finished_at", "done_count", "export_file"]
    )
    return run.status


def _run_import(run: ImportRun, path: Path) -> tuple[ImportReport | None, str]:
    from .disqus_import import DisqusImport
    from .imports import ImportOptions, ImportRefused
    from .wordpress_import import WordPressImport

    last_saved = 0.0

    def advance(done: int, total: int) -> None:
        nonlocal last_saved
        if time.monotonic() - last_saved < PROGRESS_EVERY_SECONDS and done < total:
            return
        last_saved = time.monotonic()
        run.done_count, run.total_count = done, total
        ImportRun.objects.filter(pk=run.pk).update(done_count=done, total_count=total)

    options = ImportOptions(author=run.author)
    importer_class = DisqusImport if run.format == ImportRun.Format.DISQUS else WordPressImport
    try:
        report = importer_class(path, options=options, progress=advance).run()
    except ImportRefused as refused:
        return None, str(refused)
    run.done_count = run.total_count
    return report, ""
