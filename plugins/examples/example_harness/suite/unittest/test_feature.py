# Skipped: it prints "SKIP".
print("SKIP")
