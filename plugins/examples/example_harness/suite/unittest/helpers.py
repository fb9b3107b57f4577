# Not a test (not named test_*.py): the harness leaves it alone.
raise RuntimeError("never run")
