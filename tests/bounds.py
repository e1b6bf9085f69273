"""How long a test waits for a process or a server before calling it hung.

Generous on purpose: a busy machine must never fail a test. Speed is measured in bench/.
"""

HANG_SECONDS = 900.0

# CPU seconds (time.process_time: this process's own work, whatever else the machine runs)
# that only runaway work reaches: parsing that goes quadratic on hostile input.
RUNAWAY_CPU_SECONDS = 20.0
