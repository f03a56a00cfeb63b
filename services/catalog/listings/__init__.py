"""Listings (danh mục sản phẩm OCOP): one per certified product, kept from the other
services' events and its producer's word, as the public, sales channels and the listings
stream read it, with the numbered change log of what they were told."""
