"""Reads the benchmark's Parquet shards with pyarrow, single-threaded, into the same float32 batch layout
warmstart produces (features / 255), and prints one JSON line: rows, seconds, peak RSS.
Usage: python3 bench/pyarrow_read.py <shard files...>"""
import json
import resource
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

pa.set_cpu_count(1)
pa.set_io_thread_count(1)
start = time.perf_counter()
rows = 0
checksum = 0.0
for path in sys.argv[1:]:
    table = pq.read_table(path, use_threads=False, pre_buffer=False)
    images = table.column("image").combine_chunks()
    offsets = np.frombuffer(images.buffers()[1], dtype=np.int32)[images.offset : images.offset + len(images) + 1]
    data = np.frombuffer(images.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    x = data.astype(np.float32) / 255.0
    y = table.column("label").to_numpy()
    rows += len(y)
    checksum += float(x[:784].sum())
seconds = time.perf_counter() - start
print(json.dumps({"rows": rows, "seconds": seconds, "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "checksum": checksum}))
