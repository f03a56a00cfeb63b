"""The traceability service — truy xuất nguồn gốc: batches, origin records, QR labels and scans."""
