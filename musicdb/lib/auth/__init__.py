"""Accounts, passwords, sessions and the failed-login limiter.

Tools only: nothing here knows HTTP or the application.  ``lib/http/login.py``
puts them in front of every route; ``mod/user.py`` edits the accounts.
"""
