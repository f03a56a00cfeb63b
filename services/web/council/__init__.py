"""The council member's workspace (thành viên hội đồng đánh giá): the evaluations to score,
the score sheet of the product's group, the sheets already submitted. Tablet first."""
