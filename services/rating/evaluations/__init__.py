"""Evaluations (đánh giá, phân hạng): rounds and their councils (hội đồng), the commune's
proposals (đề xuất), evaluations with their score sheets (phiếu chấm), and their results."""
