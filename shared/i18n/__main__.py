"""``python -m shared.i18n catalog.po``: ``make messages``' last step (``fill_english``)."""

import sys
from pathlib import Path

from shared.i18n import fill_english

fill_english(Path(sys.argv[1]))
