"""Subjects (chủ thể) and their products: registering and changing them, identity changes
the office decides on, GTINs and photos."""
