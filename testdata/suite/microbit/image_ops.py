# Image arithmetic and transforms of the micro:bit's display images (expected output: the
# micro:bit firmware's own: these tests check that mptest carries it intact).
from microbit import Image
heart = Image.HEART
print(heart.width(), heart.height(), heart.get_pixel(1, 0))
print(heart.shift_left(1))
print(heart.crop(1, 1, 3, 2))
print(heart.invert().get_pixel(0, 0), (heart * 0.5).get_pixel(1, 1))
print(len(Image.ALL_CLOCKS), len(Image.ALL_ARROWS))
