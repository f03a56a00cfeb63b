"""Scans (lượt quét): the scan pages a label's QR code opens and the GS1 resolver behind
them, the scans counted per product, batch and day, and the copied or unknown codes they
reveal (anomalies), with the figures the office reads from them."""
