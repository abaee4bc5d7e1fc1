"""What an import did, kind by kind: the same report on the terminal and in the admin."""

from collections import Counter
from dataclasses import dataclass, field

KINDS = ("posts", "comments", "pingbacks", "tags", "authors", "images")
OUTCOMES = ("imported", "updated", "skipped", "failed")
# The longest list of failures or notes kept: a broken export must not make a report
# the size of the file.
LIST_LIMIT = 200


@dataclass
class ImportReport:
    """Counts per kind and outcome, the reasons behind each skip, and the failures."""

    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    reasons: Counter = field(default_factory=Counter)  # (kind, outcome, reason) -> n
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def add(self, kind: str, outcome: str, reason: str = "", count: int = 1) -> None:
        if kind not in KINDS or outcome not in OUTCOMES:
            raise ValueError(f"Unknown report line: {kind} {outcome}")
        self.counts[kind, outcome] += count
        if reason:
            self.reasons[kind, outcome, reason] += count

    def fail(self, kind: str, message: str) -> None:
        self.add(kind, "failed")
        if len(self.failures) < LIST_LIMIT:
            self.failures.append(message)

    def note(self, message: str) -> None:
        if len(self.notes) < LIST_LIMIT and message not in self.notes:
            self.notes.append(message)

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[kind, outcome]

    def rows(self) -> list[dict]:
        """One row per kind that anything happened to, with the reasons for each outcome."""
        rows = []
        for kind in KINDS:
            numbers = {outcome: self.counts[kind, outcome] for outcome in OUTCOMES}
            if not any(numbers.values()):
                continue
            reasons = [
                f"{outcome}: {reason} ({count})"
                for (row_kind, outcome, reason), count in sorted(self.reasons.items())
                if row_kind == kind
            ]
            rows.append({"kind": kind, **numbers, "reasons": reasons})
        return rows

    def lines(self) -> list[str]:
        """The report as text, for the terminal."""
        heading = "Dry run: nothing was written." if self.dry_run else "Import finished."
        lines = [heading]
        for row in self.rows():
            numbers = ", ".join(f"{row[outcome]} {outcome}" for outcome in OUTCOMES)
            lines.append(f"  {row['kind'].capitalize()}: {numbers}")
            lines.extend(f"      {reason}" for reason in row["reasons"])
        if not self.rows():
            lines.append("  Nothing to import.")
        if self.failures:
            lines.append("Failed:")
            lines.extend(f"  {failure}" for failure in self.failures)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in self.notes)
        return lines

    def as_dict(self) -> dict:
        """For ImportRun.report (JSON)."""
        return {
            "rows": self.rows(),
            "failures": self.failures,
            "notes": self.notes,
            "dry_run": self.dry_run,
        }
