# Opens a data file relative to the working directory, as unicode/file1.py does: passes only when
# the test runs in its own directory.
with open("cwd_data.txt") as f:
    print(f.read().strip())
