"""The Arrow memory pool of the DORA metrics' large buffers (reading and computing)."""

from __future__ import annotations

import pyarrow as pa

# Arrow's default allocator (mimalloc) asks the kernel for huge pages, and the first touch of
# them costs more system time than the whole computation (0.4 to 0.6 s of CPU for a million
# rows on the development machine); the C library's allocator does not. The large buffers of
# reading and computing the metrics come from this pool; the rest of the app keeps the default.
POOL = pa.system_memory_pool()
