"""Exercise checkers that answer in plain words: `checks.check_rnn_step(my_rnn_step)`.

`engine` runs a learner's answer on several cases and names the first difference, and the usual
slip behind it; a stub that was not filled in yet gets "not attempted yet" and a pointer to
`show_solution`. Each notebook's checkers live in their own module (nb00 ... nb10); all of them
are importable from here.
"""

from .engine import (NOT_ATTEMPTED, NOT_YET, PASSED, Case, CheckResult, check_function, check_value,
                     is_stub_value, not_attempted, step_cases)
from .nb00 import *  # noqa: F401,F403
from .nb01 import *  # noqa: F401,F403
from .nb02 import *  # noqa: F401,F403
from .nb03 import *  # noqa: F401,F403
from .nb04 import *  # noqa: F401,F403
from .nb05 import *  # noqa: F401,F403
from .nb06 import *  # noqa: F401,F403
from .nb07 import *  # noqa: F401,F403
from .nb08 import *  # noqa: F401,F403
from .nb09 import *  # noqa: F401,F403
from .nb10 import *  # noqa: F401,F403
from . import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10  # noqa: E402

#: Every notebook's checker module, by notebook number ("00" ... "10").
BY_NOTEBOOK = {f"{k:02d}": m for k, m in enumerate((nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10))}

__all__ = ["NOT_ATTEMPTED", "NOT_YET", "PASSED", "Case", "CheckResult", "check_function", "check_value",
           "is_stub_value", "not_attempted", "step_cases", "BY_NOTEBOOK"] + [
    name for m in BY_NOTEBOOK.values() for name in m.__all__]
