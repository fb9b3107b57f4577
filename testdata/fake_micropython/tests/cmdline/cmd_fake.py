# A cmdline/ test: the native harness hands it to run-tests.py on the unix port.
print(1)
