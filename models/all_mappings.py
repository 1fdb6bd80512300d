"""Import every module that maps tables, so that ``Base.metadata`` is complete.

Alembic's autogenerate and the migration tests rely on it; add new mapping
modules here.
"""

import ledger.orm  # noqa: F401
import models.accounts
import models.orm
import models.planning  # noqa: F401
from models.orm import _coerce_enum_attributes

_coerce_enum_attributes()
