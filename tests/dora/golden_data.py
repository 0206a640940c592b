"""One hand-made week whose every figure is worked out by hand in the comments.

Window: 1 May 2024 00:00 UTC up to 8 May 2024 00:00 UTC (7 days); look-back 24 hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from assessment.dora.formats import Kind
from assessment.dora.window import Window

WINDOW = Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 8, tzinfo=UTC))

DEPLOYMENTS = [
    # counted: d1, d2, d5, d6 (4 deployments on 3 distinct days: 1, 4 and 6 May)
    {"id": "d1", "service": "a", "deployed_at": "2024-05-01T10:00:00Z", "change_ids": "c1;c2"},
    {"id": "d2", "service": "a", "deployed_at": "2024-05-01T16:00:00Z", "change_ids": "c3"},
    {"id": "d3", "service": "b", "deployed_at": "2024-05-03T09:00:00Z", "status": "failed", "change_ids": "c4"},
    {"id": "d4", "service": "b", "deployed_at": "2024-05-03T12:00:00Z", "environment": "staging"},
    {"id": "d5", "service": "b", "deployed_at": "2024-05-04T08:00:00Z", "change_ids": "c2;c5"},
    {"id": "d6", "service": "a", "deployed_at": "2024-05-06T00:30:00Z", "first_commit_at": "2024-05-05T22:30:00Z"},
    {"id": "d7", "service": "a", "deployed_at": "2024-04-20T00:00:00Z"},  # outside the window
]
CHANGES = [
    {"id": "c1", "committed_at": "2024-05-01T08:00:00Z"},  # shipped by d1: 2 h
    {"id": "c2", "committed_at": "2024-05-01T06:00:00Z"},  # first shipped by d1: 4 h (d5 ships it again)
    {"id": "c3", "committed_at": "2024-05-01T15:00:00Z"},  # d2: 1 h
    {"id": "c4", "committed_at": "2024-05-02T15:00:00Z"},  # only in d3, which failed: no sample
]
# lead time samples: 2, 4, 1 and d6's 2 h -> sorted 1, 2, 2, 4: median 2, p90 = 2 + 0.7 * (4 - 2) = 3.4
INCIDENTS = [
    # i1: no id, service a, 1 h after d2 -> attributed to d2; restored in 1.5 h
    {"id": "i1", "service": "a", "started_at": "2024-05-01T17:00:00Z", "resolved_at": "2024-05-01T18:30:00Z"},
    # i2: names d5 -> linked by id; 4 h
    {"id": "i2", "service": "b", "started_at": "2024-05-04T09:00:00Z", "resolved_at": "2024-05-04T13:00:00Z",
     "deployment_id": "d5"},
    # i3: names change c5, first shipped by d5 -> linked by id; never resolved
    {"id": "i3", "service": "b", "started_at": "2024-05-05T10:00:00Z", "change_id": "c5"},
    # i4: service c has no deployment -> not linked; 0.5 h
    {"id": "i4", "service": "c", "started_at": "2024-05-02T00:00:00Z", "resolved_at": "2024-05-02T00:30:00Z"},
]
# failed deployments: d2 and d5 -> 2 of 4 = 50 %; restore samples 1.5, 4, 0.5 -> median 1.5,
# p90 = 1.5 + 0.8 * (4 - 1.5) = 3.5

GOLDEN = {Kind.DEPLOYMENTS: DEPLOYMENTS, Kind.CHANGES: CHANGES, Kind.INCIDENTS: INCIDENTS}
