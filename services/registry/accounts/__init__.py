"""Accounts (tài khoản): users and their roles, signing in and its throttling, passwords."""
