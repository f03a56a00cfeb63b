"""The rating service — hội đồng đánh giá: councils, scores, stars, recognition decisions
and certificates."""
