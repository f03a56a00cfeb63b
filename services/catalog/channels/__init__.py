"""Sales channels (kênh bán hàng): the online shops and marketplaces the office lets carry
listings, what each may carry, and the API keys they call with."""
