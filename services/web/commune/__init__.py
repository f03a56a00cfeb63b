"""The commune officer's workspace (cán bộ xã): the commune's products and where each
stands, the stages waiting for the commune's decision, and the pre-assessment and proposal
of Decision 1489/QĐ-TTg."""
