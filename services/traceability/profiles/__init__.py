"""Trace profiles (hồ sơ truy xuất): what each product's scan page shows, kept from the
registry's, rating's and catalog's events, the QR label it encodes, and the rules of the
scan URLs and certificate states every capability prints or tells."""
