# The micro:bit's built-in display images (expected output: the micro:bit firmware's own).
from microbit import Image
print(Image.HEART)
print(Image("90009:09090:00900:09090:90009").get_pixel(2, 2))
