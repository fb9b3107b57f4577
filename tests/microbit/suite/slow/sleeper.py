# Runs for a few seconds, printing as it goes: long enough to kill the board's emulator under it.
import time
for i in range(8):
    print("tick", i)
    time.sleep(1)
print("done")
