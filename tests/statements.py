"""What a request costs the database, counted from Django's captured queries.

Two numbers, by one convention, shared by tests/comments/test_post_cost.py and the
benchmark: the statements other than transaction control (BEGIN, COMMIT, ROLLBACK,
SAVEPOINT, RELEASE), and the write transactions: each BEGIN … COMMIT block holding an
INSERT, UPDATE or DELETE, and each such statement run outside a block (autocommit).
"""

from dataclasses import dataclass

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass(frozen=True)
class Cost:
    statements: list[str]
    write_transactions: int

    def __str__(self) -> str:
        return f"{len(self.statements)} statements, {self.write_transactions} write transactions"


def cost(captured_queries: list[dict]) -> Cost:
    """The statements and write transactions of `captured_queries` (CaptureQueriesContext's)."""
    statements, writes, in_block, block_writes = [], 0, False, False
    for query in captured_queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper() if sql else ""
        if verb == "BEGIN":
            in_block, block_writes = True, False
        elif verb in ("COMMIT", "ROLLBACK"):
            writes += verb == "COMMIT" and block_writes
            in_block = False
        elif verb not in TRANSACTION_CONTROL:
            statements.append(sql)
            if verb in WRITES and in_block:
                block_writes = True
            elif verb in WRITES:
                writes += 1
    return Cost(statements, writes)
