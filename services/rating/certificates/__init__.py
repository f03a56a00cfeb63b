"""Certificates (giấy chứng nhận): recognition decisions (quyết định công nhận), the
certificates they issue, renewal (công nhận lại), revocation (thu hồi) and expiry, the
certificate as a PDF, and its public verification page (trang xác minh)."""
