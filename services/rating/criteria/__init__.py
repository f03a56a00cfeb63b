"""Criteria (bộ tiêu chí, bảng tiêu chí): the criteria sets in force by date, the
criteria tables of each set per product group, and how score sheets are checked against
them."""
