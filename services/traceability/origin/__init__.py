"""Origin (nguồn gốc): a product's batches (lô hàng) and their origin records — EPCIS 2.0
events on a hash chain, entered through forms or captured — and the journey a shopper reads
from them."""
