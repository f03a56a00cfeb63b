"""The change history (lịch sử thay đổi): who changed what and when. Each service keeps its own
``HISTORY`` collection in its own store, writes an entry in each change's own transaction
(``History.record``) and reads it back newest first (``page``) at its ``GET /history``
(answered as ``HistoryEntryOut``)."""

from shared.history.queries import page
from shared.history.recorder import HISTORY, History, history_collection
from shared.history.rules import changed_fields

__all__ = ["HISTORY", "History", "changed_fields", "history_collection", "page"]
