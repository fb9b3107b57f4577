# A programmer for the serial driver's tests: "flashes" a virtual board by copying the image
# into its flash file and power-cycling it (SIGHUP), as picotool would load and reboot a Pico.
# usage: fake_programmer.py IMAGE FLASH_FILE BOARD_PID
import os
import shutil
import signal
import sys

image, flash, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.copyfile(image, flash)
os.kill(pid, signal.SIGHUP)
print("fake_programmer: loaded %s" % image)
