"""The change history (lịch sử thay đổi): the entry every change to an account, subject,
product or dossier leaves, and reading it back."""
