"""The annual summary (báo cáo tổng kết) of a locality: its figures and the CSV and XLSX
files offices keep."""
