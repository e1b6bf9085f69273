"""The test suite.

One BLAS thread, here and in every `nurture` the tests start (they inherit it), set before
NumPy loads: the embedding ranker's small products gain nothing from more threads, and on a
busy two-core machine OpenBLAS's spinning threads made the hybrid selection eval ten times
slower (285 s against 29 s of wall time, 47 s against 4 s of CPU).
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
