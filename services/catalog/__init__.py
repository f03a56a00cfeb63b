"""The catalog service — listings of certified products for online sales channels."""
