"""Origin documents (tài liệu nguồn gốc): the lab reports (phiếu kết quả thử nghiệm), area
certificates and photographs behind a batch's records, kept in the object store at a public
URL."""
