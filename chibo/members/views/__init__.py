"""The members' pages, one module per area: records (the list, a member's record and events,
admission, transfers, seats, the roll and deadlines), imports (the roll import), reports (the
statistical forms, duplicates and merging, reconciliation, letters)."""
