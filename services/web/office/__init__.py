"""The provincial OCOP office's workspace (văn phòng điều phối OCOP tỉnh): its inbox of what
waits for it, the decisions it takes there, and the pages of its other work. Each page calls
the services' APIs with the office's own token; the services keep every rule."""
